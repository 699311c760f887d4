"""rnnlab-report: one table, two CSVs and a few figures for a sweep or a folder of runs.

Kept import-light: matplotlib and torch are imported only when figures are drawn, so a
mistyped folder is reported at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rnnlab.report.build import report
from rnnlab.report.plan import SweepPlan
from rnnlab.report.runs import ReportError
from rnnlab.report.table import terminal_text

PROGRAM = "rnnlab-report"
#: Exit status for bad input, as argparse and rnnlab-train use.
USER_ERROR_EXIT = 2


def _sweep_record(directory: Path) -> tuple[list[str], SweepPlan | None]:
    """What is left of a sweep recorded in ``directory`` and its plan (its whole grid, a
    search's best trial); Hydra is imported only here."""
    from rnnlab.sweep.summary import report_inputs

    return report_inputs(directory)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Tabulate and plot every run below DIR (a sweep folder such as "
        "multirun/<name>/<timestamp>/, or experiments/<name>/): writes report.md, report.csv, "
        "report_aggregated.csv (when seeds repeat) and figures/ into DIR.",
    )
    parser.add_argument("directory", metavar="DIR", help="a sweep folder or any folder of runs")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    args = parser.parse_args(argv)
    try:
        unfinished, plan = _sweep_record(Path(args.directory))
        result = report(
            args.directory, figures=not args.no_figures, unfinished=unfinished, plan=plan
        )
    except ReportError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        raise SystemExit(USER_ERROR_EXIT) from None
    print(terminal_text(result))


if __name__ == "__main__":
    main()
