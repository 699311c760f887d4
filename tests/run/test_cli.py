"""The console scripts as a user runs them: exit codes, run folders, evaluation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
