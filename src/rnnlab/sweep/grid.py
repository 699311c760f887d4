"""A grid's jobs, listed in the exact order Hydra's basic sweeper launches (and numbers) them."""

from __future__ import annotations

from collections.abc import Sequence

from hydra.core.override_parser.overrides_parser import OverridesParser

from rnnlab.compat.hydra import grid_batches
from rnnlab.sweep.stored import StoredSweep


def grid_jobs(overrides: Sequence[str]) -> list[list[str]]:
    """Every job's overrides, in Hydra's job order, as the basic sweeper will launch them."""
    return grid_batches(OverridesParser.create().parse_overrides(list(overrides)))


def grid_jobs_of(stored: StoredSweep) -> list[list[str]]:
    """Every job of a recorded grid, in launch order: its preset params, then its overrides."""
    params = stored.sweeper.get("params") or {}
    return grid_jobs([*(f"{key}={value}" for key, value in params.items()), *stored.task_overrides])
