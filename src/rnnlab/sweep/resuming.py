"""Launch only what a sweep still needs: the launcher side of resuming a sweep.

When a sweep runs into a folder where it ran before, each job is looked up by its number
(job numbers and folder names are the same on every launch of the same sweep) and:

- ``completed``: skipped; its folder is not touched;
- ``failed`` / ``diverged`` / ``unreadable``: skipped, unless ``retry_failed``: then its
  folder is cleared and the job runs again from the start;
- ``interrupted`` (it has ``checkpoints/last.ckpt``): launched; the job continues from that
  checkpoint in its own folder (see rnnlab.sweep.job.continue_interrupted_job);
- ``incomplete`` (started, nothing to continue from): its folder is cleared, the job runs;
- ``missing``: runs.

Pending jobs are handed to the real launcher in runs of consecutive numbers, so a parallel
launcher still runs them side by side and numbers them as the first launch did.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from hydra.core.utils import JobReturn, JobStatus

from rnnlab.run_folder import job_dir_by_number, recorded_overrides, run_status

#: What happens to a job in each state (retry_failed changes the ended-badly ones).
_ACTION = {
    "completed": "keep",
    "failed": "keep",
    "diverged": "keep",
    "unreadable": "keep",
    "interrupted": "continue",
    "incomplete": "restart",
    "missing": "run",
}
_RETRIED = ("failed", "diverged", "unreadable")


@dataclass(frozen=True)
class JobPlan:
    """One job of a resumed sweep: its number, overrides, folder, state and what to do."""

    number: int
    overrides: tuple[str, ...]
    folder: Path | None
    state: str
    action: str  # keep | continue | restart | run


def plan_jobs(
    sweep_dir: Path, batch: Sequence[Sequence[str]], first_number: int, retry_failed: bool
) -> list[JobPlan]:
    """What to do with each job of ``batch`` (numbered from ``first_number``)."""
    folders = job_dir_by_number(sweep_dir) if sweep_dir.is_dir() else {}
    plans = []
    for offset, overrides in enumerate(batch):
        number = first_number + offset
        folder = folders.get(number)
        state = run_status(folder) if folder is not None else "missing"
        if folder is not None and state != "incomplete":
            _check_same_job(folder, overrides)
        action = "restart" if retry_failed and state in _RETRIED else _ACTION.get(state, "keep")
        plans.append(JobPlan(number, tuple(overrides), folder, state, action))
    return plans


def _check_same_job(folder: Path, overrides: Sequence[str]) -> None:
    """A folder with this job's number must hold this job (the pre-flight made sure of it);
    the order of a job's own overrides does not matter (its folder name sorts them)."""
    stored = recorded_overrides(folder) or []
    if sorted(stored) != sorted(overrides):
        raise RuntimeError(
            f"{folder} holds a job with overrides {list(stored)}, but job "
            f"{folder.name.partition('_')[0]} of this sweep has {list(overrides)}."
        )


def describe(plans: Sequence[JobPlan]) -> str:
    """``4 jobs: 1 completed (kept), 1 interrupted (to continue from its last checkpoint),
    2 to run``; each interrupted job then says whether it continues or starts again."""
    counts = Counter(plan.action for plan in plans)
    kept = Counter(plan.state for plan in plans if plan.action == "keep")
    parts = [f"{n} {state} (kept)" for state, n in sorted(kept.items())]
    if counts["continue"]:
        its = "its last checkpoint" if counts["continue"] == 1 else "their last checkpoints"
        parts.append(f"{counts['continue']} interrupted (to continue from {its})")
    if counts["restart"]:
        parts.append(f"{counts['restart']} to run again")
    if counts["run"]:
        parts.append(f"{counts['run']} to run")
    line = f"{len(plans)} job{'s' if len(plans) != 1 else ''}: {', '.join(parts)}"
    if any(plan.state in _RETRIED for plan in plans if plan.action == "keep"):
        line += "; hydra.sweeper.retry_failed=true runs the failed ones again"
    return line


def _kept_return(plan: JobPlan) -> JobReturn:
    """What the sweeper gets for a job that is not launched again."""
    return JobReturn(
        overrides=list(plan.overrides),
        working_dir=str(plan.folder) if plan.folder else None,
        status=JobStatus.COMPLETED,
        _return_value=None,
    )


class _Numbered(Protocol):
    @property
    def number(self) -> int: ...


Numbered = TypeVar("Numbered", bound=_Numbered)


def consecutive(items: Sequence[Numbered]) -> list[list[Numbered]]:
    """Runs of consecutive job numbers: each becomes one launch, so a parallel launcher
    still runs its jobs side by side."""
    runs: list[list[Numbered]] = []
    for item in items:
        if runs and runs[-1][-1].number == item.number - 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


class ResumingLauncher:
    """Wraps the configured launcher; launches only the jobs a resumed sweep still needs."""

    def __init__(self, launcher: Any, sweep_dir: Path, retry_failed: bool) -> None:
        self.launcher = launcher
        self.sweep_dir = sweep_dir
        self.retry_failed = retry_failed

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Hydra's Launcher.launch: the batch's returns in order, kept jobs not launched."""
        plans = plan_jobs(self.sweep_dir, job_overrides, initial_job_idx, self.retry_failed)
        if all(plan.action == "run" for plan in plans):  # a fresh sweep: nothing to look at
            return self.launcher.launch(job_overrides, initial_job_idx=initial_job_idx)
        print(f"rnnlab: resuming {self.sweep_dir}: {describe(plans)}", flush=True)
        returns: dict[int, JobReturn] = {
            plan.number: _kept_return(plan) for plan in plans if plan.action == "keep"
        }
        pending = [plan for plan in plans if plan.action != "keep"]
        for plan in pending:
            if plan.action == "restart" and plan.folder is not None:
                shutil.rmtree(plan.folder)
        for group in consecutive(pending):
            launched = self.launcher.launch(
                [list(plan.overrides) for plan in group], initial_job_idx=group[0].number
            )
            returns.update(zip((plan.number for plan in group), launched, strict=True))
        return [returns[plan.number] for plan in plans]
