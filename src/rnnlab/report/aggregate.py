"""Repeated runs of one setting (different seeds) summarised as mean ± std over n."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True)
class Stat:
    """Mean and sample standard deviation (ddof=1, None for a single value) of n values."""

    mean: float | None
    std: float | None
    n: int


def summarise(values: Iterable[float | None]) -> Stat:
    """Mean ± sample std of the known values: seeds are a sample of all the seeds one could
    have drawn, so the spread is estimated with n - 1 (numpy's ``std(ddof=1)``)."""
    known = [value for value in values if value is not None]
    n = len(known)
    if not n:
        return Stat(None, None, 0)
    mean = math.fsum(known) / n
    if n == 1:
        return Stat(mean, None, 1)
    variance = math.fsum((value - mean) ** 2 for value in known) / (n - 1)
    return Stat(mean, math.sqrt(variance), n)


def group_by(items: Sequence[Item], key: Callable[[Item], Hashable]) -> dict[Hashable, list[Item]]:
    """Items grouped by ``key``, groups in order of first appearance."""
    groups: dict[Hashable, list[Item]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
