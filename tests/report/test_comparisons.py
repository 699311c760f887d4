"""End-of-sweep comparisons: drawn from job folders' files, and the one-command presets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from matplotlib.image import imread
from omegaconf import OmegaConf

from rnnlab.report.comparisons import job_labels, setting_labels
from rnnlab.report.seed_bands import band, clipping_seeds_figure
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


def _clip_job(sweep: Path, number: int, clip: float | None, seed: int, norms: dict) -> Path:
    shown = "null" if clip is None else clip
    return _job(
        sweep,
        f"{number}_clip={shown},seed={seed}",
        [f"trainer.gradient_clip_val={shown}", f"seed={seed}"],
        {
            "gradient_norms.json": norms,
            ".hydra/config.yaml": {"trainer": {"gradient_clip_val": clip}},
        },
    )


def test_clipping_comparison_counts_over_seeds_what_clipping_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two settings × three seeds: the unclipped runs settle, end worse and diverge once
    each; the clipped ones all settle. Counted per setting, seeds pooled."""
    settled = _norms([0.5, 0.2, 0.1], [3.0, 2.0, 1.5], [10.0, 8.0, 4.0], [0.0, 0.0, 0.0])
    worse = _norms([0.5, 2.0, 0.3], [3.0, 40.0, 2.0], [10.0, 900.0, 5.0], [0.0, 0.0, 0.0])
    clipped = _norms([0.5, 0.2, 0.1], [3.0, 2.0, 1.5], [10.0, 8.0, 4.0], [0.5, 0.25, 0.0])
    _clip_job(tmp_path, 0, None, 1, settled)
    _clip_job(tmp_path, 1, None, 2, worse)
    diverged = _clip_job(tmp_path, 2, None, 3, _norms([0.5, None], [3.0, 1e9], [9.0, 1e12], [0, 0]))
    (diverged / "metrics.json").write_text(json.dumps({"status": "diverged"}))
    for seed in (1, 2, 3):
        _clip_job(tmp_path, 2 + seed, 1.0, seed, clipped)
    ClippingComparison().on_multirun_end(_config(tmp_path))
    numbers = json.loads((tmp_path / "clipping_comparison.json").read_text())
    free = numbers["settings"]["trainer.gradient_clip_val=null"]
    assert {k: free[k] for k in ("runs", "diverged", "ended_worse", "settled")} == {
        "runs": 3,
        "diverged": 1,
        "ended_worse": 1,
        "settled": 1,
    }
    assert free["final_train_loss"] == pytest.approx({"mean": 0.2, "std": 0.1414, "n": 2}, 1e-3)
    assert free["max_grad_norm"] == {"median": 900.0, "min": 10.0, "max": 1e12}
    held = numbers["settings"]["trainer.gradient_clip_val=1.0"]
    assert (held["settled"], held["gradient_clip_val"]) == (3, 1.0)
    assert held["final_train_loss"] == pytest.approx({"mean": 0.1, "std": 0.0, "n": 3}, abs=1e-9)
    assert held["clipped_fraction"] == pytest.approx(0.25)
    assert numbers["runs"]["2_clip=null,seed=3"] == {
        "setting": "trainer.gradient_clip_val=null",
        "seed": "3",
        "status": "diverged",
        "gradient_clip_val": None,
        "final_train_loss": None,
        "max_grad_norm": 1e12,
        "clipped_fraction": 0.0,
    }
    out = capsys.readouterr().out
    assert (
        "trainer.gradient_clip_val=null: 3 runs: 1 diverged, 1 ended worse, 1 settled; "
        "final train/loss 0.2 ± 0.141 (n=2)" in out
    )
    assert "trainer.gradient_clip_val=1.0: 3 runs: 0 diverged, 0 ended worse, 3 settled" in out
    assert "clipped 25% of steps" in out
    assert imread(tmp_path / "clipping_comparison.png")[..., :3].var() > 0


def test_the_seed_figure_draws_each_run_faint_and_each_setting_bold() -> None:
    loss = [[[1, 0.6], [2, 0.3]], [[1, 0.4], [2, 0.1]], [[1, 0.5], [2, None]]]
    norms = [[[1, 10.0], [2, 1.0]], [[1, 1000.0], [2, 100.0]], [[1, 100.0], [2, None]]]
    figure = clipping_seeds_figure(
        {"free": {"train/loss": loss, "grad/norm_max": norms}},
        {"free": [loss[2]]},
        {"free": 1.0},
        baseline=0.26,
    )
    loss_axes, norm_axes = figure.axes
    lines = loss_axes.get_lines()
    assert [line.get_alpha() for line in lines[:3]] == [0.3, 0.3, 0.3]
    mean = next(line for line in lines if line.get_label() == "free")
    assert list(mean.get_ydata()) == pytest.approx([0.5, 0.2])  # epoch 2: the two finite runs
    assert any(line.get_marker() == "x" for line in lines)  # the run that stopped
    assert "baseline" in lines[-1].get_label()
    centre = next(line for line in norm_axes.get_lines() if line.get_label() == "free")
    assert list(centre.get_ydata()) == pytest.approx([100.0, 10.0])  # geometric means
    _, _, low, high = band(norms, log=True)
    assert low[0] == pytest.approx(10.0) and high[0] == pytest.approx(1000.0)


def test_settings_pool_the_seeds(tmp_path: Path) -> None:
    a = _job(tmp_path, "0", ["experiment=x", "model=rnn", "seed=1"])
    b = _job(tmp_path, "1", ["experiment=x", "model=rnn", "seed=2"])
    c = _job(tmp_path, "2", ["experiment=x", "model=gru", "seed=1"])
    assert setting_labels([a, b, c]) == {a: "model=rnn", b: "model=rnn", c: "model=gru"}
    assert setting_labels([a, b]) == {a: "all runs", b: "all runs"}


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
def test_one_command_trains_three_cells_over_seeds_and_compares_their_gradient_flow(
    tmp_path: Path,
) -> None:
    result = _train(
        tmp_path,
        "-m",  # seeds on the command line: a sweep of its own (the preset's, 1-3, replaced)
        "experiment=vanishing_gradients",
        "seed=1,2",
        *SMALL_PRESET,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = sweep_dir(tmp_path, "vanishing_gradients")
    assert sorted(p.parent.name for p in sweep.glob("*/.hydra")) == [
        "0_model=rnn,seed=1",
        "1_model=rnn,seed=2",
        "2_model=lstm,seed=1",
        "3_model=lstm,seed=2",
        "4_model=gru,seed=1",
        "5_model=gru,seed=2",
    ]
    numbers = json.loads((sweep / "gradient_flow_comparison.json").read_text())
    assert list(numbers) == ["model=rnn", "model=lstm", "model=gru"]
    for entry in numbers.values():
        assert list(entry["first_over_last"]) == ["initial weights", "after epoch 2"]
        assert sorted(entry["per_seed"]["after epoch 2"]) == ["1", "2"]
        assert entry["test"]["test/mse"]["n"] == 2
    assert (sweep / "gradient_flow_comparison.png").stat().st_size > 10_000
    assert "(median of seeds)" in result.stdout and "test/mse" in result.stdout
    assert "rnnlab: 6 jobs: 6 completed" in result.stdout


@pytest.mark.slow
def test_one_command_trains_seeds_with_and_without_clipping_and_counts_them(
    tmp_path: Path,
) -> None:
    result = _train(
        tmp_path,
        "-m",
        "experiment=clipping",
        "seed=1,2",
        *SMALL_PRESET,
    )
    sweep = sweep_dir(tmp_path, "clipping")
    numbers = json.loads((sweep / "clipping_comparison.json").read_text())
    settings = numbers["settings"]
    # a diverged job ends the sweep with exit status 1; the comparison is drawn all the same
    diverged = sum(entry["diverged"] for entry in settings.values())
    assert result.returncode == (1 if diverged else 0), result.stderr[-3000:]
    assert list(settings) == ["trainer.gradient_clip_val=null", "trainer.gradient_clip_val=1.0"]
    for entry in settings.values():
        assert entry["runs"] == 2
        assert entry["diverged"] + entry["ended_worse"] + entry["settled"] == 2
    assert settings["trainer.gradient_clip_val=null"]["clipped_fraction"] == 0.0
    assert settings["trainer.gradient_clip_val=1.0"]["gradient_clip_val"] == 1.0
    assert len(numbers["runs"]) == 4
    assert (sweep / "clipping_comparison.png").is_file()
    assert "2 runs:" in result.stdout
