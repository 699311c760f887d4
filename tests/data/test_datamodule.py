"""SequenceDataModule: one module for any source; bad fields are named in one sentence."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

import pytest
import torch

from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.data.tasks.adding import adding_task
from rnnlab.data.tasks.majority import majority_task
from rnnlab.errors import ConfigError


def test_builds_once_and_serves_each_split() -> None:
    calls = []

    def source(**options):
        calls.append(options)
        return majority_task(**options)

    datamodule = SequenceDataModule(source, batch_size=16, seq_len=5, num_train=40, seed=1)
    assert datamodule.spec.name == "majority"
    datamodule.setup("fit")
    assert sum(len(b.targets) for b in datamodule.train_dataloader()) == 40
    assert sum(len(b.targets) for b in datamodule.val_dataloader()) == 200
    assert sum(len(b.targets) for b in datamodule.test_dataloader()) == 200
    assert len(calls) == 1 and calls[0]["seq_len"] == 5


def test_unknown_field_is_named_with_the_valid_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"data.seqlen is not a field of the adding_task .*seq_len"
    ):
        SequenceDataModule(partial(adding_task), batch_size=4, seqlen=3)


def test_tensors_move_to_the_trainers_device_once() -> None:
    """With a GPU trainer batches are sliced on the GPU; 'meta' stands in for it here."""
    device = torch.device("meta")
    datamodule = SequenceDataModule(partial(majority_task), batch_size=8, num_train=16, seed=0)
    datamodule.trainer = SimpleNamespace(
        strategy=SimpleNamespace(root_device=device), global_rank=0, world_size=1, overfit_batches=0
    )
    batch = next(iter(datamodule.train_dataloader()))
    assert batch.inputs.device == device and batch.targets.device == device
    assert datamodule.train_dataloader().tensors is datamodule.train_dataloader().tensors
    assert datamodule.transfer_batch_to_device(batch, device, 0) is batch
    assert datamodule.splits.train.inputs.device.type == "cpu"  # the source's copy stays put
