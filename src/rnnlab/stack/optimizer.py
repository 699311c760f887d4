"""One optimizer for the whole stack: the members' own optimizer class, one group per setting.

Members with the same ``optimizer.lr`` and ``optimizer.weight_decay`` share a parameter group
(a seed sweep: one group for all), members with their own values get their own group (the
rest of the optimizer's settings are the same in a stack). Adam, AdamW and SGD update every
parameter from its own gradient and state, whatever else is in its group, so each member
steps exactly as alone, and one multi-tensor (``foreach``) update covers a whole group instead
of one call per member. A member that diverged has no gradient from then on, which the
optimizer skips: its parameters and state stay as they were.

A member's own optimizer state, in the format of its single run's ``optimizer.state_dict()``,
is cut out of the stack's (``member_state``) for its checkpoint, and the members' states are
joined back (``joined_state``) when a stack resumes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch
from torch import nn

#: Group settings a stack's members may hold each their own value of.
MEMBER_SETTINGS = ("lr", "weight_decay")

Factory = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]


def _own_settings(factory: Factory) -> dict[str, Any]:
    keywords = getattr(factory, "keywords", {}) or {}
    return {key: keywords[key] for key in MEMBER_SETTINGS if key in keywords}


def member_groups(factories: Sequence[Factory]) -> list[list[int]]:
    """The members (their positions) of each parameter group, in order of first member."""
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for k, factory in enumerate(factories):
        groups.setdefault(tuple(sorted(_own_settings(factory).items())), []).append(k)
    return list(groups.values())


def stack_foreach(factory: Factory) -> bool | None:
    """The stack's ``foreach``: the member's own when it sets one, else on where the optimizer
    has a multi-tensor update (torch picks the per-tensor loop on the CPU by default)."""
    target = getattr(factory, "func", factory)
    keywords = getattr(factory, "keywords", {}) or {}
    if keywords.get("foreach") is not None:
        return bool(keywords["foreach"])
    return True if "foreach" in inspect.signature(target).parameters else None


def stacked_optimizer(
    factories: Sequence[Factory], parameters: Sequence[Sequence[nn.Parameter]]
) -> torch.optim.Optimizer:
    """The first member's optimizer class and settings over one group per member setting."""
    groups = [
        {
            "params": [p for k in members for p in parameters[k]],
            **_own_settings(factories[members[0]]),
        }
        for members in member_groups(factories)
    ]
    foreach = stack_foreach(factories[0])
    return factories[0](groups, foreach=True) if foreach else factories[0](groups)


def group_of(optimizer: torch.optim.Optimizer, parameters: Sequence[nn.Parameter]) -> int:
    """The position of the parameter group that holds a member's ``parameters``."""
    first = parameters[0]
    return next(
        i
        for i, group in enumerate(optimizer.param_groups)
        if any(p is first for p in group["params"])
    )


def member_state(
    optimizer: torch.optim.Optimizer,
    parameters: Sequence[nn.Parameter],
    foreach: bool | None = None,
) -> dict[str, Any]:
    """A member's optimizer state (of its ``parameters``) as its single run's
    ``state_dict()`` holds it; ``foreach`` is what the single run's optimizer was built with."""
    group = optimizer.param_groups[group_of(optimizer, parameters)]
    settings = {key: value for key, value in group.items() if key != "params"}
    if "foreach" in settings:
        settings["foreach"] = foreach
    state = {i: optimizer.state[p] for i, p in enumerate(parameters) if p in optimizer.state}
    return {"state": state, "param_groups": [{**settings, "params": list(range(len(parameters)))}]}


def joined_state(
    states: Sequence[dict[str, Any]], groups: Sequence[Sequence[int]], foreach: bool | None
) -> dict[str, Any]:
    """The stack's optimizer state made of its members' (the inverse of ``member_state``):
    ``groups`` as ``member_groups`` makes them, ``foreach`` as the stack's optimizer has it."""
    joined: dict[str, Any] = {"state": {}, "param_groups": []}
    offset = 0
    for members in groups:
        start = offset
        for k in members:
            (group,) = states[k]["param_groups"]
            for index, values in states[k]["state"].items():
                joined["state"][offset + int(index)] = values
            offset += len(group["params"])
        (settings,) = states[members[0]]["param_groups"]
        settings = {**settings, "params": list(range(start, offset))}
        if "foreach" in settings:
            settings["foreach"] = foreach
        joined["param_groups"].append(settings)
    return joined
