"""SequenceDataModule: one module for any source; bad fields are named in one sentence."""

from __future__ import annotations

from functools import partial

import pytest

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
