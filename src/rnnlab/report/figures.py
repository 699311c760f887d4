"""The report's figures: the headline test metric against each swept number, and every
job's validation curve on one plot.

Each function returns a ``matplotlib.figure.Figure`` (no pyplot: no GUI backend, no global
figure state), so tests can inspect what is drawn before anything is saved.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rnnlab.plotting import legend_beside, line_style
from rnnlab.report.aggregate import Stat, group_by, summarise
from rnnlab.report.curves import Curve
from rnnlab.report.rows import JobRow
from rnnlab.report.runs import BASELINE_METRIC
from rnnlab.report.swept import SEED_KEYS, describe, is_numeric, show_value
from rnnlab.run_folder import Scalar

#: Headline test metrics in the order their figures are drawn.
HEADLINES = ("test/acc", "test/mse")
#: Metrics whose baseline (a loss) is on the same scale: the regression loss is the MSE.
BASELINE_SCALE = {"test/mse"}

#: Up to this many distinct x values each get a tick of their own (e.g. seq_len 4, 6).
MAX_TICKS = 12

#: Lines of legend text per column beside the validation curves.
LEGEND_ROWS = 20
#: Characters per line of a legend label; longer labels wrap at their ", ".
LABEL_WIDTH = 40

Series = dict[str, list[tuple[Scalar, Stat]]]


def headline_series(
    jobs: Sequence[JobRow], metric: str, x_key: str, line_keys: Sequence[str]
) -> Series:
    """``{line label: [(x, Stat over the jobs at x), …]}`` from the completed jobs; jobs that
    share a line and an x (repeated seeds) become one point with a spread."""
    usable = [
        job
        for job in jobs
        if job.run.completed
        and job.run.metrics.get(metric) is not None
        and job.setting[x_key] is not None
    ]
    lines = group_by(usable, lambda job: tuple(job.setting[key] for key in line_keys))
    series: Series = {}
    for values, members in lines.items():
        label = describe(dict(zip(line_keys, values, strict=True))) or metric
        at_x = group_by(members, lambda job: job.setting[x_key])
        series[label] = [
            (x, summarise(job.run.metrics[metric] for job in group)) for x, group in at_x.items()
        ]
    return series


def baseline_values(jobs: Sequence[JobRow], x_key: str) -> dict[Scalar, float]:
    """The task's baseline loss at each x (it may depend on x, e.g. on the sequence length)."""
    values: dict[Scalar, float] = {}
    for job in jobs:
        baseline = job.run.metrics.get(BASELINE_METRIC)
        if job.run.completed and baseline is not None and job.setting[x_key] is not None:
            values.setdefault(job.setting[x_key], baseline)
    return values


def _one_series_of_points(series: Series, metric: str) -> Series:
    """Lines of one point each (a search: every trial its own setting) as one series, which
    needs no legend entry per trial."""
    if len(series) > 1 and all(len(points) <= 1 for points in series.values()):
        return {metric: [point for points in series.values() for point in points]}
    return series


def wrapped(label: str) -> str:
    """A legend label on lines of at most LABEL_WIDTH characters, broken between settings."""
    return textwrap.fill(label, LABEL_WIDTH, break_long_words=False, break_on_hyphens=False)


def headline_figure(
    series: Series,
    metric: str,
    x_key: str,
    baseline: Mapping[Scalar, float] | None = None,
) -> Figure:
    """One line per series, each with its own marker and line style (so one drawn over
    another still shows), error bars where seeds were repeated; a numeric x is drawn to
    scale (log scale past two decades), anything else as categories in order. The legend
    sits beside the plot."""
    series = _one_series_of_points(series, metric)
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    axes = figure.add_subplot()
    xs = [x for points in series.values() for x, _ in points]
    numeric = is_numeric(xs)
    categories = list(dict.fromkeys(xs))

    def position(x: Scalar) -> float:
        return float(x) if numeric else float(categories.index(x))

    for index, (label, points) in enumerate(series.items()):
        points = sorted(points, key=lambda point: position(point[0]))
        spread = any(stat.std is not None for _, stat in points)
        style = line_style(index)
        axes.errorbar(
            [position(x) for x, _ in points],
            [stat.mean for _, stat in points],
            yerr=[stat.std or 0.0 for _, stat in points] if spread else None,
            marker=style["marker"],
            markersize=6,
            markerfacecolor="none",
            capsize=3,
            linestyle=style["linestyle"] if numeric and len(points) > 1 else "none",
            label=wrapped(label),
        )
    if baseline:
        levels = set(baseline.values())
        if len(levels) == 1:
            (level,) = levels
            axes.axhline(level, linestyle="--", color="grey", label=f"baseline ({level:.4f})")
        else:
            at = sorted((x for x in baseline if numeric or x in categories), key=position)
            axes.plot(
                [position(x) for x in at],
                [baseline[x] for x in at],
                linestyle="--",
                color="grey",
                label="baseline",
            )
    if numeric and xs and min(xs) > 0 and max(xs) / min(xs) >= 100:
        axes.set_xscale("log")
    elif numeric and len(categories) <= MAX_TICKS:
        ticks = sorted(categories, key=position)
        axes.set_xticks([position(x) for x in ticks], labels=[show_value(x) for x in ticks])
    if not numeric:
        axes.set_xticks(range(len(categories)), labels=[show_value(x) for x in categories])
        axes.margins(x=0.25)  # keep the first and last category off the frame
    axes.set_xlabel(x_key)
    axes.set_ylabel(metric)
    axes.set_title(f"{metric} vs {x_key}")
    axes.grid(True, alpha=0.3)
    if series or baseline:
        legend_beside(axes, fontsize="small")
    return figure


def validation_curves_figure(curves: Mapping[str, Curve]) -> Figure:
    """Every job's val/loss per epoch on one plot, one line per job; the legend sits beside
    the plot, its long labels wrapped, in as many columns as it needs, so a large sweep does
    not cover its curves."""
    labels = [wrapped(label) for label in curves]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    columns = max(1, math.ceil(len(curves) / max(1, LEGEND_ROWS // lines)))
    figure = Figure(figsize=(6 + 3.5 * columns, 5), layout="constrained")
    axes = figure.add_subplot()
    colours = colormaps["viridis"](np.linspace(0, 0.9, len(curves))) if len(curves) > 10 else None
    for index, (label, curve) in enumerate(zip(labels, curves.values(), strict=True)):
        epochs, losses = zip(*curve, strict=True)
        colour = None if colours is None else colours[index]
        axes.plot(epochs, losses, markersize=3, label=label, color=colour, **line_style(index))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("val/loss")
    axes.set_title("Validation loss, every job")
    axes.grid(True, alpha=0.3)
    if curves:
        figure.legend(loc="outside right upper", fontsize="small", ncols=columns)
    return figure


def _file_name(metric: str, x_key: str) -> str:
    return f"{metric.replace('/', '_')}_vs_{x_key.replace('/', '_')}.png"


def headline_figures(jobs: Sequence[JobRow], swept: Sequence[str]) -> dict[str, Figure]:
    """``{file name: Figure}``: each headline metric against each swept number (seeds aside),
    one line per value of the other swept settings; against the first swept setting when
    none is a number."""
    keys = [key for key in swept if key not in SEED_KEYS]
    figures = {}
    for metric in HEADLINES:
        relevant = [job for job in jobs if job.run.headline == metric]
        if not keys or not any(job.run.completed for job in relevant):
            continue
        numbers = [k for k in keys if is_numeric([job.setting[k] for job in relevant])]
        for x_key in numbers or keys[:1]:
            lines = [key for key in keys if key != x_key]
            series = headline_series(relevant, metric, x_key, lines)
            baseline = baseline_values(relevant, x_key) if metric in BASELINE_SCALE else None
            figures[_file_name(metric, x_key)] = headline_figure(series, metric, x_key, baseline)
    return figures


def curve_labels(jobs: Sequence[JobRow]) -> list[str]:
    """Each job's swept values (seed included), or its folder name where those do not tell
    the jobs apart."""
    labels = [describe(job.setting) for job in jobs]
    if len(set(labels)) < len(labels) or not all(labels):
        return [job.run.job for job in jobs]
    return labels
