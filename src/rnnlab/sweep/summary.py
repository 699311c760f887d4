"""SweepSummary: a Hydra callback that closes a sweep with its report and one line counting
job outcomes.

It runs in the launching process after every job has ended (``on_multirun_end``): it writes
the sweep's report (``rnnlab-report``'s table and figures) into the sweep folder, prints e.g.
``12 jobs: 11 completed, 1 diverged``, and remembers whether any job did not complete, so
that ``rnnlab-train -m`` can exit non-zero.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from rnnlab.sweep import lock
from rnnlab.sweep.states import folder_status, job_dirs

#: Set when a sweep in this process had a job that did not complete.
_FAILED_SWEEPS: list[Path] = []
#: The sweeps this process started, so that an interrupted one can say how to resume.
_STARTED_SWEEPS: list[Path] = []
_ORDER = ("completed", "diverged", "failed", "interrupted", "incomplete")


def summary_line(sweep_dir: Path) -> tuple[str, bool]:
    """``N jobs: a completed, b diverged ...`` and whether every job completed."""
    counts = Counter(folder_status(job) for job in job_dirs(sweep_dir))
    total = sum(counts.values())
    parts = [f"{counts[s]} {s}" for s in (*_ORDER, *sorted(set(counts) - set(_ORDER))) if counts[s]]
    line = f"{total} job{'s' if total != 1 else ''}: {', '.join(parts) or 'none ran'}"
    all_completed = total > 0 and counts["completed"] == total
    if not all_completed:
        line += f" (see rnnlab-report {sweep_dir})"
    return line, all_completed


def any_sweep_failed() -> bool:
    """Whether a sweep this process ran had a job that did not complete (exit status 1)."""
    return bool(_FAILED_SWEEPS)


def hold(sweep_dir: Path) -> None:
    """Take ``sweep_dir``'s lock for this process (ConfigError if another launch holds it);
    released when the sweep ends, or by ``release_locks``."""
    sweep_dir = sweep_dir.resolve()
    lock.acquire(sweep_dir)
    if sweep_dir not in _STARTED_SWEEPS:
        _STARTED_SWEEPS.append(sweep_dir)


def release_locks() -> None:
    """Release the lock of every sweep this process took (whatever ended it)."""
    while _STARTED_SWEEPS:
        lock.release(_STARTED_SWEEPS.pop())


def interrupted() -> str | None:
    """For a sweep this process started and did not finish: release its lock and say how
    to resume it."""
    if not _STARTED_SWEEPS:
        return None
    sweep_dir = _STARTED_SWEEPS[-1]
    return (
        "rnnlab: the sweep stopped before it ended; resume it with: "
        f"rnnlab-train --resume {sweep_dir}"
    )


def _write_report(sweep_dir: Path) -> str:
    """Write the sweep's report; say where, or why not (a report is a bonus, never fatal)."""
    from rnnlab.report.build import MARKDOWN_FILE, report
    from rnnlab.report.runs import ReportError

    try:
        report(sweep_dir)
    except ReportError as error:
        return f"; no report: {error}"
    return f"; report: {sweep_dir / MARKDOWN_FILE}"


class SweepSummary(Callback):
    """Writes the sweep's report and prints its closing line; notes failed or diverged jobs."""

    def __init__(self, write_report: bool = True) -> None:
        self.write_report = write_report

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        # rnnlab-train took the lock of a folder it was given; this takes a new folder's
        # (Hydra turns a callback's exception into a warning, so this cannot refuse).
        hold(Path(config.hydra.sweep.dir))

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        lock.release(sweep_dir)
        if sweep_dir.resolve() in _STARTED_SWEEPS:
            _STARTED_SWEEPS.remove(sweep_dir.resolve())
        if not sweep_dir.is_dir():
            return
        line, all_completed = summary_line(sweep_dir)
        if self.write_report and job_dirs(sweep_dir):
            line += _write_report(sweep_dir)
        print(f"rnnlab: {line}", flush=True)
        # A search ranks a failed trial last and goes on: it failed only if no trial completed.
        searched = "optuna" in str(config.hydra.sweeper.get("_target_", "")).lower()
        completed_any = any(folder_status(job) == "completed" for job in job_dirs(sweep_dir))
        if not all_completed and not (searched and completed_any):
            _FAILED_SWEEPS.append(sweep_dir)
