"""Share the CPU cores among the jobs that a parallel launcher runs at the same time.

torch starts one compute thread per core in every process. ``hydra/launcher=joblib`` runs
``n_jobs`` jobs at once, each in its own loky worker process, so without a limit the jobs
run ``n_jobs`` × cores threads on cores threads' worth of CPU and slow each other down.
Loky does set ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and the like to cores // n_jobs in
its workers, but only those the launching shell has not set, and torch reads them once, when
it starts (``MKL_NUM_THREADS`` winning over ``OMP_NUM_THREADS``): so every job sets its
thread count itself, at the top of ``train()``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import torch
from hydra.core.hydra_config import HydraConfig

log = logging.getLogger(__name__)

#: What a launcher's ``_target_`` contains when its jobs share this machine's cores.
JOBLIB = "JoblibLauncher"
SUBMITIT = "hydra_submitit_launcher"

#: torch allows set_num_interop_threads once per process, before any parallel work:
#: a loky worker runs many jobs, so only its first job may set it.
_interop_set = False


def effective_n_jobs(n_jobs: int | None, cores: int) -> int:
    """How many jobs joblib runs at once for ``n_jobs``: -1 is every core, -2 all but one."""
    if n_jobs is None or n_jobs == 0:
        return 1
    if n_jobs < 0:
        return max(cores + 1 + n_jobs, 1)
    return n_jobs


def threads_per_job(cores: int, parallel_jobs: int, current: int | None = None) -> int:
    """Each parallel job's share of the cores: at least 1, and never more than ``current``.

    ``current`` is what torch would use anyway (its default, or ``OMP_NUM_THREADS`` /
    ``MKL_NUM_THREADS`` from the environment): a lower setting is kept.
    """
    share = max(1, cores // max(1, parallel_jobs))
    return min(share, current) if current and current > 0 else share


def _cores() -> int:
    """The cores joblib counts for ``n_jobs=-1`` (CPU affinity and cgroup quotas included)."""
    try:
        from joblib import cpu_count
    except ImportError:  # not a joblib job: the cores this process may run on
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return cpu_count()


def job_threads(
    launcher: Mapping[str, Any], sweeper: Mapping[str, Any], cores: int, current: int
) -> int | None:
    """The torch threads for a job of this launcher (``current``: torch's count now), or None
    to leave torch as it is.

    joblib: cores // jobs at once, where jobs at once is ``n_jobs``, capped by the sweeper's
    batch (Optuna launches ``hydra.sweeper.n_jobs`` trials at a time). submitit: its
    ``cpus_per_task`` when set.
    """
    target = str(launcher.get("_target_", ""))
    if JOBLIB in target:
        parallel = effective_n_jobs(launcher.get("n_jobs", -1), cores)
        batch = sweeper.get("n_jobs") or sweeper.get("max_batch_size")
        if isinstance(batch, int) and batch > 0:
            parallel = min(parallel, batch)
        return threads_per_job(cores, parallel, current)
    if SUBMITIT in target and launcher.get("cpus_per_task"):
        return int(launcher["cpus_per_task"])
    return None


def _set_interop_threads(threads: int) -> None:
    global _interop_set
    if _interop_set:
        return
    _interop_set = True
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:  # parallel work already started in this process: keep its pool
        log.debug(
            "torch inter-op threads were already in use; left at %d",
            torch.get_num_interop_threads(),
        )


def limit_threads_for_parallel_jobs() -> int:
    """Set this job's torch threads from its launcher; return the number it runs with.

    Outside a sweep, or under a launcher that runs one job at a time, torch keeps its default.
    """
    if HydraConfig.initialized():
        hydra_cfg = HydraConfig.get()
        threads = job_threads(
            hydra_cfg.launcher, hydra_cfg.sweeper, _cores(), torch.get_num_threads()
        )
        if threads is not None:
            _use(threads, "this job's share of the cores")
    return torch.get_num_threads()


#: Multiply-adds of one recurrent time step (all members of a stack together) below which a
#: run is fastest on one thread: its matrix products are too small to share across cores, and
#: threads that wait on each other (or on a neighbour process) cost far more than they give.
ONE_THREAD_BELOW = 64_000_000
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}
#: Environment variables by which a user (or a launcher) already chose torch's threads.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def step_work(cfg: Mapping[str, Any], members: int = 1) -> int:
    """Multiply-adds of one time step's recurrent products, for ``members`` networks."""
    model, data = cfg.get("model") or {}, cfg.get("data") or {}
    hidden = int(model.get("hidden_size") or 0)
    directions = 2 if model.get("bidirectional") else 1
    gates = _GATES.get(str(model.get("cell")), 4)
    layers = int(model.get("num_layers") or 1)
    batch = int(data.get("batch_size") or 1)
    return members * batch * hidden * gates * hidden * layers * directions


def _use(threads: int, why: str) -> None:
    torch.set_num_threads(threads)
    _set_interop_threads(threads)
    log.info("torch threads: %d, %s", threads, why)


#: torch's thread count when this process started, to give back to a large run after a
#: small one in the same process (the basic launcher runs a sweep's jobs in one process).
_STARTING_THREADS = torch.get_num_threads()


def set_run_threads(cfg: Mapping[str, Any], members: int = 1) -> int:
    """Set the torch threads of a run (or a stack of ``members``); return the number.

    ``threads=N`` decides; with ``auto``: a parallel launcher's share of the cores, else the
    user's OMP_NUM_THREADS / MKL_NUM_THREADS if set, else one thread for a small network
    (ONE_THREAD_BELOW) and torch's default for a larger one.
    """
    setting = cfg.get("threads", "auto")
    if setting not in (None, "auto"):
        _use(int(setting), "threads=" + str(setting))
        return torch.get_num_threads()
    before = torch.get_num_threads()
    if limit_threads_for_parallel_jobs() != before or _launcher_shares_cores():
        return torch.get_num_threads()
    if any(os.environ.get(name) for name in _THREAD_VARIABLES):
        return before
    if step_work(cfg, members) < ONE_THREAD_BELOW:
        _use(1, "a small network (threads=auto)")
    elif before != _STARTING_THREADS:
        _use(_STARTING_THREADS, "torch's own default for a large network (threads=auto)")
    return torch.get_num_threads()


def _launcher_shares_cores() -> bool:
    if not HydraConfig.initialized():
        return False
    target = str(HydraConfig.get().launcher.get("_target_", ""))
    return JOBLIB in target or SUBMITIT in target
