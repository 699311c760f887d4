"""Figures: PNG files are written and the history survives a checkpoint round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.image import imread

from rnnlab.callbacks.figures import FigureWriter
from rnnlab.plotting import confusion_matrix_figure, loss_curve_figure


def test_figures_render_to_png(tmp_path: Path) -> None:
    writer = FigureWriter(str(tmp_path))
    writer._save(
        loss_curve_figure({"train/loss": [[1, 1.0], [2, 0.5], [3, 0.2]]}, 0.3, "x"), "a.png"
    )
    writer._save(confusion_matrix_figure(np.array([[3, 1], [0, 4]]), ["0", "1"]), "b.png")
    for name in ("a.png", "b.png"):
        image = imread(tmp_path / name)
        assert image.shape[0] > 100 and image.shape[1] > 100
