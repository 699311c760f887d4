"""The console scripts as a user runs them: exit codes, run folders, evaluation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_command

BIN = Path(sys.executable).parent
QUIET = ["trainer.enable_progress_bar=false", "~callbacks.progress_bar"]


def _start(tmp_path: Path, program: str, *overrides: str) -> subprocess.Popen[str]:
    env = {**os.environ, "RNNLAB_ROOT": str(tmp_path)}
    return subprocess.Popen(
        [str(BIN / program), *overrides],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_two_runs_started_together_get_their_own_folders(tmp_path: Path) -> None:
    processes = [_start(tmp_path, "rnnlab-train", "debug=fast", *QUIET) for _ in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr
    runs = sorted((tmp_path / "experiments" / "debug").iterdir())
    assert len(runs) == 2
    assert all((run / "metrics.json").is_file() and (run / ".hydra").is_dir() for run in runs)


def test_train_then_eval_from_the_command_line(tmp_path: Path) -> None:
    train = _start(
        tmp_path, "rnnlab-train", "name=cli", "trainer.max_epochs=1", "data.num_train=64", *QUIET
    )
    _, stderr = train.communicate(timeout=180)
    assert train.returncode == 0, stderr
    (run,) = (tmp_path / "experiments" / "cli").iterdir()
    trained = json.loads((run / "metrics.json").read_text())["metrics"]
    evaluation = _start(
        tmp_path, "rnnlab-eval", f"ckpt_path={run / 'checkpoints' / 'best.ckpt'}", *QUIET
    )
    _, stderr = evaluation.communicate(timeout=180)
    assert evaluation.returncode == 0, stderr
    (evaluated_run,) = (tmp_path / "experiments" / "eval").iterdir()
    evaluated = json.loads((evaluated_run / "metrics.json").read_text())["metrics"]
    assert evaluated["test/acc"] == trained["test/acc"]


def test_eval_of_a_damaged_checkpoint_is_one_sentence(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.ckpt"
    damaged.write_bytes(b"not a checkpoint")
    evaluation = _start(tmp_path, "rnnlab-eval", f"ckpt_path={damaged}", *QUIET)
    _, stderr = evaluation.communicate(timeout=180)
    assert evaluation.returncode == 2
    assert (
        stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"rnnlab-eval: error: ckpt_path='{damaged}' could not be read as a PyTorch checkpoint"
        )
    )
    assert not (tmp_path / "experiments" / "eval").exists()


@pytest.mark.slow
def test_nothing_is_written_to_the_working_directory(tmp_path: Path) -> None:
    """With paths under RNNLAB_ROOT, not even Lightning's defaults (its own ModelCheckpoint
    when the callbacks group is empty, lightning_logs/) land in the launch directory."""
    launch = tmp_path / "launch"
    launch.mkdir()
    root = tmp_path / "root"
    env = {**os.environ, "RNNLAB_ROOT": str(root)}
    for overrides in (
        ("callbacks=none", "logger=none", "trainer.enable_progress_bar=false"),
        ("trainer.max_epochs=1", "data.num_train=64", "logger=many", *QUIET),
    ):
        result = subprocess.run(
            [str(BIN / "rnnlab-train"), "name=cwd", *overrides],
            cwd=launch,
            env=env,
            text=True,
            capture_output=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
    assert list(launch.iterdir()) == []
    runs = sorted((root / "experiments" / "cwd").iterdir())
    assert len(runs) == 2 and all((run / "metrics.json").is_file() for run in runs)
    assert any((runs[0] / "checkpoints").glob("*.ckpt"))  # Lightning's own checkpoint


def test_a_diverged_run_exits_non_zero_and_keeps_its_record(tmp_path: Path) -> None:
    result = run_command(
        tmp_path,
        "rnnlab-train",
        "name=div",
        "data=adding",
        "model=rnn",
        "model.nonlinearity=relu",
        "optimizer.lr=1e4",
        "data.num_train=256",
        *QUIET,
    )
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("rnnlab-train: error: the training loss became nan at epoch 1")
    (run,) = (tmp_path / "experiments" / "div").iterdir()
    record = json.loads((run / "metrics.json").read_text())
    assert record["status"] == "diverged" and record["message"] in last_line


def test_a_bug_in_a_component_is_reported_as_a_bug(tmp_path: Path) -> None:
    """Not as "the config could not be built" with exit 2: a traceback and exit 1."""
    result = run_command(
        tmp_path,
        "rnnlab-train",
        "model._target_=tests.run.test_components.raise_empty_assertion",
        *QUIET,
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    assert result.returncode == 1
    assert "AssertionError" in result.stderr and "Traceback" in result.stderr
    assert "could not be built" not in result.stderr
