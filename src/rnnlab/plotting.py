"""The figures a run leaves: loss curves, confusion matrices and what happens inside the RNN.

Figures are built with ``matplotlib.figure.Figure`` directly, not pyplot, so drawing
needs no GUI backend and leaks no global figure state in long sweeps.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
from matplotlib import colormaps, ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from rnnlab.compat.tensorboard import file_writer

#: The resolution of a run's loss curve and confusion matrix files, alone or in a stack.
RUN_FIGURE_DPI = 120

#: Markers and line styles cycled with the colours, so a line drawn over another (rnn and
#: lstm at the same values) still shows.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_STYLES = ("-", "--", "-.", ":")


def legend_beside(axes: Axes, **options: Any) -> None:
    """The legend to the right of the axes, never over the data, labels or title; a layout
    engine (or the caller's margins) leaves room for it."""
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **options)


def line_style(index: int) -> dict[str, str]:
    """The index-th line's marker and line style, cycling apart from the colours."""
    return {
        "marker": MARKERS[index % len(MARKERS)],
        "linestyle": LINE_STYLES[index // len(MARKERS) % len(LINE_STYLES)],
    }


def _title_lines(title: str, width: int) -> str:
    """A title longer than ``width`` characters broken before its parenthesis, so a narrow
    figure does not cut it at both ends."""
    head, bracket, rest = title.partition(" (")
    return f"{head}\n({rest}" if bracket and len(title) > width else title


def loss_curve_figure(
    curves: Mapping[str, Sequence[Sequence[float]]],
    baseline: float | None = None,
    baseline_name: str | None = None,
    title: str = "Loss",
) -> Figure:
    """One line per curve (e.g. train/loss, val/loss) of (epoch, loss) points, whole epochs
    on the x axis, the legend beside the plot."""
    figure = Figure(figsize=(9, 4), layout="constrained")
    axes = figure.add_subplot()
    for label, points in curves.items():
        if points:
            epochs, values = zip(*points, strict=True)
            axes.plot(epochs, values, marker="o", markersize=3, label=label)
    if baseline is not None:
        label = f"baseline: {baseline_name}" if baseline_name else "baseline"
        axes.axhline(baseline, linestyle="--", color="grey", label=f"{label} ({baseline:.4f})")
    axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    legend_beside(axes, fontsize="small")
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
    axes.set_title(_title_lines(title, width=int(8 * size)))
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


@dataclass(frozen=True)
class Picture:
    """A figure drawn once (~0.05-0.1 s) and encoded once as PNG (~0.02 s): the same bytes are
    written to a file and sent to TensorBoard, so a run pays for one drawing of each figure."""

    png: bytes
    height: int
    width: int

    @classmethod
    def of(cls, figure: Figure) -> Picture:
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        return cls.drawn(canvas)

    @classmethod
    def drawn(cls, canvas: FigureCanvasAgg) -> Picture:
        """The PNG of a canvas already drawn."""
        pixels = np.asarray(canvas.buffer_rgba())
        buffer = io.BytesIO()
        # the fastest zlib level: ~20% less time than the default for files ~15% larger
        PIL.Image.fromarray(pixels[..., :3]).save(buffer, format="png", compress_level=1)
        return cls(buffer.getvalue(), pixels.shape[0], pixels.shape[1])

    def save(self, path: Path) -> None:
        """Write the PNG file, creating its folder."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.png)

    def to_tensorboard(self, writer: Any, tag: str, step: int) -> None:
        """Add the PNG as image ``tag`` at ``step`` to a torch SummaryWriter, as its add_image
        would, without encoding it again (Lightning's TensorBoardLogger.experiment is one)."""
        from tensorboard.compat.proto.summary_pb2 import Summary

        image = Summary.Image(
            height=self.height, width=self.width, colorspace=3, encoded_image_string=self.png
        )
        summary = Summary(value=[Summary.Value(tag=tag, image=image)])
        file_writer(writer).add_summary(summary, step)


class SharedLayout:
    """Draws many figures of the same kind (a stack's members: the same axes, labels and
    legend with other numbers) with the axes positions the layout engine found for the first.

    The layout pass is about half of drawing a small figure. A figure whose text would reach
    past the canvas with the shared positions (a wider tick label) is laid out afresh, and its
    positions are shared from then on. So a figure's margins can differ by a few pixels from
    what the layout engine would give it alone (narrower labels keep the wider margins); what
    it shows is the same.
    """

    def __init__(self) -> None:
        self._positions: dict[Hashable, list[Bbox]] = {}

    def picture(self, figure: Figure, kind: Hashable) -> Picture:
        """``figure`` drawn once and encoded as PNG; ``kind`` names figures that share."""
        positions = self._positions.get(kind)
        if positions is not None and len(positions) == len(figure.axes):
            engine = figure.get_layout_engine()
            in_layout = [axes.get_in_layout() for axes in figure.axes]
            figure.set_layout_engine("none")
            for axes, position in zip(figure.axes, positions, strict=True):
                axes.set_position(position)
            canvas = FigureCanvasAgg(figure)
            canvas.draw()
            if _on_canvas(figure, canvas):
                return Picture.drawn(canvas)
            for axes, was in zip(figure.axes, in_layout, strict=True):
                axes.set_in_layout(was)  # set_position took it out of the layout
            figure.set_layout_engine(engine)
        picture = Picture.of(figure)
        self._positions[kind] = [axes.get_position() for axes in figure.axes]
        return picture


def _on_canvas(figure: Figure, canvas: FigureCanvasAgg) -> bool:
    """Whether every artist of a drawn figure lies inside it (to half a pixel)."""
    drawn = figure.get_tightbbox(canvas.get_renderer())
    inches = figure.bbox_inches
    slack = 0.5 / figure.dpi
    return (
        drawn.x0 >= inches.x0 - slack
        and drawn.y0 >= inches.y0 - slack
        and drawn.x1 <= inches.x1 + slack
        and drawn.y1 <= inches.y1 + slack
    )


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
    width = 8.0  # inches: 6.2 for the panel and its labels, 1.8 for the legend beside it
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(
        left=0.8 / width,
        right=1 - 1.8 / width,
        bottom=0.55 / height,
        top=1 - 0.35 / height,
        hspace=0.5,
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
        axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        axes.set_xlabel("time step t")
        axes.set_ylabel("‖∂L/∂h_t‖")
        axes.set_title(f"{title}: {layer}" if len(layers) > 1 else title)
        axes.grid(True, which="major", alpha=0.3)
        legend_beside(axes, fontsize="small")
    return figure


def _side_by_side(arrays: Sequence[np.ndarray], gap: int) -> np.ndarray:
    """(T_1 + gap + T_2 + gap + …, K): the arrays one after another along time, NaN between."""
    parts: list[np.ndarray] = []
    for index, array in enumerate(arrays):
        if index:
            parts.append(np.full((gap, array.shape[1]), np.nan))
        parts.append(np.asarray(array, dtype=float))
    return np.concatenate(parts)


def hidden_states_figure(
    inputs: Sequence[np.ndarray],
    states: Sequence[np.ndarray],
    readouts: Sequence[np.ndarray],
    readout_names: Sequence[str],
    titles: Sequence[str],
    probabilities: bool = True,
) -> Figure:
    """Sequences side by side, each read left to right: its inputs (features × time), the top
    layer's hidden state (units × time) and what the head reads from h_t at every step (class
    probabilities, or the predicted values), so one sees the state change as the sequence is
    read and the answer form.

    ``inputs[i]``: (T_i, F); ``states[i]``: (T_i, units); ``readouts[i]``: (T_i, K). The
    sequences share three panels, separated by a blank gap, rather than getting panels of
    their own: a figure's drawing time grows with its panels and ticks, and this one is drawn
    while a run is being tested.
    """
    lengths = [len(s) for s in states]
    gap = max(1, max(lengths) // 8)
    starts = np.cumsum([0, *[length + gap for length in lengths[:-1]]]) + 1  # each's step 1
    total = sum(lengths) + gap * (len(lengths) - 1)
    span = (0.5, total + 0.5)
    width = min(16.0, 3.0 + 0.12 * total + 1.2 * len(lengths))
    figure = Figure(figsize=(width, 6.0))
    grid = figure.add_gridspec(
        3,
        1,
        height_ratios=(1, 3, 2),
        left=0.8 / width,
        right=1 - 1.0 / width,
        bottom=0.09,
        top=0.93,
        hspace=0.08,
    )
    heatmap = {"aspect": "auto", "interpolation": "nearest"}
    top = figure.add_subplot(grid[0])
    shown_inputs = _side_by_side(inputs, gap)
    top.imshow(
        shown_inputs.T, cmap="Greys", extent=(*span, shown_inputs.shape[1] + 0.5, 0.5), **heatmap
    )
    above = top.get_xaxis_transform()  # x: time step, y: 0 bottom, 1 top of the panel
    for start, length, title in zip(starts, lengths, titles, strict=True):
        middle_step = start + (length - 1) / 2
        top.text(middle_step, 1.05, title, transform=above, ha="center", fontsize="small")
    top.set_yticks([])
    top.set_ylabel("input")
    middle = figure.add_subplot(grid[1], sharex=top)
    shown_states = _side_by_side(states, gap)
    limit = float(np.nanmax(np.abs(shown_states))) or 1.0
    image = middle.imshow(
        shown_states.T,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        extent=(*span, shown_states.shape[1] + 0.5, 0.5),
        **heatmap,
    )
    middle.yaxis.set_major_locator(ticker.MaxNLocator(4, integer=True))
    middle.set_ylabel("hidden unit")
    bottom = figure.add_subplot(grid[2], sharex=top)
    shown_readouts = _side_by_side(readouts, gap)
    if probabilities and len(readout_names) > _MOST_CLASS_LINES:
        classes = len(readout_names)
        bottom.imshow(
            shown_readouts.T,
            cmap="Greys",
            vmin=0.0,
            vmax=1.0,
            extent=(*span, classes - 0.5, -0.5),
            **heatmap,
        )
        bottom.set_yticks(range(classes), labels=readout_names, fontsize="x-small")
    else:
        time = np.arange(1, total + 1)
        for index, name in enumerate(readout_names):
            bottom.plot(time, shown_readouts[:, index], marker=".", label=name)
        if probabilities:
            bottom.set_ylim(-0.02, 1.02)
        bottom.yaxis.set_major_locator(ticker.MaxNLocator(3))
        bottom.grid(True, axis="y", alpha=0.3)
        bottom.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.005, 1.0))
    bottom.set_ylabel("P(class) from h_t" if probabilities else "head(h_t)")
    ends = starts + np.array(lengths) - 1
    bottom.set_xticks([*starts, *ends], labels=["1"] * len(starts) + [str(n) for n in lengths])
    bottom.set_xlabel("time step t of each sequence")
    bottom.set_xlim(*span)
    top.tick_params(labelbottom=False, bottom=False)
    middle.tick_params(labelbottom=False, bottom=False)
    beside = middle.get_position()  # the colour bar beside the states, the legend below it
    colour_bar = figure.add_axes((beside.x1 + 0.15 / width, beside.y0, 0.12 / width, beside.height))
    figure.colorbar(image, cax=colour_bar, label="h_t", ticks=ticker.MaxNLocator(5))
    return figure
