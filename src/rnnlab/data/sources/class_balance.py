"""Repeat cases of rare classes in a training split, so that no class is drowned out.

Used by ``data=ucr data.balance=true`` (the ``experiment=ucr`` recipe turns it on when the
largest training class has more than twice the cases of the smallest). Only the split the
network is fitted on is changed; validation and test keep the archive's class mix, so the
accuracy reported is the archive's accuracy.
"""

from __future__ import annotations

import numpy as np

#: A class is topped up until it has at least this share of the largest class's cases.
SHARE_OF_LARGEST = 0.5


def balanced_indices(indices: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """``indices`` plus repeats of the cases of each class that has fewer than
    SHARE_OF_LARGEST of the largest class's cases (drawn without replacement, seeded)."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels[indices], return_counts=True)
    wanted = int(np.ceil(SHARE_OF_LARGEST * counts.max()))
    extra = []
    for label, count in zip(classes, counts, strict=True):
        members = indices[labels[indices] == label]
        missing = wanted - int(count)
        while missing > 0:
            drawn = rng.permutation(members)[:missing]
            extra.append(drawn)
            missing -= len(drawn)
    return np.concatenate([indices, *extra]) if extra else indices
