"""The lesson's majority task: shapes, label rule, seeding, and the lesson's own draws."""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.data.tasks.majority import majority_task


def test_shapes_and_spec() -> None:
    splits = majority_task(seq_len=7, num_train=30, num_val=5, num_test=11, seed=0)
    assert splits.train.inputs.shape == (30, 7, 1)
    assert splits.val.inputs.shape == (5, 7, 1)
    assert splits.test.targets.shape == (11,)
    assert splits.train.targets.dtype == torch.long
    assert torch.equal(splits.train.lengths, torch.full((30,), 7))
    spec = splits.spec
    assert (spec.input_size, spec.output_size, spec.kind, spec.per_step) == (
        1,
        2,
        "classification",
        False,
    )


def test_label_is_more_ones_than_half() -> None:
    splits = majority_task(seq_len=10, num_train=500, seed=3)
    ones = splits.train.inputs.squeeze(-1).sum(dim=1)
    assert torch.equal(splits.train.targets, (ones > 5).long())
    assert set(splits.train.inputs.unique().tolist()) == {0.0, 1.0}


def test_same_seed_same_data_other_seed_other_data() -> None:
    first, again, other = majority_task(seed=5), majority_task(seed=5), majority_task(seed=6)
    assert torch.equal(first.train.inputs, again.train.inputs)
    assert not torch.equal(first.train.inputs, other.train.inputs)


def test_global_random_state_is_untouched() -> None:
    np.random.seed(1)
    expected = np.random.rand()
    np.random.seed(1)
    majority_task(seed=42)
    assert np.random.rand() == expected


def test_matches_the_lessons_sample_by_sample_draws() -> None:
    """The lesson draws randint(0, 2, size=(10,)) in a loop: train first, then test."""
    rng = np.random.RandomState(42)
    lesson_train = np.array([rng.randint(0, 2, size=(10,)) for _ in range(1000)])
    lesson_test = np.array([rng.randint(0, 2, size=(10,)) for _ in range(200)])
    splits = majority_task(seq_len=10, num_train=1000, num_test=200, seed=42)
    assert np.array_equal(splits.train.inputs.squeeze(-1).numpy(), lesson_train)
    assert np.array_equal(splits.test.inputs.squeeze(-1).numpy(), lesson_test)
