"""RunConfigInCheckpoint: store the composed config, and the data's scaling, in every checkpoint.

With it a checkpoint is self-describing: rnnlab-eval rebuilds the same data and the
same network from the file alone, and a resume can check that it continues the same run.
The normalisation fitted on the training split (real data sets only) is stored beside the
config, as plain numbers, so a trained model can scale new sequences without the
training data (rnnlab.data.normalisation). The data's TaskSpec is stored too, so that
rnnlab-predict knows the network's task and classes without reading the training data.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

CHECKPOINT_KEY = "rnnlab_config"
NORMALISATION_KEY = "rnnlab_normalisation"
TASK_SPEC_KEY = "rnnlab_task_spec"


class RunConfigInCheckpoint(pl.Callback):
    """Adds the resolved run config (plain dicts and lists) under ``rnnlab_config``, the
    datamodule's normalisation, if it has one, under ``rnnlab_normalisation``, and its
    TaskSpec under ``rnnlab_task_spec``."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def on_save_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        checkpoint[CHECKPOINT_KEY] = self.config
        normalisation = getattr(trainer.datamodule, "normalisation", None)
        if normalisation is not None:
            checkpoint[NORMALISATION_KEY] = normalisation.to_dict()
        spec = getattr(trainer.datamodule, "spec", None)
        if spec is not None:
            checkpoint[TASK_SPEC_KEY] = spec.to_dict()
