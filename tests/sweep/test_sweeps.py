"""Sweeps as a user runs them: rnnlab-train -m in a subprocess, then what it left behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import BIN, run_command, sweep_dir

TINY = (
    "trainer.max_epochs=1",
    "data.num_train=32",
    "data.num_val=16",
    "data.num_test=16",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
    "~callbacks.model_summary",
)


#: PATH without the venv's scripts: a hint names rnnlab's commands by the path they were run by.
NOT_ON_PATH = os.pathsep.join(
    folder for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if folder != str(BIN)
)


def _sweep(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    return run_command(tmp_path, "rnnlab-train", "-m", *overrides, PATH=NOT_ON_PATH)


def _jobs(tmp_path: Path, name: str) -> list[Path]:
    (sweep,) = (tmp_path / "multirun" / name).iterdir()
    return sorted(hydra.parent for hydra in sweep.glob("*/.hydra"))  # not the report's figures/


def test_jobs_that_differ_only_in_excluded_keys_get_their_own_folders(tmp_path: Path) -> None:
    """``name`` and ``experiment`` used to be left out of folder names: two jobs, one folder."""
    result = _sweep(tmp_path, "name=cmp", "experiment=seed,majority", *TINY)
    assert result.returncode == 0, result.stderr
    jobs = _jobs(tmp_path, "cmp")
    assert [job.name for job in jobs] == ["0_experiment=seed", "1_experiment=majority"]
    records = [json.loads((job / "metrics.json").read_text()) for job in jobs]
    assert [r["config"]["model"]["cell"] for r in records] == ["rnn", "gru"]
    assert all((job / ".hydra").is_dir() and (job / "checkpoints").is_dir() for job in jobs)
    assert "rnnlab: 2 jobs: 2 completed" in result.stdout


def test_a_grid_with_a_bad_value_stops_before_anything_trains(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = _sweep(tmp_path, "model=rnn,lstm,gru", "data.seq_len=5,10,-3", *TINY)
    elapsed = time.perf_counter() - started
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rnnlab-train: error: job 2 (model=rnn data.seq_len=-3): "
        "data.seq_len=-3 is not valid: expected an integer >= 1."
    ]
    assert not (tmp_path / "multirun").exists()
    assert elapsed < 10  # the bar is 2 s; a loaded CI machine gets slack


def test_a_diverging_job_is_recorded_and_the_others_run(tmp_path: Path) -> None:
    result = _sweep(
        tmp_path,
        "name=div",
        "data=adding",
        "model=rnn",
        "model.nonlinearity=relu",
        "optimizer.lr=1e4,0.01,1e-3",
        *TINY,
    )
    assert result.returncode == 1
    sweep = sweep_dir(tmp_path, "div")
    report = f"{BIN / 'rnnlab-report'} {sweep}"  # named as rnnlab-train was run: by its path
    assert f"rnnlab: 3 jobs: 2 completed, 1 diverged (see {report})" in result.stdout
    jobs = _jobs(tmp_path, "div")
    assert [job.name.split("_")[0] for job in jobs] == ["0", "1", "2"]
    records = {job.name: json.loads((job / "metrics.json").read_text()) for job in jobs}
    diverged = records["0_optimizer.lr=10000.0"]
    assert diverged["status"] == "diverged"
    assert re.match(r"the (training|validation) loss became nan at epoch 1, ", diverged["message"])
    assert "gradient_clip_val" in diverged["message"]
    assert all(v is None or isinstance(v, float) for v in diverged["metrics"].values())
    assert "nan" not in (jobs[0] / "metrics.json").read_text().replace("became nan", "")
    for name in ("1_optimizer.lr=0.01", "2_optimizer.lr=0.001"):
        assert records[name]["status"] == "completed"
        assert isinstance(records[name]["metrics"]["test/mse"], float)


@pytest.mark.slow
def test_a_value_with_a_slash_does_not_nest_folders(tmp_path: Path) -> None:
    result = _sweep(tmp_path, "name=slash", "+note=a/b,c/d", *TINY)
    assert result.returncode == 0, result.stderr
    assert [job.name for job in _jobs(tmp_path, "slash")] == ["0_+note=a-b", "1_+note=c-d"]
