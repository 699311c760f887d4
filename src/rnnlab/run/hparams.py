"""TensorBoard's HPARAMS tab: what was varied and the few settings people compare, beside the
final metrics (the test headline first), so a sweep reads as a table of its grid.

Showing every config field (``data._target_``, ``trainer.default_root_dir`` ...) buries the
one that was swept; here the columns are the run's own command-line overrides (for a sweep
job: the values that vary across the sweep) and COMPARED settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig
from pytorch_lightning.loggers import TensorBoardLogger
from torch.utils.tensorboard.summary import hparams

from rnnlab.compat.tensorboard import file_writer
from rnnlab.config.dotted import select

#: Settings shown for every run, whether or not they were changed.
COMPARED = (
    "model.cell",
    "model.hidden_size",
    "model.num_layers",
    "optimizer.lr",
    "data.batch_size",
    "data.seq_len",
    "trainer.gradient_clip_val",
)


def _shown(value: Any) -> bool | int | float | str:
    if value is None:
        return "null"
    return value if isinstance(value, bool | int | float | str) else str(value)


def varied_overrides() -> list[tuple[str, str]]:
    """(key, value) of this run's overrides that name it: a sweep job's swept values, or a
    single run's command-line changes (Hydra's own settings left out)."""
    if not HydraConfig.initialized():
        return []
    hydra = HydraConfig.get()
    excluded = set(hydra.job.config.override_dirname.exclude_keys)
    varied = []
    for override in hydra.overrides.task:
        key, _, value = override.partition("=")
        key = key.lstrip("+~")
        if key not in excluded and not key.startswith("hydra"):
            varied.append((key, value))
    return varied


def hparams_of(config: Mapping[str, Any], varied: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The varied values (typed from the config where the key is a field), then COMPARED."""
    params: dict[str, Any] = {}
    for key, text in varied:
        value = select(config, key)
        params[key] = _shown(value if value is not None and "." in key else text)
    for key in COMPARED:
        if key not in params and select(config, key.rsplit(".", 1)[0]) is not None:
            params[key] = _shown(select(config, key))
    return params


def ordered_metrics(metrics: Mapping[str, float | None], headline: str) -> dict[str, float]:
    """Finite final metrics, the test headline first, then test, best, val and train ones."""

    def rank(name: str) -> tuple[int, str]:
        order = (f"test/{headline}", "test/", "_best", "val/", "train/")
        for position, marker in enumerate(order):
            if name == marker or (marker.endswith("/") and name.startswith(marker)):
                return position, name
            if marker == "_best" and name.endswith(marker):
                return position, name
        return len(order), name

    finite = {k: v for k, v in metrics.items() if isinstance(v, float)}
    return {name: finite[name] for name in sorted(finite, key=rank)}


def log_hparams(
    trainer: pl.Trainer,
    config: Mapping[str, Any],
    metrics: Mapping[str, float | None],
    headline: str,
) -> None:
    """Write one HPARAMS session per run into its TensorBoard logs.

    Written without the step-0 scalars that ``TensorBoardLogger.log_hyperparams(params,
    metrics)`` would add: the metrics already exist as scalars under the same names.
    """
    params = hparams_of(config, varied_overrides())
    shown = ordered_metrics(metrics, headline)
    for logger in trainer.loggers:
        if isinstance(logger, TensorBoardLogger):
            writer = file_writer(logger.experiment)
            for summary in hparams(params, shown):
                writer.add_summary(summary)
            logger.experiment.flush()
