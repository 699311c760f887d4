"""What rnnlab uses of Lightning's private API.

- ``LightningModule._current_fx_name``, the name of the running hook: Lightning sets it about
  40 times a training step; rnnlab's module sets it past ``nn.Module.__setattr__`` (which
  checks each value against parameters, buffers and submodules), because for a tiny RNN that
  check costs more than the forward pass.
- ``Trainer._checkpoint_connector.dump_checkpoint``: the checkpoint a trainer would save, as a
  dict; a stack's members' checkpoints take its loop progress, so each resumes as a single run.
- ``EarlyStopping._evaluate_stopping_criteria``: EarlyStopping's verdict on one more value of
  its metric (patience, min_delta, thresholds, its state); a stack asks it for each member,
  whose metric is not in the trainer's ``callback_metrics``.
"""

from __future__ import annotations

from typing import Any

from rnnlab.compat import missing

#: The attribute Lightning writes around every hook call.
HOOK_NAME_ATTRIBUTE = "_current_fx_name"
#: (private name, what rnnlab uses it for) of the two methods the stack calls.
_DUMP = (
    "Trainer._checkpoint_connector.dump_checkpoint",
    "write a stack's members' checkpoints in the single-run format",
)
_VERDICT = (
    "EarlyStopping._evaluate_stopping_criteria",
    "stop a stack's members early, each by its own EarlyStopping",
)


def checkpoint_of(trainer: Any) -> dict[str, Any]:
    """The checkpoint ``trainer.save_checkpoint`` would write, as a dict (its loop progress,
    epoch and global step are what a stack's members' checkpoints take over)."""
    connector = getattr(trainer, "_checkpoint_connector", None)
    dump = getattr(connector, "dump_checkpoint", None)
    if dump is None:
        raise missing("pytorch-lightning", *_DUMP)
    return dump(weights_only=False)


def early_stopping_verdict(callback: Any, value: float) -> tuple[bool, str | None]:
    """Whether the member's EarlyStopping stops at this value of its metric, and why; its
    state (best score, epochs waited) moves on as in a single run."""
    import torch

    evaluate = getattr(callback, "_evaluate_stopping_criteria", None)
    if evaluate is None:
        raise missing("pytorch-lightning", *_VERDICT)
    should_stop, reason = evaluate(torch.tensor(value))
    return bool(should_stop), reason


def check() -> None:
    """Raise CompatError unless Lightning still keeps the running hook in that attribute."""
    import pytorch_lightning as pl

    module = pl.LightningModule()
    if not hasattr(module, HOOK_NAME_ATTRIBUTE):
        raise missing(
            "pytorch-lightning",
            f"LightningModule.{HOOK_NAME_ATTRIBUTE}",
            "skip nn.Module's slow attribute check on every hook call",
        )
    if not callable(getattr(pl.callbacks.EarlyStopping, "_evaluate_stopping_criteria", None)):
        raise missing("pytorch-lightning", *_VERDICT)
    connector = getattr(pl.Trainer(logger=False), "_checkpoint_connector", None)
    if not callable(getattr(connector, "dump_checkpoint", None)):
        raise missing("pytorch-lightning", *_DUMP)
