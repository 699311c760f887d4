"""Read rnnlab checkpoints and check they fit the run that wants them."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import torch
from torch import nn

from rnnlab.callbacks.run_config import CHECKPOINT_KEY
from rnnlab.config.dotted import first_difference, select
from rnnlab.config.file_paths import PATH_KEYS, same_path
from rnnlab.config.validation import checkpoint_missing_message
from rnnlab.data.datamodule import LOADER_FIELDS
from rnnlab.errors import CheckpointError

#: What must match for a checkpoint to continue a run, and why. How batches are cut (batch
#: size, shuffling) may change on resume, and so may the epoch count, clipping and logging.
#: The optimizer's and scheduler's settings may not: Lightning restores their saved state
#: (learning rate, schedule position, T_max), so a new value would be silently ignored.
RESUME_IDENTITY: dict[str, str] = {
    "data": "use the data settings it was trained with",
    "model": "use the model settings it was trained with",
    "optimizer": (
        "the optimizer's saved state is restored as it was, so a new value would be ignored; "
        "resume with the value it was trained with, or start a new run"
    ),
    "scheduler": (
        "the scheduler's saved state is restored as it was, so a new value would be ignored; "
        "resume with the value it was trained with (pass it explicitly if it follows "
        "trainer.max_epochs), or start a new run"
    ),
    "callbacks.model_checkpoint.monitor": (
        "the best epoch so far was chosen by the old metric; resume with it"
    ),
    "callbacks.model_checkpoint.mode": "the best epoch so far was chosen by the old mode",
}
#: Testing a checkpoint only needs the same data and network.
TEST_IDENTITY = ("data", "model")
#: ``model.impl`` changes how the same weights are computed (fused kernel or unrolled loop),
#: not the weights: a checkpoint continues or tests under either.
MAY_CHANGE_ON_RESUME = {f"data.{field}" for field in LOADER_FIELDS} | {"model.impl"}


def _unreadable(path: str, error: BaseException) -> str:
    return (
        f"ckpt_path={path!r} could not be read as a PyTorch checkpoint "
        f"({type(error).__name__}): the file is damaged or is not a checkpoint."
    )


def load_run_checkpoint(path: str) -> dict[str, Any]:
    """The checkpoint's contents, or CheckpointError in one sentence saying what is wrong."""
    file = Path(path)
    if not file.is_file():
        raise CheckpointError(checkpoint_missing_message(path))
    try:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "Unsupported global" not in str(error):  # an object, not a broken file
            raise CheckpointError(_unreadable(path, error)) from None
        raise CheckpointError(
            f"ckpt_path={path!r} holds Python objects besides tensors and plain values, which "
            "rnnlab will not unpickle (unpickling can run any code the file holds): give a "
            "checkpoint written by rnnlab-train, or re-save yours with its state_dict only."
        ) from None
    except Exception as error:
        raise CheckpointError(_unreadable(path, error)) from None
    if not isinstance(checkpoint, dict) or CHECKPOINT_KEY not in checkpoint:
        raise CheckpointError(
            f"ckpt_path={path!r} was not written by rnnlab-train (it holds no {CHECKPOINT_KEY}): "
            "give a checkpoint from an rnnlab run's checkpoints/ folder."
        )
    return checkpoint


def load_weights(module: nn.Module, checkpoint: dict[str, Any], path: str) -> None:
    """The checkpoint's weights into ``module``, or CheckpointError when they do not fit."""
    try:
        module.load_state_dict(checkpoint["state_dict"])
    except (KeyError, RuntimeError) as error:
        raise CheckpointError(
            f"ckpt_path={path!r} does not hold weights for the network it describes "
            f"({str(error).splitlines()[0]})."
        ) from None


def _resume_rule(key: str, old: Any, new: Any) -> bool | None:
    """Keys a resumed run may change, and paths stored relative by an older run."""
    if key in MAY_CHANGE_ON_RESUME:
        return True
    if key in PATH_KEYS:
        return same_path(old, new)
    return None


def check_same_run(
    path: str,
    checkpoint: dict[str, Any],
    run_config: dict[str, Any],
    sections: tuple[str, ...] = tuple(RESUME_IDENTITY),
) -> None:
    """Refuse a checkpoint whose settings in ``sections`` differ from the composed run."""
    stored = checkpoint[CHECKPOINT_KEY]
    for section in sections:
        old, new = select(stored, section), select(run_config, section)
        found = first_difference(old, new, section, _resume_rule)
        if found:
            key, old, new = found
            raise CheckpointError(
                f"ckpt_path={path!r} was trained with {key}={_shown(old)}, but this run has "
                f"{key}={_shown(new)}: {RESUME_IDENTITY[section]}."
            )


def _shown(value: Any) -> str:
    return "null" if value is None else repr(value)


def resumed_from(path: str, checkpoint: dict[str, Any]) -> dict[str, Any]:
    """Which run a resumed run continues: for its metrics.json."""
    return {
        "checkpoint": str(Path(path).resolve()),
        "run_dir": select(checkpoint[CHECKPOINT_KEY], "paths.output_dir"),
        "epochs_done": int(checkpoint.get("epoch", -1)) + 1,
    }
