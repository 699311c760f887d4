"""Lightning's ``LightningModule._current_fx_name``: the name of the hook that is running.

Lightning sets it about 40 times a training step; rnnlab's module sets it past
``nn.Module.__setattr__`` (which checks each value against parameters, buffers and
submodules), because for a tiny RNN that check costs more than the forward pass.
"""

from __future__ import annotations

from rnnlab.compat import missing

#: The attribute Lightning writes around every hook call.
HOOK_NAME_ATTRIBUTE = "_current_fx_name"


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
