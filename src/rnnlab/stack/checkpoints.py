"""Each member's ``best.ckpt`` and ``last.ckpt``, in the format of its single run's.

After every validation, the stack's own checkpoint (Lightning's, for the stack) lends its loop
progress, epoch and global step, which a member shares; the member adds its own weights,
optimizer state, checkpoint-callback state (best score and paths), gradient statistics and
rnnlab's keys (run config, normalisation, TaskSpec, loss curve). So ``rnnlab-eval`` tests a
member's checkpoint, and ``rnnlab-train ckpt_path=…/last.ckpt`` resumes it, as a single run's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch

from rnnlab.callbacks.checkpoint import RunCheckpoint
from rnnlab.callbacks.run_config import CHECKPOINT_KEY, NORMALISATION_KEY, TASK_SPEC_KEY
from rnnlab.compat.lightning import checkpoint_of
from rnnlab.run.components import build
from rnnlab.run.monitored_metric import CHECKPOINT_NODE, resolved_monitor_kwargs
from rnnlab.stack.members import Member
from rnnlab.stack.optimizer import group_of, member_state, own_implementation
from rnnlab.stack.schedule import member_schedule_state

#: The state key of the gradient monitor, whose per-epoch statistics a member keeps too.
GRADIENT_MONITOR_KEY = "GradientMonitor"


def checkpoint_callback(member: Member) -> RunCheckpoint | None:
    """The member's own checkpoint callback, as its single run builds it: it names the files
    and holds the state a resumed run reads (best score and path)."""
    node = member.job.cfg.get("callbacks", {}).get("model_checkpoint")
    if not node:
        return None
    kwargs = resolved_monitor_kwargs(node, member.module.spec, CHECKPOINT_NODE)
    callback = build(CHECKPOINT_NODE, node, **kwargs)
    return callback if isinstance(callback, RunCheckpoint) else None


def _save(checkpoint: dict[str, Any], path: Path) -> None:
    """Written aside, then renamed: a kill leaves the previous file, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(checkpoint, partial)
    os.replace(partial, path)


class MemberCheckpoints(pl.Callback):
    """After each validation: every active member's last.ckpt, and best.ckpt when its monitor
    improved (see the module docstring)."""

    def __init__(self, members: list[Member]) -> None:
        self.members = members
        self.callbacks = [checkpoint_callback(member) for member in members]
        #: Per member, the per-epoch gradient statistics (gradient_norms.json's records).
        self.gradient_history: list[list[dict[str, float]]] = [[] for _ in members]
        self.optimizer: torch.optim.Optimizer | None = None
        self.schedule: Any = None
        #: Each member's own implementation keywords (foreach, fused): its checkpoint keeps them.
        self.own_implementation = [own_implementation(m.module.optimizer_factory) for m in members]

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        shared = checkpoint_of(trainer)
        self.optimizer = trainer.optimizers[0] if trainer.optimizers else None
        schedules = trainer.lr_scheduler_configs
        self.schedule = schedules[0].scheduler if schedules else None
        epoch = trainer.current_epoch + 1
        for k, member in enumerate(self.members):
            self._note_gradients(k, member, epoch)
            callback = self.callbacks[k]
            if callback is None or not member.trained_in(epoch):
                continue
            best = self._note_best(member, callback, epoch)
            checkpoint = self.member_checkpoint(shared, k)
            if best:
                _save(checkpoint, Path(callback.best_model_path))
            if callback.save_last:
                _save(checkpoint, Path(callback.last_model_path))

    def _note_gradients(self, k: int, member: Member, epoch: int) -> None:
        values = {n: v for n, v in member.metrics.items() if n.startswith("grad/")}
        if values and member.trained_in(epoch):
            record = {"epoch": epoch, **values}
            if "train/loss" in member.metrics:
                record["train/loss"] = member.metrics["train/loss"]
            self.gradient_history[k].append(record)

    @staticmethod
    def _note_best(member: Member, callback: RunCheckpoint, epoch: int) -> bool:
        """Update the callback's state as ModelCheckpoint would; True if this epoch is best."""
        dirpath = Path(str(callback.dirpath))
        callback.last_model_path = str(dirpath / f"{callback.CHECKPOINT_NAME_LAST}.ckpt")
        best_path = str(dirpath / f"{callback.filename}.ckpt")
        monitor = member.monitor
        score = member.metrics.get(monitor.metric) if monitor else None
        if monitor is None or score is None:
            callback.best_model_path = best_path  # no monitor: the latest epoch is "best"
            member.best_epoch = epoch
            member.best_state = _copy(member.module.state_dict())
            return True
        callback.current_score = torch.tensor(score)
        if not member.improved(score):
            return False
        member.best_score, member.best_epoch = score, epoch
        member.best_state = _copy(member.module.state_dict())
        callback.best_model_path = callback.kth_best_model_path = best_path
        callback.best_model_score = callback.kth_value = torch.tensor(score)
        callback.best_k_models = {best_path: torch.tensor(score)}
        return True

    def _schedule_state(self, parameters: list[torch.nn.Parameter]) -> list[dict[str, Any]]:
        if self.schedule is None or self.optimizer is None:
            return []
        group = group_of(self.optimizer, parameters)
        return [member_schedule_state(self.schedule.state_dict(), group)]

    def member_checkpoint(self, shared: dict[str, Any], k: int) -> dict[str, Any]:
        """The member's checkpoint in the single-run format (see the module docstring)."""
        member, callback = self.members[k], self.callbacks[k]
        module = member.module
        optimizer = self.optimizer
        parameters = list(module.parameters())  # in the order its single run's optimizer has
        callbacks: dict[str, Any] = {}
        if callback is not None:
            callbacks[callback.state_key] = callback.state_dict()
        if self.gradient_history[k]:
            callbacks[GRADIENT_MONITOR_KEY] = {"history": list(self.gradient_history[k])}
        if member.early_stopping is not None:
            callbacks[member.early_stopping.state_key] = member.early_stopping.state_dict()
        checkpoint: dict[str, Any] = {
            "epoch": shared["epoch"],
            "global_step": shared["global_step"],
            "pytorch-lightning_version": shared["pytorch-lightning_version"],
            "state_dict": module.state_dict(),
            "loops": shared["loops"],
            "callbacks": callbacks,
            "optimizer_states": [member_state(optimizer, parameters, self.own_implementation[k])]
            if optimizer
            else [],
            "lr_schedulers": self._schedule_state(parameters),
            CHECKPOINT_KEY: member.job.run_config,
            TASK_SPEC_KEY: module.spec.to_dict(),
        }
        normalisation = member.datamodule.normalisation
        if normalisation is not None:
            checkpoint[NORMALISATION_KEY] = normalisation.to_dict()
        module.on_save_checkpoint(checkpoint)
        return checkpoint


def _copy(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in state.items()}
