"""Images as sequences (rows, pixels, permuted) and the image CSV reader, on tiny arrays."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.sources.images import as_sequences, image_splits, read_image_csv
from rnnlab.errors import ConfigError

IMAGES = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)  # two 3x4 images


def test_rows_are_steps_and_columns_are_features() -> None:
    sequences, order = as_sequences(IMAGES, "rows", 0)
    assert sequences.shape == (2, 3, 4) and order is None
    np.testing.assert_array_equal(sequences[1, 2], IMAGES[1, 2])


def test_pixels_are_read_one_at_a_time_in_reading_order() -> None:
    sequences, _ = as_sequences(IMAGES, "pixels", 0)
    assert sequences.shape == (2, 12, 1)
    np.testing.assert_array_equal(sequences[0, :, 0], IMAGES[0].ravel())


def test_permuted_is_one_fixed_pixel_order_for_every_image() -> None:
    sequences, order = as_sequences(IMAGES, "permuted", 5)
    assert order is not None and sorted(order.tolist()) == list(range(12))
    for image in range(2):
        np.testing.assert_array_equal(sequences[image, :, 0], IMAGES[image].ravel()[order])
    assert np.array_equal(as_sequences(IMAGES, "permuted", 5)[1], order)
    assert not np.array_equal(as_sequences(IMAGES, "permuted", 6)[1], order)


def test_an_unknown_mode_is_one_sentence() -> None:
    with pytest.raises(ConfigError, match="data.mode='columns' is not valid: expected one of rows"):
        as_sequences(IMAGES, "columns", 0)


def test_csv_reader_splits_pixels_from_the_last_column_label(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv.gz"
    with gzip.open(path, "wt") as file:
        file.write("0,5,255,3\n1,2,3,7\n")
    pixels, labels = read_image_csv(path)
    np.testing.assert_array_equal(pixels, [[0, 5, 255], [1, 2, 3]])
    assert labels.tolist() == [3, 7] and labels.dtype == np.int64


def test_splits_are_stratified_and_scaled_by_training_pixels_only() -> None:
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(100, 3, 4)).astype(np.float32)
    labels = np.repeat(np.arange(4), 25)
    images[labels == 3] += 10.0  # a class far away: its test images must not move the scaling
    splits = image_splits("toy", images, labels, "rows", 0.2, 0.2, split_seed=0, permutation_seed=0)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (60, 20, 20)
    assert splits.val.targets.bincount().tolist() == [5, 5, 5, 5]
    train = splits.train.inputs.numpy()
    np.testing.assert_allclose([train.mean(), train.std()], [0, 1], atol=1e-5)
    assert len(set(splits.normalisation.mean)) == 1  # one pooled mean for every column
