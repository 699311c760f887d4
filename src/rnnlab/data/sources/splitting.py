"""Seeded, stratified splits of a data set's cases into parts (train, validation, test).

Stratified: every class is cut in the same proportions, so a small validation split still
holds every class and accuracy on it is comparable with the test split's. Each part's
indices come back sorted, so the same seed gives the same tensors byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnlab.errors import ConfigError


def _counts(size: int, fractions: Sequence[float]) -> list[int]:
    """Split ``size`` by ``fractions`` (the first part takes what is left): largest remainder."""
    exact = [size * f for f in fractions[1:]]
    counts = [int(e) for e in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: max(0, round(sum(exact)) - sum(counts))]:
        counts[i] += 1
    return [size - sum(counts), *counts]


def split_indices(
    num_cases: int,
    fractions: Sequence[float],
    seed: int,
    labels: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Indices of each part; ``fractions[0]`` is whatever the others leave.

    With ``labels`` each class is split on its own (stratified); without, the cases are.
    """
    rng = np.random.default_rng(seed)
    groups = (
        [np.arange(num_cases)]
        if labels is None
        else [np.flatnonzero(labels == value) for value in np.unique(labels)]
    )
    parts: list[list[np.ndarray]] = [[] for _ in fractions]
    for group in groups:
        shuffled = rng.permutation(group)
        start = 0
        for part, count in zip(parts, _counts(len(group), fractions), strict=True):
            part.append(shuffled[start : start + count])
            start += count
    return [np.sort(np.concatenate(part)) for part in parts]


def check_fraction(field: str, value: float, upper: float = 1.0) -> None:
    """One sentence for a fraction outside [0, upper)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < upper:
        raise ConfigError(
            f"data.{field}={value} is not valid: expected a number with 0 <= value < {upper:g}."
        )
