"""Find the run folders below a directory and read what each one says about itself.

A run folder is recognised by its content (``.hydra/`` and/or ``metrics.json``), never by its
name, so sweeps, single runs and folders of both are read alike whatever their folders are
called. Reading never raises for a damaged run: it becomes a row with a status saying so.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rnnlab.errors import RnnlabError

METRICS_FILE = "metrics.json"
HYDRA_DIR = ".hydra"
LAST_CHECKPOINT = Path("checkpoints") / "last.ckpt"
#: Statuses a run can have: the first three come from metrics.json, the rest from its absence.
STATUSES = ("completed", "failed", "diverged", "interrupted", "incomplete", "unreadable")
#: The test metrics a report shows, in this order, where any run has them.
TEST_METRICS = ("test/acc", "test/mse", "test/loss")
BASELINE_METRIC = "test/loss_baseline"

Scalar = str | int | float | bool | None


class ReportError(RnnlabError):
    """The directory to report on is missing, is not a folder, or holds no runs."""


@dataclass(frozen=True)
class Run:
    """One job: where it is, how it ended, what it was told and what it measured."""

    path: Path
    #: The run folder relative to the reported directory ("." when it is the directory).
    job: str
    status: str
    message: str | None = None
    #: The run's command-line overrides as ``{key: value}`` (``+``/``++`` prefixes removed).
    overrides: dict[str, Scalar] = field(default_factory=dict)
    #: Final metrics, numbers or None (a null, a "nan" string or a non-number in the file).
    metrics: dict[str, float | None] = field(default_factory=dict)
    #: ``(<monitor>_best, value)`` from metrics.json's ``best`` record, when it has one.
    best: tuple[str, float | None] | None = None
    task_kind: str | None = None
    epochs: int | None = None
    wall_time_s: float | None = None
    #: The resolved config stored in metrics.json (None for a run that did not finish).
    config: dict[str, Any] | None = None

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def headline(self) -> str | None:
        """The metric that says how well the task was solved: test/acc or test/mse."""
        if self.task_kind == "classification":
            return "test/acc"
        if self.task_kind == "regression":
            return "test/mse"
        return None


def _natural_key(text: str) -> list[Any]:
    """Sort job folders 2 before 10, so a sweep's jobs stay in launch order."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def is_run_dir(path: Path) -> bool:
    return (path / HYDRA_DIR).is_dir() or (path / METRICS_FILE).is_file()


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


def read_yaml(path: Path) -> Any:
    """A YAML file's content, or None when it is missing or not YAML."""
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def as_number(value: Any) -> float | None:
    """A metric value as a finite float; None for null, "nan" (older files) and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _best(record: dict[str, Any], metrics: dict[str, float | None]) -> tuple[str, float | None]:
    best = record.get("best")
    if isinstance(best, dict) and isinstance(best.get("monitor"), str):
        name = f"{best['monitor']}_best"
        value = as_number(best.get("value"))
        return name, value if value is not None else metrics.get(name)
    named = sorted(name for name in metrics if name.startswith("val/") and name.endswith("_best"))
    return (named[0], metrics[named[0]]) if named else ("", None)


def _read_record(path: Path) -> dict[str, Any] | str:
    """metrics.json as a dict, or a sentence saying why it could not be read."""
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return f"{METRICS_FILE} could not be read ({type(error).__name__})."
    if not isinstance(record, dict):
        return f"{METRICS_FILE} does not hold a JSON object."
    return record


def read_run(path: Path, root: Path) -> Run:
    """Everything the report needs from one run folder."""
    job = str(path.relative_to(root))
    overrides = parse_overrides(read_yaml(path / HYDRA_DIR / "overrides.yaml"))
    if not (path / METRICS_FILE).is_file():
        status = "interrupted" if (path / LAST_CHECKPOINT).is_file() else "incomplete"
        return Run(path, job, status, overrides=overrides)
    record = _read_record(path / METRICS_FILE)
    if isinstance(record, str):
        return Run(path, job, "unreadable", record, overrides)
    # newer metrics.json files carry the overrides too: enough when .hydra/ is gone
    overrides = overrides or parse_overrides(record.get("overrides"))
    raw = record.get("metrics")
    metrics = {name: as_number(value) for name, value in (raw or {}).items()}
    best = _best(record, metrics)
    spec = record.get("task_spec")
    epochs = as_number(record.get("epochs"))
    message = record.get("message")
    config = record.get("config")
    return Run(
        path,
        job,
        str(record.get("status", "completed")),
        message if isinstance(message, str) else None,
        overrides,
        metrics,
        best if best[0] else None,
        spec.get("kind") if isinstance(spec, dict) else None,
        None if epochs is None else int(epochs),
        as_number(record.get("wall_time_s")),
        config if isinstance(config, dict) else None,
    )


def collect_runs(directory: str | Path) -> list[Run]:
    """Every run below ``directory``, read; one sentence if there is nothing to report on."""
    root = Path(directory)
    if not root.exists():
        raise ReportError(f"{str(directory)!r} does not exist: give a sweep or experiments folder.")
    if not root.is_dir():
        raise ReportError(
            f"{str(directory)!r} is not a folder: give a sweep or experiments folder."
        )
    runs = [read_run(path, root) for path in find_run_dirs(root)]
    if not runs:
        raise ReportError(
            f"{str(directory)!r} holds no runs: no folder in it has .hydra/ or {METRICS_FILE}."
        )
    return runs
