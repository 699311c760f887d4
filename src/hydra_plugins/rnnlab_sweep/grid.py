"""``hydra/sweeper=resumable`` (rnnlab's default): Hydra's basic grid sweeper that, run again
into the folder of an interrupted sweep, launches only the jobs that did not complete."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from rnnlab.compat.hydra import basic_sweeper_class
from rnnlab.sweep.resuming import ResumingLauncher


class ResumableGridSweeper(basic_sweeper_class()):  # type: ignore[misc]
    """BasicSweeper whose launcher skips completed jobs and continues interrupted ones."""

    def __init__(
        self,
        max_batch_size: int | None = None,
        params: dict[str, str] | None = None,
        retry_failed: bool = False,
    ) -> None:
        super().__init__(max_batch_size=max_batch_size, params=params)
        self.retry_failed = retry_failed

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        sweep_dir = Path(str(config.hydra.sweep.dir))
        self.launcher = ResumingLauncher(self.launcher, sweep_dir, self.retry_failed)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Nothing to do: rnnlab-train's pre-flight composed and validated every job of the
        grid before Hydra started (rnnlab.sweep.preflight); composing each again here would
        cost a fifth of a second a job for nothing."""
