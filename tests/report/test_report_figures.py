"""The report's figures: what each draws (inspected before saving) and the PNGs written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from rnnlab.report.build import report
from rnnlab.report.curves import validation_curve
from rnnlab.report.figures import curve_labels, headline_figures, validation_curves_figure
from rnnlab.report.rows import JobRow, job_rows
from rnnlab.report.runs import collect_runs
from rnnlab.report.swept import swept_settings

RunWriter = Callable[..., Path]


def _jobs(directory: Path) -> tuple[list[JobRow], list[str]]:
    runs = collect_runs(directory)
    swept = swept_settings(runs)
    return job_rows(runs, swept), list(swept)


def _mse(seq_len: int, model: str, seed: int) -> float:
    return seq_len / 100 + {"rnn": 0.1, "gru": 0.0}[model] + seed / 1000


def _regression_sweep(make_run: RunWriter, seeds: tuple[int, ...] = (0,)) -> None:
    number = 0
    for seq_len in (50, 10, 20):  # launched out of order: the x axis is sorted
        for model in ("rnn", "gru"):
            for seed in seeds:
                metrics = {"test/mse": _mse(seq_len, model, seed), "test/loss_baseline": 1 / 6}
                overrides = [f"data.seq_len={seq_len}", f"model={model}", f"seed={seed}"]
                make_run(f"{number}", overrides, kind="regression", metrics=metrics)
                number += 1


def test_headline_metric_against_the_swept_number_one_line_per_model(
    make_run: RunWriter, tmp_path: Path
) -> None:
    _regression_sweep(make_run)
    figures = headline_figures(*_jobs(tmp_path / "sweep"))

    assert list(figures) == ["test_mse_vs_data.seq_len.png"]
    axes = figures["test_mse_vs_data.seq_len.png"].axes[0]
    assert [c.get_label() for c in axes.containers] == ["model=rnn", "model=gru"]
    for container, model in zip(axes.containers, ("rnn", "gru"), strict=True):
        line, _, bars = container.lines
        assert list(line.get_xdata()) == [10, 20, 50]
        assert list(line.get_ydata()) == pytest.approx([_mse(t, model, 0) for t in (10, 20, 50)])
        assert not bars  # one seed: no error bars
    (baseline,) = axes.get_lines()[-1:]
    assert baseline.get_linestyle() == "--" and list(baseline.get_ydata()) == [1 / 6, 1 / 6]
    assert baseline.get_label() == "baseline (0.1667)"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("data.seq_len", "test/mse")


def test_repeated_seeds_become_one_point_with_an_error_bar(
    make_run: RunWriter, tmp_path: Path
) -> None:
    seeds = (1, 2, 7)
    _regression_sweep(make_run, seeds)
    figures = headline_figures(*_jobs(tmp_path / "sweep"))

    assert list(figures) == ["test_mse_vs_data.seq_len.png"]  # the seed is not an x axis
    axes = figures["test_mse_vs_data.seq_len.png"].axes[0]
    assert len(axes.containers) == 2
    line, _, (bars,) = axes.containers[0].lines
    values = [[_mse(t, "rnn", seed) for seed in seeds] for t in (10, 20, 50)]
    assert list(line.get_ydata()) == pytest.approx(np.mean(values, axis=1))
    spans = [segment[1, 1] - segment[0, 1] for segment in bars.get_segments()]
    assert spans == pytest.approx(2 * np.std(values, axis=1, ddof=1))


def test_each_swept_number_gets_a_figure_and_no_baseline_on_accuracy(
    make_run: RunWriter, tmp_path: Path
) -> None:
    number = 0
    for seq_len in (4, 8):
        for hidden in (16, 32, 64):
            metrics = {"test/acc": 0.5 + hidden / 1000, "test/loss_baseline": 2.0}
            make_run(f"{number}", [f"data.seq_len={seq_len}", f"model.hidden_size={hidden}"],
                     metrics=metrics)  # fmt: skip
            number += 1
    figures = headline_figures(*_jobs(tmp_path / "sweep"))

    assert list(figures) == ["test_acc_vs_data.seq_len.png", "test_acc_vs_model.hidden_size.png"]
    by_hidden = figures["test_acc_vs_model.hidden_size.png"].axes[0]
    assert [c.get_label() for c in by_hidden.containers] == ["data.seq_len=4", "data.seq_len=8"]
    assert by_hidden.get_lines() == [c.lines[0] for c in by_hidden.containers]  # no baseline


def test_a_sweep_of_categories_only_is_drawn_against_the_first(
    make_run: RunWriter, tmp_path: Path
) -> None:
    for number, model in enumerate(("rnn", "lstm", "gru")):
        make_run(f"{number}", [f"model={model}"], metrics={"test/acc": 0.6 + number / 10})
    make_run("3", ["model=transformer"], status="failed")  # no point for a failed job

    (figure,) = headline_figures(*_jobs(tmp_path / "sweep")).values()
    axes = figure.axes[0]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["rnn", "lstm", "gru"]
    (container,) = axes.containers
    assert list(container.lines[0].get_ydata()) == pytest.approx([0.6, 0.7, 0.8])


def test_validation_curves_one_line_per_job_read_from_last_ckpt(
    make_run: RunWriter, tmp_path: Path
) -> None:
    make_run("0", ["model=rnn"], val_loss=[[1, 0.7], [2, 0.5], [3, 0.4]])
    make_run("1", ["model=gru"], val_loss=[[1, 0.6], [2, 0.3]])
    make_run("2", ["model=lstm"])  # no checkpoint: no line
    damaged = make_run("3", ["model=rnn", "seed=3"])
    (damaged / "checkpoints").mkdir()
    (damaged / "checkpoints" / "last.ckpt").write_bytes(b"not a checkpoint")
    jobs, _ = _jobs(tmp_path / "sweep")

    curves = {
        label: validation_curve(job.run)
        for label, job in zip(curve_labels(jobs), jobs, strict=True)
    }
    assert curves == {
        "model=rnn, seed=42": [(1, 0.7), (2, 0.5), (3, 0.4)],
        "model=gru, seed=42": [(1, 0.6), (2, 0.3)],
        "model=lstm, seed=42": None,
        "model=rnn, seed=3": None,
    }
    figure = validation_curves_figure({k: v for k, v in curves.items() if v})
    axes = figure.axes[0]
    assert [line.get_label() for line in axes.get_lines()] == [
        "model=rnn, seed=42",
        "model=gru, seed=42",
    ]
    assert list(axes.get_lines()[1].get_ydata()) == [0.6, 0.3]
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "model=rnn, seed=42",
        "model=gru, seed=42",
    ]


def test_jobs_with_the_same_settings_are_labelled_by_folder(
    make_run: RunWriter, tmp_path: Path
) -> None:
    make_run("a", ["model=gru"])
    make_run("b", ["model=gru"])
    jobs, swept = _jobs(tmp_path / "sweep")
    assert swept == [] and curve_labels(jobs) == ["a", "b"]


def test_report_writes_the_figures_as_pngs(make_run: RunWriter, tmp_path: Path) -> None:
    for number, seq_len in enumerate((4, 8)):
        make_run(f"{number}", [f"data.seq_len={seq_len}"], val_loss=[[1, 0.7], [2, 0.5]])
    result = report(tmp_path / "sweep")

    figures = tmp_path / "sweep" / "figures"
    assert sorted(path.name for path in figures.iterdir()) == [
        "test_acc_vs_data.seq_len.png",
        "val_loss_curves.png",
    ]
    for path in figures.iterdir():
        image = imread(path)
        assert image.shape[0] > 100 and image[..., :3].var() > 0
        assert path in result.files
    markdown = (tmp_path / "sweep" / "report.md").read_text()
    assert "![val_loss_curves](figures/val_loss_curves.png)" in markdown
