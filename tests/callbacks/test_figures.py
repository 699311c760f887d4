"""Figures: what the loss curve and confusion matrix draw, and the PNGs FigureWriter writes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from matplotlib import colormaps
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import imread

import rnnlab.callbacks.figures as figures_module
from rnnlab.callbacks.figures import FigureWriter
from rnnlab.data.spec import TaskSpec
from rnnlab.plotting import confusion_matrix_figure, loss_curve_figure

TRAIN = [[1, 1.0], [2, 0.5], [3, 0.2]]
VAL = [[1, 1.2], [2, 0.7], [3, 0.4]]
MATRIX = np.array([[7, 1, 0], [2, 5, 3], [0, 4, 9]])
NAMES = ["cat", "dog", "eel"]


def _pixels(path: Path) -> np.ndarray:
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    return image[..., :3]


def _assert_not_blank(path: Path) -> None:
    assert _pixels(path).var() > 0


def test_loss_curve_draws_each_curve_the_baseline_and_a_legend() -> None:
    figure = loss_curve_figure({"train/loss": TRAIN, "val/loss": VAL}, 0.3, "guess", title="T")
    axes = figure.axes[0]
    lines = axes.get_lines()
    assert len(lines) == 3
    for line, points in zip(lines[:2], (TRAIN, VAL), strict=True):
        assert list(line.get_xdata()) == [x for x, _ in points]
        assert list(line.get_ydata()) == [y for _, y in points]
    assert list(lines[2].get_ydata()) == [0.3, 0.3]  # a horizontal line at the baseline
    assert lines[2].get_linestyle() == "--"
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert labels[:2] == ["train/loss", "val/loss"]
    assert labels[2].startswith("baseline: guess") and "0.3000" in labels[2]
    assert axes.get_title() == "T"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("epoch", "loss")


def test_loss_curve_skips_empty_curves_and_a_missing_baseline() -> None:
    figure = loss_curve_figure({"train/loss": TRAIN, "val/loss": []})
    axes = figure.axes[0]
    assert len(axes.get_lines()) == 1
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["train/loss"]


def test_confusion_matrix_shows_the_counts_and_class_names() -> None:
    figure = confusion_matrix_figure(MATRIX, NAMES, title="CM")
    axes = figure.axes[0]  # the other axes is the colour bar
    assert np.array_equal(np.asarray(axes.images[0].get_array()), MATRIX)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in axes.texts}
    assert len(cells) == MATRIX.size
    for (row, column), text in cells.items():
        assert text.get_text() == str(MATRIX[row, column])
    assert [label.get_text() for label in axes.get_xticklabels()] == NAMES
    assert [label.get_text() for label in axes.get_yticklabels()] == NAMES
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("predicted label", "true label")
    # counts stay readable: light text on the darkest cell, dark text on an empty one
    assert to_rgba(cells[(2, 2)].get_color()) == to_rgba("white")
    assert to_rgba(cells[(0, 2)].get_color()) == to_rgba("black")


def test_figure_writer_saves_pngs_that_show_the_figure(tmp_path: Path) -> None:
    writer = FigureWriter(str(tmp_path / "figures"))  # created on the first save
    writer._save(loss_curve_figure({"train/loss": TRAIN}, 0.3, "x"), "a.png")
    writer._save(confusion_matrix_figure(MATRIX, NAMES), "b.png")
    writer._save(Figure(), "blank.png")
    _assert_not_blank(tmp_path / "figures" / "a.png")
    _assert_not_blank(tmp_path / "figures" / "b.png")
    assert _pixels(tmp_path / "figures" / "blank.png").var() == 0  # what blank looks like
    darkest = np.array(colormaps["Blues"](1.0)[:3])
    distance = np.abs(_pixels(tmp_path / "figures" / "b.png") - darkest).max(axis=-1)
    assert (distance < 0.02).sum() > 100  # the largest count's cell is painted


class _Spy:
    """Wraps a figure function, keeping what it was called with and what it drew."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any], Figure]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Figure:
        figure = self.function(*args, **kwargs)
        self.calls.append((args, kwargs, figure))
        return figure


def _fit_module(history: dict[str, list[list[float]]]) -> SimpleNamespace:
    spec = TaskSpec("copy", 1, 2, "classification", True, ("a", "b"), 0.25, "blanks")
    return SimpleNamespace(loss_history=history, spec=spec)


def test_on_fit_end_draws_the_modules_loss_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(loss_curve_figure)
    monkeypatch.setattr(figures_module, "loss_curve_figure", spy)
    module = _fit_module({"train/loss": TRAIN, "val/loss": VAL})
    FigureWriter(str(tmp_path)).on_fit_end(SimpleNamespace(is_global_zero=True), module)
    [(args, kwargs, figure)] = spy.calls
    assert args[0] == {"train/loss": TRAIN, "val/loss": VAL}
    assert kwargs["baseline"] == 0.25 and kwargs["baseline_name"] == "blanks"
    assert "copy" in kwargs["title"]
    lines = figure.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines[:2]] == [
        [y for _, y in TRAIN],
        [y for _, y in VAL],
    ]
    _assert_not_blank(tmp_path / "loss_curve.png")


@pytest.mark.parametrize(
    ("history", "global_zero"),
    [({"train/loss": [], "val/loss": []}, True), ({"train/loss": TRAIN}, False)],
    ids=["empty-history", "not-rank-zero"],
)
def test_on_fit_end_writes_nothing_without_history_or_off_rank_zero(
    tmp_path: Path, history: dict[str, list[list[float]]], global_zero: bool
) -> None:
    FigureWriter(str(tmp_path)).on_fit_end(
        SimpleNamespace(is_global_zero=global_zero), _fit_module(history)
    )
    assert not (tmp_path / "loss_curve.png").exists()


def test_on_test_end_draws_the_modules_test_confusion_matrix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(confusion_matrix_figure)
    monkeypatch.setattr(figures_module, "confusion_matrix_figure", spy)
    spec = TaskSpec("t", 1, 3, "classification", False, tuple(NAMES))
    matrices = {"test": torch.tensor(MATRIX)}
    module = SimpleNamespace(spec=spec, confusion_matrix=matrices.get)
    trainer = SimpleNamespace(
        is_global_zero=True, loggers=[], callback_metrics={"test/acc": torch.tensor(0.75)}
    )
    FigureWriter(str(tmp_path)).on_test_end(trainer, module)
    [(args, kwargs, figure)] = spy.calls
    assert np.array_equal(args[0], MATRIX) and list(args[1]) == NAMES
    assert "accuracy 75.00%" in kwargs["title"]
    assert np.array_equal(np.asarray(figure.axes[0].images[0].get_array()), MATRIX)
    _assert_not_blank(tmp_path / "confusion_matrix.png")
