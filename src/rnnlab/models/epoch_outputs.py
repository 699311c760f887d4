"""EpochOutputs: what the steps of one epoch produced, gathered for one update at its end.

A torchmetrics update costs 40-60 µs of Python per metric and Lightning's ``self.log``
about as much again; on a small RNN a whole training step costs about a millisecond.
So each step only appends its detached tensors here (no host sync, no checks), and the
metrics see the epoch's outputs in one update when it ends. The math stays torchmetrics'.
A batch's loss counts by its weight (Objective.weight: valid steps or sequences), which may
be a device tensor such as ``lengths.sum()``, so that it too is read only at the epoch end.
"""

from __future__ import annotations

import torch


class EpochOutputs:
    """Per-step losses, predictions and targets of one stage, until the epoch ends."""

    def __init__(self) -> None:
        self._losses: list[torch.Tensor] = []
        self._counts: list[int | torch.Tensor] = []
        self._predictions: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []

    def add(
        self,
        loss: torch.Tensor,
        count: int | torch.Tensor,
        predictions: torch.Tensor,
        targets: torch.Tensor,
    ) -> None:
        """Keep one step's outputs; ``count`` is the loss's weight, an int or a 0-d tensor."""
        self._losses.append(loss.detach())
        self._counts.append(count)
        self._predictions.append(predictions)
        self._targets.append(targets)

    def __len__(self) -> int:
        return len(self._counts)

    def mean_loss(self) -> torch.Tensor:
        """The loss averaged over what each batch's loss averages (valid steps or sequences).

        That is the mean over all of the epoch's valid steps (or sequences), whatever the
        batches' sizes. Counts are summed in at least float32: a half-precision loss could
        not hold an epoch's number of steps.
        """
        losses = torch.stack(self._losses)
        dtype = torch.promote_types(losses.dtype, torch.float32)
        if all(isinstance(count, int) for count in self._counts):
            counts = torch.tensor(self._counts, dtype=dtype, device=losses.device)
        else:
            counts = torch.stack(
                [torch.as_tensor(count).to(losses.device, dtype) for count in self._counts]
            )
        return (losses.to(dtype) * counts).sum() / counts.sum()

    def predictions(self) -> torch.Tensor:
        return torch.cat(self._predictions)

    def targets(self) -> torch.Tensor:
        return torch.cat(self._targets)

    def clear(self) -> None:
        for kept in (self._losses, self._counts, self._predictions, self._targets):
            kept.clear()
