"""The figures a run leaves: loss curves and confusion matrices, drawn with matplotlib.

Figures are built with ``matplotlib.figure.Figure`` directly, not pyplot, so drawing
needs no GUI backend and leaks no global figure state in long sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure


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
