"""Train a stack: build its members, fit them as one network under one Lightning Trainer,
test each on its own best epoch, and leave each member's run folder as its single run would.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from omegaconf import DictConfig

from rnnlab.run.checkpoints import resumed_from
from rnnlab.run.quiet import quiet_known_warnings
from rnnlab.run.threads import set_run_threads
from rnnlab.stack.checkpoints import MemberCheckpoints
from rnnlab.stack.data import StackedDataModule
from rnnlab.stack.early_stopping import MemberEarlyStopping
from rnnlab.stack.members import Member, MemberJob, build_member
from rnnlab.stack.module import StackedModule
from rnnlab.stack.outputs import (
    MemberScalars,
    draw_all,
    figure_order,
    member_loggers,
    member_metrics,
    write_member,
)
from rnnlab.stack.resume import joined_checkpoint, restore_members, resume_epoch, resume_point


def _trainer(cfg: DictConfig, callbacks: list[pl.Callback]) -> pl.Trainer:
    """One Trainer for the stack, with the loop settings the members share; clipping, logging
    and checkpoints are the members' own (see StackedModule and the callbacks)."""
    trainer = cfg.trainer
    return pl.Trainer(
        accelerator=trainer.get("accelerator", "auto"),
        devices=1,
        precision=trainer.get("precision", "32-true"),
        max_epochs=trainer.get("max_epochs"),
        min_epochs=trainer.get("min_epochs"),
        max_steps=trainer.get("max_steps", -1),
        check_val_every_n_epoch=trainer.get("check_val_every_n_epoch", 1),
        limit_train_batches=trainer.get("limit_train_batches"),
        limit_val_batches=trainer.get("limit_val_batches"),
        limit_test_batches=trainer.get("limit_test_batches"),
        num_sanity_val_steps=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=callbacks,
    )


def _record(
    member: Member,
    trainer: pl.Trainer,
    wall_time: float,
    size: int,
    point: dict[str, Any] | None,
) -> dict[str, Any]:
    job, module = member.job, member.module
    path = job.cfg.get("ckpt_path")
    checkpoint = job.cfg.get("callbacks", {}).get("model_checkpoint")
    folder = "checkpoints"
    best = f"{folder}/best.ckpt" if checkpoint and member.best_epoch else None
    last = f"{folder}/last.ckpt" if checkpoint and checkpoint.get("save_last") else None
    completed = member.status == "completed"
    monitor = member.monitor
    return {
        "status": member.status,
        "message": member.message,
        "name": job.cfg.name,
        "task": module.spec.name,
        "metrics": member_metrics(member),
        "epochs": member.stopped_at[0] if member.stopped_at else trainer.current_epoch,
        "global_step": member.stopped_at[1] if member.stopped_at else trainer.global_step,
        "wall_time_s": round(wall_time / size, 3),
        "checkpoints": {"best": best, "last": last},
        "tested_checkpoint": best if completed else None,
        "tested_epoch": member.best_epoch if completed else None,
        "best": None
        if monitor is None
        else {"monitor": monitor.metric, "mode": monitor.mode, "value": member.best_score},
        "resumed_from": resumed_from(str(path), point) if path and point else None,
        "overrides": job.overrides,
        "torch_threads": torch.get_num_threads(),
        "stack": {"members": size, "wall_time_s": round(wall_time, 3)},
        "task_spec": module.spec.to_dict(),
        "config": job.run_config,
    }


def train_stack(jobs: Sequence[MemberJob]) -> list[Member]:
    """Train the jobs as stacks; every member's run folder is complete when this returns.

    Jobs that continue from a checkpoint (a resumed sweep) train with the members that stopped
    at the same epoch: one stack for each such epoch, in order of their first job.
    """
    points = [resume_point(job) for job in jobs]
    by_epoch: dict[int, list[int]] = {}
    for position, point in enumerate(points):
        by_epoch.setdefault(resume_epoch(point), []).append(position)
    trained: dict[int, Member] = {}
    for positions in by_epoch.values():
        members = _train_one_stack([jobs[p] for p in positions], [points[p] for p in positions])
        trained.update(zip(positions, members, strict=True))
    return [trained[position] for position in range(len(jobs))]


def _train_one_stack(
    jobs: Sequence[MemberJob], points: Sequence[dict[str, Any] | None]
) -> list[Member]:
    started = time.perf_counter()
    set_run_threads(jobs[0].cfg, members=len(jobs))
    quiet_known_warnings()
    members = [build_member(job) for job in jobs]
    module = StackedModule(members)
    datamodule = StackedDataModule([member.datamodule for member in members])
    loggers = member_loggers(members)
    checkpoints = MemberCheckpoints(members)
    # early stopping before the checkpoints: a member's last.ckpt of the epoch it stopped
    # holds its EarlyStopping's verdict, as Lightning's ModelCheckpoint saves after it
    callbacks = [MemberScalars(members, loggers), MemberEarlyStopping(members), checkpoints]
    trainer = _trainer(jobs[0].cfg, callbacks)
    if points[0] is None:
        trainer.fit(module, datamodule=datamodule)
    else:
        restore_members(members, points, checkpoints)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory() as folder:
            joined = Path(folder) / "stack.ckpt"
            factories = [member.module.optimizer_factory for member in members]
            torch.save(joined_checkpoint(points, factories), joined)  # type: ignore[arg-type]
            trainer.fit(module, datamodule=datamodule, ckpt_path=str(joined))
    if trainer.interrupted:
        raise KeyboardInterrupt
    if jobs[0].cfg.get("test", True):
        for member in members:
            if member.active and member.best_state is not None:
                member.module.load_state_dict(member.best_state)
        trainer.test(module, datamodule=datamodule, verbose=False)
    draw_all([figure_order(member) for member in members])
    wall_time = time.perf_counter() - started
    for k, member in enumerate(members):
        record = _record(member, trainer, wall_time, len(members), points[k])
        write_member(member, loggers[k], record, checkpoints.gradient_history[k])
    return members
