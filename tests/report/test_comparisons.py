"""End-of-sweep comparisons: drawn from job folders' files, and the one-command presets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib.image import imread
from omegaconf import OmegaConf

from rnnlab.plotting import clipping_comparison_figure, gradient_flow_comparison_figure
from rnnlab.report.comparisons import job_labels
from rnnlab.sweep.callbacks import ClippingComparison, GradientFlowComparison
from tests.conftest import run_command, sweep_dir

QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar", "~callbacks.model_summary")


def _job(
    sweep: Path, name: str, overrides: list[str], files: dict[str, object] | None = None
) -> Path:
    """A finished job folder: .hydra/overrides.yaml, metrics.json and ``files`` (as JSON)."""
    job = sweep / name
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    (job / "metrics.json").write_text(json.dumps({"status": "completed"}))
    for filename, content in (files or {}).items():
        (job / filename).write_text(json.dumps(content))
    return job


def _flow(initial: list[float | None], trained: list[float]) -> dict[str, object]:
    return {
        "top_layer": "layer 1",
        "epochs": {"0": {"layer 1": initial}, "4": {"layer 1": trained}},
    }


def _config(sweep: Path):
    return OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep)}}})


def test_jobs_are_labelled_by_the_overrides_that_set_them_apart(tmp_path: Path) -> None:
    a = _job(tmp_path, "0_model=rnn", ["experiment=x", "model=rnn"])
    b = _job(tmp_path, "1_model=gru", ["experiment=x", "model=gru", "seed=3"])
    c = _job(tmp_path, "2", ["experiment=x"])
    assert job_labels([a, b, c]) == {a: "model=rnn", b: "model=gru, seed=3", c: "2"}


def test_gradient_flow_comparison_draws_each_jobs_curves_and_keeps_the_ratios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _job(
        tmp_path,
        "0_model=rnn",
        ["model=rnn"],
        {"gradient_flow.json": _flow([1e-8, 1e-4, 1.0], [1e-3, 0.1, 1.0])},
    )
    _job(
        tmp_path,
        "1_model=lstm",
        ["model=lstm"],
        {"gradient_flow.json": _flow([None, 0.5, 1.0], [0.4, 0.8, 2.0])},
    )
    _job(tmp_path, "2_model=gru", ["model=gru"])  # failed before measuring: left out
    GradientFlowComparison().on_multirun_end(_config(tmp_path))
    numbers = json.loads((tmp_path / "gradient_flow_comparison.json").read_text())
    assert list(numbers) == ["model=rnn", "model=lstm"]
    assert numbers["model=rnn"]["first_over_last"] == pytest.approx(
        {"initial weights": 1e-8, "after epoch 4": 1e-3}
    )
    assert numbers["model=lstm"]["first_over_last"] == {
        "initial weights": None,
        "after epoch 4": 0.2,
    }
    assert imread(tmp_path / "gradient_flow_comparison.png")[..., :3].var() > 0
    out = capsys.readouterr().out
    assert "model=rnn: ‖∂L/∂h_1‖/‖∂L/∂h_T‖ initial weights 1e-08, after epoch 4 0.001" in out
    assert "initial weights not finite" in out


def test_the_gradient_flow_figure_dashes_the_curves_before_training() -> None:
    curves = {
        "rnn": {"initial weights": [1e-6, 1.0], "after epoch 4": [0.1, 1.0]},
        "gru": {"initial weights": [0.5, 1.0]},
    }
    axes = gradient_flow_comparison_figure(curves).axes[0]
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == [
        "rnn, initial weights",
        "rnn, after epoch 4",
        "gru, initial weights",
    ]
    assert [line.get_linestyle() for line in lines] == ["--", "-", "--"]
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert list(lines[0].get_xdata()) == [1, 2] and axes.get_yscale() == "log"


def _norms(
    losses: list[float | None], means: list[float], maxima: list[float], clipped: list[float]
) -> dict:
    epochs = [
        {
            "epoch": e + 1,
            "train/loss": loss,
            "grad/norm_mean": m,
            "grad/norm_max": x,
            "grad/clipped_fraction": c,
        }
        for e, (loss, m, x, c) in enumerate(zip(losses, means, maxima, clipped, strict=True))
    ]
    return {"epochs": epochs}


def test_clipping_comparison_reports_what_clipping_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    free = _norms([0.5, 2.0, 0.3], [3.0, 40.0, 2.0], [10.0, 900.0, 5.0], [0.0, 0.0, 0.0])
    clipped = _norms([0.5, 0.2, 0.1], [3.0, 2.0, 1.5], [10.0, 8.0, 4.0], [0.5, 0.25, 0.0])
    _job(
        tmp_path,
        "0_clip=null",
        ["trainer.gradient_clip_val=null"],
        {
            "gradient_norms.json": free,
            ".hydra/config.yaml": {"trainer": {"gradient_clip_val": None}},
        },
    )
    _job(
        tmp_path,
        "1_clip=1.0",
        ["trainer.gradient_clip_val=1.0"],
        {
            "gradient_norms.json": clipped,
            ".hydra/config.yaml": {"trainer": {"gradient_clip_val": 1.0}},
        },
    )
    ClippingComparison().on_multirun_end(_config(tmp_path))
    numbers = json.loads((tmp_path / "clipping_comparison.json").read_text())
    assert numbers["trainer.gradient_clip_val=null"] == {
        "status": "completed",
        "gradient_clip_val": None,
        "final_train_loss": 0.3,
        "max_grad_norm": 900.0,
        "clipped_fraction": 0.0,
        "job": "0_clip=null",
    }
    assert numbers["trainer.gradient_clip_val=1.0"]["clipped_fraction"] == pytest.approx(0.25)
    assert numbers["trainer.gradient_clip_val=1.0"]["gradient_clip_val"] == 1.0
    out = capsys.readouterr().out
    assert (
        "trainer.gradient_clip_val=null: completed, final train/loss 0.3, max gradient norm 900"
        in out
    )
    assert "clipped 25% of steps" in out
    assert imread(tmp_path / "clipping_comparison.png")[..., :3].var() > 0


def test_the_clipping_figure_shows_loss_mean_and_max_norm_and_the_threshold() -> None:
    runs = {
        "free": {
            "train/loss": [[1, 0.5], [2, None]],
            "grad/norm_mean": [[1, 3.0], [2, 4.0]],
            "grad/norm_max": [[1, 9.0], [2, 8.0]],
        }
    }
    loss_axes, norm_axes = clipping_comparison_figure(runs, {"free": 1.0}, baseline=0.4).axes
    loss, baseline = loss_axes.get_lines()
    assert list(loss.get_ydata()) == [0.5]  # a non-finite loss is left out
    assert list(baseline.get_ydata()) == [0.4, 0.4] and "baseline" in baseline.get_label()
    mean, maximum, threshold = norm_axes.get_lines()
    assert (list(mean.get_ydata()), list(maximum.get_ydata())) == ([3.0, 4.0], [9.0, 8.0])
    assert maximum.get_linestyle() == ":" and list(threshold.get_ydata()) == [1.0, 1.0]


def test_no_job_with_the_files_draws_nothing(tmp_path: Path) -> None:
    _job(tmp_path, "0", ["a=1"])
    GradientFlowComparison().on_multirun_end(_config(tmp_path))
    ClippingComparison().on_multirun_end(_config(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0"]


# the presets, as a user runs them -----------------------------------------------------------
def _train(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    return run_command(tmp_path, "rnnlab-train", *overrides, *QUIET, timeout=600)


#: The presets on little data, for two epochs: enough to draw their comparisons.
SMALL_PRESET = (
    "data.seq_len=12",
    "data.num_train=40",
    "data.num_val=20",
    "data.num_test=20",
    "data.batch_size=20",
    "trainer.max_epochs=2",
)


@pytest.mark.slow
def test_one_command_trains_three_cells_and_compares_their_gradient_flow(tmp_path: Path) -> None:
    result = _train(
        tmp_path,
        "experiment=vanishing_gradients",
        *SMALL_PRESET,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = sweep_dir(tmp_path, "vanishing_gradients")
    assert sorted(p.parent.name for p in sweep.glob("*/.hydra")) == [
        "0_model=rnn",
        "1_model=lstm",
        "2_model=gru",
    ]
    numbers = json.loads((sweep / "gradient_flow_comparison.json").read_text())
    assert list(numbers) == ["model=rnn", "model=lstm", "model=gru"]
    for entry in numbers.values():
        assert list(entry["first_over_last"]) == ["initial weights", "after epoch 2"]
    assert (sweep / "gradient_flow_comparison.png").stat().st_size > 10_000
    assert "gradient flow compared in" in result.stdout
    assert "rnnlab: 3 jobs: 3 completed" in result.stdout


@pytest.mark.slow
def test_one_command_trains_with_and_without_clipping_and_compares_them(tmp_path: Path) -> None:
    result = _train(
        tmp_path,
        "experiment=clipping",
        *SMALL_PRESET,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = sweep_dir(tmp_path, "clipping")
    numbers = json.loads((sweep / "clipping_comparison.json").read_text())
    assert list(numbers) == ["trainer.gradient_clip_val=null", "trainer.gradient_clip_val=1.0"]
    assert numbers["trainer.gradient_clip_val=null"]["clipped_fraction"] == 0.0
    assert numbers["trainer.gradient_clip_val=1.0"]["gradient_clip_val"] == 1.0
    assert (sweep / "clipping_comparison.png").is_file()
    assert np.isfinite(numbers["trainer.gradient_clip_val=1.0"]["max_grad_norm"])
