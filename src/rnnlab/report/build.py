"""Build a report on a folder of runs: read them, tabulate them, draw them, write the files.

``report(directory)`` is what ``rnnlab-report`` runs, and what a test or a sweep's own
summary can call in-process; it returns everything it found and wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rnnlab.report.contents import Report
from rnnlab.report.plan import SweepPlan
from rnnlab.report.rows import JobRow, job_rows, setting_rows
from rnnlab.report.runs import ReportError, collect_runs, with_planned_jobs
from rnnlab.report.search import search_section
from rnnlab.report.swept import swept_settings
from rnnlab.report.table import markdown, write_jobs_csv, write_settings_csv
from rnnlab.report.ucr_benchmark import benchmark_files

MARKDOWN_FILE = "report.md"
JOBS_CSV = "report.csv"
SETTINGS_CSV = "report_aggregated.csv"
FIGURES_DIR = "figures"
CURVES_FILE = "val_loss_curves.png"


def _write(path: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(path)``; a folder that cannot be written to is the user's to fix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ReportError(f"could not write {str(path)!r} ({reason}).") from None


def _write_figures(directory: Path, jobs: list[JobRow], swept: list[str]) -> list[Path]:
    """Draw and save the figures; matplotlib and torch are imported only here."""
    from rnnlab.report.curves import validation_curve
    from rnnlab.report.figures import curve_labels, headline_figures, validation_curves_figure

    figures = headline_figures(jobs, swept)
    labels = curve_labels(jobs)
    curves = {}
    for label, job in zip(labels, jobs, strict=True):
        if (curve := validation_curve(job.run)) is not None:
            curves[label] = curve
    if curves:
        figures[CURVES_FILE] = validation_curves_figure(curves)
    paths = []
    for name, figure in figures.items():
        path = directory / FIGURES_DIR / name
        _write(path, lambda target, figure=figure: figure.savefig(target, dpi=120))
        paths.append(path)
    return paths


def report(
    directory: str | Path,
    *,
    figures: bool = True,
    unfinished: Sequence[str] = (),
    plan: SweepPlan | None = None,
) -> Report:
    """Find every run below ``directory`` and write report.md, report.csv (one row per job),
    report_aggregated.csv (when seeds repeat) and figures/ into it. ``unfinished``: for a
    sweep that has not ended, what is left of it and how to resume it; ``plan``: what the
    sweep's record says (its whole grid, a search's best trial). The sweep knows both."""
    root = Path(directory)
    plan = plan or SweepPlan()
    runs = with_planned_jobs(collect_runs(root), plan.jobs, root)
    swept = swept_settings(runs, always=plan.swept)
    jobs = job_rows(runs, swept)
    settings = setting_rows(jobs, swept)
    drawn = _write_figures(root, jobs, list(swept)) if figures else []
    drawn += benchmark_files(root, runs) if figures else []  # experiment=ucr runs: their benchmark
    tables = [root / MARKDOWN_FILE, root / JOBS_CSV] + ([root / SETTINGS_CSV] if settings else [])
    search = search_section(root, plan.search, figures)  # history, importances, pruned trials
    files = [*tables, *drawn, *search.files]
    result = Report(
        root, runs, swept, jobs, settings, files, list(unfinished), plan.best, search.terminal
    )
    _write(root / MARKDOWN_FILE, lambda path: path.write_text(search.added_to(markdown(result))))
    _write(root / JOBS_CSV, lambda path: write_jobs_csv(path, jobs))
    if settings:
        _write(root / SETTINGS_CSV, lambda path: write_settings_csv(path, settings))
    return result
