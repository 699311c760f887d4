"""SequenceModule: the LightningModule around a RecurrentNetwork.

Lightning owns the loop, devices, precision and gradient clipping. This module only
says how one batch becomes a loss and which metrics to keep. Per step it does tensor
work alone (no ``.item()``, no logging call, no metric update): the step's outputs are
gathered in EpochOutputs, and losses and torchmetrics metrics are logged once an epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytorch_lightning as pl
import torch
from torch import nn
from torchmetrics import MaxMetric, MetricCollection, MinMetric

from rnnlab.compat.lightning import HOOK_NAME_ATTRIBUTE
from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.models.epoch_outputs import EpochOutputs, global_mean_loss
from rnnlab.models.objective import Objective

OptimizerFactory = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]
STAGES = ("train", "val", "test")


class SequenceModule(pl.LightningModule):
    """Trains ``network`` on the task described by ``spec``."""

    def __init__(
        self,
        network: nn.Module,
        spec: TaskSpec,
        optimizer: OptimizerFactory,
        scheduler: dict[str, Any] | None = None,
        best_metric: str | None = None,
        best_mode: str = "max",
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
        #: The metric that decides the best epoch (the checkpoint callback's monitor), whose
        #: running best is logged as ``<metric>_best``; None: no best is tracked.
        self.best_metric = best_metric
        self.val_best: MaxMetric | MinMetric | None = None
        if best_metric:
            self.val_best = MaxMetric() if best_mode == "max" else MinMetric()
            self.val_best.persistent(True)  # survives a resume from checkpoint
        #: The epoch (1-based) of the checkpoint last loaded into this module, e.g. for testing.
        self.loaded_epoch: int | None = None
        self.epoch_outputs = {stage: EpochOutputs() for stage in STAGES}
        #: "train/loss" and "val/loss" as [epoch, loss] pairs: the loss curve's data. Kept
        #: here, not in a callback, so that a checkpoint written right after validation
        #: already holds that epoch's training loss, and a resumed run draws every epoch.
        self.loss_history: dict[str, list[list[float]]] = {"train/loss": [], "val/loss": []}
        self._confusion: dict[str, torch.Tensor] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        # Lightning records the running hook in _current_fx_name around every hook call,
        # about 40 times a training step. nn.Module.__setattr__ checks every value against
        # parameters, buffers and submodules (~4 µs each): for this plain string slot that
        # is ~0.15 ms a step, more than a tiny RNN's forward pass. Set it directly.
        if name == HOOK_NAME_ATTRIBUTE:
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.network(inputs, lengths)

    # one batch -----------------------------------------------------------------
    def _step(self, batch: SequenceBatch, stage: str) -> torch.Tensor:
        outputs = self.network(batch.inputs, batch.lengths)
        loss = self.objective.loss(outputs, batch.targets, batch.lengths)
        predictions, targets = self.objective.scored(outputs.detach(), batch.targets, batch.lengths)
        weight = self.objective.weight(batch.targets, batch.lengths)
        self.epoch_outputs[stage].add(loss, weight, predictions, targets)
        return loss

    def training_step(self, batch: SequenceBatch, batch_idx: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch: SequenceBatch, batch_idx: int) -> None:
        self._step(batch, "val")

    def test_step(self, batch: SequenceBatch, batch_idx: int) -> None:
        self._step(batch, "test")

    def predict_step(self, batch: SequenceBatch, batch_idx: int) -> torch.Tensor:
        """Class probabilities (softmax of the outputs) or the regression outputs, as the
        network computes them in ``test_step``; targets, if the batch has any, are unused."""
        outputs = self.network(batch.inputs, batch.lengths)
        return outputs.softmax(dim=-1) if self.spec.is_classification else outputs

    # once per epoch ------------------------------------------------------------
    def epoch_values(
        self, stage: str, metrics: MetricCollection, confusion: Any = None
    ) -> dict[str, Any]:
        """The epoch's loss and metrics (one torchmetrics update); its outputs are cleared.

        {} when the stage saw no batch. Shared by a single run and a stack's members, which
        log the values each in their own way.
        """
        outputs = self.epoch_outputs[stage]
        if not len(outputs):
            return {}
        predictions, targets = outputs.predictions(), outputs.targets()
        metrics.update(predictions, targets)
        # Under DDP: summed over ranks, then divided, so the exact mean over every sequence
        # even when ranks hold uneven shares (a mean of the ranks' means would not be).
        values = {f"{stage}/loss": global_mean_loss(outputs), **metrics.compute()}
        metrics.reset()
        if confusion is not None:
            confusion.update(predictions, targets)
            self._confusion[stage] = confusion.compute()
            confusion.reset()
        if self.spec.baseline_loss is not None:
            values[f"{stage}/loss_baseline"] = float(self.spec.baseline_loss)
        outputs.clear()
        return values

    def record_loss(self, stage: str, epoch: int, loss: Any) -> None:
        """Add ``[epoch, loss]`` to the loss curve of ``stage`` (train and val have one)."""
        curve = self.loss_history.get(f"{stage}/loss")
        if curve is not None:
            curve.append([epoch, float(loss)])

    def _close_epoch(
        self, stage: str, metrics: MetricCollection, confusion: Any = None
    ) -> dict[str, Any]:
        """Log the epoch's loss and metrics and clear its outputs."""
        values = self.epoch_values(stage, metrics, confusion)
        if not values:
            return values
        if not self.trainer.sanity_checking:
            self.record_loss(stage, self.current_epoch + 1, values[f"{stage}/loss"])
        self.log_dict(
            values,
            on_step=False,
            on_epoch=True,
            prog_bar=stage != "test",
            sync_dist=True,
            batch_size=1,
        )
        return values

    def on_train_batch_end(self, outputs: Any, batch: SequenceBatch, batch_idx: int) -> None:
        # Close the epoch at its last batch rather than in on_train_epoch_end: Lightning runs
        # callbacks' on_train_epoch_end before the module's, and the figure and console
        # callbacks should see this epoch's train/loss, not the previous one's.
        if self.trainer.is_last_batch:
            self._close_epoch("train", self.train_metrics)

    def on_train_epoch_end(self) -> None:
        self._close_epoch("train", self.train_metrics)  # an epoch cut short (max_steps)

    def on_validation_epoch_end(self) -> None:
        values = self._close_epoch("val", self.val_metrics, self.val_confusion)
        if self.trainer.sanity_checking or self.val_best is None or self.best_metric not in values:
            return  # the sanity check's batches say nothing about the best epoch
        self.val_best.update(values[self.best_metric])
        # the same value on every rank: sync_dist only says so to Lightning
        self.log(f"{self.best_metric}_best", self.val_best.compute(), prog_bar=True, sync_dist=True)

    def on_test_epoch_end(self) -> None:
        self._close_epoch("test", self.test_metrics, self.test_confusion)

    def confusion_matrix(self, stage: str) -> torch.Tensor | None:
        """The last closed epoch's confusion matrix for 'val' or 'test' (rows: true class)."""
        return self._confusion.get(stage)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["loss_history"] = self.loss_history

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self.loaded_epoch = int(checkpoint.get("epoch", -1)) + 1
        stored = checkpoint.get("loss_history", {})
        self.loss_history = {
            name: [list(p) for p in stored.get(name, [])] for name in self.loss_history
        }

    # optimisation --------------------------------------------------------------
    def configure_optimizers(self) -> Any:
        optimizer = self.optimizer_factory(self.parameters())
        if not self.scheduler_config:
            return optimizer
        scheduler = dict(self.scheduler_config)
        scheduler["scheduler"] = scheduler["scheduler"](optimizer)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}
