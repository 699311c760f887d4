"""Seeded stratified splits: sizes, class proportions, disjointness, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.data.sources.splitting import check_fraction, split_indices
from rnnlab.errors import ConfigError


def test_stratified_parts_are_disjoint_cover_everything_and_keep_proportions() -> None:
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    train, val, test = split_indices(100, (0, 0.1, 0.2), seed=3, labels=labels)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(100))
    assert np.bincount(labels[val]).tolist() == [5, 3, 2]
    assert np.bincount(labels[test]).tolist() == [10, 6, 4]
    assert all(np.all(np.diff(part) > 0) for part in (train, val, test))  # sorted


def test_same_seed_same_parts_other_seed_other_parts() -> None:
    labels = np.arange(60) % 2
    first = split_indices(60, (0, 0.25), seed=1, labels=labels)
    again = split_indices(60, (0, 0.25), seed=1, labels=labels)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[1], split_indices(60, (0, 0.25), 2, labels)[1])


def test_unlabelled_cases_are_split_as_one_group() -> None:
    train, val = split_indices(10, (0, 0.3), seed=0)
    assert (len(train), len(val)) == (7, 3)


def test_zero_fraction_gives_an_empty_part() -> None:
    train, val = split_indices(10, (0, 0.0), seed=0, labels=np.arange(10) % 2)
    assert len(train) == 10 and len(val) == 0


@pytest.mark.parametrize("value", [-0.1, 1.0, "half", True])
def test_a_bad_fraction_is_one_sentence(value: object) -> None:
    with pytest.raises(ConfigError, match=r"data.val_fraction=.* is not valid: expected a number"):
        check_fraction("val_fraction", value)  # type: ignore[arg-type]
