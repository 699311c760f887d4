"""``hydra/launcher=stacked``: a sweep's same-shaped jobs train as one stacked network.

Hydra finds launchers only in the ``hydra_plugins`` namespace, so this thin class lives here;
what it does is in ``rnnlab.sweep.stacked_launch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hydra.core.utils import JobReturn, configure_log, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class StackedLauncher(Launcher):
    """Groups the jobs into stacks and trains each stack in this process."""

    def __init__(self, max_members: int = 64) -> None:
        self.max_members = max_members
        self.launch_: Any = None
        self.config: DictConfig | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        # imported here, not at the top: Hydra imports every plugin module at each start,
        # and the stack's modules import torch (seconds) that a config check must not pay
        from rnnlab.sweep.stacked_launch import StackedLaunch

        self.config = config
        self.launch_ = StackedLaunch(hydra_context, task_function, config, self.max_members)

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        assert self.launch_ is not None and self.config is not None
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        return self.launch_.launch(job_overrides, initial_job_idx)
