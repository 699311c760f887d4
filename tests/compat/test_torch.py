"""The door to torch's multi-tensor norm."""

from __future__ import annotations

import math

import pytest
import torch

from rnnlab.compat import CompatError
from rnnlab.compat import torch as door


def test_the_multi_tensor_norm_is_still_vector_norm() -> None:
    door.check()
    grads = [torch.randn(3, 4), torch.randn(5)]
    assert [float(n) for n in door.norms(grads)] == pytest.approx(
        [float(torch.linalg.vector_norm(g)) for g in grads]
    )
    assert float(door.norms(grads, math.inf)[1]) == pytest.approx(float(grads[1].abs().max()))


def test_a_torch_without_it_is_said_in_one_sentence(monkeypatch) -> None:
    monkeypatch.delattr(torch, "_foreach_norm")
    with pytest.raises(CompatError, match=r"torch .* no longer has torch\._foreach_norm"):
        door.norms([torch.ones(2)])
