"""The UCR/UEA benchmark's files: ``ucr_benchmark.md`` (the table, the tallies and the
sources), ``ucr_benchmark.csv`` (one row per set) and ``ucr_benchmark.png`` (the figure,
rnnlab.report.ucr_figure), written into a folder of ``experiment=ucr`` runs by the
``experiment=ucr_benchmark`` sweep's callback and by ``rnnlab-report``. The numbers come from
rnnlab.report.ucr_results.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Sequence
from pathlib import Path

from rnnlab.report.runs import Run, collect_runs
from rnnlab.report.ucr_reference import DEFAULT_METHODS, Reference
from rnnlab.report.ucr_results import Benchmark, benchmark, is_recipe_run

MARKDOWN_FILE = "ucr_benchmark.md"
CSV_FILE = "ucr_benchmark.csv"
FIGURE_FILE = "ucr_benchmark.png"


def _plural(kind: str, count: int) -> str:
    return kind if count == 1 else kind + ("es" if kind == "loss" else "s")


def _cell(reference: Reference | None) -> str:
    return "—" if reference is None else f"{reference.accuracy:.4f}"


def markdown(bench: Benchmark) -> str:
    """The table, the tallies and the sources, as Markdown."""
    head = ["set", "tuned on", "seeds", "rnnlab test acc", *bench.methods, "wall time (s)"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in bench.results:
        marks = [
            f"{_cell(r.references[m])}{' (' + r.outcome(m) + ')' if r.outcome(m) else ''}"
            for m in bench.methods
        ]
        lines.append(
            f"| {r.dataset} | {'yes' if r.tuned else 'no'} | {len(r.accuracies)} | "
            f"{r.mean:.4f} ± {r.std:.4f} | " + " | ".join(marks) + f" | {r.wall_time_s:.0f} |"
        )
    means = [r.mean for r in bench.results]
    lines += ["", f"{len(bench.results)} sets; mean test accuracy "]
    lines[-1] += f"{statistics.fmean(means):.4f}" if means else "—"
    lines[-1] += f"; total training wall time {bench.total_wall_time_s:.0f} s."
    for method in bench.methods:
        tally = bench.tally(method)
        counts = [f"{tally[kind]} {_plural(kind, tally[kind])}" for kind in ("win", "tie", "loss")]
        line = f"- against {method}: {', '.join(counts)}"
        missing = bench.unpublished(method)
        if missing:
            line += f"; no published figure for {', '.join(missing)} (left blank)"
        lines.append(line + ".")
    sources = sorted(
        {ref.source for r in bench.results for ref in r.references.values() if ref is not None}
    )
    lines += ["", "Sources of the reference accuracies:", *[f"- {s}" for s in sources]]
    if bench.incomplete:
        lines += ["", f"Not counted (did not complete): {', '.join(bench.incomplete)}."]
    return "\n".join(lines) + "\n"


def write_csv(path: Path, bench: Benchmark) -> None:
    """One row per set, full precision."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "dataset",
                "tuned_on",
                "seeds",
                "accuracy_mean",
                "accuracy_std",
                *[f"{m} accuracy" for m in bench.methods],
                *[f"{m} outcome" for m in bench.methods],
                "wall_time_s",
            ]
        )
        for r in bench.results:
            refs = [r.references[m] for m in bench.methods]
            writer.writerow(
                [
                    r.dataset,
                    r.tuned,
                    len(r.accuracies),
                    r.mean,
                    r.std,
                    *["" if ref is None else ref.accuracy for ref in refs],
                    *[r.outcome(m) or "" for m in bench.methods],
                    round(r.wall_time_s, 3),
                ]
            )


def summary(bench: Benchmark) -> str:
    """One line: the sets, the mean accuracy and the tallies against each method."""
    means = [r.mean for r in bench.results]
    mean = f"{statistics.fmean(means):.4f}" if means else "—"
    tallies = [
        "{method}: {win} W / {tie} T / {loss} L".format(method=m, **bench.tally(m))
        for m in bench.methods
    ]
    return f"{len(bench.results)} sets, mean test accuracy {mean}; " + "; ".join(tallies)


def write_benchmark(
    directory: str | Path,
    runs: Sequence[Run] | None = None,
    methods: tuple[str, ...] = DEFAULT_METHODS,
    reference_file: str | Path | None = None,
) -> Benchmark | None:
    """Write the table, CSV and figure into ``directory`` when it holds runs of the recipe
    (None, and nothing written, for other folders)."""
    root = Path(directory)
    found = collect_runs(root) if runs is None else list(runs)
    if not any(is_recipe_run(run) for run in found):
        return None
    bench = benchmark(
        [r for r in found if is_recipe_run(r) or not r.completed], methods, reference_file
    )
    from rnnlab.report.ucr_figure import benchmark_figure  # matplotlib: only now

    (root / MARKDOWN_FILE).write_text(markdown(bench))
    write_csv(root / CSV_FILE, bench)
    benchmark_figure(bench).savefig(root / FIGURE_FILE, dpi=110)
    return bench


def benchmark_files(directory: Path, runs: Sequence[Run]) -> list[Path]:
    """``rnnlab-report``'s hook: the benchmark's files, written when the runs are the recipe's."""
    if write_benchmark(directory, runs) is None:
        return []
    return [directory / name for name in (MARKDOWN_FILE, CSV_FILE, FIGURE_FILE)]
