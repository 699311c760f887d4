"""Objective: the TaskSpec picks the loss and the metrics; padded steps are ignored."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data.spec import TaskSpec
from rnnlab.models.objective import Objective, step_mask

PER_STEP = TaskSpec("t", 2, 3, "classification", True, ("a", "b", "c"), scored_last_steps=2)
ALL_STEPS = TaskSpec("t", 2, 3, "classification", True, ("a", "b", "c"))
PER_STEP_REGRESSION = TaskSpec("pr", 2, 2, "regression", True, scored_last_steps=3)
REGRESSION = TaskSpec("r", 2, 1, "regression", False)
LAST_STEP = TaskSpec("l", 2, 3, "classification", False, ("a", "b", "c"))


def _window_by_hand(
    tensor: torch.Tensor, lengths: list[int], window: int | None
) -> list[torch.Tensor]:
    """Rows of steps max(0, L - w) ... L - 1 of each sequence, picked one by one."""
    rows = []
    for sequence, length in enumerate(lengths):
        first = 0 if window is None else max(0, length - window)
        rows.extend(tensor[sequence, step] for step in range(first, length))
    return rows


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


def test_variable_length_scores_each_sequences_last_valid_steps() -> None:
    """Copy-like: the symbols to recall end each sequence, wherever the padding starts."""
    lengths = [5, 3, 4]
    targets = torch.zeros(3, 6, dtype=torch.long)  # blanks, and padding beyond each length
    for sequence, length in enumerate(lengths):
        targets[sequence, length - 2 : length] = torch.tensor([1, 2])  # the two recalled symbols
    outputs = F.one_hot(targets, 3).float()  # a perfect copier on the valid steps ...
    padding = ~step_mask(torch.tensor(lengths), 6)
    outputs[padding] = F.one_hot(torch.tensor(2), 3).float()  # ... and a wrong guess beyond
    predictions, kept = Objective(PER_STEP).scored(outputs, targets, torch.tensor(lengths))
    assert kept.tolist() == [1, 2] * 3  # only the recalled symbols, never a blank or padding
    assert predictions.tolist() == kept.tolist()


@pytest.mark.parametrize("spec", [PER_STEP, ALL_STEPS, PER_STEP_REGRESSION])
def test_scored_rows_match_a_per_sequence_window(spec: TaskSpec) -> None:
    """Including sequences shorter than the window, which are scored on all their steps."""
    torch.manual_seed(0)
    lengths = [1, 2, 5, 3, 7]
    outputs = torch.randn(5, 7, spec.output_size)
    if spec.is_classification:
        targets = torch.randint(0, spec.output_size, (5, 7))
    else:
        targets = torch.randn(5, 7, spec.output_size)
    predictions, kept = Objective(spec).scored(outputs, targets, torch.tensor(lengths))
    expected_outputs = torch.stack(_window_by_hand(outputs, lengths, spec.scored_last_steps))
    expected_targets = torch.stack(_window_by_hand(targets, lengths, spec.scored_last_steps))
    if spec.is_classification:
        expected_outputs = expected_outputs.argmax(dim=-1)
    assert torch.equal(kept, expected_targets)
    assert torch.equal(predictions, expected_outputs)


@pytest.mark.parametrize("spec", [PER_STEP, ALL_STEPS, PER_STEP_REGRESSION, LAST_STEP, REGRESSION])
def test_fixed_length_is_scored_like_full_lengths(spec: TaskSpec) -> None:
    torch.manual_seed(1)
    shape = (4, 6, spec.output_size) if spec.per_step else (4, spec.output_size)
    outputs = torch.randn(shape)
    targets = torch.randn(shape) if not spec.is_classification else torch.randint(0, 3, shape[:-1])
    fixed = Objective(spec).scored(outputs, targets, None)
    full = Objective(spec).scored(outputs, targets, torch.full((4,), 6))
    assert all(torch.equal(a, b) for a, b in zip(fixed, full, strict=True))
    assert fixed[1].shape[0] == (4 * min(spec.scored_last_steps or 6, 6) if spec.per_step else 4)


def test_window_longer_than_the_sequences_scores_every_valid_step() -> None:
    spec = TaskSpec("t", 2, 3, "classification", True, ("a", "b", "c"), scored_last_steps=9)
    targets = torch.arange(8).reshape(2, 4) % 3
    _, kept = Objective(spec).scored(torch.randn(2, 4, 3), targets, torch.tensor([2, 4]))
    assert kept.tolist() == [*targets[0, :2].tolist(), *targets[1].tolist()]
    _, kept = Objective(spec).scored(torch.randn(2, 4, 3), targets, None)
    assert kept.tolist() == targets.flatten().tolist()


def test_weight_counts_what_the_loss_averages_over() -> None:
    targets = torch.zeros(3, 5, dtype=torch.long)
    lengths = torch.tensor([5, 2, 4])
    per_step = Objective(PER_STEP)
    assert per_step.weight(targets, None) == 15
    weight = per_step.weight(targets, lengths)
    assert isinstance(weight, torch.Tensor) and weight.ndim == 0 and int(weight) == 11
    last_step = Objective(LAST_STEP)
    assert last_step.weight(torch.zeros(3, dtype=torch.long), lengths) == 3
    assert last_step.weight(torch.zeros(3, dtype=torch.long), None) == 3


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
