"""One optimizer step for the whole stack: every active member's own optimizer steps.

Lightning drives one optimizer per Trainer in automatic optimization; this one holds the
members' optimizers (each built by the member's own ``configure_optimizers``: its class,
learning rate, weight decay and state), so members that differ in ``optimizer.lr`` or
``optimizer.weight_decay`` each step exactly as alone. A member that diverged is skipped:
its parameters and optimizer state stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch


class StackedOptimizer(torch.optim.Optimizer):
    """The members' optimizers behind one ``step`` (see the module docstring)."""

    def __init__(self, optimizers: Sequence[torch.optim.Optimizer], active: list[bool]) -> None:
        params = [
            p for optimizer in optimizers for g in optimizer.param_groups for p in g["params"]
        ]
        super().__init__(params, {})
        self.optimizers = list(optimizers)
        #: Shared with the module, which marks a member that diverged.
        self.active = active
        # the members' own groups (same dicts), so a learning-rate monitor reads their values
        self.param_groups = [g for optimizer in self.optimizers for g in optimizer.param_groups]

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for optimizer, active in zip(self.optimizers, self.active, strict=True):
            if active:
                optimizer.step()
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        for optimizer in self.optimizers:
            optimizer.zero_grad(set_to_none=set_to_none)

    def state_dict(self) -> dict[str, Any]:
        return {"members": [optimizer.state_dict() for optimizer in self.optimizers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        for optimizer, state in zip(self.optimizers, state_dict["members"], strict=True):
            optimizer.load_state_dict(state)
