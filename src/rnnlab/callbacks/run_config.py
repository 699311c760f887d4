"""RunConfigInCheckpoint: store the composed config inside every checkpoint.

With it a checkpoint is self-describing: rnnlab-eval rebuilds the same data and the
same network from the file alone, and a resume can check that it continues the same run.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

CHECKPOINT_KEY = "rnnlab_config"


class RunConfigInCheckpoint(pl.Callback):
    """Adds the resolved run config (plain dicts and lists) under ``rnnlab_config``."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def on_save_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        checkpoint[CHECKPOINT_KEY] = self.config
