"""Resuming a sweep as a user does it: rnnlab-train -m in a subprocess, killed with SIGKILL
part-way, then the same command (or the one rnnlab-report prints) into the same folder."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BIN, run_command, sweep_dir

#: Four jobs, numbered by (hidden size, seed); three epochs each, long enough to kill one
#: between its first checkpoint and its end; with dropout, so that exactness covers the
#: random numbers drawn during training.
GRID = (
    "name=grid",
    "model.hidden_size=8,16",
    "seed=1,2",
    "trainer.max_epochs=3",
    "data.num_train=256",
    "data.num_val=32",
    "data.num_test=32",
    "data.batch_size=16",
    "model.num_layers=2",
    "model.dropout=0.3",  # dropout draws random numbers: resumed, it must draw the same
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
    "~callbacks.model_summary",
    "~callbacks.gradient_flow",
    "~callbacks.hidden_states",
)


#: Two one-epoch jobs on little data: a finished sweep to resume or refuse.
_QUICKER = {"seed=1,2": "seed=1", "trainer.max_epochs=3": "trainer.max_epochs=1"}
QUICK = (
    *(_QUICKER.get(o, o) for o in GRID if not o.startswith("data.num_train")),
    "data.num_train=64",
)


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "RNNLAB_ROOT": str(root), "OMP_NUM_THREADS": "1"}


def _sweep_dir(root: Path, name: str = "grid") -> Path:
    return sweep_dir(root, name)


def _job(sweep: Path, number: int) -> Path:
    (job,) = sweep.glob(f"{number}_*")
    return job


def _status(job: Path) -> str | None:
    try:
        return json.loads((job / "metrics.json").read_text())["status"]
    except (OSError, ValueError):
        return None


def _kill_when(
    root: Path, arguments: list[str], ready: Callable[[Path], bool], timeout: float = 240
) -> None:
    """Start the sweep, and SIGKILL its whole process group the moment ``ready`` holds."""
    process = subprocess.Popen(
        [str(BIN / "rnnlab-train"), "-m", *arguments],
        cwd=root,
        env=_env(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            sweeps = list((root / "multirun").glob("*/*"))
            if sweeps and ready(sweeps[0]):
                break
            time.sleep(0.01)
        assert process.poll() is None, "the sweep ended before it could be interrupted"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _fingerprint(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file below ``folder``: its modification time and content hash."""
    return {
        str(path.relative_to(folder)): (
            path.stat().st_mtime_ns,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _final(job: Path) -> dict:
    record = json.loads((job / "metrics.json").read_text())
    return {key: record[key] for key in ("status", "metrics", "epochs", "global_step", "best")}


def _reference_sweep(tmp_path: Path) -> Path:
    """The grid run without interruption, in its own root: what a resume must reproduce."""
    reference_root = tmp_path / "reference"
    reference_root.mkdir()
    reference = run_command(reference_root, "rnnlab-train", "-m", *GRID, OMP_NUM_THREADS="1")
    assert reference.returncode == 0, reference.stderr[-2000:]
    return reference_root


def _job_one_checkpointed(sweep: Path) -> bool:
    """Job 0 completed; job 1 wrote a checkpoint and has not finished."""
    jobs = {path.name.partition("_")[0]: path for path in sweep.glob("*_*")}
    return (
        "0" in jobs
        and _status(jobs["0"]) == "completed"
        and "1" in jobs
        and (jobs["1"] / "checkpoints" / "last.ckpt").is_file()
    )


@pytest.mark.slow  # 40 s: the longest of all; make test-all runs it
def test_a_grid_killed_mid_job_resumes_to_the_uninterrupted_results(tmp_path: Path) -> None:
    reference_root, root = _reference_sweep(tmp_path), tmp_path / "killed"
    root.mkdir()

    _kill_when(root, list(GRID), _job_one_checkpointed)
    sweep = _sweep_dir(root)
    assert _status(_job(sweep, 1)) is None  # killed mid-job, not after it
    assert not list(sweep.glob("3_*"))
    job0 = _fingerprint(_job(sweep, 0))

    # the report says what is missing and how to resume
    report = run_command(root, "rnnlab-report", str(sweep), "--no-figures")
    assert report.returncode == 0, report.stderr
    assert "interrupted (1): 1_model.hidden_size=8,seed=2" in report.stdout
    assert "#3 (model.hidden_size=16,seed=2)" in report.stdout
    (command,) = [line.strip() for line in report.stdout.splitlines() if "hydra.sweep.dir" in line]
    program, *arguments = shlex.split(command)
    assert Path(program).name == "rnnlab-train"  # named as rnnlab-report was run

    resumed = run_command(root, program, *arguments, OMP_NUM_THREADS="1")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    expected = "1 completed (kept), 1 interrupted (to continue from its last checkpoint), 2 to run"
    assert expected in resumed.stdout
    assert "job 1 (model.hidden_size=8,seed=2) continues from" in resumed.stdout

    reference_sweep = _sweep_dir(reference_root)
    names = sorted(path.name for path in sweep.glob("*_*"))
    assert names == sorted(path.name for path in reference_sweep.glob("*_*"))
    for number in range(4):
        assert _final(_job(sweep, number)) == _final(_job(reference_sweep, number)), number
    assert _fingerprint(_job(sweep, 0)) == job0  # the completed job was not touched
    continued = json.loads((_job(sweep, 1) / "metrics.json").read_text())
    assert continued["resumed_from"]["run_dir"] == str(_job(sweep, 1))
    assert 1 <= continued["resumed_from"]["epochs_done"] < 3

    finished = run_command(root, "rnnlab-report", str(sweep), "--no-figures")
    assert "unfinished" not in finished.stdout


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A completed 2-job sweep to resume or refuse."""
    root = tmp_path_factory.mktemp("finished")
    result = run_command(root, "rnnlab-train", "-m", *QUICK, OMP_NUM_THREADS="1")
    assert result.returncode == 0, result.stderr[-2000:]
    return _sweep_dir(root)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            {"model.hidden_size=8,16": "model.hidden_size=8,32"},
            "it was run with model.hidden_size=8,16, this command has model.hidden_size=8,32",
        ),
        (
            {"trainer.max_epochs=1": "trainer.max_epochs=2"},
            "it was run with trainer.max_epochs=1, this command has trainer.max_epochs=2",
        ),
        (
            {"data.num_test=32": ""},
            "it was run with data.num_test=32, which this command leaves out",
        ),
    ],
)
def test_a_different_sweep_is_refused_and_the_folder_left_alone(
    finished_sweep: Path, change: dict[str, str], said: str
) -> None:
    root = finished_sweep.parents[2]
    before = _fingerprint(finished_sweep)
    arguments = [change.get(o, o) for o in QUICK]
    result = run_command(
        root, "rnnlab-train", "-m", *filter(None, arguments), f"hydra.sweep.dir={finished_sweep}"
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"rnnlab-train: error: {finished_sweep} holds a different sweep: {said}")
    assert _fingerprint(finished_sweep) == before


def test_resuming_a_finished_sweep_runs_nothing(finished_sweep: Path) -> None:
    root = finished_sweep.parents[2]
    jobs = {job.name: _fingerprint(job) for job in finished_sweep.glob("*_*")}
    # --resume may come after other arguments (here: an override for this launch only)
    retry = "hydra.sweeper.retry_failed=true"
    result = run_command(root, "rnnlab-train", retry, f"--resume={finished_sweep}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "2 jobs: 2 completed (kept)" in result.stdout
    assert "rnnlab: 2 jobs: 2 completed" in result.stdout
    assert {job.name: _fingerprint(job) for job in finished_sweep.glob("*_*")} == jobs


def test_resume_flag_names_the_sweep_of_a_job_folder(finished_sweep: Path) -> None:
    job = _job(finished_sweep, 0)
    on_path = f"{BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}"  # hints say rnnlab-train
    result = run_command(
        finished_sweep.parents[2], "rnnlab-train", "--resume", str(job), PATH=on_path
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"rnnlab-train: error: --resume {job}: that is one job of a sweep; give the sweep's "
        f"folder: rnnlab-train --resume {finished_sweep}."
    )


def test_resume_flag_needs_a_sweep_folder(tmp_path: Path) -> None:
    result = run_command(tmp_path, "rnnlab-train", "--resume", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"rnnlab-train: error: --resume {tmp_path}: that is not a sweep folder (it holds no "
        "multirun.yaml); give a folder such as multirun/<name>/<time>."
    )


def _two_jobs_checkpointed(sweep: Path) -> bool:
    """Jobs 0 and 1 (run side by side) each wrote a checkpoint; neither has finished."""
    jobs = [next(iter(sweep.glob(f"{n}_*")), None) for n in (0, 1)]
    return all(
        job is not None and (job / "checkpoints" / "last.ckpt").is_file() and _status(job) is None
        for job in jobs
    )


@pytest.mark.slow
def test_a_parallel_sweep_killed_with_two_jobs_running_resumes_exactly(tmp_path: Path) -> None:
    reference_root, root = _reference_sweep(tmp_path), tmp_path / "killed"
    root.mkdir()
    parallel = [*GRID, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]

    _kill_when(root, parallel, _two_jobs_checkpointed)
    sweep = _sweep_dir(root)
    resumed = run_command(root, "rnnlab-train", "--resume", str(sweep))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "2 interrupted (to continue from their last checkpoints), 2 to run" in resumed.stdout

    reference_sweep = _sweep_dir(reference_root)
    for number in range(4):
        assert _final(_job(sweep, number)) == _final(_job(reference_sweep, number)), number


@pytest.mark.slow
def test_an_interrupted_search_finishes_its_trials_without_counting_one_twice(
    tmp_path: Path,
) -> None:
    optuna = pytest.importorskip("optuna")
    search = [
        "-m",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=3",
        "name=search",
        *(o for o in GRID if not o.startswith(("name=", "model.hidden_size", "seed="))),
    ]
    _kill_when(tmp_path, search[1:], _job_one_checkpointed)
    sweep = _sweep_dir(tmp_path, "search")
    interrupted = _job(sweep, 1)

    report = run_command(tmp_path, "rnnlab-report", str(sweep), "--no-figures")
    assert "the sweep is unfinished (1 of 3 trials ended)" in report.stdout
    resumed = run_command(tmp_path, "rnnlab-train", *search, f"hydra.sweep.dir={sweep}")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "1 of 3 trials finished, 1 to continue" in resumed.stdout

    study = optuna.load_study(study_name="search", storage=f"sqlite:///{sweep}/optuna.db")
    trials = study.get_trials()
    assert [t.number for t in trials] == [0, 1, 2]
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    asked = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(asked)) == 3, asked  # the resumed sampler asks new points
    numbers = sorted(path.parent.name.partition("_")[0] for path in sweep.glob("*/.hydra"))
    assert numbers == ["0", "1", "2"]
    assert _job(sweep, 1) == interrupted  # continued in its own folder
    record = json.loads((interrupted / "metrics.json").read_text())
    assert record["resumed_from"]["run_dir"] == str(interrupted)
    assert trials[1].value == record["metrics"]["val/acc_best"]
    assert (sweep / "optimization_results.yaml").is_file()


def _stack_checkpointed(sweep: Path) -> bool:
    """Every member of the stack wrote a checkpoint and none has finished."""
    jobs = list(sweep.glob("*_*"))
    return len(jobs) == 4 and all(
        (job / "checkpoints" / "last.ckpt").is_file() and _status(job) is None for job in jobs
    )


@pytest.mark.slow
def test_a_stacked_sweep_killed_mid_stack_resumes_to_the_uninterrupted_results(
    tmp_path: Path,
) -> None:
    # two optimizer groups (two learning rates) and a schedule whose state is joined back
    stacked = [*GRID, "hydra/launcher=stacked", "model.hidden_size=8", "scheduler=cosine"]
    stacked.append("optimizer.lr=0.01,0.02")
    reference_root, root = tmp_path / "reference", tmp_path / "killed"
    reference_root.mkdir()
    root.mkdir()
    reference = run_command(reference_root, "rnnlab-train", "-m", *stacked, OMP_NUM_THREADS="1")
    assert reference.returncode == 0, reference.stderr[-2000:]
    _kill_when(root, stacked, _stack_checkpointed)
    sweep = _sweep_dir(root)
    resumed = run_command(root, "rnnlab-train", "--resume", str(sweep), OMP_NUM_THREADS="1")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "continues from" in resumed.stdout
    reference_sweep = _sweep_dir(reference_root)
    for number in range(4):
        assert _final(_job(sweep, number)) == _final(_job(reference_sweep, number))
