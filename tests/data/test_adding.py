"""The adding problem: two markers, one per half; target is their sum; baseline 1/6."""

from __future__ import annotations

import pytest
import torch

from rnnlab.data.tasks.adding import ADDING_BASELINE_MSE, adding_task
from rnnlab.errors import ConfigError


def test_shapes_markers_and_targets() -> None:
    splits = adding_task(seq_len=20, num_train=400, num_val=10, num_test=10, seed=1)
    inputs, targets = splits.train.inputs, splits.train.targets
    assert inputs.shape == (400, 20, 2) and targets.shape == (400, 1)
    values, markers = inputs[..., 0], inputs[..., 1]
    assert torch.all(markers.sum(dim=1) == 2)
    assert torch.all(markers[:, :10].sum(dim=1) == 1) and torch.all(markers[:, 10:].sum(dim=1) == 1)
    assert torch.allclose((values * markers).sum(dim=1, keepdim=True), targets)
    assert values.min() >= 0 and values.max() <= 1
    assert splits.spec.kind == "regression" and splits.spec.output_size == 1


def test_always_one_scores_the_logged_baseline() -> None:
    targets = adding_task(seq_len=10, num_train=20000, seed=2).train.targets
    assert ((targets - 1) ** 2).mean().item() == pytest.approx(ADDING_BASELINE_MSE, abs=0.01)
    assert adding_task(seq_len=10, num_train=8, num_val=1, num_test=1).spec.baseline_loss == (
        pytest.approx(1 / 6)
    )


def test_seeded() -> None:
    a, b = adding_task(seq_len=8, seed=4), adding_task(seq_len=8, seed=4)
    assert torch.equal(a.test.inputs, b.test.inputs)
    assert not torch.equal(a.test.inputs, adding_task(seq_len=8, seed=5).test.inputs)


def test_too_short_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="data.seq_len=1 is too short"):
        adding_task(seq_len=1)
