"""Early stopping per member: each member's own EarlyStopping, as its single run has it.

A single run's EarlyStopping reads its metric from the trainer and stops the whole trainer; in a
stack each member's EarlyStopping (Lightning's, built from the member's config) is asked about
that member's own metric after each validation, and a member it stops is frozen while the
others train on. The question is asked before the members' checkpoints are written, as
Lightning runs a single run's ModelCheckpoint after its other callbacks at the end of an epoch:
the member's last checkpoint holds the verdict (``stopped_epoch``), so a resumed sweep knows
that member's training had ended.
"""

from __future__ import annotations

import logging

import pytorch_lightning as pl

from rnnlab.compat.lightning import early_stopping_verdict
from rnnlab.stack.members import Member

log = logging.getLogger(__name__)


class MemberEarlyStopping(pl.Callback):
    """After each validation: stop each member whose EarlyStopping says so."""

    def __init__(self, members: list[Member]) -> None:
        self.members = members

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        for k, member in enumerate(self.members):
            stopping = member.early_stopping
            if stopping is None or not member.training:
                continue
            value = member.metrics.get(stopping.monitor)
            if value is None:
                continue
            stop, reason = early_stopping_verdict(stopping, float(value))
            # as Lightning does: a stop before min_epochs is asked again the next epoch
            if stop and trainer.current_epoch + 1 >= (trainer.min_epochs or 0):
                stopping.stopped_epoch = trainer.current_epoch
                stopping.stopping_reason_message = reason
                log.info("%s: %s", member.job.run_dir.name, reason)
                pl_module.stop_early(k)  # type: ignore[operator]
