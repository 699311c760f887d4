"""The figures a run leaves: loss curves, confusion matrices and what happens inside the RNN.

Figures are built with ``matplotlib.figure.Figure`` directly, not pyplot, so drawing
needs no GUI backend and leaks no global figure state in long sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib import colormaps, ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave


def loss_curve_figure(
    curves: Mapping[str, Sequence[Sequence[float]]],
    baseline: float | None = None,
    baseline_name: str | None = None,
    title: str = "Loss",
) -> Figure:
    """One line per curve (e.g. train/loss, val/loss) of (epoch, loss) points."""
    figure = Figure(figsize=(8, 4), layout="tight")
    axes = figure.add_subplot()
    for label, points in curves.items():
        if points:
            epochs, values = zip(*points, strict=True)
            axes.plot(epochs, values, marker="o", markersize=3, label=label)
    if baseline is not None:
        label = f"baseline: {baseline_name}" if baseline_name else "baseline"
        axes.axhline(baseline, linestyle="--", color="grey", label=f"{label} ({baseline:.4f})")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    return figure


def confusion_matrix_figure(
    matrix: np.ndarray, class_names: Sequence[str], title: str = "Confusion matrix"
) -> Figure:
    """Counts with true classes as rows and predicted classes as columns."""
    size = max(3.5, 0.45 * len(class_names) + 2.0)
    figure = Figure(figsize=(size + 0.8, size), layout="tight")
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes)
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, labels=class_names)
    axes.set_yticks(ticks, labels=class_names)
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    axes.set_title(title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for row in range(matrix.shape[0]):
        for column in range(matrix.shape[1]):
            value = int(matrix[row, column])
            colour = "white" if value > threshold else "black"
            axes.text(column, row, str(value), ha="center", va="center", color=colour)
    return figure


# Inside the RNN: gradients through time, gradient norms, hidden states ------------------
# These figures are drawn while a run trains, so they use no layout engine (tight or
# constrained layout draws a figure twice) and are drawn once for both the PNG and TensorBoard.
#: Up to this many classes, per-step probabilities are drawn as lines; more as a heatmap.
_MOST_CLASS_LINES = 4


def rendered(figure: Figure) -> np.ndarray:
    """The figure's pixels, (H, W, 4) uint8 RGBA: one drawing (~0.1 s) serves a PNG file and a
    TensorBoard image alike."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def save_png(pixels: np.ndarray, path: Path) -> None:
    """Write pixels from ``rendered`` as a PNG file, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    imsave(path, pixels)


def _log_scale(axes: Axes) -> None:
    """A log y axis labelled 0.01, 0.1, 1 …: plain numbers (no mathtext to lay out) and no
    minor ticks (each tick is a few artists to build at every drawing)."""
    axes.set_yscale("log")
    axes.yaxis.set_major_locator(ticker.LogLocator(numticks=6))
    axes.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axes.yaxis.set_minor_locator(ticker.NullLocator())


def _epoch_label(epoch: int) -> str:
    return "initial weights" if epoch == 0 else f"epoch {epoch}"


def gradient_flow_figure(
    history: Mapping[int, Mapping[str, Sequence[float]]], title: str = "Gradient flow through time"
) -> Figure:
    """‖∂L/∂h_t‖ against t on a log scale: one panel per layer (and direction), one line per
    epoch, light to dark as training goes on, so vanishing shows as a line falling to the left."""
    epochs = sorted(history)
    layers = list(dict.fromkeys(name for epoch in epochs for name in history[epoch]))
    rows = max(1, len(layers))
    height = 0.9 + 2.7 * rows  # inches: 2.7 a panel, 0.9 for the margins
    figure = Figure(figsize=(6.5, height))
    figure.subplots_adjust(
        left=0.12, right=0.97, bottom=0.55 / height, top=1 - 0.35 / height, hspace=0.5
    )
    colours = colormaps["viridis"]
    for index, layer in enumerate(layers):
        axes = figure.add_subplot(rows, 1, index + 1)
        for rank, epoch in enumerate(epochs):
            curve = history[epoch].get(layer)
            if not curve:
                continue
            shade = 0.85 * rank / max(1, len(epochs) - 1)
            steps = np.arange(1, len(curve) + 1)
            axes.plot(steps, curve, color=colours(0.85 - shade), label=_epoch_label(epoch))
        _log_scale(axes)
        axes.set_xlabel("time step t")
        axes.set_ylabel("‖∂L/∂h_t‖")
        axes.set_title(f"{title}: {layer}" if len(layers) > 1 else title)
        axes.grid(True, which="major", alpha=0.3)
        axes.legend(fontsize="small")
    return figure


def gradient_flow_comparison_figure(
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    title: str = "Gradient flow through time",
) -> Figure:
    """One colour per model; for each, one line per stage (e.g. at initialisation, dashed, and
    after training, solid) of ‖∂L/∂h_t‖ against t on a log scale."""
    figure = Figure(figsize=(8, 4.5), layout="tight")
    axes = figure.add_subplot()
    styles = ("--", "-", ":", "-.")
    for index, (model, stages) in enumerate(curves.items()):
        colour = f"C{index}"
        for stage_index, (stage, curve) in enumerate(stages.items()):
            if curve:
                steps = np.arange(1, len(curve) + 1)
                style = styles[stage_index % len(styles)]
                axes.plot(steps, curve, style, color=colour, label=f"{model}, {stage}")
    axes.set_yscale("log")
    axes.set_xlabel("time step t")
    axes.set_ylabel("‖∂L/∂h_t‖ (top layer, mean over sequences)")
    axes.set_title(title)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def clipping_comparison_figure(
    runs: Mapping[str, Mapping[str, Sequence[Sequence[float]]]],
    thresholds: Mapping[str, float | None] | None = None,
    title: str = "Gradient clipping",
) -> Figure:
    """Two panels for runs that differ in clipping: the training loss per epoch, and the gradient
    norm before clipping per epoch (mean solid, max dotted, each run's threshold dashed).

    ``runs``: label -> {"train/loss": [[epoch, value], ...], "grad/norm_mean": ...,
    "grad/norm_max": ...}; missing curves are skipped.
    """
    figure = Figure(figsize=(11, 4), layout="tight")
    loss_axes, norm_axes = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    for index, (label, curves) in enumerate(runs.items()):
        colour = f"C{index}"
        for axes, name, style, shown in (
            (loss_axes, "train/loss", "-", label),
            (norm_axes, "grad/norm_mean", "-", f"{label}: mean"),
            (norm_axes, "grad/norm_max", ":", f"{label}: max"),
        ):
            points = [p for p in curves.get(name, []) if p[1] is not None]
            if points:
                epochs, values = zip(*points, strict=True)
                axes.plot(
                    epochs, values, style, marker="o", markersize=3, color=colour, label=shown
                )
        threshold = (thresholds or {}).get(label)
        if threshold:
            norm_axes.axhline(
                threshold, linestyle="--", color=colour, alpha=0.6, label=f"{label}: threshold"
            )
    loss_axes.set_ylabel("training loss")
    norm_axes.set_ylabel("total gradient norm before clipping")
    for axes, name in ((loss_axes, "Loss"), (norm_axes, "Gradient norm")):
        axes.set_yscale("log")
        axes.set_xlabel("epoch")
        axes.set_title(f"{title}: {name}")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize="small")
    return figure


def hidden_states_figure(
    inputs: Sequence[np.ndarray],
    states: Sequence[np.ndarray],
    readouts: Sequence[np.ndarray],
    readout_names: Sequence[str],
    titles: Sequence[str],
    probabilities: bool = True,
) -> Figure:
    """For each sequence (a column): its inputs (features × time), the top layer's hidden state
    (units × time) and what the head reads from h_t at every step (class probabilities, or the
    predicted values), so one sees the state change as the sequence is read and the answer form.

    ``inputs[i]``: (T_i, F); ``states[i]``: (T_i, units); ``readouts[i]``: (T_i, K). Only the
    first column labels its y axes and only the bottom row its time axis: ticks are most of
    the drawing time of a figure with this many panels.
    """
    columns = len(states)
    width, height = 3.0 * columns + 1.6, 6.5  # inches
    figure = Figure(figsize=(width, height))
    grid = figure.add_gridspec(
        3,
        columns,
        height_ratios=(1, 3, 2),
        left=0.75 / width,
        right=1 - 0.85 / width,
        bottom=0.55 / height,
        top=1 - 0.35 / height,
        wspace=0.08,
        hspace=0.1,
    )
    limit = max((float(np.abs(s).max()) for s in states if s.size), default=1.0) or 1.0
    as_heatmap = probabilities and len(readout_names) > _MOST_CLASS_LINES
    if probabilities:
        low, high = -0.02, 1.02
    else:
        low = min(float(r.min()) for r in readouts)
        high = max(float(r.max()) for r in readouts)
        low, high = low - 0.05 * (high - low + 1e-9), high + 0.05 * (high - low + 1e-9)
    heatmap = {"aspect": "auto", "interpolation": "nearest"}
    image = None
    for column in range(columns):
        steps = states[column].shape[0]
        span = (0.5, steps + 0.5)
        top = figure.add_subplot(grid[0, column])
        rows = inputs[column].shape[1]
        top.imshow(inputs[column].T, cmap="Greys", extent=(*span, rows + 0.5, 0.5), **heatmap)
        top.set_title(titles[column], fontsize="small")
        middle = figure.add_subplot(grid[1, column])
        units = states[column].shape[1]
        image = middle.imshow(
            states[column].T,
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            extent=(*span, units + 0.5, 0.5),
            **heatmap,
        )
        bottom = figure.add_subplot(grid[2, column])
        if as_heatmap:
            classes = len(readout_names)
            bottom.imshow(
                readouts[column].T,
                cmap="Greys",
                vmin=0.0,
                vmax=1.0,
                extent=(*span, classes - 0.5, -0.5),
                **heatmap,
            )
        else:
            time = np.arange(1, steps + 1)
            for index, name in enumerate(readout_names):
                bottom.plot(time, readouts[column][:, index], marker=".", label=name)
            bottom.set_xlim(*span)
            bottom.set_ylim(low, high)
            bottom.grid(True, alpha=0.3)
        bottom.xaxis.set_major_locator(ticker.MaxNLocator(5, integer=True))
        bottom.set_xlabel("time step t")
        top.set_xticks([])
        top.set_yticks([])
        middle.set_xticks([])
        if column == 0:
            top.set_ylabel("input")
            middle.yaxis.set_major_locator(ticker.MaxNLocator(4, integer=True))
            middle.set_ylabel("hidden unit")
            bottom.set_ylabel("P(class) from h_t" if probabilities else "head(h_t)")
            if as_heatmap:
                bottom.set_yticks(range(classes), labels=readout_names, fontsize="x-small")
            else:
                bottom.yaxis.set_major_locator(ticker.MaxNLocator(3))
                bottom.legend(fontsize="x-small")
        else:
            middle.set_yticks([])
            bottom.set_yticks([])
    if image is not None:
        colour_bar = figure.add_axes((1 - 0.7 / width, 0.3, 0.12 / width, 0.45))
        figure.colorbar(image, cax=colour_bar, label="h_t", ticks=ticker.MaxNLocator(5))
    return figure
