"""An Optuna search run by ask-and-tell: the loop behind ``hparams_search=optuna``.

The study lives in ``hydra.sweeper.storage`` (``<sweep folder>/optuna.db`` by default), and
every launch on the same folder works on it, whether it resumes a killed search or joins one
that is running (another terminal, another node, a SLURM array task). Each launch, in turn:

1. under the folder's ask lock, takes one step: claims the trials a dead worker left
   ``RUNNING`` (rnnlab.sweep.lock.worker_alive), or, if there are none, asks for up to
   ``n_jobs`` new ones — unless the study already holds ``n_trials`` trials, a total across
   all launches and workers, and then it stops (a trial asked past the total, by a worker
   that did not honour the lock, is told failed and never launched);
2. launches them with Hydra's launcher, trial N as job N, so trial numbers and job folders
   never collide; a claimed trial whose run had ended is told its recorded value instead,
   and one that was interrupted continues from its checkpoint in its own folder;
3. tells the study how each ended, from its folder: its metric; the worst value for the
   direction when it failed or diverged (ranked last, the search goes on); ``PRUNED`` when
   its pruner stopped it.

Trial N is asked with a sampler seeded by ``seed + N``: one launch alone asks the same points
every time, a resumed search asks the points the uninterrupted one would have, and two
workers never ask with the same seed.
"""

from __future__ import annotations

import fcntl
import logging
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rnnlab.errors import ConfigError
from rnnlab.run_folder import (
    ENDED,
    UnreadableRecord,
    as_number,
    job_dir_by_number,
    read_record,
    run_status,
)
from rnnlab.search.pruners import make_pruner
from rnnlab.search.space import SearchSpace, search_space
from rnnlab.search.storage import dashboard_command, open_storage
from rnnlab.sweep import lock
from rnnlab.sweep.resuming import consecutive
from rnnlab.sweep.stored import MULTIRUN_FILE

log = logging.getLogger(__name__)

RESULTS_FILE = "optimization_results.yaml"
ASK_LOCK = ".rnnlab-search.lock"
#: User attributes each trial carries: its overrides as launched, and who runs it.
OVERRIDES_ATTR = "rnnlab_overrides"
WORKER_ATTR = "rnnlab_worker"
DIRECTIONS = ("maximize", "minimize")


@dataclass(frozen=True)
class SearchSettings:
    """``hydra.sweeper`` and the task config's search keys, checked."""

    sweep_dir: Path
    study_name: str
    storage: str
    direction: str
    n_trials: int
    n_jobs: int
    metric: str | None
    pruner: str
    max_epochs: int | None
    sampler: Any  # the sampler's config node (instantiated per trial with its seed)
    params: dict[str, str]

    @property
    def worst(self) -> float:
        return float("-inf") if self.direction == "maximize" else float("inf")


def search_settings(config: DictConfig) -> SearchSettings:
    """The search's settings from the composed config; ConfigError in one sentence."""
    sweeper = config.hydra.sweeper
    direction = str(sweeper.get("direction"))
    if direction not in DIRECTIONS:
        raise ConfigError(
            f"hydra.sweeper.direction={direction} is not a direction: use maximize or minimize."
        )
    n_trials, n_jobs = sweeper.get("n_trials"), sweeper.get("n_jobs", 1)
    for key, value in (("n_trials", n_trials), ("n_jobs", n_jobs)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"hydra.sweeper.{key}={value} must be a whole number >= 1.")
    params = OmegaConf.to_container(sweeper.get("params") or {}, resolve=True)
    assert isinstance(params, dict)
    return SearchSettings(
        sweep_dir=Path(str(config.hydra.sweep.dir)),
        study_name=str(sweeper.study_name),
        storage=str(sweeper.storage) if sweeper.get("storage") is not None else "",
        direction=direction,
        n_trials=n_trials,
        n_jobs=n_jobs,
        metric=OmegaConf.select(config, "optimized_metric", default=None),
        pruner=str(OmegaConf.select(config, "hparams_search.pruner", default="none")),
        max_epochs=OmegaConf.select(config, "trainer.max_epochs", default=None),
        sampler=sweeper.get("sampler"),
        params={str(k): str(v) for k, v in params.items()},
    )


def worst_value(direction: str) -> float:
    """The value a failed or diverged trial is told: ranked last for ``direction``."""
    return float("-inf") if direction == "maximize" else float("inf")


@contextmanager
def _asking(sweep_dir: Path) -> Iterator[None]:
    """One launch at a time counts the trials and asks new ones (flock: one machine, and
    the shared file systems that honour it; ConfigError on one that does not)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    path = sweep_dir / ASK_LOCK
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as error:
            raise ConfigError(
                f"{path} could not be locked ({error.strerror or error}): the file system of "
                f"{sweep_dir} does not support file locks (flock), which a search needs to ask "
                "its trials one worker at a time; give a hydra.sweep.dir on a file system "
                "that supports them (a local disk, NFS with locking), or keep the study in a "
                "database (hydra.sweeper.storage=postgresql://user@host/db)."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recorded_value(
    folder: Path | None, settings: SearchSettings, worst: float
) -> tuple[str, float | None]:
    """How a trial's run ended, from its folder: (state, value) with state one of complete,
    pruned, fail; a failed or diverged run is ranked worst, as it would be live."""
    status = run_status(folder) if folder is not None else "missing"
    if status == "pruned":
        return "pruned", None
    if status not in ENDED:
        return "fail", None  # the run did not end (its worker was killed): nothing to rank
    try:
        record = read_record(folder) if folder is not None else None
    except UnreadableRecord:
        record = None
    metrics = (record or {}).get("metrics")
    value = as_number(metrics.get(settings.metric)) if isinstance(metrics, dict) else None
    if status != "completed" or value is None or not math.isfinite(value):
        return "complete", worst
    return "complete", value


@dataclass(frozen=True)
class _Pending:
    """A trial to launch: its number (its job's number) and its overrides."""

    number: int
    overrides: tuple[str, ...]

    @classmethod
    def of(cls, trial: Any, space: SearchSpace) -> _Pending:
        """A claimed trial; its overrides rebuilt from its parameters when its worker was
        killed before recording them (never launched without them, as the default config)."""
        recorded = trial.user_attrs.get(OVERRIDES_ATTR)
        if not recorded:
            recorded = space.trial_overrides(trial.params)
        return cls(trial.number, tuple(recorded))


class Search:
    """One launch's part in a search: ask, launch, tell, until the study holds n_trials."""

    def __init__(self, settings: SearchSettings, launcher: Any, arguments: Sequence[str]):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)  # rnnlab says what it does
        self.settings = settings
        self.launcher = launcher
        self.space: SearchSpace = search_space(settings.params, arguments)
        self.pruner = make_pruner(settings.pruner, settings.max_epochs)
        self.worker = lock.worker_id()
        # one worker at a time creates the storage's tables and the study (two at once
        # collide in SQLite); the ask lock makes the folder, where the default study lives
        with _asking(settings.sweep_dir):
            self.storage = open_storage(settings.storage)
            study = optuna.create_study(
                study_name=settings.study_name,
                storage=self.storage,
                direction=settings.direction,
                load_if_exists=True,
            )
        # Optuna loads an existing study whatever direction it is given
        self.direction = study.direction.name.lower()
        if self.direction != settings.direction:
            raise ConfigError(
                f"hydra.sweeper.direction={settings.direction} differs from the direction of "
                f"the study {settings.study_name!r} in {settings.storage}, which is "
                f"{self.direction}: give hydra.sweeper.direction={self.direction}, or a new "
                "hydra.sweep.dir for a new search."
            )
        self.worst = worst_value(self.direction)

    def study(self, next_number: int | None = None) -> Any:
        """The study, with a sampler seeded for trial ``next_number``."""
        import optuna

        return optuna.load_study(
            study_name=self.settings.study_name,
            storage=self.storage,
            sampler=self._sampler(next_number),
            pruner=self.pruner,
        )

    def _sampler(self, number: int | None) -> Any:
        from hydra.utils import instantiate

        node = self.settings.sampler
        if node is None:
            return None
        seed = OmegaConf.select(node, "seed", default=None)
        if seed is None or number is None:
            return instantiate(node)
        return instantiate(node, seed=int(seed) + number)

    # ------------------------------------------------------------------ one step

    def _claim_or_ask(self) -> tuple[list[_Pending], list[_Pending]] | None:
        """(claimed trials, new trials) for this step, or None when the search is done."""
        from optuna.trial import TrialState

        with _asking(self.settings.sweep_dir):
            study = self.study()
            trials = study.get_trials(deepcopy=False)
            orphans = [
                t
                for t in trials
                if t.state == TrialState.RUNNING
                and not lock.worker_alive(self.settings.sweep_dir, t.user_attrs.get(WORKER_ATTR))
            ]
            for trial in orphans:
                self._mark_mine(study, trial.number)
            if orphans:
                return [_Pending.of(t, self.space) for t in orphans], []
            left = self.settings.n_trials - len(trials)
            if left <= 0:
                return None
            asked: list[_Pending] = []
            for offset in range(min(self.settings.n_jobs, left)):
                study = self.study(len(trials) + offset)
                trial = study.ask(fixed_distributions=self.space.distributions)
                if trial.number >= self.settings.n_trials:
                    # another worker asked past the lock: the total is reached
                    log.warning(
                        "Trial %d is past hydra.sweeper.n_trials=%d; it is marked failed",
                        trial.number,
                        self.settings.n_trials,
                    )
                    study.tell(trial, state=TrialState.FAIL)
                    return ([], asked) if asked else None
                trial.set_user_attr(WORKER_ATTR, self.worker)
                overrides = self.space.trial_overrides(trial.params)
                trial.set_user_attr(OVERRIDES_ATTR, list(overrides))
                asked.append(_Pending(trial.number, overrides))
            return [], asked

    def _mark_mine(self, study: Any, number: int) -> None:
        """Record this launch as the worker of a claimed trial (Optuna keeps user
        attributes per trial id, which its public ``Trial`` reaches by number)."""
        import optuna

        study_id = self.storage.get_study_id_from_name(self.settings.study_name)
        trial_id = self.storage.get_trial_id_from_study_id_trial_number(study_id, number)
        optuna.trial.Trial(study, trial_id).set_user_attr(WORKER_ATTR, self.worker)

    def _launch(self, trials: Sequence[_Pending]) -> None:
        """Launch trials (runs of consecutive numbers as one launch each), then tell them."""
        for group in consecutive(trials):
            self.launcher.launch(
                [list(t.overrides) for t in group],
                initial_job_idx=group[0].number,
            )
            self._tell([t.number for t in group])

    def _tell(self, numbers: Sequence[int]) -> None:
        from optuna.trial import TrialState

        study = self.study()
        folders = job_dir_by_number(self.settings.sweep_dir)
        for number in numbers:
            state, value = _recorded_value(folders.get(number), self.settings, self.worst)
            if state == "pruned":
                study.tell(number, state=TrialState.PRUNED, skip_if_finished=True)
            elif state == "fail":
                log.warning("Trial %d did not end; it is marked failed", number)
                study.tell(number, state=TrialState.FAIL, skip_if_finished=True)
            else:
                study.tell(number, value, skip_if_finished=True)

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        self._say_where()
        while (step := self._claim_or_ask()) is not None:
            claimed, asked = step
            if claimed:
                folders = job_dir_by_number(self.settings.sweep_dir)
                ended = [t for t in claimed if run_status_of(folders.get(t.number)) in ENDED]
                self._tell([t.number for t in ended])  # told once, not run again
                self._launch([t for t in claimed if t not in ended])
            self._launch(asked)
        self._write_results()

    def _say_where(self) -> None:
        from optuna.trial import TrialState

        trials = self.study().get_trials(deepcopy=False)
        if not trials:
            print(f"rnnlab: study {self.settings.study_name!r} in {self.settings.storage}")
            return
        finished = sum(t.state.is_finished() for t in trials)
        running = [t for t in trials if t.state == TrialState.RUNNING]
        alive = [
            t
            for t in running
            if lock.worker_alive(self.settings.sweep_dir, t.user_attrs.get(WORKER_ATTR))
        ]
        verb = "joining" if alive else "resuming"
        line = (
            f"rnnlab: {verb} the search in {self.settings.sweep_dir}: {finished} of "
            f"{self.settings.n_trials} trials finished, {len(running) - len(alive)} to continue"
        )
        if alive:
            line += f", {len(alive)} running in other workers"
        print(line, flush=True)

    def _write_results(self) -> None:
        """optimization_results.yaml: the best trial so far (each worker writes it as it
        ends; the last to end writes the whole search's)."""
        study = self.study()
        try:
            best = study.best_trial
        except ValueError:
            log.warning("No trial completed, so the search has no best trial")
            return
        results = {"name": "optuna", "best_params": best.params, "best_value": best.value}
        log.info("Best parameters: %s", best.params)
        log.info("Best value: %s", best.value)
        log.info("See the study: %s", dashboard_command(self.settings.storage))
        path = self.settings.sweep_dir / RESULTS_FILE
        partial = path.with_name(f"{RESULTS_FILE}.{os.getpid()}.partial")
        OmegaConf.save(OmegaConf.create(results), partial)
        os.replace(partial, path)


def run_search(config: DictConfig, launcher: Any, arguments: Sequence[str]) -> None:
    """The sweeper's ``sweep``: record the sweep, then run this launch's part of the search.
    A setting only a launch can find bad (a storage that cannot be opened) is said in one
    sentence, exit status 2, as the checks before Hydra say theirs."""
    import sys

    from rnnlab.errors import RnnlabError
    from rnnlab.sweep import launches

    try:
        search = Search(search_settings(config), launcher, arguments)
        save_sweep_record(config)
        search.run()
    except RnnlabError as error:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        launches.ended(sweep_dir, failed=True)
        _remove_if_unused(sweep_dir)
        print(f"rnnlab-train: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _remove_if_unused(sweep_dir: Path) -> None:
    """Remove a sweep folder a refused search made and left nothing in but its ask lock."""
    with suppress(OSError):
        if {p.name for p in sweep_dir.iterdir()} <= {ASK_LOCK}:
            (sweep_dir / ASK_LOCK).unlink(missing_ok=True)
            sweep_dir.rmdir()


def run_status_of(folder: Path | None) -> str:
    return run_status(folder) if folder is not None else "missing"


def save_sweep_record(config: DictConfig) -> None:
    """The sweep folder's multirun.yaml (Hydra's basic sweeper writes one, a search needs
    its own), which rnnlab-train and rnnlab-report read to resume and report the search;
    written aside and renamed, so it is never half-written."""
    sweep_dir = Path(str(config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    partial = sweep_dir / f"{MULTIRUN_FILE}.{os.getpid()}.partial"
    OmegaConf.save(config, partial)
    os.replace(partial, sweep_dir / MULTIRUN_FILE)
