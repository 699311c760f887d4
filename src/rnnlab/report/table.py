"""The report as text: an aligned table for the terminal, report.md, and the CSV files.

Numbers (metrics and swept values alike) are rounded for reading in the tables and kept at
full precision in the CSVs.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from rnnlab.report.aggregate import Stat
from rnnlab.report.contents import Report
from rnnlab.report.plan import NOT_STARTED, BestTrial
from rnnlab.report.rows import EPOCHS, WALL_TIME, JobRow, SettingRow
from rnnlab.report.swept import SEED_KEYS, readable_value, show_value

#: Longest job name shown in the terminal; report.md and the CSV keep the whole name.
TERMINAL_JOB_WIDTH = 40
HEADINGS = {WALL_TIME: "wall time (s)"}

Table = tuple[list[str], list[list[str]]]


def format_number(value: float | None, column: str) -> str:
    """Four decimals for metrics (two significant digits when smaller than 0.001, so a tiny
    MSE does not read as 0.0000), whole epochs, wall time to a tenth of a second."""
    if value is None:
        return ""
    if column == EPOCHS and float(value).is_integer():
        return str(int(value))
    if column in (EPOCHS, WALL_TIME):
        return f"{value:.1f}"
    return f"{value:.4f}" if value == 0 or abs(value) >= 1e-3 else f"{value:.2e}"


def format_stat(stat: Stat, column: str) -> str:
    """``0.8125 ± 0.0312``, the spread rounded like the mean; just the mean for one value
    or for epochs that all agree."""
    if stat.mean is None:
        return ""
    mean = format_number(stat.mean, column)
    if stat.std is None or (column == EPOCHS and stat.std == 0):
        return mean
    if "e" in mean:
        return f"{mean} ± {stat.std:.2e}"
    decimals = len(mean.partition(".")[2])  # the spread to the mean's precision
    return f"{mean} ± {stat.std:.{decimals}f}"


def _headings(columns: Sequence[str]) -> list[str]:
    return [HEADINGS.get(column, column) for column in columns]


def job_table(jobs: Sequence[JobRow], job_width: int | None = None) -> Table:
    """Job, swept values, value columns, status: one row per job."""
    if not jobs:
        return [], []
    keys, columns = list(jobs[0].setting), list(jobs[0].values)
    header = ["job", *keys, *_headings(columns), "status"]
    rows = []
    for job in jobs:
        name = job.run.job
        if job_width and len(name) > job_width:
            name = name[: job_width - 1] + "…"
        values = [format_number(job.values[column], column) for column in columns]
        settings = [readable_value(job.setting[key]) for key in keys]
        rows.append([name, *settings, *values, job.run.status])
    return header, rows


def setting_table(settings: Sequence[SettingRow]) -> Table:
    """Swept values (seeds left out), n completed jobs, mean ± std of each value column."""
    if not settings:
        return [], []
    keys, columns = list(settings[0].setting), list(settings[0].values)
    header = [*keys, "n", *_headings(columns), "status"]
    rows = [
        [
            *(readable_value(row.setting[key]) for key in keys),
            str(row.completed),
            *(format_stat(row.values[column], column) for column in columns),
            row.status,
        ]
        for row in settings
    ]
    return header, rows


def _is_number(cell: str) -> bool:
    """Empty, a number, or ``mean ± std``: cells that read best right-aligned."""
    try:
        float(cell.split(" ± ")[0] or "0")
    except ValueError:
        return False
    return True


def render_text(table: Table) -> str:
    """Columns padded to their widest cell, numbers right-aligned, a rule under the header."""
    header, rows = table
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    numeric = [all(_is_number(cell) for cell in column) for column in zip(*rows, strict=True)]
    numeric = numeric or [False] * len(header)

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        )
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def render_markdown(table: Table) -> str:
    header, rows = table

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(row) for row in rows)])


def summary_line(report: Report) -> str:
    """``4 jobs (3 completed, 1 failed); swept: data.seq_len, model``."""
    counts: dict[str, int] = {}
    for run in report.runs:
        counts[run.status] = counts.get(run.status, 0) + 1
    statuses = ", ".join(f"{n} {status}" for status, n in counts.items())
    jobs = f"{len(report.runs)} job{'s' * (len(report.runs) != 1)} ({statuses})"
    swept = ", ".join(report.swept) or "nothing (every run has the same settings)"
    return f"{jobs}; swept: {swept}"


def problems(report: Report) -> list[str]:
    """One line per job that did not complete, with the sentence it left, if any."""
    lines = []
    for run in report.runs:
        if not run.completed and run.status != NOT_STARTED:  # the unfinished lines list those
            lines.append(f"{run.job}: {run.status}" + (f": {run.message}" if run.message else ""))
    return lines


def best_line(best: BestTrial) -> str:
    """``best trial: 1_… (val/acc_best 0.6562, maximize)``."""
    value = format_number(best.value, best.metric)
    return f"best trial: {best.job} ({best.metric} {value}, {best.direction})"


def best_markdown(best: BestTrial) -> list[str]:
    """report.md's best-trial section: its value, its parameters, the command that runs it."""
    rows = [[key, readable_value(value)] for key, value in best.params.items()]
    value = format_number(best.value, best.metric)
    return [
        "## Best trial",
        "",
        f"`{best.job}`: {best.metric} **{value}** (the search's objective, {best.direction}).",
        "",
        render_markdown((["parameter", "value"], rows)),
        "",
        "Run it alone, with the exact values:",
        "",
        "```text",
        best.command,
        "```",
    ]


def terminal_text(report: Report) -> str:
    """What ``rnnlab-report`` prints: the summary, the table, the problems, the files."""
    table = (
        setting_table(report.settings)
        if report.settings
        else job_table(report.jobs, TERMINAL_JOB_WIDTH)
    )
    parts = [f"rnnlab-report: {report.directory}", summary_line(report), "", render_text(table)]
    if report.best:
        parts += ["", best_line(report.best), f"  run it alone: {report.best.command}"]
    if report.search:
        parts += ["", *report.search]
    if report.settings:
        parts += ["", "mean ± std (ddof=1) over the completed seeds; n: how many."]
    if lines := problems(report):
        parts += ["", *lines]
    if report.unfinished:
        parts += ["", *report.unfinished]
    wrote = [str(path.relative_to(report.directory)) for path in report.files]
    parts += ["", f"wrote {', '.join(wrote)} in {report.directory}"]
    return "\n".join(parts)


def markdown(report: Report) -> str:
    """report.md: summary, the per-setting table (if seeds repeat), every job, figures."""
    parts = [f"# rnnlab report: {report.directory.name}", "", f"`{report.directory}`: "]
    parts[-1] += summary_line(report) + "."
    if report.best:
        parts += ["", *best_markdown(report.best)]
    if report.settings:
        seeds = [key for key in report.swept if key in SEED_KEYS]
        parts += [
            "",
            "## Settings",
            "",
            f"Jobs that differ only in {', '.join(f'`{k}`' for k in seeds)} are summarised "
            "as mean ± sample std (ddof=1) over the n completed ones.",
            "",
            render_markdown(setting_table(report.settings)),
        ]
    parts += ["", "## Jobs", "", render_markdown(job_table(report.jobs))]
    if lines := problems(report):
        parts += ["", "## Jobs that did not complete", "", *(f"- {line}" for line in lines)]
    if report.unfinished:
        parts += ["", "## Unfinished sweep", ""]
        for line in report.unfinished:  # an indented line is a command to paste
            is_command = line.startswith(" ")
            parts += ["```text", line.strip(), "```"] if is_command else [f"- {line}"]
    figures = [path for path in report.files if path.suffix == ".png"]
    if figures:
        parts += ["", "## Figures", ""]
        for path in figures:
            relative = path.relative_to(report.directory).as_posix()
            parts += [f"![{path.stem}]({relative})", ""]
    return "\n".join(parts).rstrip() + "\n"


def _exact(value: float | None, column: str) -> str:
    """A CSV cell: every digit of the number, epochs as whole numbers, empty when missing."""
    if value is None:
        return ""
    return str(int(value)) if column == EPOCHS and value.is_integer() else repr(value)


def write_jobs_csv(path: Path, jobs: Sequence[JobRow]) -> None:
    """One row per job, full-precision numbers, empty cells for missing values."""
    keys, columns = (list(jobs[0].setting), list(jobs[0].values)) if jobs else ([], [])
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["job", *keys, *columns, "status", "message"])
        for job in jobs:
            writer.writerow(
                [
                    job.run.job,
                    *(show_value(job.setting[key]) for key in keys),
                    *(_exact(job.values[column], column) for column in columns),
                    job.run.status,
                    job.run.message or "",
                ]
            )


def write_settings_csv(path: Path, settings: Sequence[SettingRow]) -> None:
    """One row per setting: ``<column>_mean``, ``<column>_std`` and ``<column>_n``."""
    keys, columns = list(settings[0].setting), list(settings[0].values)
    stats = [f"{column}_{part}" for column in columns for part in ("mean", "std", "n")]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*keys, "jobs", *stats, "status"])
        for row in settings:
            cells = []
            for column in columns:
                stat = row.values[column]
                cells += ["" if stat.mean is None else repr(stat.mean)]
                cells += ["" if stat.std is None else repr(stat.std), str(stat.n)]
            writer.writerow(
                [
                    *(show_value(row.setting[key]) for key in keys),
                    len(row.jobs),
                    *cells,
                    row.status,
                ]
            )
