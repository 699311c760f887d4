"""ForecastFigure: the test span's forecast against the truth, and the naive forecast's scores.

When testing ends on a forecasting task (data=series), this callback runs the tested
network over the test windows once, turns its forecasts back into the series' own units
with the data's Normalisation, and draws figures/forecast.png: the true values, the
network's forecast and the naive last-value forecast over the test span. It also logs the
naive forecast's ``test/mse_baseline`` and ``test/mae_baseline``, in the same scaled units
as ``test/mse`` and ``test/mae``, so the model's scores sit beside the ones to beat.

A task counts as a forecast when its regression targets are future values of input
feature 0: the data's target scaling is that feature's scaling for every output. For any
other task the callback does nothing, so it can stay in a callbacks list for every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from matplotlib.figure import Figure
from pytorch_lightning.loggers import TensorBoardLogger

from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.series import naive_forecast
from rnnlab.plotting import legend_beside


@dataclass(frozen=True)
class TestForecast:
    """The test windows' truth, the network's forecast and the naive one, in series units."""

    truth: np.ndarray
    forecast: np.ndarray
    naive: np.ndarray
    #: The naive forecast's MSE and MAE in the network's (scaled) target units.
    naive_mse: float
    naive_mae: float


def is_forecast(normalisation: Normalisation | None, output_size: int) -> bool:
    """True when every target is a future value of input feature 0 (same scaling)."""
    if normalisation is None or normalisation.target_mean is None:
        return False
    if normalisation.target_std is None or len(normalisation.target_mean) != output_size:
        return False
    same = (normalisation.mean[0], normalisation.std[0])
    return all(
        (m, s) == same
        for m, s in zip(normalisation.target_mean, normalisation.target_std, strict=True)
    )


def test_forecast(
    pl_module: pl.LightningModule, datamodule: pl.LightningDataModule
) -> TestForecast:
    """Run the network over the whole test split once (it is small) and restore units."""
    normalisation: Normalisation = datamodule.normalisation
    test = datamodule.splits.test
    inputs, lengths = test.inputs.numpy(), test.lengths.numpy()
    targets = test.targets.numpy()
    with torch.no_grad():
        device = pl_module.device
        outputs = pl_module(
            test.inputs.to(device), None if not test.variable_length else test.lengths.to(device)
        )
    outputs = outputs.float().cpu().numpy()
    naive = naive_forecast(inputs, lengths, targets.shape[1], normalisation)
    return TestForecast(
        truth=normalisation.restore_targets(targets, inputs, lengths),
        forecast=normalisation.restore_targets(outputs, inputs, lengths),
        naive=normalisation.restore_targets(naive, inputs, lengths),
        naive_mse=float(((naive - targets) ** 2).mean()),
        naive_mae=float(np.abs(naive - targets).mean()),
    )


def forecast_figure(forecast: TestForecast, title: str) -> Figure:
    """Truth, forecast and naive forecast over the test span, for the first and last
    forecast step (one panel each when the horizon is longer than 1)."""
    horizon = forecast.truth.shape[1]
    steps = [0] if horizon == 1 else [0, horizon - 1]
    figure = Figure(figsize=(9.5, 3.2 * len(steps)), layout="constrained")
    for panel, step in enumerate(steps, start=1):
        axes = figure.add_subplot(len(steps), 1, panel)
        time = np.arange(len(forecast.truth)) + step
        axes.plot(time, forecast.truth[:, step], color="black", label="truth")
        axes.plot(time, forecast.forecast[:, step], marker="o", markersize=3, label="network")
        axes.plot(
            time, forecast.naive[:, step], linestyle="--", color="grey", label="naive: last value"
        )
        ahead = "1 step ahead" if step == 0 else f"{step + 1} steps ahead"
        axes.set_title(f"{title}: {ahead}")
        axes.set_xlabel("time step of the test span")
        axes.set_ylabel("value")
        axes.grid(True, alpha=0.3)
        legend_beside(axes, fontsize="small")
    return figure


class ForecastFigure(pl.Callback):
    """Writes ``figure_file`` and logs the naive forecast's test scores on forecasting tasks."""

    def __init__(self, figure_file: str) -> None:
        self.figure_file = Path(figure_file)
        self._forecast: TestForecast | None = None

    def _applies(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> bool:
        spec = getattr(pl_module, "spec", None)
        datamodule = trainer.datamodule
        return (
            spec is not None
            and not spec.is_classification
            and not spec.per_step
            and is_forecast(getattr(datamodule, "normalisation", None), spec.output_size)
        )

    def on_test_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._forecast = None
        if not self._applies(trainer, pl_module):
            return
        self._forecast = test_forecast(pl_module, trainer.datamodule)
        pl_module.log("test/mse_baseline", self._forecast.naive_mse, batch_size=1)
        pl_module.log("test/mae_baseline", self._forecast.naive_mae, batch_size=1)

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._forecast is None or not trainer.is_global_zero:
            return
        figure = forecast_figure(self._forecast, f"Forecast: {pl_module.spec.name} (test span)")
        self.figure_file.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(self.figure_file, dpi=120)
        for logger in trainer.loggers:
            if isinstance(logger, TensorBoardLogger):
                logger.experiment.add_figure("test/forecast", figure, trainer.global_step)
