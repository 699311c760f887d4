"""The run folder's contract: its file names, its record, its status and its overrides.

Every run — a single run under ``experiments/`` or a sweep's job under ``multirun/`` — leaves
one folder, and this module is the only code that knows how one is laid out::

    <run>/.hydra/{config,hydra,overrides}.yaml   what Hydra composed and was told
    <run>/metrics.json                           the record: written last, atomically
    <run>/checkpoints/{best,last}.ckpt           what a resume or an evaluation reads
    <run>/figures/  <run>/tensorboard/           what a person looks at

A run's status follows from its folder alone, by one rule for everyone (a sweep that resumes,
the report, the end-of-sweep line):

- ``completed``, ``pruned``, ``failed``, ``diverged``: metrics.json says so (a record without a
  status is an older completed run; ``pruned``: a search stopped the trial early as hopeless);
- ``unreadable``: a metrics.json that is not a JSON object;
- ``interrupted``: no metrics.json, but Hydra set the job up and a ``last.ckpt`` can continue it;
- ``incomplete``: no metrics.json and nothing to continue from (run it again);
- ``missing``: no folder at all (a sweep's job that never started).

Kept free of torch, Lightning and Hydra, so the report and the pre-flight stay fast.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

METRICS_FILE = "metrics.json"
HYDRA_DIR = ".hydra"
OVERRIDES_FILE = "overrides.yaml"
CONFIG_FILE = "config.yaml"
HYDRA_FILE = "hydra.yaml"
CHECKPOINT_DIR = "checkpoints"
LAST_CHECKPOINT = Path(CHECKPOINT_DIR) / "last.ckpt"
BEST_CHECKPOINT = Path(CHECKPOINT_DIR) / "best.ckpt"
FIGURES_DIR = "figures"
#: Every status a run folder can have, in the order a summary lists them.
STATUSES = (
    "completed",
    "pruned",
    "diverged",
    "failed",
    "interrupted",
    "incomplete",
    "unreadable",
)
#: States that a metrics.json records: the run ended and said how.
ENDED = ("completed", "pruned", "failed", "diverged", "unreadable")

Scalar = str | int | float | bool | None


class UnreadableRecord(ValueError):
    """metrics.json exists but is not a JSON object; the message says why, in one sentence."""


# ---------------------------------------------------------------------------- reading


def read_yaml(path: Path) -> Any:
    """A YAML file's content, or None when it is missing or not YAML."""
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def read_record(run_dir: Path) -> dict[str, Any] | None:
    """The run's metrics.json; None when it has none, UnreadableRecord when it is damaged."""
    path = run_dir / METRICS_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = type(error).__name__
        raise UnreadableRecord(f"{METRICS_FILE} could not be read ({reason}).") from None
    if not isinstance(record, dict):
        raise UnreadableRecord(f"{METRICS_FILE} does not hold a JSON object.")
    return record


def has_record(run_dir: Path) -> bool:
    """Whether the run wrote its metrics.json (it ended, one way or another)."""
    return (run_dir / METRICS_FILE).is_file()


def recorded_overrides(run_dir: Path) -> list[str] | None:
    """The run's command-line overrides as Hydra recorded them; None when the file is missing
    or damaged (a launch killed while Hydra set the job up)."""
    overrides = read_yaml(run_dir / HYDRA_DIR / OVERRIDES_FILE)
    return [str(o) for o in overrides] if isinstance(overrides, list) else None


def composed_config(run_dir: Path) -> dict[str, Any] | None:
    """``.hydra/config.yaml``: the run's config as composed (interpolations unresolved)."""
    config = read_yaml(run_dir / HYDRA_DIR / CONFIG_FILE)
    return config if isinstance(config, dict) else None


def hydra_settings(run_dir: Path) -> dict[str, Any] | None:
    """``.hydra/hydra.yaml``: Hydra's own settings for the run (e.g. the group choices)."""
    settings = read_yaml(run_dir / HYDRA_DIR / HYDRA_FILE)
    return settings if isinstance(settings, dict) else None


def has_checkpoint(run_dir: Path) -> bool:
    """Whether the run wrote any checkpoint (something worth keeping even if it failed)."""
    folder = run_dir / CHECKPOINT_DIR
    return folder.is_dir() and any(folder.iterdir())


def run_status(run_dir: Path) -> str:
    """The run's status, by the rule in the module docstring."""
    if not run_dir.is_dir():
        return "missing"
    try:
        record = read_record(run_dir)
    except UnreadableRecord:
        return "unreadable"
    if record is not None:
        return str(record.get("status", "completed"))
    if recorded_overrides(run_dir) is None:
        return "incomplete"  # Hydra had not finished setting it up: run it again
    return "interrupted" if (run_dir / LAST_CHECKPOINT).is_file() else "incomplete"


# ---------------------------------------------------------------------------- writing


def write_record(run_dir: str | Path, record: dict[str, Any]) -> Path:
    """Write ``record`` as the run's metrics.json, atomically (written aside, then renamed),
    so a folder that has one is an ended run and one without never looks ended."""
    path = Path(run_dir) / METRICS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n")
    os.replace(partial, path)
    return path


# ---------------------------------------------------------------------------- finding


def is_run_dir(path: Path) -> bool:
    """A run folder is known by its content, never by its name."""
    return (path / HYDRA_DIR).is_dir() or (path / METRICS_FILE).is_file()


def _natural_key(text: str) -> list[Any]:
    """Sort job folders 2 before 10, so a sweep's jobs stay in launch order."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def find_run_dirs(directory: Path) -> list[Path]:
    """Every run folder at or below ``directory``; a run's own sub-folders are not searched."""
    if is_run_dir(directory):
        return [directory]
    found = []
    for parent, folders, _ in os.walk(directory):
        here = Path(parent)
        runs = [name for name in folders if is_run_dir(here / name)]
        found.extend(here / name for name in runs)
        folders[:] = [name for name in folders if name not in runs and not name.startswith(".")]
    return sorted(found, key=lambda path: _natural_key(str(path.relative_to(directory))))


def job_dirs(sweep_dir: Path) -> list[Path]:
    """A sweep's job folders: those Hydra set up (they hold .hydra/), in job order."""
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


# ---------------------------------------------------------------------------- values


def parse_value(text: str) -> Scalar:
    """An override's value as Hydra reads it: ``4`` → 4, ``1e-3`` → 0.001, ``gru`` → "gru"."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:
            return float(value)  # YAML 1.1 reads 1e-3 as text; Hydra reads it as a float
        except ValueError:
            return value
    return value if isinstance(value, Scalar) else text


def parse_overrides(lines: Any) -> dict[str, Scalar]:
    """``["model=gru", "+x=1"]`` → ``{"model": "gru", "x": 1}``; deletions (``~key``) are
    dropped because they remove a setting rather than give it a value."""
    overrides: dict[str, Scalar] = {}
    if not isinstance(lines, list):
        return overrides
    for line in lines:
        if not isinstance(line, str) or "=" not in line or line.startswith("~"):
            continue
        key, text = line.split("=", 1)
        overrides[key.lstrip("+")] = parse_value(text)
    return overrides


def as_number(value: Any) -> float | None:
    """A recorded metric as a finite float; None for null, "nan" (older files) and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
