"""The UCR/UEA benchmark's files: ``ucr_benchmark.md`` (the table, the tallies and the
sources), ``ucr_benchmark.csv`` (one row per set) and ``ucr_benchmark.png`` (the figure,
rnnlab.report.ucr_figure), written into a folder of ``experiment=ucr`` runs by the
``experiment=ucr_benchmark`` sweep's callback and by ``rnnlab-report``. The numbers come from
rnnlab.report.ucr_results.

The callback's settings (``methods``, ``reference_file``) live in the sweep's config, and
Hydra ends a sweep by calling its callbacks in reverse order, so the sweep's own report
(rnnlab-report's code) writes these files after the callback. Both therefore take the
settings from the same place, the ``hydra.callbacks`` entry of the sweep folder's
``multirun.yaml`` (benchmark_settings): the files are the same whichever writes last, and
the same again when ``rnnlab-report DIR`` is run later. A folder without that entry gets
the packaged table and the default methods. This is the one thing the report reads from a
sweep's record.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlab.errors import ConfigError
from rnnlab.report.runs import ReportError, Run, collect_runs
from rnnlab.report.ucr_reference import DEFAULT_METHODS, Reference
from rnnlab.report.ucr_results import Benchmark, benchmark, ran_the_recipe

MARKDOWN_FILE = "ucr_benchmark.md"
CSV_FILE = "ucr_benchmark.csv"
FIGURE_FILE = "ucr_benchmark.png"
#: The sweep's record, written by Hydra into the sweep folder (rnnlab.sweep.stored).
SWEEP_RECORD = "multirun.yaml"
#: The callback's class, as its ``_target_`` names it (rnnlab.sweep.ucr_benchmark).
CALLBACK_CLASS = "UcrBenchmarkReport"


@dataclass(frozen=True)
class BenchmarkSettings:
    """The reference methods and table a benchmark is written against."""

    methods: tuple[str, ...] = DEFAULT_METHODS
    reference_file: str | None = None


def benchmark_settings(directory: str | Path) -> BenchmarkSettings:
    """The settings of the sweep's UcrBenchmarkReport callback, from the ``hydra.callbacks``
    entry of ``directory``'s multirun.yaml; the defaults when there is no such entry. A
    relative ``reference_file`` is taken from the folder the sweep was started in, as the
    callback took it."""
    record = Path(directory) / SWEEP_RECORD
    if not record.is_file():
        return BenchmarkSettings()
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        config = OmegaConf.load(record)
        callbacks = OmegaConf.select(config, "hydra.callbacks") or {}
        entries = [
            OmegaConf.to_container(entry, resolve=True)
            for entry in callbacks.values()
            if entry is not None
            and str(entry.get("_target_", "")).rsplit(".", 1)[-1] == CALLBACK_CLASS
        ]
        started_in = OmegaConf.select(config, "hydra.runtime.cwd")
    except (OSError, OmegaConfBaseException, AttributeError) as error:
        raise ReportError(
            f"could not read the UCR benchmark's settings from {str(record)!r} ({error})."
        ) from None
    if not entries:
        return BenchmarkSettings()
    entry: dict[str, Any] = entries[0]  # type: ignore[assignment]
    methods = entry.get("methods")
    reference_file = entry.get("reference_file")
    if reference_file is not None and started_in and not Path(reference_file).is_absolute():
        reference_file = str(Path(str(started_in)) / reference_file)
    return BenchmarkSettings(
        DEFAULT_METHODS if methods is None else tuple(str(m) for m in methods),
        None if reference_file is None else str(reference_file),
    )


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
    if bench.not_the_recipe:
        lines += [
            "",
            "Not counted (a setting the recipe derives was changed): "
            f"{', '.join(bench.not_the_recipe)}.",
        ]
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
    if not any(ran_the_recipe(run) for run in found):
        return None
    bench = benchmark(
        [r for r in found if ran_the_recipe(r) or not r.completed], methods, reference_file
    )
    from rnnlab.report.ucr_figure import benchmark_figure  # matplotlib: only now

    (root / MARKDOWN_FILE).write_text(markdown(bench))
    write_csv(root / CSV_FILE, bench)
    benchmark_figure(bench).savefig(root / FIGURE_FILE, dpi=110)
    return bench


def benchmark_files(directory: Path, runs: Sequence[Run]) -> list[Path]:
    """``rnnlab-report``'s hook: the benchmark's files, written when the runs are the recipe's,
    against the methods and table the sweep's callback names (benchmark_settings)."""
    settings = benchmark_settings(directory)
    try:
        written = write_benchmark(directory, runs, settings.methods, settings.reference_file)
    except ConfigError as error:  # the callback's table has gone, or lacks a method
        raise ReportError(f"UCR benchmark: {error}") from None
    if written is None:
        return []
    return [directory / name for name in (MARKDOWN_FILE, CSV_FILE, FIGURE_FILE)]
