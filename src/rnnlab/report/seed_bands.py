"""The presets' comparison figures over seeds: each run faint, each setting's centre bold
with its spread as a band.

One seed of a lesson preset can land on either side of the effect it is meant to show (a
run that happens not to explode, another that explodes with clipping too), so the presets
sweep seeds and these figures draw what holds across them: for every setting (the jobs that
differ only in seed) its runs as thin lines and a bold centre line with a shaded band.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rnnlab.plotting import legend_beside

#: One curve: (x, y) points; y None or NaN where the run had no finite value.
Curve = Sequence[Sequence[float | None]]


def _table(curves: Sequence[Curve]) -> tuple[np.ndarray, np.ndarray]:
    """The x values any curve has and a runs × x array of y values (NaN where missing)."""
    xs = sorted({float(x) for curve in curves for x, _ in curve})
    column = {x: i for i, x in enumerate(xs)}
    values = np.full((len(curves), len(xs)), np.nan)
    for row, curve in enumerate(curves):
        for x, y in curve:
            if y is not None and math.isfinite(y):
                values[row, column[float(x)]] = y
    return np.array(xs), values


def band(curves: Sequence[Curve], log: bool = False) -> tuple[np.ndarray, ...]:
    """x, centre, low and high over the runs that have a finite value at each x: mean ± std
    (sample std; none with one run), or with ``log`` the same on log10 of the values (a
    geometric mean and a factor), since gradient norms spread over orders of magnitude."""
    xs, values = _table(curves)
    if log:
        values = np.where(values > 0, values, np.nan)
        values = np.log10(values)
    counts = np.sum(np.isfinite(values), axis=0)
    with warnings.catch_warnings():
        # an x that no run reached gives numpy's "mean of empty slice": a gap, as meant
        warnings.simplefilter("ignore", category=RuntimeWarning)
        centre = np.nanmean(values, axis=0)
        spread = np.where(counts > 1, np.nanstd(values, axis=0, ddof=1), 0.0)
    low, high = centre - spread, centre + spread
    if log:
        centre, low, high = 10**centre, 10**low, 10**high
    return xs, centre, low, high


def draw_setting(
    axes: Axes, curves: Sequence[Curve], colour: str, label: str, log: bool = False
) -> None:
    """One setting on ``axes``: every run thin, the centre bold, the spread shaded; a run that
    stops early (diverged) ends in an x."""
    for curve in curves:
        points = [(x, y) for x, y in curve if y is not None and math.isfinite(y)]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, "-", color=colour, alpha=0.3, linewidth=0.8)
    xs, centre, low, high = band(curves, log=log)
    shown = np.isfinite(centre)
    if shown.any():
        axes.fill_between(xs[shown], low[shown], high[shown], color=colour, alpha=0.15)
        axes.plot(xs[shown], centre[shown], "-", color=colour, linewidth=2.2, label=label)


def mark_ends(axes: Axes, curves: Sequence[Curve], colour: str) -> None:
    """An x at the last finite point of each run that ``curves`` lists as stopped early."""
    for curve in curves:
        points = [(x, y) for x, y in curve if y is not None and math.isfinite(y)]
        if points:
            axes.plot(*points[-1], "x", color=colour, markersize=9, markeredgewidth=2)


def clipping_seeds_figure(
    settings: Mapping[str, Mapping[str, Sequence[Curve]]],
    stopped: Mapping[str, Sequence[Curve]],
    thresholds: Mapping[str, float | None],
    baseline: float | None = None,
    title: str = "Gradient clipping",
) -> Figure:
    """Two panels: training loss per epoch (mean ± std over seeds, with the memoryless
    baseline) and the largest gradient norm per epoch (geometric mean, × or ÷ its spread);
    ``settings``: label -> {"train/loss": [curve per run], "grad/norm_max": [...]};
    ``stopped``: label -> the loss curves of its runs that diverged (marked with an x)."""
    figure = Figure(figsize=(14, 4.8), layout="constrained")
    loss_axes, norm_axes = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    for index, (label, curves) in enumerate(settings.items()):
        colour = f"C{index}"
        draw_setting(loss_axes, curves.get("train/loss", []), colour, label)
        mark_ends(loss_axes, stopped.get(label, []), colour)
        draw_setting(norm_axes, curves.get("grad/norm_max", []), colour, label, log=True)
        threshold = thresholds.get(label)
        if threshold:
            norm_axes.axhline(
                threshold, linestyle="--", color=colour, alpha=0.7, label=f"threshold {threshold:g}"
            )
    if baseline is not None:
        loss_axes.axhline(
            baseline, linestyle="--", color="grey", label=f"memoryless baseline ({baseline:.3f})"
        )
    loss_axes.set_ylabel("training loss (x: the run diverged)")
    norm_axes.set_ylabel("largest gradient norm of the epoch, before clipping")
    for axes, name in ((loss_axes, "loss, mean ± std"), (norm_axes, "gradient norm")):
        axes.set_yscale("log")
        axes.set_xlabel("epoch")
        axes.set_title(f"{title}: {name}", fontsize="medium")
        axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        axes.grid(True, alpha=0.3)
        legend_beside(axes, fontsize="small")
    return figure


def gradient_flow_seeds_figure(
    settings: Mapping[str, Mapping[str, Sequence[Curve]]],
    title: str = "Gradient flow through time",
) -> Figure:
    """‖∂L/∂h_t‖ against t, log scale: one colour per setting, dashed at the first measured
    stage (the initial weights), solid at the last; each the geometric mean over seeds with
    its spread shaded and every seed's curve faint."""
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    axes = figure.add_subplot()
    styles = ("--", "-", ":", "-.")
    for index, (label, stages) in enumerate(settings.items()):
        colour = f"C{index}"
        for stage_index, (stage, curves) in enumerate(stages.items()):
            style = styles[stage_index % len(styles)]
            for curve in curves:
                points = [(x, y) for x, y in curve if y is not None and y > 0]
                if points:
                    axes.plot(*zip(*points, strict=True), style, color=colour, alpha=0.25, lw=0.7)
            xs, centre, low, high = band(curves, log=True)
            shown = np.isfinite(centre)
            if shown.any():
                axes.fill_between(xs[shown], low[shown], high[shown], color=colour, alpha=0.12)
                axes.plot(
                    xs[shown], centre[shown], style, color=colour, lw=2, label=f"{label}, {stage}"
                )
    axes.set_yscale("log")
    axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    axes.set_xlabel("time step t")
    axes.set_ylabel("‖∂L/∂h_t‖ (top layer, mean over sequences)")
    axes.set_title(title, fontsize="medium")
    axes.grid(True, which="major", alpha=0.3)
    legend_beside(axes, fontsize="small")
    return figure
