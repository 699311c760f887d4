"""Batches sliced from tensors that already sit in memory (or on the GPU).

The synthetic tasks are a few MB, so a torch DataLoader's per-sample indexing and
collation would cost more than the RNN step itself. TensorBatchLoader gathers a whole
batch with one index operation instead. Lightning calls ``sampler.set_epoch(epoch)`` on
it like on a DataLoader, so shuffling depends only on (seed, epoch): a resumed run sees
the same batches as an uninterrupted one.

Under DDP each rank iterates over its own share of a split. Training shares are equal
(``equal_shares=True``): DDP averages gradients at every step, so every rank must take the
same number of steps, and the at most ``world_size - 1`` sequences left over are dropped
for that epoch (with shuffling, different ones each epoch), as DistributedSampler does with
``drop_last=True``; padding instead would count a few sequences twice in every epoch.
Validation and test shares are disjoint contiguous blocks whose sizes differ by at most
one and which together cover every sequence exactly once: no gradient is synced there,
and the metrics are summed over ranks, so the numbers are those of a single process.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import torch
from torch.utils.data import SequentialSampler

from rnnlab.data.spec import SequenceTensors


class SequenceBatch(NamedTuple):
    """One batch: inputs (B, T, F), targets, and lengths (None when all sequences are full)."""

    inputs: torch.Tensor
    targets: torch.Tensor
    lengths: torch.Tensor | None


class EpochOrder:
    """The order of sequences in one epoch: a seeded permutation, or the stored order."""

    def __init__(self, num_sequences: int, shuffle: bool, seed: int) -> None:
        self.num_sequences = num_sequences
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Called by Lightning at the start of every training epoch."""
        self.epoch = epoch

    def indices(self) -> torch.Tensor | None:
        """The permutation for this epoch, or None for the stored order."""
        if not self.shuffle:
            return None
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        return torch.randperm(self.num_sequences, generator=generator)


def rank_share(num_sequences: int, rank: int, world_size: int) -> tuple[int, int]:
    """``[start, stop)`` of ``rank``'s contiguous block when every sequence must count once.

    Blocks differ in size by at most one, so no rank waits long for another at the
    epoch-end sync.
    """
    return rank * num_sequences // world_size, (rank + 1) * num_sequences // world_size


class TensorBatchLoader:
    """Iterates over one split in batches; each distributed rank takes its own share.

    ``equal_shares``: every rank gets ``len // world_size`` sequences (training); otherwise
    the ranks' shares cover every sequence exactly once (validation, test).
    """

    def __init__(
        self,
        tensors: SequenceTensors,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        variable_length: bool | None = None,
        equal_shares: bool = False,
    ) -> None:
        self.tensors = tensors
        self.batch_size = batch_size
        self.rank = rank
        self.world_size = world_size
        self.order = EpochOrder(len(tensors), shuffle, seed)
        # Lightning inspects these two like a DataLoader's: it calls ``sampler.set_epoch``, and
        # it takes a SequentialSampler as proof that the order is fixed (overfit_batches).
        self.sampler: EpochOrder | SequentialSampler = (
            self.order if shuffle else SequentialSampler(range(len(tensors)))
        )
        self.batch_sampler = None
        # Passed in by the DataModule, which knows it from the host copy: asking a GPU
        # tensor would cost a device sync.
        self._variable_length = (
            tensors.variable_length if variable_length is None else variable_length
        )
        #: Equal shares are ``order[rank::world_size][:len // world_size]`` of the epoch's
        #: order; otherwise this rank's share is the block ``order[start:stop]``.
        self._strided = equal_shares and world_size > 1
        if self._strided:
            self._start, self._stop = 0, len(tensors) // world_size
        else:
            self._start, self._stop = rank_share(len(tensors), rank, world_size)

    def __len__(self) -> int:
        return math.ceil((self._stop - self._start) / self.batch_size)

    def _rank_indices(self) -> torch.Tensor | None:
        """This epoch's indices for this rank, or None for the block in stored order."""
        order = self.order.indices()
        if self._strided:
            if order is None:
                order = torch.arange(len(self.tensors))
            return order[self.rank :: self.world_size][: self._stop]
        return None if order is None else order[self._start : self._stop]

    def __iter__(self) -> Iterator[SequenceBatch]:
        order = self._rank_indices()
        inputs, targets, lengths = self.tensors.inputs, self.tensors.targets, self.tensors.lengths
        if order is None:  # stored order: contiguous slices are views, no copy at all
            for start in range(self._start, self._stop, self.batch_size):
                stop = min(start + self.batch_size, self._stop)
                yield SequenceBatch(
                    inputs[start:stop],
                    targets[start:stop],
                    lengths[start:stop] if self._variable_length else None,
                )
            return
        order = order.to(inputs.device)
        for index in order.split(self.batch_size):
            yield SequenceBatch(
                inputs[index],
                targets[index],
                lengths[index] if self._variable_length else None,
            )
