"""One optimizer for the whole stack: the members' own optimizer class, one group per member.

Each member's parameters form a parameter group with that member's ``optimizer.lr`` and
``optimizer.weight_decay`` (the rest of the optimizer's settings are the same in a stack), so
each member steps exactly as alone: Adam, AdamW and SGD update every parameter from its own
gradient and state, whatever else is in the optimizer. One ``step`` updates all members, with
the optimizer's multi-tensor (``foreach``) implementation where it has one. A member that
diverged has no gradient from then on, which the optimizer skips: its parameters and state
stay as they were.

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


def _own_settings(factory: Callable[..., torch.optim.Optimizer]) -> dict[str, Any]:
    keywords = getattr(factory, "keywords", {}) or {}
    return {key: keywords[key] for key in MEMBER_SETTINGS if key in keywords}


def stacked_optimizer(
    factories: Sequence[Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]],
    parameters: Sequence[Sequence[nn.Parameter]],
) -> torch.optim.Optimizer:
    """The first member's optimizer class and settings over one group per member."""
    groups = [
        {"params": list(params), **_own_settings(factory)}
        for factory, params in zip(factories, parameters, strict=True)
    ]
    factory = factories[0]
    target = getattr(factory, "func", factory)
    foreach = "foreach" in inspect.signature(target).parameters
    keywords = getattr(factory, "keywords", {}) or {}
    if foreach and keywords.get("foreach") is None:
        return factory(groups, foreach=True)
    return factory(groups)


def member_state(
    optimizer: torch.optim.Optimizer, k: int, foreach: bool | None = None
) -> dict[str, Any]:
    """Member ``k``'s optimizer state as its single run's ``state_dict()`` holds it."""
    group = optimizer.param_groups[k]
    params = group["params"]
    settings = {key: value for key, value in group.items() if key != "params"}
    if "foreach" in settings:
        settings["foreach"] = foreach  # what the single run's optimizer was built with
    state = {i: optimizer.state[p] for i, p in enumerate(params) if p in optimizer.state}
    return {"state": state, "param_groups": [{**settings, "params": list(range(len(params)))}]}


def joined_state(states: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The stack's optimizer state made of its members' (the inverse of ``member_state``)."""
    joined: dict[str, Any] = {"state": {}, "param_groups": []}
    offset = 0
    for state in states:
        (group,) = state["param_groups"]
        for index, values in state["state"].items():
            joined["state"][offset + int(index)] = values
        count = len(group["params"])
        joined["param_groups"].append({**group, "params": list(range(offset, offset + count))})
        offset += count
    return joined
