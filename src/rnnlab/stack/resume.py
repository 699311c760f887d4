"""A stack that continues from its members' last checkpoints, after a kill.

Members interrupted together wrote their ``last.ckpt`` at the same epoch; each is a single
run's checkpoint (rnnlab.stack.checkpoints). Joined, they make the stack's own checkpoint —
the members' weights side by side, their optimizer states, the shared loop progress — from
which Lightning continues the stack exactly where it was; each member also gets back its loss
curve, its best epoch (score, path, weights) and its gradient statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from rnnlab.run.checkpoints import load_run_checkpoint
from rnnlab.stack.checkpoints import GRADIENT_MONITOR_KEY, MemberCheckpoints
from rnnlab.stack.members import Member, MemberJob
from rnnlab.stack.optimizer import Factory, joined_state, member_groups
from rnnlab.stack.schedule import joined_schedule_state


def resume_point(job: MemberJob) -> dict[str, Any] | None:
    """The member's checkpoint to continue from (its ``ckpt_path``), or None to start fresh."""
    path = job.cfg.get("ckpt_path")
    return load_run_checkpoint(str(path)) if path else None


def resume_epoch(checkpoint: dict[str, Any] | None) -> int:
    """Where a member continues: -1 for a fresh start (a checkpoint after the first epoch
    says 0), so fresh and continuing members never share a stack."""
    return -1 if checkpoint is None else int(checkpoint.get("epoch", 0))


def joined_checkpoint(
    checkpoints: Sequence[dict[str, Any]], factories: Sequence[Factory]
) -> dict[str, Any]:
    """The stack's checkpoint made of its members' (see the module docstring); ``factories``
    are the members' optimizers, which group them as the stack's optimizer does."""
    first = checkpoints[0]
    state = {
        f"members.{k}.{name}": tensor
        for k, checkpoint in enumerate(checkpoints)
        for name, tensor in checkpoint["state_dict"].items()
    }
    groups = member_groups(factories)
    optimizer = joined_state(
        [checkpoint["optimizer_states"][0] for checkpoint in checkpoints], groups
    )
    schedules = [checkpoint.get("lr_schedulers") or [] for checkpoint in checkpoints]
    schedule = [joined_schedule_state([s[0] for s in schedules], groups)] if schedules[0] else []
    return {
        "epoch": first["epoch"],
        "global_step": first["global_step"],
        "pytorch-lightning_version": first["pytorch-lightning_version"],
        "state_dict": state,
        "loops": first["loops"],
        "callbacks": {},
        "optimizer_states": [optimizer],
        "lr_schedulers": schedule,
    }


def restore_members(
    members: Sequence[Member],
    checkpoints: Sequence[dict[str, Any]],
    writer: MemberCheckpoints,
) -> None:
    """Each member's loss curve, best epoch and gradient statistics, from its checkpoint."""
    for k, (member, checkpoint) in enumerate(zip(members, checkpoints, strict=True)):
        member.module.on_load_checkpoint(checkpoint)
        states = checkpoint.get("callbacks") or {}
        writer.gradient_history[k] = list(states.get(GRADIENT_MONITOR_KEY, {}).get("history", []))
        stopping = member.early_stopping
        if stopping is not None and stopping.state_key in states:
            stopping.load_state_dict(states[stopping.state_key])
        callback = writer.callbacks[k]
        if callback is None or callback.state_key not in states:
            continue
        callback.load_state_dict(states[callback.state_key])
        score = callback.best_model_score
        best = Path(str(callback.best_model_path or ""))
        if score is None or not best.is_file():
            continue
        member.best_score = float(score)
        stored = torch.load(best, map_location="cpu", weights_only=True)
        member.best_state = stored["state_dict"]
        member.best_epoch = int(stored["epoch"]) + 1
