"""Continue an Optuna search that was interrupted: the search side of resuming a sweep.

The study lives in the sweep folder (``hydra.sweeper.storage``, SQLite by default), so a
second launch into the same folder finds every trial the first one asked for:

- finished trials (complete or failed) count toward ``n_trials``, the search's total;
- a trial left ``RUNNING`` was interrupted: it is launched again with its own parameters and
  number, so it lands in its own job folder and continues from its last checkpoint there,
  and its result is told to the same trial (counted once);
- then the Optuna sweeper asks for the trials still missing, numbered after the last one.

The sweep folder also gets its ``multirun.yaml`` (the grid sweeper writes one; the Optuna
sweeper does not), which rnnlab-train and rnnlab-report read to resume and report the search.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import ListConfig, OmegaConf

from rnnlab.compat.optuna_sweeper import SearchSweeper
from rnnlab.run_folder import (
    ENDED,
    UnreadableRecord,
    as_number,
    job_dir_by_number,
    read_record,
    run_status,
)
from rnnlab.sweep.resuming import consecutive
from rnnlab.sweep.stored import MULTIRUN_FILE

log = logging.getLogger(__name__)


def _trial_overrides(trial: Any) -> tuple[str, ...]:
    """A stored trial's overrides, built as the Optuna sweeper built them at launch:
    its sampled parameters, then the fixed values it records as user attributes."""
    return tuple(
        f"{name}={value}" for name, value in dict(trial.params, **trial.user_attrs).items()
    )


def _value(returned: Any) -> float:
    return float(returned.return_value)


def _finish(study: Any, number: int, value: Callable[[], float]) -> None:
    """Tell the study how trial ``number`` ended; a failure ranks it as failed."""
    from optuna.trial import TrialState

    try:
        result = value()
    except Exception as error:  # a failed job, or a value the search cannot rank
        log.warning("Trial %d failed: %s", number, error)
        study.tell(number, state=TrialState.FAIL)
        return
    study.tell(number, result)


def _worst(sweeper: SearchSweeper) -> float:
    """The worst value for the search's direction, what a failed trial returns live
    (rnnlab.sweep.job.search_value)."""
    direction = sweeper.direction
    if isinstance(direction, list | tuple | ListConfig):
        direction = direction[0] if direction else "minimize"
    name = str(getattr(direction, "name", direction))  # a string or optuna's Direction enum
    return float("inf") if name.lower().startswith("min") else float("-inf")


def _recorded_value(folder: Path, metric: str | None, worst: float) -> float:
    """What a trial whose run ended (killed after metrics.json, before the study heard of
    it) returns: its recorded metric, or the worst value if it has none, as it would live."""
    try:
        record = read_record(folder) or {}
    except UnreadableRecord:
        return worst
    metrics = record.get("metrics")
    value = as_number(metrics.get(metric)) if isinstance(metrics, dict) and metric else None
    return worst if value is None else value


def _reseed_sampler(sweeper: SearchSweeper, asked: int) -> None:
    """A seeded sampler restarted on a study would ask again the points it asked first;
    seeding it with the run's seed plus the trials already asked keeps the search
    deterministic for a given interruption and asks new points."""
    from hydra.utils import instantiate

    settings = OmegaConf.select(sweeper.config, "hydra.sweeper.sampler", default=None)
    seed = OmegaConf.select(settings, "seed", default=None) if settings is not None else None
    if seed is None or OmegaConf.select(settings, "_partial_", default=False):
        return  # unseeded, or the grid sampler, which finds its untried points itself
    sweeper.set_sampler(instantiate(settings, seed=int(seed) + asked))


def continue_study(sweeper: SearchSweeper, arguments: list[str]) -> None:
    """Before the Optuna sweeper's own loop: finish interrupted trials, count finished ones.

    ``sweeper`` is the Optuna sweeper's implementation, set up, seen through its door.
    """
    config = sweeper.config
    sweep_dir = Path(str(config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    partial = sweep_dir / f"{MULTIRUN_FILE}.partial"  # the record is never half-written
    OmegaConf.save(config, partial)
    os.replace(partial, sweep_dir / MULTIRUN_FILE)
    if not sweeper.storage:
        return
    import optuna
    from optuna.trial import TrialState

    try:
        study = optuna.load_study(study_name=sweeper.study_name, storage=sweeper.storage)
    except KeyError:
        return  # a new search
    trials = study.get_trials(deepcopy=False)
    running = [trial for trial in trials if trial.state == TrialState.RUNNING]
    finished = [trial for trial in trials if trial.state.is_finished()]
    total = sweeper.n_trials
    folders = job_dir_by_number(sweep_dir)
    metric = OmegaConf.select(config, "optimized_metric", default=None)
    worst = _worst(sweeper)
    to_launch = []
    for trial in running:
        folder = folders.get(trial.number)
        if folder is not None and run_status(folder) in ENDED:
            _finish(study, trial.number, lambda f=folder: _recorded_value(f, metric, worst))
        else:
            to_launch.append(trial)
    done = len(finished) + len(running) - len(to_launch)
    print(
        f"rnnlab: resuming the search in {sweep_dir}: {done} of {total} trials finished, "
        f"{len(to_launch)} to continue",
        flush=True,
    )
    for group in consecutive(to_launch):
        returns = sweeper.launcher.launch(
            [_trial_overrides(trial) for trial in group], initial_job_idx=group[0].number
        )
        for trial, returned in zip(group, returns, strict=True):
            _finish(study, trial.number, lambda r=returned: _value(r))
    sweeper.set_trials_left(max(0, total - len(trials)), next_job=len(trials))
    _reseed_sampler(sweeper, len(trials))
