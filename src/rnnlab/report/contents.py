"""What a report holds: the runs found, the settings swept, the rows, the files written, and
a search's best trial."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rnnlab.report.plan import BestTrial
from rnnlab.report.rows import JobRow, SettingRow
from rnnlab.report.runs import Run
from rnnlab.run_folder import Scalar


@dataclass(frozen=True)
class Report:
    directory: Path
    runs: list[Run]
    #: ``{key: [value per run]}`` for the settings that differ across the runs (or that
    #: the sweep's grid varies).
    swept: dict[str, list[Scalar]]
    jobs: list[JobRow]
    #: One row per setting when seeds were repeated, else empty.
    settings: list[SettingRow]
    #: What was written: report.md, report.csv, report_aggregated.csv, figures/*.png.
    files: list[Path]
    #: For a sweep folder that is not finished: which jobs are missing or interrupted and
    #: the command that resumes it (empty otherwise).
    unfinished: list[str] = field(default_factory=list)
    #: A search's best trial, when the sweep said which.
    best: BestTrial | None = None
    #: What a search's study adds to the terminal (trials by state, pruned, the dashboard).
    search: list[str] = field(default_factory=list)
