"""The stack's one optimizer: members grouped by their settings, each stepping as alone."""

from __future__ import annotations

from functools import partial

import pytest
import torch
from torch import nn

from rnnlab.stack.optimizer import (
    joined_state,
    member_groups,
    member_state,
    stack_implementation,
    stacked_optimizer,
)

SETTINGS = ({"lr": 0.01}, {"lr": 0.03}, {"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1})


def _networks(count: int) -> list[nn.Module]:
    torch.manual_seed(0)
    return [nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)) for _ in range(count)]


def _factories(optimizer: type[torch.optim.Optimizer]) -> list[partial]:
    return [partial(optimizer, **settings) for settings in SETTINGS]


def _steps(networks: list[nn.Module], optimizers: list[torch.optim.Optimizer], steps: int):
    generator = torch.Generator().manual_seed(1)
    for _ in range(steps):
        for optimizer in optimizers:
            optimizer.zero_grad()
        for network in networks:
            network(torch.randn(5, 3, generator=generator)).square().mean().backward()
        for optimizer in optimizers:
            optimizer.step()


def test_members_with_the_same_settings_share_a_group() -> None:
    assert member_groups(_factories(torch.optim.Adam)) == [[0, 2], [1], [3]]
    assert member_groups([partial(torch.optim.Adam, lr=0.01)] * 16) == [list(range(16))]


@pytest.mark.parametrize("optimizer", [torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD])
def test_each_member_steps_and_keeps_state_as_alone(optimizer) -> None:
    factories = _factories(optimizer)
    alone, stacked = _networks(len(factories)), _networks(len(factories))
    singles = [f(n.parameters()) for f, n in zip(factories, alone, strict=True)]
    parameters = [list(n.parameters()) for n in stacked]
    stack = stacked_optimizer(factories, parameters)
    assert len(stack.param_groups) == 3
    _steps(alone, singles, 4)
    _steps(stacked, [stack], 4)
    for k, (single, network) in enumerate(zip(singles, stacked, strict=True)):
        for mine, theirs in zip(network.parameters(), alone[k].parameters(), strict=True):
            torch.testing.assert_close(mine, theirs, rtol=1e-6, atol=1e-7)
        state = member_state(stack, parameters[k])
        expected = single.state_dict()
        assert state["param_groups"] == expected["param_groups"]
        assert state["state"].keys() == expected["state"].keys()
        for index, values in expected["state"].items():
            for name, value in values.items():
                torch.testing.assert_close(state["state"][index][name], value)


def test_joined_member_states_restore_the_stack() -> None:
    factories = _factories(torch.optim.Adam)
    networks = _networks(len(factories))
    parameters = [list(n.parameters()) for n in networks]
    stack = stacked_optimizer(factories, parameters)
    _steps(networks, [stack], 3)
    states = [member_state(stack, p) for p in parameters]
    fresh = stacked_optimizer(factories, parameters)
    assert not any(state["param_groups"][0]["fused"] for state in states)  # as alone
    fresh.load_state_dict(joined_state(states, member_groups(factories)))
    before, after = stack.state_dict(), fresh.state_dict()
    assert after["param_groups"] == before["param_groups"]
    assert all(group["fused"] for group in after["param_groups"])  # still fused after loading
    for index, values in before["state"].items():
        for name, value in values.items():
            torch.testing.assert_close(after["state"][index][name], value)


def test_the_stack_computes_fused_unless_the_member_says_otherwise() -> None:
    adam = partial(torch.optim.Adam, lr=0.01)
    assert stack_implementation(adam, "cpu") == {"fused": True}
    assert stack_implementation(adam, "meta") == {"foreach": True}  # no fused kernel there
    own = partial(torch.optim.Adam, foreach=False)
    assert stack_implementation(own, "cpu") == {"foreach": False}
    not_fused = partial(torch.optim.Adam, fused=False)
    assert stack_implementation(not_fused, "cpu") == {"fused": False, "foreach": True}
    assert stack_implementation(partial(torch.optim.Adagrad), "cpu") == {"foreach": True}
    networks = _networks(2)
    stack = stacked_optimizer([adam, adam], [list(n.parameters()) for n in networks])
    assert stack.param_groups[0]["fused"] is True
    _steps(networks, [stack], 1)
    alone = _networks(1)
    single = adam(alone[0].parameters())  # the members' checkpoints hold its settings
    _steps(alone, [single], 1)
    state = member_state(stack, list(networks[0].parameters()))
    assert state["param_groups"] == single.state_dict()["param_groups"]
