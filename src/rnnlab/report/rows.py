"""The report's rows: one per job, and one per setting when seeds were repeated.

Both kinds share the same value columns (test metrics, best validation metric, epochs,
wall time), so the terminal table, report.md and the CSV files line up with each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.report.aggregate import Stat, group_by, summarise
from rnnlab.report.runs import TEST_METRICS, Run
from rnnlab.report.swept import SEED_KEYS
from rnnlab.run_folder import STATUSES, Scalar

EPOCHS = "epochs"
WALL_TIME = "wall_time_s"


@dataclass(frozen=True)
class JobRow:
    run: Run
    #: The swept settings' values for this job.
    setting: dict[str, Scalar]
    values: dict[str, float | None]


@dataclass(frozen=True)
class SettingRow:
    """All jobs of one setting (they differ only in seed), summarised."""

    setting: dict[str, Scalar]
    jobs: list[JobRow]
    values: dict[str, Stat]

    @property
    def status(self) -> str:
        """``3 completed`` or ``2 completed, 1 diverged``."""
        counts = Counter(job.run.status for job in self.jobs)
        order = [s for s in STATUSES if s in counts] + sorted(set(counts) - set(STATUSES))
        return ", ".join(f"{counts[status]} {status}" for status in order)

    @property
    def completed(self) -> int:
        return sum(job.run.completed for job in self.jobs)


def value_columns(runs: Sequence[Run]) -> list[str]:
    """Test metrics and best validation metrics any run has, then epochs and wall time."""
    tests = [name for name in TEST_METRICS if any(name in run.metrics for run in runs)]
    bests = list(dict.fromkeys(run.best[0] for run in runs if run.best))
    return [*tests, *bests, EPOCHS, WALL_TIME]


def _value(run: Run, column: str) -> float | None:
    """A cell's number; metrics are left empty for a job that did not complete."""
    if column == EPOCHS:
        return None if run.epochs is None else float(run.epochs)
    if column == WALL_TIME:
        return run.wall_time_s
    if not run.completed:
        return None
    if run.best and run.best[0] == column:
        return run.best[1]
    return run.metrics.get(column)


def job_rows(runs: Sequence[Run], swept: dict[str, list[Scalar]]) -> list[JobRow]:
    columns = value_columns(runs)
    return [
        JobRow(
            run,
            {key: values[index] for key, values in swept.items()},
            {column: _value(run, column) for column in columns},
        )
        for index, run in enumerate(runs)
    ]


def setting_rows(jobs: Sequence[JobRow], swept: dict[str, list[Scalar]]) -> list[SettingRow]:
    """One row per setting when seeds were repeated; empty when no setting has two jobs
    (then there is nothing to average, and the seed stays a column of its own)."""
    if not any(key in SEED_KEYS for key in swept):
        return []
    kept = [key for key in swept if key not in SEED_KEYS]
    groups = group_by(jobs, lambda job: tuple(job.setting[key] for key in kept))
    if all(len(group) == 1 for group in groups.values()):
        return []
    columns = list(jobs[0].values) if jobs else []
    rows = []
    for values, group in groups.items():
        completed = [job for job in group if job.run.completed]
        stats = {column: summarise(job.values[column] for job in completed) for column in columns}
        rows.append(SettingRow(dict(zip(kept, values, strict=True)), list(group), stats))
    return rows
