"""A sweep's closing line (``12 jobs: 11 completed, 1 diverged``), and its report with what
only the sweep's record knows: the jobs of its grid not started yet, a search's best trial."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rnnlab.config.commands import shell_command
from rnnlab.report.plan import BestTrial, SearchStudy, SweepPlan
from rnnlab.run_folder import (
    STATUSES,
    UnreadableRecord,
    as_number,
    job_dirs,
    parse_overrides,
    read_record,
    recorded_overrides,
    run_status,
)

if TYPE_CHECKING:
    from rnnlab.sweep.progress import SweepProgress
    from rnnlab.sweep.stored import StoredSweep

#: The config group that turns a sweep into a search: not part of a trial run alone.
SEARCH_GROUP = "hparams_search"
DIRECTIONS = ("maximize", "minimize")


def summary_line(sweep_dir: Path) -> tuple[str, bool]:
    """``N jobs: a completed, b diverged ...`` and whether every job completed."""
    counts = Counter(run_status(job) for job in job_dirs(sweep_dir))
    total = sum(counts.values())
    order = (*STATUSES, *sorted(set(counts) - set(STATUSES)))
    parts = [f"{counts[s]} {s}" for s in order if counts[s]]
    line = f"{total} job{'s' if total != 1 else ''}: {', '.join(parts) or 'none ran'}"
    all_completed = total > 0 and counts["completed"] + counts["pruned"] == total
    if not all_completed:
        line += f" (see {shell_command('rnnlab-report', [str(sweep_dir)])})"
    return line, all_completed


def _score(job: Path, metric: str) -> float | None:
    """A completed trial's value of the search's objective, from its metrics.json."""
    if run_status(job) != "completed":
        return None
    try:
        record = read_record(job) or {}
    except UnreadableRecord:
        return None
    metrics = record.get("metrics")
    return as_number(metrics.get(metric)) if isinstance(metrics, dict) else None


def _is_search_setting(key: str) -> bool:
    """``hparams_search`` and its settings (``hparams_search.pruner``): not for a run alone."""
    return key == SEARCH_GROUP or key.startswith(f"{SEARCH_GROUP}.")


def run_alone_command(stored: StoredSweep, overrides: list[str]) -> str:
    """rnnlab-train with a trial's own overrides (exact values), as a single run."""
    config_dirs = [part for folder in stored.config_dirs for part in ("--config-dir", folder)]
    config_name = ["--config-name", stored.config_name] if stored.config_name else []
    kept = [o for o in overrides if not _is_search_setting(o.lstrip("+~").partition("=")[0])]
    return shell_command("rnnlab-train", [*config_dirs, *config_name, *kept])


def best_trial(stored: StoredSweep) -> BestTrial | None:
    """The search's best completed trial by its objective and direction (the value each
    trial returned to Optuna); None for a grid or before any trial completed."""
    metric = stored.task_config.get("optimized_metric")
    direction = stored.sweeper.get("direction")
    if not stored.is_search or not isinstance(metric, str) or direction not in DIRECTIONS:
        return None
    scored = [
        (v, job) for job in job_dirs(stored.directory) if (v := _score(job, metric)) is not None
    ]
    if not scored:
        return None
    pick = max if direction == "maximize" else min  # the first of equal values, as Optuna
    value, job = pick(scored, key=lambda pair: pair[0])
    overrides = recorded_overrides(job) or []
    space = stored.sweeper.get("params") or {}
    params = {key: v for key, v in parse_overrides(overrides).items() if key in space}
    return BestTrial(
        metric, direction, value, job.name, params, run_alone_command(stored, overrides)
    )


def report_inputs(sweep_dir: Path) -> tuple[list[str], SweepPlan | None]:
    """What the report of ``sweep_dir`` needs from the sweep's own record: the lines on what
    is left of it, and its plan (whole grid, swept keys, best trial); nothing for a folder
    that is not a sweep."""
    from rnnlab.sweep.progress import sweep_progress

    progress = sweep_progress(sweep_dir) if sweep_dir.is_dir() else None
    if progress is None:
        return [], None
    return progress.lines(), sweep_plan(progress)


def sweep_plan(progress: SweepProgress) -> SweepPlan:
    stored = progress.stored
    return SweepPlan(
        progress.swept, progress.planned_jobs(), best_trial(stored), search_study(stored)
    )


def search_study(stored: StoredSweep) -> SearchStudy | None:
    """Where a search's study is, its storage and name resolved as the search resolved them
    (``${hydra.sweep.dir}`` is the sweep's folder, not a new time stamp); None for a grid."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from rnnlab.sweep.stored import MULTIRUN_FILE

    if not stored.is_search:
        return None
    try:
        config = OmegaConf.load(stored.directory / MULTIRUN_FILE)
        config.hydra.sweep.dir = str(stored.directory)
        storage = OmegaConf.select(config, "hydra.sweeper.storage")
        name = OmegaConf.select(config, "hydra.sweeper.study_name")
    except (OSError, OmegaConfBaseException):
        return None
    return SearchStudy(str(storage), str(name)) if storage and name else None


def write_report(sweep_dir: Path) -> str:
    """Write the sweep's report; say where, or why not (a report is a bonus, never fatal)."""
    from rnnlab.report.build import MARKDOWN_FILE, report
    from rnnlab.report.runs import ReportError

    unfinished, plan = report_inputs(sweep_dir)
    try:
        report(sweep_dir, unfinished=unfinished, plan=plan)
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
