"""EpochLossPrinter: the lesson's console lines, so its numbers can be read off directly."""

from __future__ import annotations

import pytorch_lightning as pl
from pytorch_lightning.utilities import rank_zero_only


@rank_zero_only
def _say(line: str) -> None:
    """Plain stdout, like the lesson's print(), once per job even under DDP."""
    print(line, flush=True)


class EpochLossPrinter(pl.Callback):
    """Prints ``Epoch [5/20], Loss: 0.6591`` every n epochs and ``Test Accuracy: 79.00%``."""

    def __init__(self, every_n_epochs: int = 5) -> None:
        self.every_n_epochs = every_n_epochs

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        loss = trainer.callback_metrics.get("train/loss")
        if loss is not None and epoch % self.every_n_epochs == 0:
            _say(f"Epoch [{epoch}/{trainer.max_epochs}], Loss: {float(loss):.4f}")

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        accuracy = trainer.callback_metrics.get("test/acc")
        if accuracy is not None:
            _say(f"Test Accuracy: {100 * float(accuracy):.2f}%")
