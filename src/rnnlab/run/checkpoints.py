"""Read rnnlab checkpoints and check they fit the run that wants them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from rnnlab.callbacks.run_config import CHECKPOINT_KEY
from rnnlab.config.validation import checkpoint_missing_message
from rnnlab.data.datamodule import LOADER_FIELDS
from rnnlab.errors import CheckpointError

#: Config sections that must match for a checkpoint to continue a run. How batches are cut
#: (batch size, shuffling) may change on resume; the data and the network may not.
IDENTITY_SECTIONS = ("data", "model")
MAY_CHANGE_ON_RESUME = {f"data.{field}" for field in LOADER_FIELDS}


def load_run_checkpoint(path: str) -> dict[str, Any]:
    """The checkpoint's contents, or CheckpointError in one sentence saying what is wrong."""
    file = Path(path)
    if not file.is_file():
        raise CheckpointError(checkpoint_missing_message(path))
    try:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(
            f"ckpt_path={path!r} could not be read as a PyTorch checkpoint "
            f"({type(error).__name__}): the file is damaged or is not a checkpoint."
        ) from None
    if not isinstance(checkpoint, dict) or CHECKPOINT_KEY not in checkpoint:
        raise CheckpointError(
            f"ckpt_path={path!r} was not written by rnnlab-train (it holds no {CHECKPOINT_KEY}): "
            "give a checkpoint from an rnnlab run's checkpoints/ folder."
        )
    return checkpoint


def _first_difference(old: Any, new: Any, prefix: str) -> tuple[str, Any, Any] | None:
    if prefix in MAY_CHANGE_ON_RESUME:
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            found = _first_difference(old.get(key), new.get(key), f"{prefix}.{key}")
            if found:
                return found
        return None
    return None if old == new else (prefix, old, new)


def check_same_run(path: str, checkpoint: dict[str, Any], run_config: dict[str, Any]) -> None:
    """Refuse to resume a checkpoint whose data or model differ from the composed run."""
    stored = checkpoint[CHECKPOINT_KEY]
    for section in IDENTITY_SECTIONS:
        found = _first_difference(stored.get(section), run_config.get(section), section)
        if found:
            key, old, new = found
            raise CheckpointError(
                f"ckpt_path={path!r} was trained with {key}={old!r}, but this run has "
                f"{key}={new!r}: resume with the data and model settings it was trained with."
            )
