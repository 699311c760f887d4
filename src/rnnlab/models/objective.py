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
        window = self.spec.scored_last_steps
        if self.spec.per_step and window is not None and lengths is None:
            outputs, targets = outputs[:, -window:], targets[:, -window:]
        flat_outputs, flat_targets = self._flatten(outputs, targets, lengths)
        if self.spec.is_classification:
            return flat_outputs.argmax(dim=-1), flat_targets
        return flat_outputs, flat_targets

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
