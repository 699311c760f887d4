"""Pruning for ``hparams_search=optuna``: each epoch, the trial tells its study the metric it
is searched on, and stops at once when the study's pruner says it is hopeless.

Stopping is Lightning's own early stop (``trainer.should_stop``), so a pruned trial ends its
epoch normally: its checkpoints, logs and figures stay, and its metrics.json says
``status: pruned``. Outside a search's job (a single run, or ``pruner: none``) it does nothing.
"""

from __future__ import annotations

import math
from typing import Any

import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode


class TrialPruning(pl.Callback):
    """Report ``metric`` after each validation; stop the fit if the trial is pruned."""

    def __init__(self, pruner: str = "none", metric: str | None = None) -> None:
        from rnnlab.search.pruners import check_pruner

        self.pruner = check_pruner(pruner)
        self.metric = metric
        #: The epoch the trial was pruned at (None: it was not).
        self.pruned_epoch: int | None = None
        self._reporter: Any = None

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        if stage != "fit" or self.pruner == "none" or not self.metric:
            return
        if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
            return  # a single run: there is no study to report to
        from rnnlab.search.trial import TrialReporter

        hydra = HydraConfig.get()
        self._reporter = TrialReporter(
            str(hydra.sweeper.storage),
            str(hydra.sweeper.study_name),
            int(hydra.job.num),
            self.pruner,
            trainer.max_epochs,
        )

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._reporter is None or trainer.sanity_checking or not trainer.is_global_zero:
            return
        value = trainer.callback_metrics.get(str(self.metric))
        if value is None or not math.isfinite(float(value)):
            return  # nothing to compare yet; a divergence is the gradient monitor's to stop
        epoch = trainer.current_epoch
        if self._reporter.report(float(value), epoch):
            self.pruned_epoch = epoch
            trainer.should_stop = True
            print(
                f"rnnlab: trial {HydraConfig.get().job.num} pruned after epoch {epoch + 1} "
                f"({self.metric}={float(value):.4g}, {self.pruner} pruner)",
                flush=True,
            )


def pruned_epoch(callbacks: list[pl.Callback]) -> int | None:
    """The epoch a run's trial was pruned at, or None when it was not pruned."""
    for callback in callbacks:
        if isinstance(callback, TrialPruning) and callback.pruned_epoch is not None:
            return callback.pruned_epoch
    return None
