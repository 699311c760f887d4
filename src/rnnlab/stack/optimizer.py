"""One optimizer for the whole stack: the members' own optimizer class, one group per setting.

Members with the same ``optimizer.lr`` and ``optimizer.weight_decay`` share a parameter group
(a seed sweep: one group for all), members with their own values get their own group (the
rest of the optimizer's settings are the same in a stack). Adam, AdamW and SGD update every
parameter from its own gradient and state, whatever else is in its group, so each member
steps exactly as alone; the stack computes with torch's fused multi-tensor kernels where it
has them (else ``foreach``), not the per-tensor loop torch picks on the CPU by default. A member
that diverged has no gradient from then on, which the optimizer skips: its parameters and
state stay as they were.

A member's own optimizer state, in the format of its single run's ``optimizer.state_dict()``,
is cut out of the stack's (``member_state``) for its checkpoint, and the members' states are
joined back (``joined_state``) when a stack resumes.
"""

from __future__ import annotations

import functools
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


#: The optimizer keywords that choose how it computes, not what: a member's checkpoint keeps
#: its own values of them, the stack's optimizer may use others.
IMPLEMENTATION = ("foreach", "fused")
#: The optimizers whose fused kernels the stack uses where this torch has them.
FUSED = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)


def own_implementation(factory: Factory) -> dict[str, Any]:
    """The implementation keywords a member's optimizer config sets itself."""
    keywords = getattr(factory, "keywords", {}) or {}
    return {key: keywords[key] for key in IMPLEMENTATION if keywords.get(key) is not None}


@functools.cache
def _fused_runs(optimizer: type[torch.optim.Optimizer], device_type: str) -> bool:
    """Whether this torch steps ``optimizer`` fused on the device (the CPU since torch 2.4):
    tried once on one number."""
    try:
        parameter = torch.zeros(1, device=device_type, requires_grad=True)
        parameter.grad = torch.ones_like(parameter)
        optimizer([parameter], lr=0.1, fused=True).step()  # type: ignore[call-arg]
    except Exception:  # no such device, or no fused kernel for it in this torch
        return False
    return True


def stack_implementation(factory: Factory, device: torch.device | str) -> dict[str, bool]:
    """How the stack's optimizer computes: as the member's config says when it chooses;
    else fused (a few multi-tensor kernels for all parameters) where torch has it for the
    optimizer and device, else multi-tensor ``foreach`` rather than the loop over tensors
    torch picks on the CPU by default. All compute the same update, to float rounding."""
    own = own_implementation(factory)
    if own.get("foreach") is not None or own.get("fused"):
        return own
    target = getattr(factory, "func", factory)
    parameters = inspect.signature(target).parameters
    fused = isinstance(target, type) and issubclass(target, FUSED) and "fused" in parameters
    if fused and "fused" not in own and _fused_runs(target, torch.device(device).type):
        return {"fused": True}
    return {**own, "foreach": True} if "foreach" in parameters else own


def stacked_optimizer(
    factories: Sequence[Factory],
    parameters: Sequence[Sequence[nn.Parameter]],
    device: torch.device | str = "cpu",
) -> torch.optim.Optimizer:
    """The first member's optimizer class and settings over one group per member setting,
    computed as ``stack_implementation`` chooses for the parameters' ``device``, also after
    it loads the members' joined states (which hold their own implementation keywords)."""
    groups = [
        {
            "params": [p for k in members for p in parameters[k]],
            **_own_settings(factories[members[0]]),
        }
        for members in member_groups(factories)
    ]
    implementation = stack_implementation(factories[0], device)
    optimizer = factories[0](groups, **implementation)
    optimizer.register_load_state_dict_pre_hook(
        lambda _, state: _computed_as(state, implementation)
    )
    return optimizer


def _with_implementation(settings: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A param group's settings with the implementation keywords it holds set to ``values``
    (None where ``values`` has none, as torch's default)."""
    return {
        key: (values.get(key) if key in IMPLEMENTATION else value)
        for key, value in settings.items()
    }


def _computed_as(state: dict[str, Any], implementation: dict[str, Any]) -> dict[str, Any]:
    """An optimizer state to load, its groups computing as ``implementation`` says (torch
    then puts each parameter's step count where that implementation keeps it)."""
    groups = [_with_implementation(group, implementation) for group in state["param_groups"]]
    return {**state, "param_groups": groups}


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
    own: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A member's optimizer state (of its ``parameters``) as its single run's
    ``state_dict()`` holds it; ``own``: the implementation keywords its config sets."""
    group = optimizer.param_groups[group_of(optimizer, parameters)]
    settings = _with_implementation(
        {key: value for key, value in group.items() if key != "params"}, own or {}
    )
    # a fused optimizer counts steps on the parameters' device; a single run's on the CPU
    on_device = bool(settings.get("fused") or settings.get("capturable"))
    state = {
        i: _step_where(optimizer.state[p], on_device)
        for i, p in enumerate(parameters)
        if p in optimizer.state
    }
    return {"state": state, "param_groups": [{**settings, "params": list(range(len(parameters)))}]}


def _step_where(values: dict[str, Any], on_device: bool) -> dict[str, Any]:
    step = values.get("step")
    if on_device or not isinstance(step, torch.Tensor) or step.device.type == "cpu":
        return values
    return {**values, "step": step.cpu()}


def joined_state(
    states: Sequence[dict[str, Any]], groups: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """The stack's optimizer state made of its members' (the inverse of ``member_state``),
    ``groups`` as ``member_groups`` makes them; the stack's optimizer loads it with its own
    implementation keywords (``stacked_optimizer``)."""
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
        joined["param_groups"].append({**settings, "params": list(range(start, offset))})
    return joined
