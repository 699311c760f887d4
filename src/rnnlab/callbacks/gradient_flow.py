"""GradientFlow: how much gradient reaches each time step, ‖∂L/∂h_t‖, as training goes on.

Backpropagation through time sends the loss's gradient back from the last step to the first;
going back one step multiplies it by the recurrent Jacobian, so over many steps it fades
(vanishes) or grows (explodes). This callback measures it on a fixed diagnostic batch — the
first ``num_sequences`` validation sequences (training ones when there is no validation split),
taken once for the run — at the initial weights, every ``every_n_epochs`` epochs and at the
last epoch. For every layer (and direction) and step t it keeps the mean over the sequences
of ‖∂L/∂h_t‖, where L is the task's loss (the module's Objective) summed over the sequences,
so a norm does not depend on how many sequences are used.

It costs nothing per training step: one forward and backward pass over the diagnostic batch
at the epochs it measures, in eval mode (no dropout), with ``torch.autograd.grad`` taken
with respect to the hidden states alone, so parameter gradients, the optimizer and the random
number generators are left as they were.

The per-layer states come from ``network.forward_with_states(inputs, lengths)``, which returns
the predictions and one (B, T, directions, H) tensor per layer whose gradient is ∂L/∂h_t.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.utilities import rank_zero_warn
from torch import nn

from rnnlab.data.loader import SequenceBatch
from rnnlab.errors import ConfigError
from rnnlab.models.objective import Objective, step_mask
from rnnlab.plotting import Picture, gradient_flow_figure

#: Layer (and direction) name -> the mean ‖∂L/∂h_t‖ at steps t = 1 ... T.
Curves = dict[str, list[float]]


def layer_name(layer: int, direction: int = 0) -> str:
    """``layer 1`` (forward), ``layer 1 reverse`` (a bidirectional layer's backward half)."""
    return f"layer {layer}" + (" reverse" if direction else "")


def top_layer(curves: Curves) -> str:
    """The top layer's forward direction: the curve the ``grad_flow/*`` scalars describe."""
    return max((name for name in curves if not name.endswith("reverse")), key=_layer_number)


def _layer_number(name: str) -> int:
    return int(name.split()[1])


def gradient_flow(network: nn.Module, objective: Objective, batch: SequenceBatch) -> Curves:
    """‖∂L/∂h_t‖ for every layer, direction and step t, averaged over the sequences of
    ``batch`` that reach step t (padded steps are left out); steps run to the longest sequence.
    """
    inputs, targets, lengths = batch
    predictions, states = network.forward_with_states(inputs, lengths)
    # The Objective's loss is a mean; times the batch size it is the sum over sequences, so
    # each sequence's gradient is the one its own loss sends back.
    loss = objective.loss(predictions, targets, lengths) * inputs.shape[0]
    grads = torch.autograd.grad(loss, list(states), allow_unused=True)
    steps = states[0].shape[1]
    if lengths is None:
        lengths = torch.full((inputs.shape[0],), steps, device=inputs.device)
    inside = step_mask(lengths.to(inputs.device), steps).float()  # (B, T)
    reached = inside.sum(0).clamp(min=1)  # sequences that reach each step
    means, names = [], []
    for layer, (state, grad) in enumerate(zip(states, grads, strict=True), start=1):
        grad = torch.zeros_like(state) if grad is None else grad
        norms = torch.linalg.vector_norm(grad.float(), dim=-1)  # (B, T, directions)
        mean = (norms * inside.unsqueeze(-1)).sum(0) / reached.unsqueeze(-1)  # (T, directions)
        for direction in range(mean.shape[1]):
            means.append(mean[:, direction])
            names.append(layer_name(layer, direction))
    longest = int(lengths.max())
    values = torch.stack(means)[:, :longest].tolist()  # one host sync for every curve
    return dict(zip(names, values, strict=True))


def first_over_last(curve: list[float]) -> float:
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: far below 1 when gradients vanish on the way back, above when
    they grow; inf when nothing reaches the last step."""
    first, last = curve[0], curve[-1]
    return first / last if last > 0 else math.inf


def first_sequences(loaders: list[Any], count: int) -> SequenceBatch | None:
    """The first ``count`` sequences of the first loader that has any, as one batch."""
    for loader in loaders:
        kept: list[SequenceBatch] = []
        held = 0
        for batch in loader:
            kept.append(batch)
            held += batch.inputs.shape[0]
            if held >= count:
                break
        if held:
            return SequenceBatch(
                *(
                    None if parts[0] is None else torch.cat(parts)[:count].clone()
                    for parts in zip(*kept, strict=True)
                )
            )
    return None


@contextmanager
def diagnostic_mode(module: nn.Module) -> Iterator[None]:
    """Eval mode (no dropout) with gradients on, even inside Lightning's no-grad stages.

    cuDNN is off inside: its fused RNN refuses a backward pass in eval mode.
    """
    was_training = module.training
    module.eval()
    try:
        with (
            torch.inference_mode(False),
            torch.enable_grad(),
            torch.backends.cudnn.flags(enabled=False),
        ):
            yield
    finally:
        module.train(was_training)


def _finite(curves: Curves) -> dict[str, list[float | None]]:
    """Curves for JSON, which has no NaN or inf: those become null."""
    return {name: [v if math.isfinite(v) else None for v in c] for name, c in curves.items()}


def _last_epoch(trainer: pl.Trainer) -> bool:
    """Whether the epoch now ending is the run's last (max_epochs, max_steps or a stop)."""
    epochs = trainer.max_epochs if trainer.max_epochs is not None else -1
    steps = trainer.max_steps if trainer.max_steps is not None else -1
    return (
        bool(trainer.should_stop)
        or (epochs >= 0 and trainer.current_epoch + 1 >= epochs)
        or (steps >= 0 and trainer.global_step >= steps)
    )


class GradientFlow(pl.Callback):
    """Measures ‖∂L/∂h_t‖ at the initial weights, every n epochs and at the last epoch.

    Each measurement is logged as the scalars ``grad_flow/first``, ``grad_flow/last`` and
    ``grad_flow/first_over_last`` (top layer, forward direction) and a TensorBoard image of
    the curves; ``data_file`` keeps every curve as JSON (epoch -> layer -> norms, epoch 0 being
    the initial weights), and ``figure_file`` draws them all when fitting ends.
    """

    def __init__(
        self,
        figure_file: str | None = None,
        data_file: str | None = None,
        every_n_epochs: int = 5,
        num_sequences: int = 64,
        at_start: bool = True,
    ) -> None:
        for name, value in (("every_n_epochs", every_n_epochs), ("num_sequences", num_sequences)):
            if value < 1:
                raise ConfigError(
                    f"callbacks.gradient_flow.{name}={value} is not valid: "
                    "expected an integer >= 1."
                )
        self.figure_file = Path(figure_file) if figure_file else None
        self.data_file = Path(data_file) if data_file else None
        self.every_n_epochs = every_n_epochs
        self.num_sequences = num_sequences
        self.at_start = at_start
        #: epoch (0: the initial weights) -> Curves; survives a resume.
        self.history: dict[int, Curves] = {}
        self._batch: SequenceBatch | None = None
        self._unsupported = False
        #: The last drawing of the history and the epochs it shows: drawn for TensorBoard,
        #: reused for the PNG when nothing was measured since.
        self._picture: tuple[tuple[int, ...], Picture] | None = None

    # when -------------------------------------------------------------------------------
    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.at_start and trainer.current_epoch == 0 and 0 not in self.history:
            self._measure(trainer, pl_module, epoch=0)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        if epoch % self.every_n_epochs == 0 or _last_epoch(trainer):
            self._measure(trainer, pl_module, epoch)

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._draw(trainer)

    def on_exception(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException
    ) -> None:
        self._draw(trainer)  # a diverged run keeps the curves measured before it diverged

    def state_dict(self) -> dict[str, Any]:
        return {"history": {str(epoch): curves for epoch, curves in self.history.items()}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        stored = state_dict.get("history", {})
        self.history = {int(epoch): dict(curves) for epoch, curves in stored.items()}

    # what -------------------------------------------------------------------------------
    def _measure(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:
        """Rank 0 only: every rank holds the same weights."""
        if not trainer.is_global_zero or self._unsupported:
            return
        network = getattr(pl_module, "network", pl_module)
        if not hasattr(network, "forward_with_states"):
            self._unsupported = True
            rank_zero_warn(
                f"gradient_flow: {type(network).__name__} has no forward_with_states(inputs, "
                "lengths), so ‖∂L/∂h_t‖ is not measured; switch it off with "
                "~callbacks.gradient_flow."
            )
            return
        batch = self._diagnostic_batch(trainer, pl_module)
        if batch is None:
            return
        with diagnostic_mode(pl_module):
            curves = gradient_flow(network, pl_module.objective, batch)
        self.history[epoch] = curves
        self._log(trainer, pl_module, epoch, curves)
        self._write_data(trainer, pl_module)

    def _diagnostic_batch(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule
    ) -> SequenceBatch | None:
        """The first validation sequences (training ones without validation), kept for the run."""
        if self._batch is None:
            datamodule = trainer.datamodule
            loaders = (
                [datamodule.val_dataloader(), datamodule.train_dataloader()]
                if datamodule is not None
                else [trainer.train_dataloader]
            )
            batch = first_sequences(loaders, self.num_sequences)
            if batch is not None:
                self._batch = SequenceBatch(
                    *(None if part is None else part.to(pl_module.device) for part in batch)
                )
        return self._batch

    def _log(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int, curves: Curves
    ) -> None:
        top = curves[top_layer(curves)]
        scalars = {
            "grad_flow/first": top[0],
            "grad_flow/last": top[-1],
            "grad_flow/first_over_last": first_over_last(top),
        }
        if epoch == 0:  # before training: Lightning takes no self.log here, the loggers do
            for logger in trainer.loggers:
                logger.log_metrics(scalars, step=trainer.global_step)
        else:
            pl_module.log_dict(
                scalars, on_step=False, on_epoch=True, batch_size=1, rank_zero_only=True
            )
        loggers = [lg for lg in trainer.loggers if isinstance(lg, TensorBoardLogger)]
        if loggers:  # every curve so far, so the image slider shows the curve move
            picture = self._drawing()
            for logger in loggers:
                picture.to_tensorboard(logger.experiment, "grad_flow/curve", trainer.global_step)

    def _drawing(self) -> Picture:
        """The history drawn (~0.05 s), or the drawing already made of the same epochs."""
        epochs = tuple(sorted(self.history))
        if self._picture is None or self._picture[0] != epochs:
            self._picture = (epochs, Picture.of(gradient_flow_figure(self.history)))
        return self._picture[1]

    def _write_data(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.data_file is None:
            return
        record = {
            "what": "mean over the diagnostic sequences of ||dL/dh_t|| per layer and step t",
            "num_sequences": 0 if self._batch is None else int(self._batch.inputs.shape[0]),
            "top_layer": top_layer(next(iter(self.history.values()))),
            "epochs": {str(epoch): _finite(self.history[epoch]) for epoch in sorted(self.history)},
        }
        self.data_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.data_file.with_suffix(".partial")
        partial.write_text(json.dumps(record) + "\n")
        partial.replace(self.data_file)

    def _draw(self, trainer: pl.Trainer) -> None:
        if self.figure_file is None or not self.history or not trainer.is_global_zero:
            return
        self._drawing().save(self.figure_file)
