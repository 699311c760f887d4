"""A sweep's closing line (``12 jobs: 11 completed, 1 diverged``) and its report."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rnnlab.config.commands import shell_command
from rnnlab.run_folder import STATUSES, job_dirs, run_status


def summary_line(sweep_dir: Path) -> tuple[str, bool]:
    """``N jobs: a completed, b diverged ...`` and whether every job completed."""
    counts = Counter(run_status(job) for job in job_dirs(sweep_dir))
    total = sum(counts.values())
    order = (*STATUSES, *sorted(set(counts) - set(STATUSES)))
    parts = [f"{counts[s]} {s}" for s in order if counts[s]]
    line = f"{total} job{'s' if total != 1 else ''}: {', '.join(parts) or 'none ran'}"
    all_completed = total > 0 and counts["completed"] == total
    if not all_completed:
        line += f" (see {shell_command('rnnlab-report', [str(sweep_dir)])})"
    return line, all_completed


def write_report(sweep_dir: Path) -> str:
    """Write the sweep's report; say where, or why not (a report is a bonus, never fatal)."""
    from rnnlab.report.build import MARKDOWN_FILE, report
    from rnnlab.report.runs import ReportError
    from rnnlab.sweep.progress import sweep_progress

    progress = sweep_progress(sweep_dir)
    try:
        report(sweep_dir, unfinished=progress.lines() if progress is not None else [])
    except ReportError as error:
        return f"; no report: {error}"
    return f"; report: {sweep_dir / MARKDOWN_FILE}"


def ended_badly(sweep_dir: Path, all_completed: bool, searched: bool) -> bool:
    """Whether the sweep failed: a grid if any job did not complete; a search, which ranks a
    failed trial last and goes on, only if no trial completed."""
    if all_completed:
        return False
    if searched:
        return not any(run_status(job) == "completed" for job in job_dirs(sweep_dir))
    return True
