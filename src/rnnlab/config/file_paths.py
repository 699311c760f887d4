"""Data files named in a run's config, made absolute so a checkpoint works from anywhere.

A user types ``data.path=runs.npz`` relative to the directory they launch in. The run
config stored in every checkpoint and in metrics.json holds the path resolved against that
directory, so ``rnnlab-eval ckpt_path=…`` (and rnnlab-predict, for an older checkpoint
that must rebuild its TaskSpec from the data) find the file from any other directory.
Messages while the run reads the file still name it as typed.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig

#: The config keys that name a file or folder of data, relative to the launch directory.
PATH_KEYS = ("data.path", "data.archive_dir")


def launch_dir() -> Path:
    """The directory the command was started in (Hydra's record of it, else the cwd)."""
    if HydraConfig.initialized():
        cwd = HydraConfig.get().runtime.get("cwd")
        if cwd:
            return Path(cwd)
    return Path.cwd()


def absolute(value: str, base: Path) -> str:
    """``value`` (``~`` expanded) as an absolute, normalised path resolved against ``base``."""
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))


def with_absolute_paths(config: dict[str, Any], base: Path | None = None) -> dict[str, Any]:
    """A copy of a plain run config whose PATH_KEYS that are set are absolute paths."""
    config = copy.deepcopy(config)
    root = launch_dir() if base is None else base
    for dotted in PATH_KEYS:
        *parents, leaf = dotted.split(".")
        node: Any = config
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(leaf), str) and node[leaf].strip():
            node[leaf] = absolute(node[leaf], root)
    return config


def same_path(old: Any, new: Any, base: Path | None = None) -> bool:
    """True when two values of a path key name the same file from the launch directory, so
    a checkpoint stored before paths were made absolute still resumes with the same path."""
    if not isinstance(old, str) or not isinstance(new, str):
        return old == new
    root = launch_dir() if base is None else base
    return absolute(old, root) == absolute(new, root)
