"""Labelled images as sequences: rows (H steps × W features), pixels (H·W × 1), or permuted.

Row by row, a recurrent network reads an image like text; pixel by pixel it must carry
information across H·W steps, and with a fixed random pixel order (permuted) no step is
next to its neighbour in the image: the classic long-memory benchmarks on MNIST. The
train/validation/test split is stratified and fixed by ``split_seed``, not by the run's
seed, so runs that differ in their seed are tested on the same images. Pixels are scaled
by one mean and std over every training pixel (per-column statistics would blow up the
almost always blank edge columns).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

from rnnlab.data.sources.assemble import RawPart, classification_splits
from rnnlab.data.sources.splitting import check_fraction, split_indices
from rnnlab.data.spec import SequenceSplits, TaskSpec
from rnnlab.errors import ConfigError

MODES = ("rows", "pixels", "permuted")


def read_image_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A (gzipped) CSV of one image a line, integer pixels then the label: (pixels, labels)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        # Integer parsing is twice as fast as float parsing here: the pixels are counts.
        table = np.loadtxt(io.BytesIO(file.read()), delimiter=",", dtype=np.int32, ndmin=2)
    return table[:, :-1], table[:, -1].astype(np.int64)


def as_sequences(
    images: np.ndarray, mode: str, permutation_seed: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """(N, H, W) images as (N, T, F) sequences; the pixel order used when permuted."""
    if mode not in MODES:
        raise ConfigError(f"data.mode={mode!r} is not valid: expected one of {', '.join(MODES)}.")
    if mode == "rows":
        return images, None
    pixels = images.reshape(len(images), -1, 1)
    if mode == "pixels":
        return pixels, None
    order = np.random.default_rng(permutation_seed).permutation(pixels.shape[1])
    return pixels[:, order], order


def image_splits(
    name: str,
    images: np.ndarray,
    labels: np.ndarray,
    mode: str,
    val_fraction: float,
    test_fraction: float,
    split_seed: int,
    permutation_seed: int,
) -> SequenceSplits:
    """Stratified train/val/test splits of (N, H, W) images read as ``mode`` sequences."""
    check_fraction("val_fraction", val_fraction)
    check_fraction("test_fraction", test_fraction, upper=1.0 - val_fraction)
    sequences, _ = as_sequences(images, mode, permutation_seed)
    lengths = np.full(len(sequences), sequences.shape[1], dtype=np.int64)
    whole = RawPart(sequences, lengths, labels)
    train, val, test = split_indices(
        len(labels), (0, val_fraction, test_fraction), split_seed, labels=labels
    )
    classes = tuple(str(c) for c in range(int(labels.max()) + 1))
    spec = TaskSpec(
        name=name if mode == "rows" else f"{name} ({mode})",
        input_size=sequences.shape[2],
        output_size=len(classes),
        kind="classification",
        per_step=False,
        class_names=classes,
    )
    return classification_splits(
        spec, whole.take(train), whole.take(val), whole.take(test), per_feature=False
    )
