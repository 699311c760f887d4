"""EpochOutputs: what the steps of one epoch produced, gathered for one update at its end.

A torchmetrics update costs 40-60 µs of Python per metric and Lightning's ``self.log``
about as much again; on a small RNN a whole training step costs about a millisecond.
So each step only appends its detached tensors here (no host sync, no checks), and the
metrics see the epoch's outputs in one update when it ends. The math stays torchmetrics'.
A batch's loss counts by its weight (Objective.weight: valid steps or sequences), which may
be a device tensor such as ``lengths.sum()``, so that it too is read only at the epoch end.
Under DDP the epoch loss is the ratio of the two ``loss_sums`` each summed over ranks.
"""

from __future__ import annotations

import torch
import torch.distributed as dist


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

    def loss_sums(self) -> torch.Tensor:
        """``[sum(loss * weight), sum(weight)]`` over the epoch's batches, in >= float32.

        Summed over ranks, these give the exact global mean loss (``global_mean_loss``)
        however unevenly the ranks shared the sequences; a mean of per-rank means would
        weigh a rank with fewer sequences too much. Counts are summed in at least float32:
        a half-precision loss could not hold an epoch's number of steps.
        """
        losses = torch.stack(self._losses)
        dtype = torch.promote_types(losses.dtype, torch.float32)
        if all(isinstance(count, int) for count in self._counts):
            counts = torch.tensor(self._counts, dtype=dtype, device=losses.device)
        else:
            counts = torch.stack(
                [torch.as_tensor(count).to(losses.device, dtype) for count in self._counts]
            )
        return torch.stack(((losses.to(dtype) * counts).sum(), counts.sum()))

    def mean_loss(self) -> torch.Tensor:
        """The loss averaged over what each batch's loss averages (valid steps or sequences).

        That is the mean over all of the epoch's valid steps (or sequences), whatever the
        batches' sizes.
        """
        sums = self.loss_sums()
        return sums[0] / sums[1]

    def predictions(self) -> torch.Tensor:
        return torch.cat(self._predictions)

    def targets(self) -> torch.Tensor:
        return torch.cat(self._targets)

    def clear(self) -> None:
        for kept in (self._losses, self._counts, self._predictions, self._targets):
            kept.clear()


def global_mean_loss(outputs: EpochOutputs) -> torch.Tensor:
    """The epoch's mean loss over every rank's batches (the local one without DDP).

    ``loss_sums`` is summed over the default process group, the one torchmetrics syncs its
    metrics over, so loss and metrics always describe the same sequences. One all-reduce an
    epoch; a single process only pays the ``is_initialized`` check.
    """
    sums = outputs.loss_sums()
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(sums, op=dist.ReduceOp.SUM)
    return sums[0] / sums[1]
