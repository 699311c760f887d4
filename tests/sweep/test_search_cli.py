"""Searches as a user runs them: rnnlab-train -m hparams_search=optuna in subprocesses on a
temporary RNNLAB_ROOT, then what they left (bad settings, pruning, two workers on one study)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import optuna
import pytest

from tests.conftest import BIN, TINY_RUN, run_command

SEARCH = ("-m", "hparams_search=optuna")


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("hparams_search.pruner=foo", "hparams_search.pruner=foo is not a pruner: use one of"),
        ("hydra.sweeper.storage=foo://x", "hydra.sweeper.storage=foo://x is not a storage"),
    ],
)
def test_a_bad_search_setting_is_one_sentence_and_leaves_nothing(
    tmp_path: Path, setting: str, says: str
) -> None:
    result = run_command(tmp_path, "rnnlab-train", *SEARCH, setting, *TINY_RUN)
    assert result.returncode == 2
    assert result.stderr.startswith("rnnlab-train: error: ") and says in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "multirun").exists()


def _records(sweep: Path) -> dict[int, dict]:
    return {
        int(job.name.partition("_")[0]): json.loads((job / "metrics.json").read_text())
        for job in sweep.iterdir()
        if (job / ".hydra").is_dir()
    }


@pytest.mark.slow  # ~40 s: eight trials of three epochs
def test_a_pruned_trial_stops_keeps_its_folder_and_is_not_a_failure(tmp_path: Path) -> None:
    sweep = tmp_path / "search"
    result = run_command(
        tmp_path,
        "rnnlab-train",
        *SEARCH,
        "hparams_search.pruner=median",
        "hydra.sweeper.n_trials=8",
        f"hydra.sweep.dir={sweep}",
        *TINY_RUN,
        "trainer.max_epochs=3",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records = _records(sweep)
    pruned = [number for number, record in records.items() if record["status"] == "pruned"]
    assert pruned, "the median pruner stopped no trial"  # seed 42 prunes trials 5 and 6
    for number in pruned:
        record = records[number]
        assert record["epochs"] < 3 and record["tested_checkpoint"] is None
        (job,) = sweep.glob(f"{number}_*")
        assert (job / "checkpoints" / "last.ckpt").is_file()
        assert list(job.glob("events.out.tfevents.*"))  # its TensorBoard logs
    study = optuna.load_study(study_name="default", storage=f"sqlite:///{sweep}/optuna.db")
    states = {t.number: t.state.name for t in study.get_trials()}
    assert {n for n, s in states.items() if s == "PRUNED"} == set(pruned)
    assert f"{len(pruned)} pruned" in result.stdout  # the sweep's end line
    report = (sweep / "report.md").read_text()
    assert "Pruned trials" in report and "optuna-dashboard" in report
    assert (sweep / "figures" / "search_history.png").is_file()
    assert (sweep / "figures" / "search_importances.png").is_file()


@pytest.mark.slow  # ~60-80 s on 2 shared cores: eight tiny trials in two processes
def test_two_workers_finish_one_eight_trial_search_together(tmp_path: Path) -> None:
    sweep = tmp_path / "shared"
    command = [
        str(BIN / "rnnlab-train"),
        *SEARCH,
        "hydra.sweeper.n_trials=8",
        f"hydra.sweep.dir={sweep}",
        *TINY_RUN,
    ]
    env = {**os.environ, "RNNLAB_ROOT": str(tmp_path)}
    workers = [
        subprocess.Popen(command, cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=600)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    launched = [line for out in outputs for line in out.splitlines() if "] \t#" in line]
    numbers = sorted(int(line.split("#")[1].split(" ")[0]) for line in launched)
    assert numbers == list(range(8))  # every trial once, none twice
    assert all(any("] \t#" in line for line in out.splitlines()) for out in outputs)
    records = _records(sweep)
    assert sorted(records) == list(range(8))
    assert all(record["status"] == "completed" for record in records.values())
    study = optuna.load_study(study_name="default", storage=f"sqlite:///{sweep}/optuna.db")
    assert [t.state.name for t in study.get_trials()] == ["COMPLETE"] * 8
    assert "(8 trials: 8 complete)" in (sweep / "report.md").read_text()


def test_a_study_of_the_other_direction_is_refused_in_one_sentence(tmp_path: Path) -> None:
    sweep = tmp_path / "search"
    sweep.mkdir()
    optuna.create_study(study_name="dir", storage=f"sqlite:///{sweep}/optuna.db")  # minimize
    result = run_command(
        tmp_path, "rnnlab-train", *SEARCH, "name=dir", f"hydra.sweep.dir={sweep}", *TINY_RUN
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.startswith(
        "rnnlab-train: error: hydra.sweeper.direction=maximize differs from the direction of "
        f"the study 'dir' in sqlite:///{sweep}/optuna.db, which is minimize: "
    )
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert not list(sweep.glob("*_*"))  # no trial launched
