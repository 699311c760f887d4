"""SequenceModule: the LightningModule around a RecurrentNetwork.

Lightning owns the loop, devices, precision and gradient clipping. This module only
says how one batch becomes a loss and which metrics to keep. Per step it does tensor
work alone (no ``.item()``, no logging calls that sync): metrics are accumulated by
torchmetrics and logged once per epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytorch_lightning as pl
import torch
from torch import nn
from torchmetrics import MaxMetric, MetricCollection, MinMetric

from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.models.objective import Objective

OptimizerFactory = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]


class SequenceModule(pl.LightningModule):
    """Trains ``network`` on the task described by ``spec``."""

    def __init__(
        self,
        network: nn.Module,
        spec: TaskSpec,
        optimizer: OptimizerFactory,
        scheduler: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.network = network
        self.spec = spec
        self.objective = Objective(spec)
        self.optimizer_factory = optimizer
        self.scheduler_config = scheduler
        self.train_metrics = self.objective.metrics("train")
        self.val_metrics = self.objective.metrics("val")
        self.test_metrics = self.objective.metrics("test")
        self.val_confusion = self.objective.confusion_matrix()
        self.test_confusion = self.objective.confusion_matrix()
        self.headline, mode = self.objective.headline
        self.val_best = MaxMetric() if mode == "max" else MinMetric()
        self.val_best.persistent(True)  # survives a resume from checkpoint

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.network(inputs, lengths)

    # one batch -----------------------------------------------------------------
    def _shared_step(
        self, batch: SequenceBatch, metrics: MetricCollection, confusion: Any = None
    ) -> torch.Tensor:
        outputs = self.network(batch.inputs, batch.lengths)
        loss = self.objective.loss(outputs, batch.targets, batch.lengths)
        predictions, targets = self.objective.scored(outputs.detach(), batch.targets, batch.lengths)
        metrics.update(predictions, targets)
        if confusion is not None:
            confusion.update(predictions, targets)
        return loss

    def training_step(self, batch: SequenceBatch, batch_idx: int) -> torch.Tensor:
        loss = self._shared_step(batch, self.train_metrics)
        batch_size = batch.inputs.shape[0]
        self.log(
            "train/loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=batch_size
        )
        return loss

    def validation_step(self, batch: SequenceBatch, batch_idx: int) -> None:
        loss = self._shared_step(batch, self.val_metrics, self.val_confusion)
        self.log("val/loss", loss, on_epoch=True, prog_bar=True, batch_size=batch.inputs.shape[0])

    def test_step(self, batch: SequenceBatch, batch_idx: int) -> None:
        loss = self._shared_step(batch, self.test_metrics, self.test_confusion)
        self.log("test/loss", loss, on_epoch=True, batch_size=batch.inputs.shape[0])

    # once per epoch ------------------------------------------------------------
    def _log_epoch_metrics(self, metrics: MetricCollection) -> dict[str, torch.Tensor]:
        values = metrics.compute()
        metrics.reset()
        self.log_dict(values, prog_bar=metrics.prefix != "train/")
        return values

    def _log_baseline(self, stage: str) -> None:
        if self.spec.baseline_loss is not None:
            self.log(f"{stage}/loss_baseline", float(self.spec.baseline_loss))

    def on_train_epoch_end(self) -> None:
        self._log_epoch_metrics(self.train_metrics)
        self._log_baseline("train")

    def on_validation_epoch_end(self) -> None:
        values = self._log_epoch_metrics(self.val_metrics)
        if self.val_confusion is not None:
            self.val_confusion.reset()
        self._log_baseline("val")
        if self.trainer.sanity_checking:
            return  # the sanity check's batches say nothing about the best epoch
        self.val_best.update(values[f"val/{self.headline}"])
        self.log(f"val/{self.headline}_best", self.val_best.compute(), prog_bar=True)

    def on_test_epoch_end(self) -> None:
        self._log_epoch_metrics(self.test_metrics)
        if self.test_confusion is not None:
            self.test_confusion.reset()
        self._log_baseline("test")

    def confusion_matrix(self, stage: str) -> torch.Tensor | None:
        """This epoch's confusion matrix for 'val' or 'test' (rows: true, columns: predicted)."""
        metric = self.val_confusion if stage == "val" else self.test_confusion
        return None if metric is None else metric.compute()

    # optimisation --------------------------------------------------------------
    def configure_optimizers(self) -> Any:
        optimizer = self.optimizer_factory(self.parameters())
        if not self.scheduler_config:
            return optimizer
        scheduler = dict(self.scheduler_config)
        scheduler["scheduler"] = scheduler["scheduler"](optimizer)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}
