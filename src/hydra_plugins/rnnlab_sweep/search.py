"""``hparams_search=optuna``'s sweeper: rnnlab's own ask-and-tell search on Optuna >= 4.

A thin Hydra ``Sweeper``: it sets up Hydra's configured launcher and hands the search to
``rnnlab.sweep.study`` (the study in the sweep folder, resumable, shared by any number of
launches on the same folder, with pruning).
"""

from __future__ import annotations

from typing import Any

from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from rnnlab.sweep.study import run_search


class OptunaSearchSweeper(Sweeper):
    """Asks Optuna for trials, launches each as job <trial number>, tells it the result."""

    def __init__(self, **settings: Any) -> None:
        # read again from the composed config in setup, where interpolations resolve and
        # the sampler stays a config node (instantiated per trial with its own seed)
        self.settings = settings
        self.config: DictConfig | None = None
        self.launcher: Any = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            config=config, hydra_context=hydra_context, task_function=task_function
        )

    def sweep(self, arguments: list[str]) -> None:
        assert self.config is not None
        run_search(self.config, self.launcher, arguments)
