"""torch's ``torch._foreach_norm``: the norms of many tensors in one call.

The gradient guard and the clipping statistics read the norm of every gradient at every
step; one multi-tensor call costs a fraction of a loop of ``torch.linalg.vector_norm``. It is
what ``torch.nn.utils.clip_grad_norm_`` itself calls, but it is not public.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from rnnlab.compat import missing

_NAME = "torch._foreach_norm"


def norms(tensors: Sequence[torch.Tensor], order: float = 2.0) -> list[torch.Tensor]:
    """Each tensor's vector norm of ``order`` (2, or math.inf for the largest entry)."""
    foreach_norm = getattr(torch, "_foreach_norm", None)
    if foreach_norm is None:
        raise missing("torch", _NAME, "read every gradient's norm at every step")
    return list(foreach_norm(list(tensors), order))


def check() -> None:
    """Raise CompatError unless the multi-tensor norm still gives what vector_norm gives."""
    tensors = [torch.tensor([3.0, 4.0]), torch.tensor([-5.0, 1.0])]
    got = [float(value) for value in norms(tensors)] + [
        float(value) for value in norms(tensors, math.inf)
    ]
    expected = [5.0, math.hypot(5.0, 1.0), 4.0, 5.0]
    if any(abs(a - b) > 1e-5 for a, b in zip(got, expected, strict=True)):
        raise missing("torch", f"{_NAME} as vector_norm", "read every gradient's norm")
