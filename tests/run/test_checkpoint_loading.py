"""What rnnlab says of a checkpoint it will not load: damaged, foreign, or holding objects."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rnnlab.errors import CheckpointError
from rnnlab.run.checkpoints import load_run_checkpoint


def test_a_checkpoint_holding_objects_is_refused_as_such_not_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "objects.ckpt"
    # any class instance beyond tensors and plain values is refused by weights-only loading
    torch.save({"rnnlab_config": {}, "note": Path("notes.txt")}, path)
    with pytest.raises(CheckpointError) as refused:
        load_run_checkpoint(str(path))
    sentence = str(refused.value)
    assert "holds Python objects" in sentence and "will not unpickle" in sentence
    assert "damaged" not in sentence


def test_a_damaged_file_is_still_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "broken.ckpt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="the file is damaged or is not a checkpoint"):
        load_run_checkpoint(str(path))
