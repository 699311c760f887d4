"""Find the run folders below a directory and read what each one says about itself.

A run folder is recognised by its content (``.hydra/`` and/or ``metrics.json``), never by its
name, so sweeps, single runs and folders of both are read alike whatever their folders are
called. Reading never raises for a damaged run: it becomes a row with a status saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab import run_folder
from rnnlab.errors import RnnlabError
from rnnlab.report.plan import NOT_STARTED, PlannedJob
from rnnlab.run_folder import (
    Scalar,
    UnreadableRecord,
    as_number,
    find_run_dirs,
    job_number,
    parse_overrides,
    read_record,
    recorded_overrides,
)

#: The test metrics a report shows, in this order, where any run has them.
TEST_METRICS = ("test/acc", "test/mse", "test/loss")
BASELINE_METRIC = "test/loss_baseline"


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


def _best(record: dict[str, Any], metrics: dict[str, float | None]) -> tuple[str, float | None]:
    best = record.get("best")
    if isinstance(best, dict) and isinstance(best.get("monitor"), str):
        name = f"{best['monitor']}_best"
        value = as_number(best.get("value"))
        return name, value if value is not None else metrics.get(name)
    named = sorted(name for name in metrics if name.startswith("val/") and name.endswith("_best"))
    return (named[0], metrics[named[0]]) if named else ("", None)


def read_run(path: Path, root: Path) -> Run:
    """Everything the report needs from one run folder."""
    job = str(path.relative_to(root))
    overrides = parse_overrides(recorded_overrides(path))
    try:
        record = read_record(path)
    except UnreadableRecord as error:
        return Run(path, job, "unreadable", str(error), overrides)
    if record is None:
        return Run(path, job, run_folder.run_status(path), overrides=overrides)
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
            f"{str(directory)!r} holds no runs: no folder in it has .hydra/ or "
            f"{run_folder.METRICS_FILE}."
        )
    return runs


def _position(run: Run) -> tuple[int, int]:
    """Job order: numbered folders and planned jobs by number, anything else after them."""
    number = job_number(run.path)
    return (0, number) if number is not None else (1, 0)


def with_planned_jobs(runs: list[Run], planned: list[PlannedJob], root: Path) -> list[Run]:
    """``runs`` and, in job order, a row for each job of the grid that has no folder yet
    (``#3``, status ``not started``, its values from the sweep's record)."""
    started = {number for run in runs if (number := job_number(run.path)) is not None}
    waiting = [
        Run(root / f"{job.number}_", f"#{job.number}", NOT_STARTED, overrides=job.overrides)
        for job in planned
        if job.number not in started
    ]
    return sorted([*runs, *waiting], key=_position)
