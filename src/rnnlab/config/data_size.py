"""Refuse a generated task too large for this machine's memory before anything is allocated.

``data=adding data.seq_len=100000000`` would ask NumPy for terabytes deep inside the run, after
Hydra made its folder ("Unable to allocate 7.28 TiB" and a long traceback). A generated task's
size follows from its config alone: sequences × steps × features × 4 bytes (its float32
inputs), for the three splits. That is a lower bound (generating them holds larger
intermediate arrays too), so a run refused here could never have run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from rnnlab.config.dotted import select
from rnnlab.errors import ConfigError

#: Bytes per input value: the generated tasks' tensors are float32.
BYTES_PER_VALUE = 4
SPLIT_KEYS = ("num_train", "num_val", "num_test")

Sizes = Mapping[str, int]


@dataclass(frozen=True)
class TaskShape:
    """How a generated task's inputs are shaped by its ``data.*`` keys."""

    name: str
    #: The data keys steps and features follow from, named in the sentence.
    keys: tuple[str, ...]
    steps: Callable[[Sizes], int]
    features: Callable[[Sizes], int]


#: The generated tasks of conf/data by their source's ``_target_``; each mirrors its generator
#: in rnnlab/data/tasks/ (steps and features of the inputs it draws).
TASKS: dict[str, TaskShape] = {
    "rnnlab.data.tasks.adding.adding_task": TaskShape(
        "adding", ("seq_len",), lambda d: d["seq_len"], lambda d: 2
    ),
    "rnnlab.data.tasks.copy_memory.copy_task": TaskShape(
        "copy",
        ("seq_len", "num_remember", "num_symbols"),
        lambda d: d["seq_len"] + 2 * d["num_remember"],
        lambda d: d["num_symbols"] + 2,
    ),
    "rnnlab.data.tasks.majority.majority_task": TaskShape(
        "majority", ("seq_len",), lambda d: d["seq_len"], lambda d: 1
    ),
}


def _meminfo_available(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Linux's estimate of the memory a new allocation can get (MemAvailable), in bytes."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available(folder: Path = Path("/sys/fs/cgroup")) -> int | None:
    """What a container's memory limit (cgroup v2) leaves, in bytes; None without a limit."""
    try:
        limit = (folder / "memory.max").read_text().strip()
        used = int((folder / "memory.current").read_text().strip())
    except (OSError, ValueError):
        return None
    return None if not limit.isdigit() else max(int(limit) - used, 0)


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def available_memory() -> int | None:
    """The bytes a run can allocate now: MemAvailable within any container limit (the
    machine's physical memory where neither can be read); None when nothing can be read."""
    known = [m for m in (_meminfo_available(), _cgroup_available()) if m is not None]
    return min(known) if known else _physical_memory()


def human_bytes(count: float) -> str:
    """``7.3 TiB``: binary units, as NumPy's allocation errors and ``free -h`` give them."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def _sizes(cfg: DictConfig, shape: TaskShape) -> dict[str, int] | None:
    """The task's integer ``data.*`` sizes; None when one is missing (nothing to estimate)."""
    sizes: dict[str, Any] = {key: select(cfg, f"data.{key}") for key in (*shape.keys, *SPLIT_KEYS)}
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in sizes.values()):
        return None
    return sizes


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def check_fits_in_memory(cfg: DictConfig, available: int | None = None) -> None:
    """ConfigError naming the values, the estimate and the limit when a generated task's
    inputs alone cannot fit in the memory available (``available``: bytes, else read now)."""
    shape = TASKS.get(str(select(cfg, "data.source._target_", "")))
    sizes = _sizes(cfg, shape) if shape is not None else None
    if shape is None or sizes is None:
        return
    sequences = sum(sizes[key] for key in SPLIT_KEYS)
    steps, features = shape.steps(sizes), shape.features(sizes)
    needed = sequences * steps * features * BYTES_PER_VALUE
    limit = available_memory() if available is None else available
    if limit is None or needed <= limit:
        return
    values = _listed([f"data.{key}={sizes[key]}" for key in shape.keys])
    splits = _listed([f"data.{key}={sizes[key]}" for key in SPLIT_KEYS])
    raise ConfigError(
        f"{values} with {splits} makes the {shape.name} task's inputs at least "
        f"{human_bytes(needed)} ({sequences} sequences × {steps} steps × {features} features "
        f"× {BYTES_PER_VALUE} bytes), more than the {human_bytes(limit)} of memory available: "
        f"lower data.{shape.keys[0]} or the number of sequences."
    )
