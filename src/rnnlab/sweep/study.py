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
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from rnnlab.sweep.stored import MULTIRUN_FILE

log = logging.getLogger(__name__)


def _trial_overrides(trial: Any) -> tuple[str, ...]:
    """A stored trial's overrides, built as the Optuna sweeper built them at launch:
    its sampled parameters, then the fixed values it records as user attributes."""
    return tuple(
        f"{name}={value}" for name, value in dict(trial.params, **trial.user_attrs).items()
    )


def _finish(study: Any, trial: Any, returned: Any) -> None:
    from optuna.trial import TrialState

    try:
        value = float(returned.return_value)
    except Exception as error:  # a failed job, or a value the search cannot rank
        log.warning("Trial %d failed: %s", trial.number, error)
        study.tell(trial.number, state=TrialState.FAIL)
        return
    study.tell(trial.number, value)


def continue_study(sweeper: Any, arguments: list[str]) -> None:
    """Before the Optuna sweeper's own loop: finish interrupted trials, count finished ones.

    ``sweeper`` is the Optuna sweeper's implementation (``OptunaSweeperImpl``), set up.
    """
    config = sweeper.config
    sweep_dir = Path(str(config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(config, sweep_dir / MULTIRUN_FILE)
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
    print(
        f"rnnlab: resuming the search in {sweep_dir}: {len(finished)} of {total} trials "
        f"finished, {len(running)} to continue",
        flush=True,
    )
    for trial in running:
        (returned,) = sweeper.launcher.launch(
            [_trial_overrides(trial)], initial_job_idx=trial.number
        )
        _finish(study, trial, returned)
    sweeper.n_trials = max(0, total - len(trials))
    sweeper.job_idx = len(trials)
