"""Loss and metrics chosen by the TaskSpec: cross-entropy or MSE, accuracy/F1 or MSE/MAE."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics import MeanAbsoluteError, MeanSquaredError, MetricCollection
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassConfusionMatrix,
    MulticlassF1Score,
)

from rnnlab.data.spec import TaskSpec


def step_mask(lengths: torch.Tensor, total_steps: int) -> torch.Tensor:
    """(B, T) boolean mask, True where a step lies inside its sequence."""
    steps = torch.arange(total_steps, device=lengths.device)
    return steps.unsqueeze(0) < lengths.unsqueeze(1)


class Objective:
    """Everything that depends on the kind of target: the loss and how outputs are scored."""

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def _flatten(
        self, outputs: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-step outputs become one row per valid step; padded steps are dropped."""
        if not self.spec.per_step:
            return outputs, targets
        if lengths is not None:
            mask = step_mask(lengths, outputs.shape[1])
            return outputs[mask], targets[mask]
        return outputs.reshape(-1, outputs.shape[-1]), targets.reshape(-1, *targets.shape[2:])

    def loss(
        self, outputs: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor | None
    ) -> torch.Tensor:
        """Mean cross-entropy (classification) or MSE (regression) over valid steps."""
        flat_outputs, flat_targets = self._flatten(outputs, targets, lengths)
        if self.spec.is_classification:
            return F.cross_entropy(flat_outputs, flat_targets)
        return F.mse_loss(flat_outputs, flat_targets)

    def scored(
        self, outputs: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Predictions and targets the metrics see: class ids, or values, one row each."""
        if self.spec.per_step:
            outputs, targets = self._scored_steps(outputs, targets, lengths)
        if self.spec.is_classification:
            return outputs.argmax(dim=-1), targets
        return outputs, targets

    def _scored_steps(
        self, outputs: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One row per scored step: the last ``scored_last_steps`` valid steps of each sequence.

        A sequence of length L (T without lengths) is scored on steps max(0, L - w) ... L - 1,
        so padding never shifts the window. One index formula gathers every window at a size
        known on the host, min(w, T) steps a sequence, so a full-length batch costs no device
        sync. Only with lengths can a sequence be shorter than the window; dropping the steps
        before its start is a boolean mask (a sync on a GPU), which such a batch pays anyway:
        the network packs it by lengths on the host.
        """
        batch, total = outputs.shape[:2]
        window = self.spec.scored_last_steps
        width = total if window is None else min(window, total)
        ends = torch.full((batch,), total, device=outputs.device) if lengths is None else lengths
        # (B, width): the time step of each scored position; negative before a sequence starts.
        steps = (ends - width).unsqueeze(1) + torch.arange(width, device=outputs.device)
        rows = torch.arange(batch, device=outputs.device).unsqueeze(1)
        columns = steps.clamp(min=0)
        kept_outputs, kept_targets = outputs[rows, columns], targets[rows, columns]
        if lengths is None:
            return kept_outputs.flatten(0, 1), kept_targets.flatten(0, 1)
        inside = steps >= 0
        return kept_outputs[inside], kept_targets[inside]

    def weight(self, targets: torch.Tensor, lengths: torch.Tensor | None) -> int | torch.Tensor:
        """How much a batch's loss counts in the epoch's mean loss.

        The loss averages over valid steps (per-step tasks) or sequences, so the epoch mean
        weighs each batch by that number. With lengths it stays a device tensor: no sync.
        """
        if not self.spec.per_step:
            return targets.shape[0]
        if lengths is None:
            return targets.shape[0] * targets.shape[1]
        return lengths.sum()

    def metrics(self, stage: str) -> MetricCollection:
        """torchmetrics for one stage, named ``stage/acc``, ``stage/f1`` or ``stage/mse`` ..."""
        if self.spec.is_classification:
            classes = self.spec.output_size
            metrics = {
                "acc": MulticlassAccuracy(classes, average="micro"),
                "f1": MulticlassF1Score(classes, average="macro"),
            }
        else:
            metrics = {"mse": MeanSquaredError(), "mae": MeanAbsoluteError()}
        return MetricCollection(metrics, prefix=f"{stage}/")

    def confusion_matrix(self) -> MulticlassConfusionMatrix | None:
        if not self.spec.is_classification:
            return None
        return MulticlassConfusionMatrix(self.spec.output_size)

    @property
    def headline(self) -> tuple[str, str]:
        """The metric that summarises a run and whether higher ('max') or lower is better."""
        return ("acc", "max") if self.spec.is_classification else ("mse", "min")
