"""Where each job of a sweep stands, read from its folder alone.

A job folder is ``<number>_<swept values>`` (or ``<number>``) holding ``.hydra/``. Its state
decides what resuming the sweep does with it:

- ``completed``: metrics.json says so; never touched again.
- ``failed`` / ``diverged``: metrics.json says so; re-run only when asked (retry_failed).
- ``interrupted``: started, no metrics.json, a ``checkpoints/last.ckpt`` to continue from.
- ``incomplete``: started, no metrics.json, nothing to continue from; run again.
- ``unreadable``: a metrics.json that is not JSON (treated like failed).
- ``missing``: no folder: the job never started.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

METRICS_FILE = "metrics.json"
HYDRA_DIR = ".hydra"
LAST_CHECKPOINT = Path("checkpoints") / "last.ckpt"
#: States that a metrics.json records: the job ended and said how.
ENDED = ("completed", "failed", "diverged", "unreadable")


def job_overrides(job_dir: Path) -> list[str] | None:
    """The job's overrides as Hydra recorded them (``.hydra/overrides.yaml``); None when
    the file is missing or damaged (a launch killed while Hydra set the job up)."""
    try:
        overrides = yaml.safe_load((job_dir / HYDRA_DIR / "overrides.yaml").read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return [str(o) for o in overrides] if isinstance(overrides, list) else None


def folder_status(job_dir: Path) -> str:
    """A job folder's state (see the module docstring); ``missing`` when there is no folder."""
    if not job_dir.is_dir():
        return "missing"
    metrics = job_dir / METRICS_FILE
    if not metrics.is_file():
        if job_overrides(job_dir) is None:
            return "incomplete"  # Hydra had not finished setting it up: run it again
        return "interrupted" if (job_dir / LAST_CHECKPOINT).is_file() else "incomplete"
    try:
        record = json.loads(metrics.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return "unreadable"
    return str(record.get("status", "completed")) if isinstance(record, dict) else "unreadable"


def job_dirs(sweep_dir: Path) -> list[Path]:
    """The sweep's job folders: those Hydra set up (they hold .hydra/), in job order."""
    return sorted((p.parent for p in sweep_dir.glob(f"*/{HYDRA_DIR}")), key=_job_number_key)


def job_number(job_dir: Path) -> int | None:
    """The number a job folder starts with (``3_model=lstm`` → 3), None if it has none."""
    head = job_dir.name.partition("_")[0]
    return int(head) if head.isdigit() else None


def _job_number_key(job_dir: Path) -> tuple[int, str]:
    number = job_number(job_dir)
    return (-1 if number is None else number, job_dir.name)


def job_dir_by_number(sweep_dir: Path) -> dict[int, Path]:
    """``{number: folder}`` for every numbered job folder of the sweep."""
    return {n: d for d in job_dirs(sweep_dir) if (n := job_number(d)) is not None}
