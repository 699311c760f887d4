"""SharedLayout: a stack's figures drawn with the first one's layout, never cut off."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

from rnnlab.plotting import Picture, SharedLayout, confusion_matrix_figure, loss_curve_figure
from tests.report.test_figure_layout import check_layout

MATRIX = np.array([[90, 10], [5, 95]])


def _loss(scale: float) -> Figure:
    curves = {
        "train/loss": [(epoch, scale / epoch) for epoch in range(1, 11)],
        "val/loss": [(epoch, 1.2 * scale / epoch) for epoch in range(1, 11)],
    }
    return loss_curve_figure(curves, 0.69, "always the majority class", title="Loss: majority")


def _matrix() -> Figure:
    return confusion_matrix_figure(MATRIX, ("0", "1"), "Confusion matrix (test)")


def _pixels(picture: Picture) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(picture.png)))


def _edges_inked(picture: Picture) -> bool:
    """Whether anything is drawn on the first or last three columns of pixels, inside the
    layout engine's padding (a label cut off at the canvas's edge)."""
    pixels = _pixels(picture)
    return bool((pixels[:, [0, 1, 2, -3, -2, -1]] < 200).any())


def test_a_shared_layout_draws_what_the_layout_engine_draws() -> None:
    layout = SharedLayout()
    for kind, build in [("loss", lambda: _loss(1.0)), ("matrix", _matrix)]:
        layout.picture(build(), kind)  # the first of its kind is laid out
        figure = build()
        shared = layout.picture(figure, kind)
        engine = figure.get_layout_engine()
        assert not isinstance(engine, ConstrainedLayoutEngine | TightLayoutEngine), kind
        np.testing.assert_array_equal(_pixels(shared), _pixels(Picture.of(build())))


def test_a_figure_that_would_be_cut_off_is_laid_out_afresh() -> None:
    layout = SharedLayout()
    first = _loss(1.0)  # tick labels 0.2 … 1.2
    layout.picture(first, "loss")
    by_hand = _loss(123456.0)  # tick labels 20000 … 140000: wider than the shared margin
    by_hand.set_layout_engine("none")
    for axes, template in zip(by_hand.axes, first.axes, strict=True):
        axes.set_position(template.get_position())
    with pytest.raises(AssertionError, match="cut off"):  # the shared positions alone
        check_layout(by_hand)
    assert _edges_inked(Picture.of(by_hand))  # tick labels cut at the canvas's left edge

    wide = _loss(123456.0)
    drawn = layout.picture(wide, "loss")
    laid_out = wide.axes[0].get_position().bounds
    assert laid_out[0] > first.axes[0].get_position().x0  # a wider margin for the labels
    assert not _edges_inked(drawn)
    after = _loss(123456.0)  # the next figure takes the new positions, and reads well
    layout.picture(after, "loss")
    assert after.axes[0].get_position().bounds == laid_out
    check_layout(after)
