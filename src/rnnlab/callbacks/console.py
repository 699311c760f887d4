"""What a run prints while it trains: a live progress bar on a terminal, one plain line per
epoch when the output goes to a file or a pipe, and the lesson's console lines.

A live bar redrawn into a log file lands there as a dozen wrapped lines of metric names cut
mid-word; a log reads best as one line per epoch.
"""

from __future__ import annotations

import time

import pytorch_lightning as pl
from pytorch_lightning.callbacks import ProgressBar, RichProgressBar
from pytorch_lightning.utilities import rank_zero_only
from rich import get_console

#: Lightning's own progress-bar item (the logger's version): not a metric.
_NOT_METRICS = ("v_num",)


@rank_zero_only
def _say(line: str) -> None:
    """Plain stdout, like the lesson's print(), once per job even under DDP."""
    print(line, flush=True)


def output_is_interactive() -> bool:
    """Whether a live bar can be redrawn in place: Rich's own test (a terminal that is not
    dumb, or a notebook), so ``TTY_INTERACTIVE=0/1`` and ``TTY_COMPATIBLE`` decide as in Rich."""
    console = get_console()
    return console.is_interactive or console.is_jupyter


def progress_bar(refresh_rate: int = 10, leave: bool = False) -> ProgressBar:
    """The ``callbacks.progress_bar`` entry: Rich's live bar when the output is interactive,
    else ``EpochLines``."""
    if output_is_interactive():
        return RichProgressBar(refresh_rate=refresh_rate, leave=leave)
    return EpochLines()


def _shown(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class EpochLines(ProgressBar):
    """Lightning's progress bar for logs: ``Epoch 3/10: train/loss 0.6251, val/acc 0.8125 …
    (0.4 s)`` once per training epoch, the metrics any progress bar would show.

    A ``ProgressBar`` (not a plain callback) so that Lightning adds no bar of its own beside
    it and switches it off on every process but the first.
    """

    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self._epoch_started = time.perf_counter()

    @property
    def is_enabled(self) -> bool:
        return self._enabled

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._epoch_started = time.perf_counter()

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._enabled:
            print(self.epoch_line(trainer, pl_module), flush=True)

    def epoch_line(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> str:
        """``Epoch 3/10: train/loss 0.6251, val/acc 0.8125 (0.4 s)``."""
        epoch = f"Epoch {trainer.current_epoch + 1}"
        if trainer.max_epochs is not None and trainer.max_epochs > 0:
            epoch += f"/{trainer.max_epochs}"
        metrics = self.get_metrics(trainer, pl_module)
        shown = ", ".join(
            f"{name} {_shown(value)}"
            for name, value in sorted(metrics.items())
            if name not in _NOT_METRICS
        )
        seconds = time.perf_counter() - self._epoch_started
        return f"{epoch}: {shown} ({seconds:.1f} s)" if shown else f"{epoch} ({seconds:.1f} s)"


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
