"""SequenceDataModule: one LightningDataModule for every task and dataset source.

A source is any callable returning SequenceSplits. Config fields other than the
loader's own (batch_size, shuffle) are handed to the source, so ``data.seq_len=100``
reaches the task generator without a per-task DataModule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytorch_lightning as pl
import torch

from rnnlab.data.loader import SequenceBatch, TensorBatchLoader
from rnnlab.data.normalisation import Normalisation
from rnnlab.data.spec import SequenceSplits, SequenceTensors, TaskSpec
from rnnlab.errors import ConfigError

SequenceSource = Callable[..., SequenceSplits]

#: Fields of data/*.yaml that shape the batches, not the data; all others go to the source.
LOADER_FIELDS: tuple[str, ...] = ("batch_size", "shuffle")


def _source_name(source: SequenceSource) -> str:
    target = getattr(source, "func", source)
    return getattr(target, "__name__", type(target).__name__)


def _check_source_options(source: SequenceSource, options: dict[str, Any]) -> None:
    """Name an unknown data field in one sentence instead of a TypeError from deep inside."""
    parameters = inspect.signature(source).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(options) - set(parameters))
    if unknown:
        valid = ", ".join([*LOADER_FIELDS, *parameters])
        raise ConfigError(
            f"data.{unknown[0]} is not a field of the {_source_name(source)} data source: "
            f"valid fields are {valid}."
        )


class SequenceDataModule(pl.LightningDataModule):
    """Builds a source's tensors once and serves batches sliced from them."""

    def __init__(
        self,
        source: SequenceSource,
        batch_size: int = 32,
        shuffle: bool = True,
        **source_options: Any,
    ) -> None:
        super().__init__()
        _check_source_options(source, source_options)
        self.source = source
        self.source_options = source_options
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._splits: SequenceSplits | None = None
        self._device_splits: dict[torch.device, SequenceSplits] = {}

    @property
    def splits(self) -> SequenceSplits:
        """The source's tensors, built on first use and kept."""
        if self._splits is None:
            self._splits = self.source(**self.source_options)
        return self._splits

    @property
    def spec(self) -> TaskSpec:
        return self.splits.spec

    @property
    def normalisation(self) -> Normalisation | None:
        """The source's scaling, fitted on its training split; checkpoints store it."""
        return self.splits.normalisation

    def setup(self, stage: str | None = None) -> None:
        _ = self.splits

    def _device(self) -> torch.device:
        trainer = self.trainer
        return trainer.strategy.root_device if trainer is not None else torch.device("cpu")

    def _split_on_device(self, name: str) -> SequenceTensors:
        """Move every split to the trainer's device once; batches are then sliced there."""
        device = self._device()
        if device not in self._device_splits:
            splits = self.splits
            self._device_splits[device] = SequenceSplits(
                spec=splits.spec,
                train=splits.train.to(device),
                val=splits.val.to(device),
                test=splits.test.to(device),
                normalisation=splits.normalisation,
            )
        return getattr(self._device_splits[device], name)

    def _loader(self, name: str, shuffle: bool) -> TensorBatchLoader:
        """This rank's loader over split ``name``; see loader.py for how ranks share a split."""
        trainer = self.trainer
        rank = trainer.global_rank if trainer is not None else 0
        world_size = trainer.world_size if trainer is not None else 1
        size = len(getattr(self.splits, name))
        if 0 < size < world_size:
            # A rank without a batch would skip the epoch-end sync that the others wait in.
            field = f"num_{name}"  # a generated task's size is a config field; a dataset's not
            advice = f"raise data.{field} or lower" if field in self.source_options else "lower"
            raise ConfigError(
                f"the {name} split has {size} sequences, fewer than the {world_size} processes "
                f"(trainer.devices), and each process needs at least one: {advice} "
                "trainer.devices."
            )
        return TensorBatchLoader(
            self._split_on_device(name),
            batch_size=self.batch_size,
            shuffle=shuffle,
            seed=int(self.source_options.get("seed", 0)),
            rank=rank,
            world_size=world_size,
            variable_length=getattr(self.splits, name).variable_length,
            # DDP syncs gradients at every training step, so every rank needs as many steps;
            # evaluation has no such sync and must see every sequence exactly once.
            equal_shares=name == "train",
        )

    def transfer_batch_to_device(
        self, batch: Any, device: torch.device, dataloader_idx: int
    ) -> Any:
        # Batches are already sliced on the trainer's device: skip the walk over the batch
        # that Lightning's default transfer makes at every step.
        if isinstance(batch, SequenceBatch) and batch.inputs.device == device:
            return batch
        return super().transfer_batch_to_device(batch, device, dataloader_idx)

    def _overfitting(self) -> bool:
        """Lightning's overfit_batches needs the same batches every epoch."""
        return self.trainer is not None and bool(self.trainer.overfit_batches)

    def train_dataloader(self) -> TensorBatchLoader:
        return self._loader("train", shuffle=self.shuffle and not self._overfitting())

    def val_dataloader(self) -> TensorBatchLoader:
        return self._loader("val", shuffle=False)

    def test_dataloader(self) -> TensorBatchLoader:
        return self._loader("test", shuffle=False)

    def predict_dataloader(self) -> TensorBatchLoader:
        return self._loader("test", shuffle=False)
