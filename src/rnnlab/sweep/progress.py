"""How far a sweep got, and the command that finishes it: what rnnlab-report says about an
unfinished sweep.

A grid's jobs are known from the sweep's own record (multirun.yaml): the overrides it was
launched with, expanded exactly as the grid sweeper expands them. A search knows only its
total (``n_trials``); its trials are the job folders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.commands import shell_command
from rnnlab.errors import ConfigError
from rnnlab.report.plan import PlannedJob
from rnnlab.run_folder import job_dir_by_number, parse_overrides, run_status
from rnnlab.sweep.command_line import read_sweep
from rnnlab.sweep.grid import grid_jobs_of
from rnnlab.sweep.stored import (
    StoredSweep,
    has_stored_sweep,
    read_stored_sweep,
    unresumable_reason,
)

#: States of a job that a resume launches again (``failed`` ones only when asked).
_TO_RESUME = ("interrupted", "incomplete")
_ENDED_BADLY = ("failed", "diverged", "unreadable")


@dataclass(frozen=True)
class SweepProgress:
    """Jobs of one sweep by what a resume would do with them."""

    stored: StoredSweep
    #: Jobs in the grid, or trials the search was asked for (None when unknown).
    expected: int | None
    #: ``"#3 (model=lstm,seed=2)"``: jobs that never started.
    missing: list[str] = field(default_factory=list)
    #: Job folders that started and did not end.
    interrupted: list[str] = field(default_factory=list)
    #: Job folders that ended failed or diverged.
    ended_badly: list[str] = field(default_factory=list)
    #: Jobs (or trials) that ended, well or badly.
    ended: int = 0
    #: Why the sweep cannot be resumed (a search whose study is lost), or None.
    cannot_resume: str | None = None
    #: The keys the sweep varies: its grid's swept keys, or a search's space, in order.
    swept: list[str] = field(default_factory=list)
    #: Every job of a grid as its overrides, in launch order (empty for a search).
    grid: list[list[str]] = field(default_factory=list)

    def planned_jobs(self) -> list[PlannedJob]:
        """Every job of the grid, started or not, for the report."""
        return [PlannedJob(n, parse_overrides(job)) for n, job in enumerate(self.grid)]

    @property
    def finished(self) -> bool:
        return not (self.missing or self.interrupted)

    def lines(self) -> list[str]:
        """What the report says about an unfinished sweep, ending with the resume command."""
        if self.finished and not self.ended_badly:
            return []
        what = "trials" if self.stored.is_search else "jobs"
        lines = []
        if self.missing:
            started = ", ".join(self.missing)
            lines.append(
                f"trials not started: {started}"
                if self.stored.is_search
                else f"not started ({len(self.missing)}): {started}"
            )
        if self.interrupted:
            lines.append(f"interrupted ({len(self.interrupted)}): {', '.join(self.interrupted)}")
        command = self.stored.resume_command()
        if not self.finished and self.cannot_resume is not None:
            lines.append(
                f"the sweep is unfinished ({self.ended} of {self.expected or '?'} {what} "
                f"ended) and cannot be resumed: {self.cannot_resume}"
            )
        elif not self.finished:
            lines.append(
                f"the sweep is unfinished ({self.ended} of {self.expected or '?'} {what} "
                f"ended); resume it with:"
            )
            lines.append(f"  {command}")
            shorter = shell_command("rnnlab-train", ["--resume", str(self.stored.directory)])
            lines.append(f"or, shorter: {shorter}")
        if self.ended_badly:
            lines.append(
                f"to run the {len(self.ended_badly)} failed or diverged {what} again: "
                f"{command} hydra.sweeper.retry_failed=true"
                if not self.stored.is_search
                else f"{len(self.ended_badly)} {what} failed or diverged (the search ranks "
                "them last)"
            )
        return lines


def _label(number: int, overrides: list[str], swept: set[str]) -> str:
    values = [o for o in overrides if o.partition("=")[0].lstrip("+~") in swept]
    return f"#{number}" + (f" ({','.join(values)})" if values else "")


def _search_total(stored: StoredSweep) -> int | None:
    total = stored.sweeper.get("n_trials")
    return total if isinstance(total, int) else None


def sweep_progress(directory: Path) -> SweepProgress | None:
    """The progress of the sweep recorded in ``directory``; None when it is not a sweep
    folder (or its record cannot be read: the report of its jobs still stands)."""
    if not has_stored_sweep(directory):
        return None
    try:
        stored = read_stored_sweep(directory)
        jobs = None if stored.is_search else grid_jobs_of(stored)
    except (ConfigError, OmegaConfBaseException, ValueError):
        return None
    folders = job_dir_by_number(directory)
    states = {number: run_status(folder) for number, folder in folders.items()}
    interrupted = [folders[n].name for n, s in sorted(states.items()) if s in _TO_RESUME]
    ended_badly = [folders[n].name for n, s in sorted(states.items()) if s in _ENDED_BADLY]
    ended = len(states) - len(interrupted)
    params = list(stored.sweeper.get("params") or {})
    if jobs is None:
        expected = _search_total(stored)
        unasked = (expected or 0) - len(folders)
        missing = [f"{unasked} more to ask"] if unasked > 0 else []
        reason = unresumable_reason(stored)
        return SweepProgress(
            stored, expected, missing, interrupted, ended_badly, ended, reason, params
        )
    command = read_sweep(list(stored.task_overrides))
    swept = list(dict.fromkeys([*params, *(command.swept_keys if command else ())]))
    missing = [
        _label(number, job, set(swept)) for number, job in enumerate(jobs) if number not in folders
    ]
    return SweepProgress(
        stored, len(jobs), missing, interrupted, ended_badly, ended, None, swept, jobs
    )
