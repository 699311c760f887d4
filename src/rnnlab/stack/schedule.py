"""A stack's learning-rate schedule: the members' own, as one scheduler over the stack's groups.

Schedules that set each parameter group's rate from that group's own starting rate (cosine,
step, exponential, ...) give every member exactly its single run's rates when they run over the
stack's optimizer, whose groups hold the members' own rates (rnnlab.stack.optimizer). A
schedule that watches a metric (ReduceLROnPlateau) would need one scheduler per member, so a job
with one runs alone. A member's checkpoint holds its share of the scheduler's state, in its
single run's format, and the members' shares are joined back when a stack resumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Schedules that run per group from the group's own rate: these stack.
STACKABLE_SCHEDULES = tuple(
    f"torch.optim.lr_scheduler.{name}"
    for name in (
        "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts",
        "StepLR",
        "MultiStepLR",
        "ExponentialLR",
        "LinearLR",
        "ConstantLR",
        "PolynomialLR",
    )
)
#: The entries of those schedulers' state that hold one value per parameter group.
_PER_GROUP = ("base_lrs", "_last_lr")


def member_schedule_state(state: dict[str, Any], group: int) -> dict[str, Any]:
    """The scheduler state of one member, whose parameters are the stack's group ``group``,
    as its single run's scheduler (over one group) holds it."""
    return {key: [value[group]] if key in _PER_GROUP else value for key, value in state.items()}


def joined_schedule_state(
    states: Sequence[dict[str, Any]], groups: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """The stack's scheduler state made of its members' (the inverse of the above):
    ``groups`` lists the members of each of the stack's parameter groups."""
    joined = dict(states[0])
    for key in _PER_GROUP:
        if key in joined:
            joined[key] = [states[members[0]][key][0] for members in groups]
    return joined
