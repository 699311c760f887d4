"""``data=digits``: scikit-learn's 1,797 handwritten 8×8 digits as 8 steps × 8 features.

sklearn/datasets/data/digits.csv.gz holds 64 pixel values (0-16) then the label on each
line; it is read directly, without importing scikit-learn.
"""

from __future__ import annotations

import numpy as np

from rnnlab.data.sources.images import image_splits, read_image_csv
from rnnlab.data.sources.packaged import package_file
from rnnlab.data.spec import SequenceSplits

DIGITS_FILE = "datasets/data/digits.csv.gz"
SIDE = 8


def digits_source(
    mode: str = "rows",
    val_fraction: float = 0.15,
    test_fraction: float = 0.2,
    split_seed: int = 0,
    permutation_seed: int = 0,
    seed: int = 42,
) -> SequenceSplits:
    """8 steps × 8 features (rows), or 64 × 1 (pixels, permuted).

    ``seed`` only orders the training batches (the DataModule reads it): the split is fixed
    by ``split_seed``.
    """
    pixels, labels = read_image_csv(package_file("sklearn", DIGITS_FILE, "data=digits"))
    images = pixels.reshape(-1, SIDE, SIDE).astype(np.float32) / np.float32(16)
    return image_splits(
        "digits", images, labels, mode, val_fraction, test_fraction, split_seed, permutation_seed
    )
