"""FigureWriter: the loss curve and confusion matrices, as PNG files and in TensorBoard."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
from matplotlib.figure import Figure
from pytorch_lightning.loggers import TensorBoardLogger

from rnnlab.plotting import RUN_FIGURE_DPI, confusion_matrix_figure, loss_curve_figure


class FigureWriter(pl.Callback):
    """Draws the loss curve when fitting ends and confusion matrices when a stage ends."""

    def __init__(self, output_dir: str, confusion_every_n_epochs: int = 5) -> None:
        self.output_dir = Path(output_dir)
        self.confusion_every_n_epochs = confusion_every_n_epochs

    # The module closes an evaluation epoch in its own *_epoch_end hook, which Lightning runs
    # after the callbacks' one: so the matrices are read when the stage ends.
    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        epoch = trainer.current_epoch + 1
        if epoch % self.confusion_every_n_epochs and epoch != trainer.max_epochs:
            return  # drawing costs ~0.1 s, more than a small model's whole epoch
        self._log_confusion(trainer, pl_module, "val")

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        figure = self._log_confusion(trainer, pl_module, "test")
        if figure is not None and trainer.is_global_zero:
            self._save(figure, "confusion_matrix.png")

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        history = getattr(pl_module, "loss_history", {})
        if not trainer.is_global_zero or not any(history.values()):
            return
        spec = getattr(pl_module, "spec", None)
        figure = loss_curve_figure(
            {name: points for name, points in history.items() if points},
            baseline=getattr(spec, "baseline_loss", None),
            baseline_name=getattr(spec, "baseline_name", None),
            title=f"Loss: {getattr(spec, 'name', 'run')}",
        )
        self._save(figure, "loss_curve.png")

    # drawing ------------------------------------------------------------------------
    def _log_confusion(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str
    ) -> Figure | None:
        """Rank 0 only: every rank holds the same synced matrix, and drawing costs ~0.1 s."""
        if not trainer.is_global_zero:
            return None
        confusion = getattr(pl_module, "confusion_matrix", None)
        matrix = confusion(stage) if confusion is not None else None
        if matrix is None:
            return None
        figure = confusion_matrix_figure(
            matrix.cpu().numpy(),
            pl_module.spec.class_names,
            title=self._confusion_title(trainer, stage),
        )
        for logger in trainer.loggers:
            if isinstance(logger, TensorBoardLogger):
                logger.experiment.add_figure(
                    f"{stage}/confusion_matrix", figure, trainer.global_step, close=False
                )
        return figure

    @staticmethod
    def _confusion_title(trainer: pl.Trainer, stage: str) -> str:
        where = f"val, epoch {trainer.current_epoch + 1}" if stage == "val" else "test"
        accuracy = trainer.callback_metrics.get(f"{stage}/acc")
        if accuracy is not None:
            where += f", accuracy {100 * float(accuracy):.2f}%"
        return f"Confusion matrix ({where})"

    def _save(self, figure: Figure, filename: str) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        figure.savefig(self.output_dir / filename, dpi=RUN_FIGURE_DPI)
