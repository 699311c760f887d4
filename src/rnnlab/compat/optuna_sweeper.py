"""The Optuna sweeper plugin's internals (hydra-optuna-sweeper 1.2/1.3).

rnnlab's resumable search finishes the trials an interrupted search left running before the
plugin's own loop starts. For that it reads the implementation object the plugin keeps
(``OptunaSweeper.sweeper``, an ``OptunaSweeperImpl``) and sets three of its attributes: the
trials still to run, the next job number and a re-seeded sampler. Nothing else in rnnlab
touches the plugin.
"""

from __future__ import annotations

import inspect
from typing import Any

from rnnlab.compat import missing

PACKAGE = "hydra-optuna-sweeper"
#: Attributes of OptunaSweeperImpl that rnnlab reads (after setup) or sets.
READ = ("config", "launcher", "storage", "study_name", "direction", "n_trials")
WRITTEN = ("n_trials", "job_idx", "sampler")


class SearchSweeper:
    """The Optuna sweeper's implementation, seen through the attributes rnnlab uses."""

    def __init__(self, plugin: Any) -> None:
        impl = getattr(plugin, "sweeper", None)
        if impl is None:
            raise missing(PACKAGE, "OptunaSweeper.sweeper", "resume interrupted searches")
        self._impl = impl

    def __getattr__(self, name: str) -> Any:
        if name not in READ:
            raise AttributeError(name)
        return getattr(self._impl, name)

    def set_trials_left(self, n_trials: int, next_job: int) -> None:
        """The plugin's loop runs ``n_trials`` more, numbering jobs from ``next_job``."""
        self._impl.n_trials = n_trials
        self._impl.job_idx = next_job

    def set_sampler(self, sampler: Any) -> None:
        self._impl.sampler = sampler


def check() -> None:
    """Raise CompatError unless the plugin still keeps and uses the attributes above."""
    try:
        from hydra_plugins.hydra_optuna_sweeper import optuna_sweeper
        from hydra_plugins.hydra_optuna_sweeper._impl import OptunaSweeperImpl
    except ImportError:
        raise missing(PACKAGE, "OptunaSweeperImpl", "run resumable searches") from None
    plugin_source = inspect.getsource(optuna_sweeper.OptunaSweeper)
    if "self.sweeper = OptunaSweeperImpl(" not in plugin_source:
        raise missing(PACKAGE, "OptunaSweeper.sweeper", "resume interrupted searches")
    source = inspect.getsource(OptunaSweeperImpl)
    for name in dict.fromkeys((*READ, *WRITTEN)):
        if f"self.{name}" not in source:
            raise missing(PACKAGE, f"OptunaSweeperImpl.{name}", "resume interrupted searches")
