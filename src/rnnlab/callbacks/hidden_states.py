"""HiddenStates: what the network carries from step to step, and what it would answer at each.

h_t is the RNN's only memory. For the first few test sequences this callback draws the top
layer's h_t as a heatmap (units × time) under the inputs, and below it what the head reads
from h_t at every step: the class probabilities (classification) or the predicted values
(regression). For a last-step task this is the answer the network would give if the
sequence ended at step t, so one sees the answer form as the sequence is read. (For a
bidirectional network the reverse half of h_t has read the steps after t, so the per-step
reading is not a prefix's answer.)

It runs once, when testing ends, on the first test batch it saw: nothing per training step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.utilities import rank_zero_warn
from torch import nn

from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.errors import ConfigError
from rnnlab.plotting import Picture, hidden_states_figure


def read_states(
    network: nn.Module, batch: SequenceBatch, spec: TaskSpec
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Per sequence, cut to its length: inputs (T, F), the top layer's h_t (T, directions·H)
    and the head's reading of every h_t (T, K), probabilities for classification."""
    inputs, _, lengths = batch
    with torch.no_grad():
        top = network.step_outputs(inputs, lengths)  # (B, T, directions * H)
        readout = network.head(top)
        if spec.is_classification:
            readout = readout.softmax(dim=-1)
    steps = top.shape[1]
    ends = [steps] * top.shape[0] if lengths is None else lengths.tolist()
    cut = [
        [t[row, :end].float().cpu().numpy() for row, end in enumerate(ends)]
        for t in (inputs, top, readout)
    ]
    return cut[0], cut[1], cut[2]


def _title(spec: TaskSpec, targets: torch.Tensor, row: int) -> str:
    """``sequence 1: target 1`` for a last-step task (the class name or the value)."""
    title = f"sequence {row + 1}"
    if spec.per_step:
        return title
    target = targets[row]
    if spec.is_classification:
        return f"{title}: target {spec.class_names[int(target)]}"
    values = ", ".join(f"{float(v):.3g}" for v in target.reshape(-1))
    return f"{title}: target {values}"


class HiddenStates(pl.Callback):
    """Draws h_t and the head's per-step reading for the first ``num_sequences`` test
    sequences: ``figure_file`` (PNG) and the TensorBoard image ``test/hidden_states``."""

    def __init__(self, figure_file: str | None = None, num_sequences: int = 4) -> None:
        if num_sequences < 1:
            raise ConfigError(
                f"callbacks.hidden_states.num_sequences={num_sequences} is not valid: "
                "expected an integer >= 1."
            )
        self.figure_file = Path(figure_file) if figure_file else None
        self.num_sequences = num_sequences
        self._batch: SequenceBatch | None = None

    def on_test_batch_start(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        if batch_idx == 0 and dataloader_idx == 0 and isinstance(batch, SequenceBatch):
            count = self.num_sequences
            self._batch = SequenceBatch(*(None if t is None else t[:count] for t in batch))

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        batch, self._batch = self._batch, None
        if batch is None or not trainer.is_global_zero:
            return
        network = getattr(pl_module, "network", pl_module)
        if not hasattr(network, "step_outputs") or not hasattr(network, "head"):
            rank_zero_warn(
                f"hidden_states: {type(network).__name__} has no step_outputs and head, "
                "so its hidden states are not drawn; switch it off with ~callbacks.hidden_states."
            )
            return
        spec: TaskSpec = pl_module.spec
        inputs, states, readouts = read_states(network, batch, spec)
        if spec.is_classification:
            names = list(spec.class_names)
        elif spec.output_size == 1:
            names = ["prediction"]
        else:
            names = [f"output {i + 1}" for i in range(spec.output_size)]
        figure = hidden_states_figure(
            inputs,
            states,
            readouts,
            names,
            [_title(spec, batch.targets, row) for row in range(len(states))],
            probabilities=spec.is_classification,
        )
        picture = Picture.of(figure)  # drawn and encoded once for the PNG and TensorBoard
        for logger in trainer.loggers:
            if isinstance(logger, TensorBoardLogger):
                picture.to_tensorboard(logger.experiment, "test/hidden_states", trainer.global_step)
        if self.figure_file is not None:
            picture.save(self.figure_file)
