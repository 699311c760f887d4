"""Searches and launchers as a user runs them: rnnlab-train -m in a subprocess, then its folders.

Optuna (hparams_search=optuna), joblib (parallel jobs sharing the cores), submitit_local, and
the SLURM preset, checked up to the sbatch script it submits (there is no cluster here).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from joblib import cpu_count

from tests.conftest import run_command, sweep_dir

TINY = (
    "trainer.max_epochs=2",
    "data.num_train=64",
    "data.num_val=32",
    "data.num_test=32",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
    "~callbacks.model_summary",
)
#: The keys hparams_search=optuna searches, as optimization_results.yaml names them.
SEARCHED = {
    "optimizer.lr",
    "model.hidden_size",
    "model.num_layers",
    "model.dropout",
    "data.batch_size",
}


def _train(
    tmp_path: Path, *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_command(tmp_path, "rnnlab-train", *arguments, timeout=600, **(env or {}))


def _job_records(sweep: Path) -> list[dict]:
    """metrics.json of every job folder (those Hydra gave a .hydra/), in job order."""
    jobs = sorted(
        (path for path in sweep.iterdir() if (path / ".hydra").is_dir()),
        key=lambda path: int(path.name.split("_")[0]),
    )
    return [json.loads((job / "metrics.json").read_text()) for job in jobs]


def _select(config: dict, dotted: str) -> object:
    for part in dotted.split("."):
        config = config[part]
    return config


@pytest.mark.slow
def test_an_optuna_search_keeps_every_trial_and_its_best(tmp_path: Path) -> None:
    result = _train(
        tmp_path, "-m", "hparams_search=optuna", "hydra.sweeper.n_trials=3", "name=search", *TINY
    )
    assert result.returncode == 0, result.stderr
    sweep = sweep_dir(tmp_path, "search")
    records = _job_records(sweep)
    assert [record["status"] for record in records] == ["completed"] * 3
    best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert set(best["best_params"]) == SEARCHED
    # the value each trial returned is its run's val/acc_best, and the best is the largest
    scores = [record["metrics"]["val/acc_best"] for record in records]
    assert best["best_value"] == pytest.approx(max(scores))
    winner = records[scores.index(max(scores))]["config"]
    assert {key: _select(winner, key) for key in SEARCHED} == pytest.approx(best["best_params"])
    assert "Best parameters:" in result.stdout


@pytest.mark.slow
def test_a_search_whose_trials_all_diverge_still_ends_with_results(tmp_path: Path) -> None:
    """A diverged trial returns the worst value for the direction, never NaN or None: optuna
    2.10 refuses NaN and the sweeper then crashes, and a search of only failed (None) trials
    ends without optimization_results.yaml."""
    _train(
        tmp_path,
        "-m",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=2",
        "name=diverge",
        "data=adding",
        "model=rnn",
        "model.nonlinearity=relu",
        "optimizer.lr=1e4",
        "optimized_metric=val/mse_best",
        "hydra.sweeper.direction=minimize",
        *TINY,
    )
    sweep = sweep_dir(tmp_path, "diverge")
    assert [record["status"] for record in _job_records(sweep)] == ["diverged"] * 2
    best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert best["best_value"] == float("inf")


@pytest.mark.slow
def test_joblib_runs_jobs_in_parallel_on_their_share_of_the_cores(tmp_path: Path) -> None:
    """The shell asks for a thread per core in every job (loky keeps what the shell set); each
    of the 2 parallel jobs must still use only its half of the cores."""
    cores = cpu_count()
    every_core = {"OMP_NUM_THREADS": str(cores), "MKL_NUM_THREADS": str(cores)}
    result = _train(
        tmp_path,
        "-m",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "seed=1,2",
        "name=parallel",
        *TINY,
        env=every_core,
    )
    assert result.returncode == 0, result.stderr
    assert "Joblib.Parallel(n_jobs=2" in result.stdout
    records = _job_records(sweep_dir(tmp_path, "parallel"))
    assert [record["config"]["seed"] for record in records] == [1, 2]
    assert [record["status"] for record in records] == ["completed"] * 2
    assert [record["torch_threads"] for record in records] == [max(1, cores // 2)] * 2


@pytest.mark.slow  # 25-55 s here: a fresh interpreter per job, and submitit polls once a second
def test_submitit_local_runs_a_sweep(tmp_path: Path) -> None:
    result = _train(
        tmp_path, "-m", "hydra/launcher=submitit_local", "seed=1,2", "name=local", *TINY
    )
    assert result.returncode == 0, result.stderr
    sweep = sweep_dir(tmp_path, "local")
    records = _job_records(sweep)
    assert [record["config"]["seed"] for record in records] == [1, 2]
    assert [record["status"] for record in records] == ["completed"] * 2
    assert (sweep / ".submitit").is_dir()


def test_the_slurm_preset_composes_with_a_partition(tmp_path: Path) -> None:
    result = _train(tmp_path, "hydra/launcher=slurm", "hydra.launcher.partition=gpu", "--cfg=hydra")
    assert result.returncode == 0, result.stderr
    launcher = yaml.safe_load(result.stdout)["hydra"]["launcher"]
    assert launcher["_target_"].endswith("submitit_launcher.SlurmLauncher")
    assert launcher["partition"] == "gpu"
    assert (launcher["gpus_per_task"], launcher["cpus_per_task"]) == (1, 4)
    assert (launcher["mem_gb"], launcher["timeout_min"]) == (16, 60)
    assert not (tmp_path / "multirun").exists()


def test_a_slurm_sweep_submits_one_array_with_the_requested_resources(tmp_path: Path) -> None:
    """sbatch and srun stand-ins: sbatch keeps the script it is given and refuses the job, so
    the sweep stops right after submitting, as it would on a cluster that is full."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "srun").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "sbatch").write_text(
        '#!/bin/sh\nfor last; do :; done\ncp "$last" "$(dirname "$0")/submitted.sh"\nexit 1\n'
    )
    for tool in ("srun", "sbatch"):
        (bin_dir / tool).chmod(0o755)
    result = _train(
        tmp_path,
        "-m",
        "hydra/launcher=slurm",
        "hydra.launcher.partition=gpu",
        "hydra.launcher.timeout_min=30",
        "seed=1,2,3",
        "name=cluster",
        *TINY,
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
    )
    assert result.returncode != 0
    script = (bin_dir / "submitted.sh").read_text().splitlines()
    for line in (
        "#SBATCH --partition=gpu",
        "#SBATCH --array=0-2%3",
        "#SBATCH --gpus-per-task=1",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem=16GB",
        "#SBATCH --time=30",
    ):
        assert line in script
