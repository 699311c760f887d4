"""GradientMonitor: every step's total gradient norm, computed once, read as rarely as possible.

The norm is taken in ``on_before_optimizer_step``, which Lightning calls after the backward pass
(and after a 16-mixed scaler has unscaled the gradients) but before it clips them, so it is
the norm clipping sees. Two things use it:

- the non-finite guard: Lightning trains on through NaN (``terminate_on_nan`` is gone), so a
  diverged run would end "completed" with NaN metrics after spending its whole budget. Each
  step's loss and norm are kept as device tensors and read every ``check_every_n_steps`` steps
  in one host sync (1 on a CPU, where that costs nothing; raise it on a GPU), naming the first
  bad step exactly whatever the interval;
- the epoch statistics: ``grad/norm_mean``, ``grad/norm_max`` and ``grad/clipped_fraction``
  (the share of steps whose gradient clipping changed), accumulated on the device and read once
  an epoch, and kept per epoch, with the epoch's training loss, in ``gradient_norms.json``
  for figures drawn later (rnnlab.report.comparisons).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytorch_lightning as pl
import torch
from pytorch_lightning.utilities.enums import GradClipAlgorithmType

from rnnlab.compat.torch import norms
from rnnlab.errors import DivergedError

ADVICE = (
    "lower the learning rate (optimizer.lr) or clip gradients (trainer.gradient_clip_val=1.0); "
    "the logs and the last checkpoint, if any, are kept"
)
#: Per-step values kept before they are folded into the epoch's running totals (no sync).
_FOLD_EVERY = 256


class _Reading(NamedTuple):
    step: int  # 1-based optimizer step
    epoch: int  # 1-based
    what: str
    value: torch.Tensor


class EpochGradientStatistics:
    """The mean and max of an epoch's gradient norms and how many steps clipping changed.

    Steps are appended as device tensors and folded into device totals every
    ``_FOLD_EVERY`` steps, so nothing is read on the host until ``read``. Non-finite norms
    (steps a gradient scaler skips) are left out of every statistic.
    """

    def __init__(self) -> None:
        self._norms: list[torch.Tensor] = []
        #: Whether clipping changed each step; empty for an epoch without clipping.
        self._clipped: list[torch.Tensor] = []
        self._totals: torch.Tensor | None = None  # [sum, max, steps, clipped steps]

    def add(self, norm: torch.Tensor, clipped: torch.Tensor | None = None) -> None:
        """One step's total norm and, when clipping is on, whether it changed the step."""
        self._norms.append(norm.detach().reshape(()))
        if clipped is not None:
            self._clipped.append(clipped.reshape(()))
        if len(self._norms) >= _FOLD_EVERY:
            self._fold()

    def _fold(self) -> None:
        if not self._norms:
            return
        norms = torch.stack(self._norms).float()
        finite = torch.isfinite(norms)
        clipped = (
            (torch.stack(self._clipped) & finite).sum()
            if len(self._clipped) == len(self._norms)
            else norms.new_zeros(())
        )
        totals = torch.stack(
            [
                torch.where(finite, norms, 0.0).sum(),
                torch.where(finite, norms, -math.inf).max(),
                finite.sum(),
                clipped,
            ]
        ).float()
        if self._totals is not None:  # sums add up, the max is the larger one
            added = self._totals + totals
            totals = torch.stack([added[0], self._totals[1].maximum(totals[1]), *added[2:]])
        self._totals = totals
        self._norms.clear()
        self._clipped.clear()

    def read(self) -> dict[str, float] | None:
        """The epoch's statistics (one host sync) and a fresh start; None if no step counted."""
        self._fold()
        totals, self._totals = self._totals, None
        if totals is None:
            return None
        total, largest, steps, clipped = totals.tolist()
        if steps == 0:
            return None
        return {
            "grad/norm_mean": total / steps,
            "grad/norm_max": largest,
            "grad/clipped_fraction": clipped / steps,
        }


def _clipping(trainer: pl.Trainer) -> tuple[float, str]:
    """The trainer's clipping threshold (0: none) and algorithm, as Lightning applies them."""
    value = trainer.gradient_clip_val
    algorithm = trainer.gradient_clip_algorithm
    algorithm = getattr(algorithm, "value", algorithm) or GradClipAlgorithmType.NORM.value
    return (float(value) if value else 0.0), str(algorithm)


class GradientMonitor(pl.Callback):
    """Stops the run at the first non-finite loss or gradient (DivergedError, naming epoch and
    step) and, with ``statistics``, logs the gradient norm per epoch before clipping.

    ``output_file``: where the per-epoch statistics are also kept as JSON (None: nowhere).
    """

    def __init__(
        self,
        check_every_n_steps: int = 1,
        statistics: bool = True,
        output_file: str | None = None,
    ) -> None:
        self.check_every_n_steps = check_every_n_steps
        self.statistics = statistics
        self.output_file = Path(output_file) if output_file else None
        self._readings: list[_Reading] = []
        self._epoch = EpochGradientStatistics()
        #: One record per epoch: {"epoch": 1, "grad/norm_mean": ..., ...}; survives a resume.
        self.history: list[dict[str, float]] = []

    # every step -----------------------------------------------------------------------
    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        # With a gradient scaler (16-mixed) an inf gradient is expected: the scaler skips that
        # step, so the guard ignores it and the statistics leave it out.
        scaled = getattr(trainer.precision_plugin, "scaler", None) is not None
        if scaled and not self.statistics:
            return
        grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
        if not grads:
            return
        norm = torch.linalg.vector_norm(torch.stack(norms(grads)))
        if not scaled:
            self._add(trainer, "gradient norm", norm)
        if self.statistics:
            self._epoch.add(norm, self._changed_by_clipping(trainer, grads, norm))

    @staticmethod
    def _changed_by_clipping(
        trainer: pl.Trainer, grads: list[torch.Tensor], norm: torch.Tensor
    ) -> torch.Tensor | None:
        """Whether Lightning's clipping, which runs right after this hook, changes the step."""
        threshold, algorithm = _clipping(trainer)
        if threshold <= 0:
            return None
        if algorithm == GradClipAlgorithmType.VALUE.value:
            largest = torch.stack(norms(grads, math.inf)).max()
            return largest > threshold
        return norm > threshold

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

    # once an epoch ----------------------------------------------------------------------
    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self.statistics:
            return
        values = self._epoch.read()
        if values is None:
            return
        pl_module.log_dict(values, on_step=False, on_epoch=True, batch_size=1)
        record = {"epoch": trainer.current_epoch + 1, **values}
        loss = trainer.callback_metrics.get("train/loss")  # the module closed the epoch already
        if loss is not None:
            record["train/loss"] = float(loss)  # beside the norms: what a figure plots them with
        self.history.append(record)

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._write(trainer)

    def on_exception(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException
    ) -> None:
        self._write(trainer)  # a diverged run keeps the epochs before it diverged

    def _write(self, trainer: pl.Trainer) -> None:
        """The per-epoch records as JSON (non-finite values as null), replaced atomically."""
        if self.output_file is None or not self.history or not trainer.is_global_zero:
            return
        records = [
            {k: (v if math.isfinite(v) else None) for k, v in record.items()}
            for record in self.history
        ]
        self.output_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.output_file.with_suffix(".partial")
        partial.write_text(json.dumps({"epochs": records}, indent=1) + "\n")
        partial.replace(self.output_file)

    def state_dict(self) -> dict[str, Any]:
        return {"history": self.history} if self.statistics else {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.history = [dict(record) for record in state_dict.get("history", [])]

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

    # the guard --------------------------------------------------------------------------
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
