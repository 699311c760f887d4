"""NonFiniteGuard: stop a run at the first step whose loss or gradient is not finite.

Lightning trains on through NaN (``terminate_on_nan`` is gone), so a diverged run would end
"completed" with NaN metrics after spending its whole budget. The guard keeps each step's
loss and total gradient norm as device tensors and reads them every ``check_every_n_steps``
steps in one host sync (1 on a CPU, where that costs nothing; raise it on a GPU), naming the
first bad step exactly whatever the interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import pytorch_lightning as pl
import torch

from rnnlab.errors import DivergedError

ADVICE = (
    "lower the learning rate (optimizer.lr) or clip gradients (trainer.gradient_clip_val=1.0); "
    "the logs and the last checkpoint, if any, are kept"
)


class _Reading(NamedTuple):
    step: int  # 1-based optimizer step
    epoch: int  # 1-based
    what: str
    value: torch.Tensor


class NonFiniteGuard(pl.Callback):
    """Raises DivergedError, naming epoch and step, when the loss or gradient goes non-finite."""

    def __init__(self, check_every_n_steps: int = 1) -> None:
        self.check_every_n_steps = check_every_n_steps
        self._readings: list[_Reading] = []

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        # With a gradient scaler (16-mixed) an inf gradient is expected: the scaler skips it.
        if getattr(trainer.precision_plugin, "scaler", None) is not None:
            return
        grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
        if grads:
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
            self._add(trainer, "gradient norm", norm)

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        loss = outputs.get("loss") if isinstance(outputs, Mapping) else outputs
        if isinstance(loss, torch.Tensor):
            # the optimizer has stepped: this loss belongs to the step before global_step
            self._add(trainer, "training loss", loss, step=max(trainer.global_step, 1))
        if len(self._readings) >= 2 * self.check_every_n_steps or trainer.is_last_batch:
            self.check()

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        # A step can leave the weights so large that the next forward pass overflows while
        # every training loss and gradient so far was finite: the validation loss shows it.
        loss = trainer.callback_metrics.get("val/loss")
        if trainer.sanity_checking or loss is None or bool(torch.isfinite(loss)):
            return
        raise DivergedError(
            f"the validation loss became {float(loss):g} at epoch {trainer.current_epoch + 1}, "
            f"after step {trainer.global_step}: {ADVICE}."
        )

    def _add(
        self, trainer: pl.Trainer, what: str, value: torch.Tensor, step: int | None = None
    ) -> None:
        step = trainer.global_step + 1 if step is None else step
        self._readings.append(_Reading(step, trainer.current_epoch + 1, what, value.detach()))

    def check(self) -> None:
        """Read the kept values (one sync); raise for the first non-finite one."""
        if not self._readings:
            return
        values = torch.stack([reading.value.float().reshape(()) for reading in self._readings])
        finite = torch.isfinite(values)
        if bool(finite.all()):
            self._readings.clear()
            return
        bad = [r for r, ok in zip(self._readings, finite.tolist(), strict=True) if not ok]
        first = min(bad, key=lambda r: (r.step, r.what != "training loss"))
        self._readings.clear()
        raise DivergedError(
            f"the {first.what} became {float(first.value):g} at epoch {first.epoch}, "
            f"step {first.step}: {ADVICE}."
        )
