"""Parallel jobs share the cores: torch threads per job × jobs at once ≤ cores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from rnnlab.run import threads
from rnnlab.run.threads import (
    effective_n_jobs,
    job_threads,
    limit_threads_for_parallel_jobs,
    set_run_threads,
    step_work,
    threads_per_job,
)
from tests.conftest import Composer

JOBLIB = {"_target_": "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"}
SUBMITIT_LOCAL = {
    "_target_": "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher"
}
BASIC = {"_target_": "hydra._internal.core_plugins.basic_launcher.BasicLauncher"}


@pytest.fixture
def torch_threads() -> Iterator[None]:
    """Give the test process its thread count back, whatever the test set."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_joblib_n_jobs_as_joblib_counts_them() -> None:
    counted = {n: effective_n_jobs(n, cores=8) for n in (-1, -2, -100, 1, 3, 0, None)}
    assert counted == {-1: 8, -2: 7, -100: 1, 1: 1, 3: 3, 0: 1, None: 1}


def test_each_job_gets_its_share_and_never_more_than_torch_would_use() -> None:
    assert threads_per_job(cores=2, parallel_jobs=2) == 1
    assert threads_per_job(cores=16, parallel_jobs=3) == 5
    assert threads_per_job(cores=2, parallel_jobs=8) == 1  # more jobs than cores: still 1
    assert threads_per_job(cores=16, parallel_jobs=2, current=4) == 4  # OMP_NUM_THREADS=4 kept
    assert threads_per_job(cores=16, parallel_jobs=2, current=16) == 8


def test_the_launcher_decides() -> None:
    basic_sweeper = {"max_batch_size": None}
    assert job_threads({**JOBLIB, "n_jobs": -1}, basic_sweeper, cores=8, current=8) == 1
    assert job_threads({**JOBLIB, "n_jobs": 2}, basic_sweeper, cores=8, current=8) == 4
    # Optuna launches hydra.sweeper.n_jobs trials at a time, however many workers joblib has
    assert job_threads({**JOBLIB, "n_jobs": -1}, {"n_jobs": 2}, cores=8, current=8) == 4
    assert job_threads({**SUBMITIT_LOCAL, "cpus_per_task": 3}, basic_sweeper, 8, 8) == 3
    assert job_threads({**SUBMITIT_LOCAL, "cpus_per_task": None}, basic_sweeper, 8, 8) is None
    assert job_threads(BASIC, basic_sweeper, cores=8, current=8) is None


def test_a_joblib_job_sets_torch_threads_and_interop_once(
    compose_run: Composer, torch_threads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    interop_calls: list[int] = []
    monkeypatch.setattr(torch, "set_num_interop_threads", interop_calls.append)
    monkeypatch.setattr(threads, "_interop_set", False)
    torch.set_num_threads(2)
    # more workers than any machine has cores: every job's share is one thread
    compose_run("hydra/launcher=joblib", "hydra.launcher.n_jobs=100000")
    assert limit_threads_for_parallel_jobs() == 1
    assert torch.get_num_threads() == 1
    assert limit_threads_for_parallel_jobs() == 1  # the next job in the same worker
    assert interop_calls == [1]


def test_a_job_of_the_basic_launcher_keeps_torch_as_it_is(
    compose_run: Composer, torch_threads: None
) -> None:
    torch.set_num_threads(2)
    compose_run()
    assert limit_threads_for_parallel_jobs() == 2


def test_auto_gives_a_small_network_one_thread_and_leaves_a_large_one_alone(
    compose_run: Composer, torch_threads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    torch.set_num_threads(2)
    assert set_run_threads(compose_run()) == 1  # the default experiment: GRU 32, batch 32
    torch.set_num_threads(2)
    large = compose_run("model=lstm", "model.hidden_size=512", "data.batch_size=128")
    assert step_work(large) >= threads.ONE_THREAD_BELOW
    assert set_run_threads(large) == 2
    torch.set_num_threads(2)
    assert set_run_threads(compose_run(), members=64) == 1  # 64 small networks: still small
    torch.set_num_threads(2)
    mid = compose_run("model.hidden_size=128")
    assert step_work(mid) < threads.ONE_THREAD_BELOW <= step_work(mid, members=64)
    assert set_run_threads(mid, members=64) == 2  # a large stack shares the cores


def test_a_number_or_the_environment_overrides_auto(
    compose_run: Composer, torch_threads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.set_num_threads(1)
    assert set_run_threads(compose_run("threads=2")) == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    torch.set_num_threads(3)  # as torch starts with OMP_NUM_THREADS=3
    assert set_run_threads(compose_run()) == 3  # the user's choice stands, small network or not


def test_threads_must_be_auto_or_a_positive_number(compose_run: Composer) -> None:
    from rnnlab.config.validation import validate
    from rnnlab.errors import ConfigError

    with pytest.raises(ConfigError, match=r"threads=0 is not valid: expected an integer >= 1 or"):
        validate(compose_run("threads=0"))


def test_a_large_run_after_a_small_one_gets_torchs_threads_back(
    compose_run: Composer, torch_threads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The basic launcher runs a sweep's jobs in one process: a small job's one thread must not
    stick to the large job after it."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(threads, "_STARTING_THREADS", 2)
    assert set_run_threads(compose_run()) == 1
    large = compose_run("model=lstm", "model.hidden_size=512", "data.batch_size=128")
    assert set_run_threads(large) == 2
