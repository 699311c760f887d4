"""Silence warnings that do not apply to rnnlab runs, so the ones that do stand out."""

from __future__ import annotations

import logging
import warnings

#: (message regex, why it does not apply)
KNOWN_WARNINGS: tuple[tuple[str, str], ...] = (
    (
        r".*smaller than the logging interval.*",
        "rnnlab logs once per epoch, so the step-logging interval does not matter",
    ),
    (r".*isinstance\(treespec, LeafSpec\).*", "a deprecation inside Lightning, not in rnnlab"),
    (r".*does not have many workers.*", "batches are sliced from in-memory tensors, no workers"),
    (
        r".*Checkpoint directory .* exists and is not empty.*",
        "each run has its own folder; only a resumed sweep job continues in its own, on purpose",
    ),
)


#: Lightning's start-up advertisement, logged on every Trainer construction.
_ADVERTISEMENT = "💡 Tip:"


class _DropAdvertisement(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_ADVERTISEMENT)


def quiet_known_warnings() -> None:
    for pattern, _reason in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    logger = logging.getLogger("pytorch_lightning.utilities.rank_zero")
    if not any(isinstance(f, _DropAdvertisement) for f in logger.filters):
        logger.addFilter(_DropAdvertisement())
