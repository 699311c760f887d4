"""Figures that read well: every kind rnnlab draws (a run's, the report's, the end-of-sweep
comparisons'), drawn with no matplotlib warning, no text cut off at the figure's edge and no
legend over a plot, a tick label, an axis label or a title."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from rnnlab import plotting
from rnnlab.callbacks.forecast_figure import TestForecast as Forecast
from rnnlab.callbacks.forecast_figure import forecast_figure
from rnnlab.report import comparisons
from rnnlab.report.aggregate import Stat
from rnnlab.report.figures import headline_figure, validation_curves_figure

LENGTHS = (25, 50, 100, 200)
#: A search's trial, labelled by every value it drew.
SEARCH_LABEL = (
    "optimizer.lr={lr}, model.hidden_size=64, model.num_layers=2, model.dropout=0.1234, "
    "data.batch_size=32"
)


def _hidden_states(classes: int, probabilities: bool = True) -> Figure:
    rng = np.random.default_rng(0)
    lengths = (20, 25)
    return plotting.hidden_states_figure(
        [rng.random((t, 2)) for t in lengths],
        [rng.standard_normal((t, 32)) for t in lengths],
        [rng.random((t, classes)) for t in lengths],
        [str(c) for c in range(classes)],
        ["sequence 1: label 0", "sequence 2: label 1"],
        probabilities=probabilities,
    )


def _flow(layers: int) -> dict[int, dict[str, list[float]]]:
    return {
        epoch: {f"layer {n + 1}": list(np.logspace(-3, 0, 20) * (epoch + 1)) for n in range(layers)}
        for epoch in (0, 5, 10)
    }


def _seq_len_series() -> dict[str, list[tuple[int, Stat]]]:
    """Three models that score the same: the lines lie on each other."""
    return {
        f"model={model}": [(length, Stat(0.1 + 0.001 * length, None, 1)) for length in LENGTHS]
        for model in ("rnn", "lstm", "gru")
    }


def _comparison(kind: str, tmp_path: Path, monkeypatch) -> Figure:
    """The figure ``comparisons.<kind>`` draws from three job folders' files."""
    drawn: list[Figure] = []
    monkeypatch.setattr(
        comparisons, "_save", lambda folder, name, figure, numbers: drawn.append(figure)
    )
    for number, model in enumerate(("rnn", "lstm", "gru")):
        job = tmp_path / f"{number}_model={model}"
        (job / ".hydra").mkdir(parents=True)
        (job / ".hydra" / "overrides.yaml").write_text(f"- model={model}\n- seed=1\n")
        (job / "metrics.json").write_text(json.dumps({"status": "completed"}))
        flow = {"epochs": {"0": {"layer 1": [1e-6, 1e-3, 1.0]}, "8": {"layer 1": [0.1, 0.5, 1.0]}}}
        (job / "gradient_flow.json").write_text(json.dumps({"top_layer": "layer 1", **flow}))
        epochs = [
            {"epoch": e, "train/loss": 1 / e, "grad/norm_mean": 2 / e, "grad/norm_max": 5 / e}
            for e in range(1, 11)
        ]
        (job / "gradient_norms.json").write_text(json.dumps({"epochs": epochs}))
    getattr(comparisons, kind)(tmp_path)
    (figure,) = drawn
    return figure


FIGURES: dict[str, Callable[..., Figure]] = {
    "loss curve": lambda: plotting.loss_curve_figure(
        {
            "train/loss": [[e, 1 / e] for e in range(1, 5)],
            "val/loss": [[e, 1.1 / e] for e in range(1, 5)],
        },
        baseline=1 / 6,
        baseline_name="always 1",
        title="Loss: adding",
    ),
    "confusion matrix, 2 classes": lambda: plotting.confusion_matrix_figure(
        np.array([[5, 1], [0, 6]]), ["0", "1"], "Confusion matrix (val, epoch 10, accuracy 100.00%)"
    ),
    "confusion matrix, 10 classes": lambda: plotting.confusion_matrix_figure(
        np.arange(100).reshape(10, 10), [str(c) for c in range(10)], "Confusion matrix (test)"
    ),
    "gradient flow": lambda: plotting.gradient_flow_figure(_flow(1)),
    "gradient flow, 2 layers": lambda: plotting.gradient_flow_figure(_flow(2)),
    "hidden states, 2 classes": lambda: _hidden_states(2),
    "hidden states, 10 classes": lambda: _hidden_states(10),
    "hidden states, regression": lambda: _hidden_states(1, probabilities=False),
    "forecast": lambda: forecast_figure(
        Forecast(*np.random.default_rng(0).random((3, 50, 3)), 0.1, 0.2), "Forecast: series"
    ),
    "headline against a number": lambda: headline_figure(
        _seq_len_series(), "test/mse", "data.seq_len", dict.fromkeys(LENGTHS, 1 / 6)
    ),
    "headline against categories": lambda: headline_figure(
        {"test/acc": [("rnn", Stat(0.8, 0.05, 3)), ("lstm", Stat(0.9, 0.01, 3))]},
        "test/acc",
        "model",
    ),
    "headline of a search": lambda: headline_figure(
        {
            SEARCH_LABEL.format(lr=n): [(n / 1000, Stat(0.5 + n / 100, None, 1))]
            for n in range(1, 21)
        },
        "test/acc",
        "optimizer.lr",
    ),
    "validation curves": lambda: validation_curves_figure(
        {
            f"model={m}, data.seq_len={n}": [(e, 1 / (e + n / 100)) for e in range(1, 11)]
            for m in ("rnn", "lstm", "gru")
            for n in LENGTHS
        }
    ),
    "validation curves of a search": lambda: validation_curves_figure(
        {SEARCH_LABEL.format(lr=n / 7): [(e, 1 / (e + n)) for e in range(1, 11)] for n in range(20)}
    ),
    "validation curves of 45 jobs": lambda: validation_curves_figure(
        {f"seed={n}": [(e, 1 / (e + n)) for e in range(1, 11)] for n in range(45)}
    ),
}
COMPARISONS = ("gradient_flow_comparison", "clipping_comparison")


def _undrawn_tick_labels(figure: Figure) -> set[Text]:
    """Labels matplotlib keeps for ticks outside the view: never drawn."""
    undrawn = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    undrawn |= {tick.label1, tick.label2}
    return undrawn


def _drawn(figure: Figure) -> None:
    """Draw ``figure``, turning any matplotlib warning (a layout not applied …) into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FigureCanvasAgg(figure).draw()


def check_layout(figure: Figure) -> None:
    """Nothing cut off at the figure's edge; no legend over a plot or another text."""
    _drawn(figure)
    renderer = figure.canvas.get_renderer()
    bounds = figure.bbox
    undrawn = _undrawn_tick_labels(figure)
    texts = [
        text
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and text not in undrawn
    ]
    for text in texts:
        box = text.get_window_extent(renderer)
        inside = (
            box.x0 >= bounds.x0 - 1
            and box.y0 >= bounds.y0 - 1
            and box.x1 <= bounds.x1 + 1
            and box.y1 <= bounds.y1 + 1
        )
        assert inside, f"{text.get_text()!r} is cut off: {box} in a {bounds} figure"
    for legend in figure.findobj(Legend):
        box = legend.get_window_extent(renderer)
        for axes in figure.axes:
            assert not box.overlaps(axes.get_window_extent(renderer)), (
                f"a legend covers the plot {axes.get_title()!r}"
            )
        own = {*legend.get_texts(), legend.get_title()}
        for text in texts:
            if text not in own:
                assert not box.overlaps(text.get_window_extent(renderer)), (
                    f"a legend covers {text.get_text()!r}"
                )


@pytest.mark.parametrize("kind", list(FIGURES))
def test_a_figure_of_a_run_or_a_report_reads_well(kind: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = FIGURES[kind]()
    check_layout(figure)


@pytest.mark.parametrize("kind", COMPARISONS)
def test_an_end_of_sweep_comparison_reads_well(kind: str, tmp_path: Path, monkeypatch) -> None:
    check_layout(_comparison(kind, tmp_path, monkeypatch))


def test_the_loss_curve_has_whole_epochs_on_its_axis() -> None:
    figure = FIGURES["loss curve"]()
    _drawn(figure)
    (axes,) = figure.axes
    low, high = axes.get_xlim()
    shown = [tick for tick in axes.get_xticks() if low <= tick <= high]
    assert shown == [1, 2, 3, 4]


def test_lines_that_lie_on_each_other_still_show_apart() -> None:
    """rnn under lstm: each model its own marker and line style."""
    figure = FIGURES["headline against a number"]()
    (axes,) = figure.axes
    lines = [bars.lines[0] for bars in axes.containers]  # each model's errorbar line
    assert len(lines) == 3
    assert len({(line.get_marker(), line.get_linestyle()) for line in lines}) == 3


def test_a_search_is_one_series_not_a_legend_entry_per_trial() -> None:
    figure = FIGURES["headline of a search"]()
    (axes,) = figure.axes
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["test/acc"]


def test_the_check_finds_a_cut_title_and_a_legend_over_the_plot() -> None:
    """The layout check itself fails on what it is there to catch."""
    cut = Figure(figsize=(2, 2))
    cut.add_subplot().set_title("Confusion matrix (val, epoch 10, accuracy 100.00%)")
    with pytest.raises(AssertionError, match="cut off"):
        check_layout(cut)
    covered = Figure(figsize=(4, 3), layout="constrained")
    axes = covered.add_subplot()
    axes.plot([1, 2], [1, 2], label="a line")
    axes.legend()
    with pytest.raises(AssertionError, match="covers the plot"):
        check_layout(covered)
