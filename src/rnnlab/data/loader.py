"""Batches sliced from tensors that already sit in memory (or on the GPU).

The synthetic tasks are a few MB, so a torch DataLoader's per-sample indexing and
collation would cost more than the RNN step itself. TensorBatchLoader gathers a whole
batch with one index operation instead. Lightning calls ``sampler.set_epoch(epoch)`` on
it like on a DataLoader, so shuffling depends only on (seed, epoch): a resumed run sees
the same batches as an uninterrupted one.
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


class TensorBatchLoader:
    """Iterates over one split in batches; each distributed rank takes its own share."""

    def __init__(
        self,
        tensors: SequenceTensors,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        variable_length: bool | None = None,
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
        self._per_rank = len(tensors) // world_size if world_size > 1 else len(tensors)

    def __len__(self) -> int:
        return math.ceil(self._per_rank / self.batch_size)

    def _rank_indices(self) -> torch.Tensor | None:
        order = self.order.indices()
        if self.world_size == 1:
            return order
        if order is None:
            order = torch.arange(len(self.tensors))
        return order[self.rank :: self.world_size][: self._per_rank]

    def __iter__(self) -> Iterator[SequenceBatch]:
        order = self._rank_indices()
        inputs, targets, lengths = self.tensors.inputs, self.tensors.targets, self.tensors.lengths
        if order is None:  # stored order: contiguous slices are views, no copy at all
            for start in range(0, self._per_rank, self.batch_size):
                stop = start + self.batch_size
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
