"""EpochOutputs: what the steps of one epoch produced, gathered for one update at its end.

A torchmetrics update costs 40-60 µs of Python per metric and Lightning's ``self.log``
about as much again; on a small RNN a whole training step costs about a millisecond.
So each step only appends its detached tensors here (no host sync, no checks), and the
metrics see the epoch's outputs in one update when it ends. The math stays torchmetrics'.
"""

from __future__ import annotations

import torch


class EpochOutputs:
    """Per-step losses, predictions and targets of one stage, until the epoch ends."""

    def __init__(self) -> None:
        self._losses: list[torch.Tensor] = []
        self._counts: list[int] = []
        self._predictions: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []

    def add(
        self, loss: torch.Tensor, count: int, predictions: torch.Tensor, targets: torch.Tensor
    ) -> None:
        self._losses.append(loss.detach())
        self._counts.append(count)
        self._predictions.append(predictions)
        self._targets.append(targets)

    def __len__(self) -> int:
        return len(self._counts)

    def mean_loss(self) -> torch.Tensor:
        """The loss averaged over sequences, as Lightning's on_epoch logging would weight it."""
        losses = torch.stack(self._losses)
        counts = torch.tensor(self._counts, dtype=losses.dtype, device=losses.device)
        return (losses * counts).sum() / counts.sum()

    def predictions(self) -> torch.Tensor:
        return torch.cat(self._predictions)

    def targets(self) -> torch.Tensor:
        return torch.cat(self._targets)

    def clear(self) -> None:
        for kept in (self._losses, self._counts, self._predictions, self._targets):
            kept.clear()
