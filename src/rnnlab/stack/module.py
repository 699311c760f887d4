"""StackedModule: the LightningModule that trains a stack's members as one network.

Each step runs every member's network at once (rnnlab.models.stacked) on its own batch, and
each member's loss, metrics and epoch outputs are its own SequenceModule's. The loss Lightning
back-propagates is the sum of the members' losses, each the mean over its own batch, so each
member's gradient is its single run's. Clipping is per member, by its own
``trainer.gradient_clip_val`` and algorithm, with the function Lightning uses. A member whose
loss or gradient norm is not finite stops there: ``diverged`` with the single run's sentence,
parameters and optimizer state frozen; the others go on unchanged. A member whose own
EarlyStopping says stop (rnnlab.stack.early_stopping) is frozen the same way but stays
``completed``: it is tested on its best epoch like the others.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytorch_lightning as pl
import torch
from torch import nn

from rnnlab.callbacks.epoch_seed import epoch_seed
from rnnlab.callbacks.gradient_monitor import ADVICE, EpochGradientStatistics
from rnnlab.compat.torch import norms
from rnnlab.models.stacked import StackedNetworks
from rnnlab.stack.data import StackedBatch
from rnnlab.stack.members import Member
from rnnlab.stack.optimizer import stacked_optimizer


def _grad_norm(parameters: Sequence[nn.Parameter]) -> torch.Tensor:
    """The total 2-norm of the parameters' gradients, as clipping by norm computes it."""
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(norms(grads)))


def _largest_gradient(parameters: Sequence[nn.Parameter]) -> torch.Tensor:
    """The largest absolute gradient entry, what clipping by value compares."""
    return torch.stack(norms([p.grad for p in parameters if p.grad is not None], math.inf)).max()


class StackedModule(pl.LightningModule):
    """Trains the members together (see the module docstring)."""

    def __init__(self, members: Sequence[Member]) -> None:
        super().__init__()
        self.stack_members = list(members)
        # registered, so Lightning moves their parameters and metrics to the device
        self.members = nn.ModuleList([member.module for member in members])
        self.stacked = StackedNetworks([member.module.network for member in members])
        self.active = [member.active for member in members]
        #: Each member's parameters, listed once (walking its modules at every step is slow).
        self.member_parameters = [list(member.module.parameters()) for member in members]
        self.gradient_statistics = [EpochGradientStatistics() for _ in members]
        self._dropout = any(member.module.network.core.dropout > 0 for member in members)
        self._generators: list[torch.Generator] | None = None
        self._closed_epoch = -1  # the last training epoch whose values were closed

    # randomness ------------------------------------------------------------------------
    def on_train_epoch_start(self) -> None:
        """Each member's dropout draws from its own generator, seeded as EpochSeed seeds a
        single run's global one."""
        if not self._dropout:
            return
        device = self.device if self.device.type == "cuda" else torch.device("cpu")
        self._generators = [
            torch.Generator(device=device).manual_seed(epoch_seed(m.seed, self.current_epoch))
            for m in self.stack_members
        ]

    # one batch -------------------------------------------------------------------------
    def _outputs(self, batch: StackedBatch, training: bool) -> torch.Tensor:
        generators = self._generators if training and self._dropout else None
        return self.stacked(batch.inputs, batch.lengths, generators)

    def _member_losses(self, batch: StackedBatch, stage: str, training: bool) -> torch.Tensor:
        """Every member's loss on its own batch, kept in its epoch outputs: (K,)."""
        outputs = self._outputs(batch, training)
        losses = []
        for k, member in enumerate(self.stack_members):
            module = member.module
            lengths = None if batch.lengths is None else batch.lengths[k]
            targets = batch.targets[k]
            loss = module.objective.loss(outputs[k], targets, lengths)
            if self.active[k]:
                scored = module.objective.scored(outputs[k].detach(), targets, lengths)
                weight = module.objective.weight(targets, lengths)
                module.epoch_outputs[stage].add(loss, weight, *scored)
            losses.append(loss)
        return torch.stack(losses)

    def training_step(self, batch: StackedBatch, batch_idx: int) -> torch.Tensor:
        losses = self._member_losses(batch, "train", training=True)
        finite = torch.isfinite(losses.detach())
        if not bool(finite.all()):
            self._diverge(~finite, "training loss", losses.detach(), self.global_step + 1)
        active = torch.tensor(self.active, device=losses.device)
        return torch.where(active, losses, 0.0).sum()

    def validation_step(self, batch: StackedBatch, batch_idx: int) -> None:
        self._member_losses(batch, "val", training=False)

    def test_step(self, batch: StackedBatch, batch_idx: int) -> None:
        self._member_losses(batch, "test", training=False)

    def _diverge(self, bad: torch.Tensor, what: str, values: torch.Tensor, step: int) -> None:
        for k in bad.nonzero().flatten().tolist():
            member = self.stack_members[k]
            if not self.active[k]:
                continue
            self._stop(k, member)
            member.message = (
                f"the {what} became {float(values[k]):g} at epoch {self.current_epoch + 1}, "
                f"step {step}: {ADVICE}."
            )
            for parameter in self.member_parameters[k]:
                parameter.grad = None

    def _stop(self, k: int, member: Member) -> None:
        """Member ``k`` diverged: frozen from now on; the stack stops when none is left."""
        self.active[k] = False
        member.status = "diverged"
        member.stopped_at = (self.current_epoch, self.global_step)
        if not any(self.active):
            self.trainer.should_stop = True

    def stop_early(self, k: int) -> None:
        """Member ``k``'s EarlyStopping stopped it after this epoch: frozen from now on, as
        its single run would end here; the stack stops when none is left."""
        member = self.stack_members[k]
        self.active[k] = False
        member.stopped_early = True
        member.stopped_at = (self.current_epoch + 1, self.global_step)
        if not any(self.active):
            self.trainer.should_stop = True

    def on_test_start(self) -> None:
        """Every member that did not diverge is tested, those stopped early too."""
        self.active = [member.active for member in self.stack_members]

    # clipping and the guard, per member -------------------------------------------------
    def configure_gradient_clipping(
        self,
        optimizer: torch.optim.Optimizer,
        gradient_clip_val: float | None = None,
        gradient_clip_algorithm: str | None = None,
    ) -> None:
        totals = self._member_norms()
        for k, member in enumerate(self.stack_members):
            parameters = self.member_parameters[k]
            norm = totals[k]
            if not self.active[k]:
                for parameter in parameters:  # no gradient: the optimizer leaves it alone
                    parameter.grad = None
                continue
            threshold = member.clip_val
            changed = None
            if threshold:
                if member.clip_algorithm == "value":
                    changed = _largest_gradient(parameters) > threshold
                    torch.nn.utils.clip_grad_value_(parameters, threshold)
                else:
                    changed = norm > threshold
                    torch.nn.utils.clip_grad_norm_(parameters, threshold)
            self.gradient_statistics[k].add(norm, changed)
        finite = torch.isfinite(totals)
        if not bool(finite.all()):
            self._diverge(~finite, "gradient norm", totals, self.global_step + 1)

    def _member_norms(self) -> torch.Tensor:
        """Every member's total gradient 2-norm before clipping, (K,): the norms of all the
        members' gradients in one multi-tensor call, then one norm per member over its own,
        as clipping by norm computes it. Members whose gradients differ in number (one that
        diverged has none) are measured one by one."""
        grads = [
            [p.grad for p in params if p.grad is not None] for params in self.member_parameters
        ]
        counts = {len(member) for member in grads}
        if len(counts) != 1 or not grads[0]:
            return torch.stack([_grad_norm(params) for params in self.member_parameters])
        flat = [grad for member in grads for grad in member]
        per_tensor = torch.stack(norms(flat)).view(len(grads), -1)
        return torch.linalg.vector_norm(per_tensor, dim=1)

    def configure_optimizers(self) -> Any:
        """One optimizer (rnnlab.stack.optimizer) and, when the members have one, their
        schedule over it (rnnlab.stack.schedule), stepped by Lightning as a single run's."""
        modules = [member.module for member in self.stack_members]
        optimizer = stacked_optimizer(
            [module.optimizer_factory for module in modules], self.member_parameters, self.device
        )
        if not modules[0].scheduler_config:
            return optimizer
        scheduler = dict(modules[0].scheduler_config)
        scheduler["scheduler"] = scheduler["scheduler"](optimizer)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}

    # once per epoch ---------------------------------------------------------------------
    def _close(self, stage: str) -> None:
        """Each member's epoch values, into its metrics and (train, val) its loss curve."""
        for k, member in enumerate(self.stack_members):
            module = member.module
            metrics = {"train": module.train_metrics, "val": module.val_metrics}.get(
                stage, module.test_metrics
            )
            confusion = {"val": module.val_confusion, "test": module.test_confusion}.get(stage)
            values = module.epoch_values(stage, metrics, confusion)
            if not values or not self.active[k]:
                continue
            values = {name: float(value) for name, value in values.items()}
            member.metrics.update(values)
            if stage != "test":
                module.record_loss(stage, self.current_epoch + 1, values[f"{stage}/loss"])

    def _close_training_epoch(self) -> None:
        self._closed_epoch = self.current_epoch
        self._close("train")
        for k, member in enumerate(self.stack_members):
            read = self.gradient_statistics[k].read()
            if read is not None and self.active[k]:
                member.metrics.update(read)

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        """The training epoch's values are closed at its last batch, before validation reads
        them for the members' checkpoints."""
        if self.trainer.is_last_batch:
            self._close_training_epoch()

    def on_train_epoch_end(self) -> None:
        """An epoch that ``trainer.max_steps`` cut short has no last batch: closed here."""
        if self._closed_epoch != self.current_epoch:
            self._close_training_epoch()

    def on_validation_epoch_end(self) -> None:
        self._close("val")
        for k, member in enumerate(self.stack_members):
            loss = member.metrics.get("val/loss")
            if self.active[k] and loss is not None and not torch.isfinite(torch.tensor(loss)):
                self._stop(k, member)
                member.message = (
                    f"the validation loss became {loss:g} at epoch {self.current_epoch + 1}, "
                    f"after step {self.global_step}: {ADVICE}."
                )
            self._update_best(member)

    def _update_best(self, member: Member) -> None:
        module = member.module
        if not member.active or module.val_best is None or module.best_metric is None:
            return
        value = member.metrics.get(module.best_metric)
        if value is None:
            return
        module.val_best.update(value)
        member.metrics[f"{module.best_metric}_best"] = float(module.val_best.compute())

    def on_test_epoch_end(self) -> None:
        self._close("test")
