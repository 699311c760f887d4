"""EpochSeed: every training epoch draws its random numbers from a seed of its own.

Dropout draws from torch's global generator, whose state a checkpoint does not hold: a run
resumed from epoch k would draw other masks than the run that went on, and end elsewhere.
Seeding the generator at the start of each epoch from (run seed, epoch) makes epoch k+1 the
same whether it follows epoch k in the same process or a resume from its checkpoint. The
training batches' order is seeded per epoch already (rnnlab.data.loader).
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch

#: Mixes the run's seed and the epoch into one 63-bit seed (a large odd multiplier keeps
#: (seed, epoch) pairs apart).
_MULTIPLIER = 0x9E3779B97F4A7C15
_MASK = (1 << 63) - 1


def epoch_seed(seed: int, epoch: int) -> int:
    """The seed of one epoch: the same for (seed, epoch) in any process, distinct otherwise."""
    return (seed * _MULTIPLIER + epoch + 1) & _MASK


class EpochSeed(pl.Callback):
    """Seeds torch's generators (CPU and every GPU) at the start of each training epoch."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Before the epoch's first batch, so every draw of the epoch follows from its seed."""
        torch.manual_seed(epoch_seed(self.seed, trainer.current_epoch))
