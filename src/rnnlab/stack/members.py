"""A stack's members: each one a run of its own, built exactly as its single run builds it.

A member's config, data, network, optimizer and checkpoint settings come from its own job
config, in the single run's order (seed everything, build the data, build the network), so
its initial weights and its batches are those of its single run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from omegaconf import DictConfig

from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.models.module import SequenceModule
from rnnlab.run.components import build, build_datamodule, build_module
from rnnlab.run.monitored_metric import Monitor, run_monitor

#: The class name of Lightning's EarlyStopping, the early stopping a stack runs per member.
EARLY_STOPPING = ".EarlyStopping"


@dataclass(frozen=True)
class MemberJob:
    """What the launcher knows of a job before the stack trains it."""

    #: The job's config, resolved (no interpolation left: Hydra's job state is gone by then).
    cfg: DictConfig
    #: The resolved config as plain containers, data paths absolute: what checkpoints store.
    run_config: dict[str, Any]
    #: The overrides Hydra recorded for the job (metrics.json's ``overrides``).
    overrides: list[str]
    #: (key, value) of the overrides that name the job, for TensorBoard's HPARAMS.
    varied: list[tuple[str, str]]

    @property
    def run_dir(self) -> Path:
        return Path(str(self.cfg.paths.output_dir))


@dataclass
class Member:
    """One member while the stack trains: its parts and how it is doing."""

    job: MemberJob
    datamodule: SequenceDataModule
    module: SequenceModule
    monitor: Monitor | None
    clip_val: float | None
    clip_algorithm: str
    #: ``completed`` until the member diverges; then frozen, with the sentence that says so.
    status: str = "completed"
    message: str | None = None
    #: The last values logged for each metric (train, val, best, test), as a single run's
    #: callback metrics hold them.
    metrics: dict[str, Any] = field(default_factory=dict)
    #: Where a member that diverged stopped: epochs completed and optimizer steps, as its
    #: single run's record would say.
    stopped_at: tuple[int, int] | None = None
    best_score: float | None = None
    best_epoch: int | None = None
    #: The best epoch's weights, kept in memory to test them without reading best.ckpt.
    best_state: dict[str, torch.Tensor] | None = None
    #: The member's own EarlyStopping (Lightning's), when its config has one.
    early_stopping: pl.callbacks.EarlyStopping | None = None
    #: Its EarlyStopping stopped it: no more training, still tested on its best epoch.
    stopped_early: bool = False

    @property
    def active(self) -> bool:
        """Not diverged: its results count (it is tested and recorded as completed)."""
        return self.status == "completed"

    @property
    def training(self) -> bool:
        """Still taking steps: neither diverged nor stopped early."""
        return self.active and not self.stopped_early

    def trained_in(self, epoch: int) -> bool:
        """Whether the member took epoch ``epoch``'s steps (1-based; its EarlyStopping may
        have stopped it at that epoch's end): that epoch's values and checkpoints are its."""
        stopped = self.stopped_at is not None and self.stopped_at[0] >= epoch
        return self.training or (self.active and self.stopped_early and stopped)

    @property
    def seed(self) -> int:
        return int(self.job.cfg.seed)

    def improved(self, score: float) -> bool:
        """Whether ``score`` beats the best so far by the member's monitor (ties do not)."""
        if self.best_score is None:
            return True
        assert self.monitor is not None
        return score > self.best_score if self.monitor.mode == "max" else score < self.best_score


def build_member(job: MemberJob) -> Member:
    """The member's data and network, built in its single run's order from its seed."""
    cfg = job.cfg
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = build_datamodule(cfg)
    spec = datamodule.spec
    module = build_module(cfg, spec)
    clip = cfg.trainer.get("gradient_clip_val")
    return Member(
        job,
        datamodule,
        module,
        run_monitor(cfg, spec),
        float(clip) if clip else None,
        str(cfg.trainer.get("gradient_clip_algorithm") or "norm"),
        early_stopping=_early_stopping(cfg),
    )


def _early_stopping(cfg: DictConfig) -> pl.callbacks.EarlyStopping | None:
    """The job's EarlyStopping callback, built as its single run builds it (or None)."""
    for name, node in (cfg.get("callbacks") or {}).items():
        if node and str(node.get("_target_", "")).endswith(EARLY_STOPPING):
            built = build(f"callbacks.{name}", node)
            return built if isinstance(built, pl.callbacks.EarlyStopping) else None
    return None
