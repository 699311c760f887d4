"""The search loop on a real Optuna study, with a stand-in launcher that writes each trial's
folder as a finished job would (no training): worker processes sharing one study, trials a
dead worker left running, pruned and failed trials, the total of n_trials."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import socket
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import optuna
import pytest
import yaml
from omegaconf import OmegaConf

from rnnlab.errors import ConfigError
from rnnlab.run_folder import write_record
from rnnlab.sweep import lock
from rnnlab.sweep import study as study_module
from rnnlab.sweep.study import OVERRIDES_ATTR, WORKER_ATTR, Search, SearchSettings

PARAMS = {"optimizer.lr": "tag(log, interval(0.0001, 0.1))", "model.hidden_size": "choice(8, 16)"}


def _settings(sweep: Path, n_trials: int, n_jobs: int = 1) -> SearchSettings:
    return SearchSettings(
        sweep_dir=sweep,
        study_name="s",
        storage=f"sqlite:///{sweep}/optuna.db",
        direction="maximize",
        n_trials=n_trials,
        n_jobs=n_jobs,
        metric="val/acc_best",
        pruner="none",
        max_epochs=2,
        sampler=OmegaConf.create({"_target_": "optuna.samplers.TPESampler", "seed": 1}),
        params=PARAMS,
    )


class FolderLauncher:
    """Writes job N's folder and metrics.json as a finished run would; logs each launch."""

    def __init__(self, sweep: Path, status: str = "completed") -> None:
        self.sweep, self.status = sweep, status

    def launch(self, batch: Sequence[Sequence[str]], initial_job_idx: int) -> list[None]:
        for offset, overrides in enumerate(batch):
            number = initial_job_idx + offset
            folder = self.sweep / f"{number}_job"
            (folder / ".hydra").mkdir(parents=True, exist_ok=True)
            (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(list(overrides)))
            lr = float(next(o for o in overrides if o.startswith("optimizer.lr=")).split("=")[1])
            record = {"status": self.status, "metrics": {"val/acc_best": lr}}
            write_record(folder, record)
            with open(self.sweep / "launched.txt", "a") as log:
                log.write(f"{number} {os.getpid()}\n")
        return [None] * len(batch)


def _work(sweep: Path, n_trials: int) -> None:
    Search(_settings(sweep, n_trials), FolderLauncher(sweep), ["name=s"]).run()


def _study(sweep: Path) -> optuna.Study:
    return optuna.load_study(study_name="s", storage=f"sqlite:///{sweep}/optuna.db")


def test_two_workers_share_one_study_up_to_its_total(tmp_path: Path) -> None:
    _work(tmp_path / "warm", 1)  # the workers inherit SQLAlchemy and Alembic imported
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_work, args=(tmp_path, 8)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    launched = [line.split() for line in (tmp_path / "launched.txt").read_text().splitlines()]
    numbers = sorted(int(number) for number, _ in launched)
    assert numbers == list(range(8))  # each trial launched once, none twice
    assert len({pid for _, pid in launched}) == 2  # both workers took trials
    trials = _study(tmp_path).get_trials()
    assert [t.number for t in trials] == list(range(8))
    assert all(t.state.name == "COMPLETE" for t in trials)
    assert len({tuple(sorted(t.params.items())) for t in trials}) == 8
    assert sorted(p.name for p in tmp_path.glob("*_job")) == sorted(f"{n}_job" for n in range(8))
    results = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    assert results["best_value"] == max(t.value for t in trials)


def test_a_later_launch_stops_at_the_total_and_asks_the_same_points(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _work(one, 2)
    _work(one, 2)  # finished: nothing more is asked
    assert len(_study(one).get_trials()) == 2
    _work(one, 3)  # a larger total: one more
    _work(two, 3)
    assert [t.params for t in _study(one).get_trials()] == [
        t.params for t in _study(two).get_trials()
    ]


def _left_running(
    sweep: Path, worker: str, value: float | None, *, overrides_recorded: bool = True
) -> int:
    """A trial a killed worker left RUNNING; its folder ended with ``value`` if given."""
    study = optuna.create_study(
        study_name="s", storage=f"sqlite:///{sweep}/optuna.db", direction="maximize"
    )
    trial = study.ask(
        {"optimizer.lr": optuna.distributions.FloatDistribution(0.05, 0.06, log=True)}
    )
    if overrides_recorded:
        trial.set_user_attr(OVERRIDES_ATTR, [f"optimizer.lr={trial.params['optimizer.lr']}"])
    trial.set_user_attr(WORKER_ATTR, worker)
    if value is not None:
        record = {"status": "completed", "metrics": {"val/acc_best": value}}
        write_record(sweep / f"{trial.number}_job", record)
        (sweep / f"{trial.number}_job" / ".hydra").mkdir()
    return trial.number


def test_a_dead_workers_trial_is_run_again_in_its_own_number(tmp_path: Path) -> None:
    number = _left_running(tmp_path, f"{socket.gethostname()}:999999999", None)
    _work(tmp_path, 3)
    trials = _study(tmp_path).get_trials()
    assert [t.number for t in trials] == [0, 1, 2] and number == 0
    assert trials[0].state.name == "COMPLETE" and 0.05 <= trials[0].value <= 0.06
    launched = (tmp_path / "launched.txt").read_text().split()[::2]
    assert launched == ["0", "1", "2"]


def test_a_live_workers_trial_is_left_to_it(tmp_path: Path) -> None:
    _left_running(tmp_path, f"{socket.gethostname()}:{os.getppid()}", None)
    _work(tmp_path, 3)
    trials = _study(tmp_path).get_trials()
    assert trials[0].state.name == "RUNNING"  # not launched twice
    assert (tmp_path / "launched.txt").read_text().split()[::2] == ["1", "2"]


def test_a_trial_whose_run_had_ended_is_told_not_run_again(tmp_path: Path) -> None:
    _left_running(tmp_path, "elsewhere:1", 0.5)  # another host, no heartbeat: dead
    _work(tmp_path, 2)
    trials = _study(tmp_path).get_trials()
    assert trials[0].state.name == "COMPLETE" and trials[0].value == 0.5
    assert (tmp_path / "launched.txt").read_text().split()[::2] == ["1"]


def test_a_trial_whose_run_ended_without_its_metric_is_ranked_worst(tmp_path: Path) -> None:
    number = _left_running(tmp_path, "elsewhere:1", 0.5)
    write_record(tmp_path / f"{number}_job", {"status": "completed", "metrics": {}})
    _work(tmp_path, 1)
    assert _study(tmp_path).get_trials()[0].value == float("-inf")


def test_a_trial_asked_without_recorded_overrides_is_launched_with_its_params(
    tmp_path: Path,
) -> None:
    _left_running(tmp_path, "elsewhere:1", None, overrides_recorded=False)
    _work(tmp_path, 1)
    (trial,) = _study(tmp_path).get_trials()
    launched = yaml.safe_load((tmp_path / "0_job" / ".hydra" / "overrides.yaml").read_text())
    assert launched == [f"optimizer.lr={trial.params['optimizer.lr']}", "name=s"]
    assert trial.state.name == "COMPLETE" and trial.value == trial.params["optimizer.lr"]


def test_a_dead_worker_whose_process_id_was_reused_is_dead(tmp_path: Path) -> None:
    host, parent = socket.gethostname(), os.getppid()
    start = lock._start_time(parent)
    assert start is not None  # Linux: /proc/<pid>/stat
    assert lock.worker_alive(tmp_path, f"{host}:{parent}:{start}")
    assert not lock.worker_alive(tmp_path, f"{host}:{parent}:{int(start) + 1}")  # reused id
    assert not lock.worker_alive(tmp_path, lock.worker_id())  # this very process: a restart
    heartbeat = tmp_path / lock.WORKERS_DIR / f"{host}_{parent}_{start}"
    heartbeat.parent.mkdir()
    heartbeat.touch()
    assert lock.worker_alive(tmp_path, f"{host}:{parent}:{start}")
    os.utime(heartbeat, (0, 0))  # its heartbeat stopped long ago
    assert not lock.worker_alive(tmp_path, f"{host}:{parent}:{start}")
    # a container restarted under the same host name got this process's id: its trial is ours
    _left_running(tmp_path, f"{host}:{os.getpid()}", None)
    _work(tmp_path, 1)
    assert _study(tmp_path).get_trials()[0].state.name == "COMPLETE"
    assert (tmp_path / "launched.txt").read_text().split()[::2] == ["0"]


def test_a_study_of_the_other_direction_is_refused(tmp_path: Path) -> None:
    _work(tmp_path, 1)
    minimize = replace(_settings(tmp_path, 2), direction="minimize")
    with pytest.raises(ConfigError) as refused:
        Search(minimize, FolderLauncher(tmp_path), ["name=s"])
    assert str(refused.value) == (
        f"hydra.sweeper.direction=minimize differs from the direction of the study 's' in "
        f"sqlite:///{tmp_path}/optuna.db, which is maximize: give "
        "hydra.sweeper.direction=maximize, or a new hydra.sweep.dir for a new search."
    )
    assert len(_study(tmp_path).get_trials()) == 1


def test_a_file_system_without_locks_is_said_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_locks(handle: object, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(study_module.fcntl, "flock", no_locks)
    with pytest.raises(ConfigError) as refused:
        _work(tmp_path, 1)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / study_module.ASK_LOCK} could not be locked (No locks")
    assert "does not support file locks" in message and "postgresql://" in message
    assert message.count(". ") == 0 and "\n" not in message


def test_a_trial_asked_past_the_total_is_failed_not_launched(tmp_path: Path) -> None:
    class Overtaken(Search):
        """Another worker, which ignores the ask lock, asks a trial just before this one."""

        def study(self, next_number: int | None = None) -> optuna.Study:
            if next_number is not None:
                _study(tmp_path).ask()
            return super().study(next_number)

    Overtaken(_settings(tmp_path, 1), FolderLauncher(tmp_path), ["name=s"]).run()
    trials = _study(tmp_path).get_trials()
    assert [t.number for t in trials] == [0, 1]
    assert trials[1].state.name == "FAIL"  # 1 >= n_trials: told failed, never launched
    assert not (tmp_path / "launched.txt").exists()
    assert not list(tmp_path.glob("*_job"))


@pytest.mark.parametrize(("status", "state"), [("pruned", "PRUNED"), ("diverged", "COMPLETE")])
def test_pruned_and_diverged_trials_are_told_as_such(
    tmp_path: Path, status: str, state: str
) -> None:
    Search(_settings(tmp_path, 2), FolderLauncher(tmp_path, status), []).run()
    trials = _study(tmp_path).get_trials()
    assert [t.state.name for t in trials] == [state] * 2
    if status == "diverged":  # ranked worst, the search goes on
        assert [t.value for t in trials] == [float("-inf")] * 2


def test_a_search_joins_a_folder_but_not_one_a_grid_is_running(tmp_path: Path) -> None:
    lock.join(tmp_path)  # a search's launch registers as a worker, and takes no lock
    (worker,) = (tmp_path / lock.WORKERS_DIR).iterdir()
    assert worker.name == lock.worker_id().replace(":", "_")
    assert not (tmp_path / lock.LOCK_FILE).exists()
    lock.leave(tmp_path)
    assert not worker.exists()
    grid = {"host": socket.gethostname(), "pid": os.getppid()}  # a live process's lock
    (tmp_path / lock.LOCK_FILE).write_text(json.dumps(grid))
    with pytest.raises(ConfigError, match=f"is being run by process {os.getppid()}"):
        lock.join(tmp_path)
