"""Objective: the TaskSpec picks the loss and the metrics; padded steps are ignored."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from rnnlab.data.spec import TaskSpec
from rnnlab.models.objective import Objective, step_mask

PER_STEP = TaskSpec("t", 2, 3, "classification", True, ("a", "b", "c"), scored_last_steps=2)
REGRESSION = TaskSpec("r", 2, 1, "regression", False)


def test_step_mask() -> None:
    assert step_mask(torch.tensor([1, 3]), 3).tolist() == [[True, False, False], [True] * 3]


def test_per_step_loss_ignores_padding() -> None:
    outputs = torch.randn(2, 3, 3)
    targets = torch.tensor([[0, 1, 2], [2, 2, 1]])
    loss = Objective(PER_STEP).loss(outputs, targets, torch.tensor([1, 3]))
    expected = F.cross_entropy(torch.cat([outputs[0, :1], outputs[1]]), torch.tensor([0, 2, 2, 1]))
    assert torch.allclose(loss, expected)


def test_scored_window_keeps_the_last_steps() -> None:
    outputs = torch.zeros(2, 4, 3)
    outputs[..., 1] = 1.0  # predicts class 1 everywhere
    targets = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 2]])
    predictions, kept = Objective(PER_STEP).scored(outputs, targets, None)
    assert predictions.tolist() == [1, 1, 1, 1]
    assert kept.tolist() == [1, 1, 1, 2]


def test_regression_uses_mse_and_regression_metrics() -> None:
    objective = Objective(REGRESSION)
    outputs, targets = torch.tensor([[1.0], [3.0]]), torch.tensor([[0.0], [1.0]])
    assert objective.loss(outputs, targets, None).item() == 2.5
    assert set(objective.metrics("val").keys()) == {"val/mse", "val/mae"}
    assert objective.confusion_matrix() is None
    assert objective.headline == ("mse", "min")


def test_classification_metrics_and_headline() -> None:
    objective = Objective(PER_STEP)
    assert set(objective.metrics("test").keys()) == {"test/acc", "test/f1"}
    assert objective.headline == ("acc", "max")
