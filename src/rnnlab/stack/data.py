"""The members' batches side by side: batch i of every member, stacked on a leading axis.

Each member keeps its own DataModule (its own data from its own ``data.seed``) and its own
loader, so it sees the batches its single run would see, in the same order; the stack only
puts them together as ``[K, B, T, F]`` inputs, ``[K, B, …]`` targets and ``[K, B]`` lengths.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import pytorch_lightning as pl
import torch

from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.data.loader import SequenceBatch, TensorBatchLoader


class StackedBatch(NamedTuple):
    """One batch of every member: inputs (K, B, T, F), targets (K, B, …), lengths (K, B)."""

    inputs: torch.Tensor
    targets: torch.Tensor
    lengths: torch.Tensor | None


def stack_batches(batches: Sequence[SequenceBatch]) -> StackedBatch:
    """Stack the members' batches; a member without lengths reads every step."""
    inputs = torch.stack([batch.inputs for batch in batches])
    targets = torch.stack([batch.targets for batch in batches])
    if all(batch.lengths is None for batch in batches):
        return StackedBatch(inputs, targets, None)
    full = torch.full((inputs.shape[1],), inputs.shape[2], device=inputs.device)
    lengths = [full if batch.lengths is None else batch.lengths for batch in batches]
    return StackedBatch(inputs, targets, torch.stack(lengths))


class _EpochOrders:
    """What Lightning takes for the loader's sampler: it passes the epoch on to every member."""

    def __init__(self, loaders: Sequence[TensorBatchLoader]) -> None:
        self.loaders = loaders

    def set_epoch(self, epoch: int) -> None:
        for loader in self.loaders:
            set_epoch = getattr(loader.sampler, "set_epoch", None)
            if set_epoch is not None:
                set_epoch(epoch)


class StackedLoader:
    """Iterates over the members' loaders in step; they have the same number of batches."""

    def __init__(self, loaders: Sequence[TensorBatchLoader]) -> None:
        self.loaders = list(loaders)
        self.sampler = _EpochOrders(self.loaders)
        self.batch_sampler = None

    def __len__(self) -> int:
        return len(self.loaders[0])

    def __iter__(self) -> Iterator[StackedBatch]:
        for batches in zip(*self.loaders, strict=True):
            yield stack_batches(batches)


class StackedDataModule(pl.LightningDataModule):
    """The members' DataModules served together (see the module docstring)."""

    def __init__(self, members: Sequence[SequenceDataModule]) -> None:
        super().__init__()
        self.members = list(members)

    def setup(self, stage: str | None = None) -> None:
        for member in self.members:
            member.trainer = self.trainer  # their splits go to the stack's device
            member.setup(stage)

    def _loader(self, name: str) -> StackedLoader:
        return StackedLoader([getattr(member, f"{name}_dataloader")() for member in self.members])

    def train_dataloader(self) -> StackedLoader:
        return self._loader("train")

    def val_dataloader(self) -> StackedLoader:
        return self._loader("val")

    def test_dataloader(self) -> StackedLoader:
        return self._loader("test")

    def transfer_batch_to_device(
        self, batch: object, device: torch.device, dataloader_idx: int
    ) -> object:
        if isinstance(batch, StackedBatch) and batch.inputs.device == device:
            return batch  # sliced on the device already
        return super().transfer_batch_to_device(batch, device, dataloader_idx)
