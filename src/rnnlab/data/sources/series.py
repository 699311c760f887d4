"""``data=series``: forecast a real univariate series that aeon ships, from sliding windows.

Each case is ``window`` consecutive values and its target the next ``horizon`` values. The
series is cut chronologically: the first part trains, the next validates, the last
``test_fraction`` is the test span, and a split's targets all lie in its own span (its
windows may look back into earlier spans, as a real forecast would). The scaling is fitted
on the training span alone.

With ``relative: true`` (the default) the network is trained to predict the change from
the window's last value: 0 is then the naive last-value forecast, whose MSE on the test
span is logged as ``*/loss_baseline``. MSE and MAE are in the scaled units (the training
span's std is 1) whichever way the target is expressed, so they compare with the baseline
directly; ``Normalisation.restore_targets`` turns forecasts back into the series' units.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from rnnlab.data.normalisation import MIN_STD, Normalisation, last_real_step
from rnnlab.data.sources.assemble import RawPart
from rnnlab.data.sources.packaged import package_dir
from rnnlab.data.sources.splitting import check_fraction
from rnnlab.data.spec import SequenceSplits, TaskSpec
from rnnlab.errors import ConfigError

#: Univariate series in aeon/datasets/data: name -> (file, what it is).
SERIES: dict[str, tuple[str, str]] = {
    "Airline": ("Airline/Airline.csv", "monthly international airline passengers, 1949-1960"),
    "Lynx": ("Lynx/Lynx.csv", "yearly Canadian lynx trappings, 1821-1934"),
    "ShampooSales": ("ShampooSales/ShampooSales.csv", "monthly shampoo sales, 3 years"),
    "PBS_dataset": ("PBS_dataset/PBS_dataset.csv", "monthly Australian PBS scripts"),
    "solar": ("solar/solar.csv", "half-hourly GB solar generation, 6 days"),
}
BASELINE_NAME = "naive last-value forecast (test span)"


def read_series(path: Path) -> np.ndarray:
    """The second column of a two-column CSV with a header line, as float64."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))[1:]
    try:
        return np.array([float(row[1]) for row in rows if row], dtype=np.float64)
    except (IndexError, ValueError):
        raise ConfigError(f"{path} is not a two-column CSV of times and values.") from None


def series_path(name: str) -> Path:
    """The shipped file of series ``name``, or one sentence listing those available."""
    folder = package_dir("aeon", "data=series") / "datasets" / "data"
    available = {
        key: folder / file for key, (file, _) in SERIES.items() if (folder / file).is_file()
    }
    if name not in available:
        listed = ", ".join(f"{key} ({SERIES[key][1]})" for key in available) or "none"
        raise ConfigError(
            f"data.name={name!r} is not a series rnnlab can read: available are {listed}."
        )
    return available[name]


def span_bounds(length: int, val_fraction: float, test_fraction: float) -> tuple[int, int]:
    """Where validation and test spans start: train is [0, a), val [a, b), test [b, length)."""
    test_start = length - round(length * test_fraction)
    return test_start - round(length * val_fraction), test_start


def windows(series: np.ndarray, first: int, stop: int, window: int, horizon: int) -> RawPart:
    """Every window whose ``horizon`` targets start at t in [first, stop - horizon]."""
    starts = np.arange(max(first, window), stop - horizon + 1)
    if len(starts) == 0:
        return RawPart(
            np.zeros((0, window, 1), np.float32),
            np.zeros(0, np.int64),
            np.zeros((0, horizon), np.float32),
        )
    inputs = np.stack([series[t - window : t] for t in starts])[..., None]
    targets = np.stack([series[t : t + horizon] for t in starts])
    lengths = np.full(len(starts), window, dtype=np.int64)
    return RawPart(inputs.astype(np.float32), lengths, targets.astype(np.float32))


def naive_forecast(
    scaled_inputs: np.ndarray, lengths: np.ndarray, horizon: int, normalisation: Normalisation
) -> np.ndarray:
    """The last-value forecast in the network's target units: 0 when targets are relative."""
    if normalisation.target_relative:
        return np.zeros((len(scaled_inputs), horizon), dtype=np.float32)
    return np.repeat(last_real_step(scaled_inputs, lengths)[:, :1], horizon, axis=1)


def _check_sizes(window: int, horizon: int) -> None:
    for field, value in (("window", window), ("horizon", horizon)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"data.{field}={value} is not valid: expected an integer >= 1.")


def series_source(
    name: str = "Airline",
    window: int = 24,
    horizon: int = 1,
    val_fraction: float = 0.15,
    test_fraction: float = 0.2,
    relative: bool = True,
    seed: int = 42,
) -> SequenceSplits:
    """Sliding windows over a shipped series, split chronologically, scaled on train.

    ``seed`` only orders the training batches (the DataModule reads it): the split is fixed
    by the fractions.
    """
    _check_sizes(window, horizon)
    check_fraction("val_fraction", val_fraction)
    check_fraction("test_fraction", test_fraction, upper=1.0 - val_fraction)
    series = read_series(series_path(name))
    val_start, test_start = span_bounds(len(series), val_fraction, test_fraction)
    train = windows(series, 0, val_start, window, horizon)
    val = windows(series, val_start, test_start, window, horizon)
    test = windows(series, test_start, len(series), window, horizon)
    for split, part in (("training", train), ("test", test)):
        if len(part.lengths) == 0:
            raise ConfigError(
                f"data.window={window} and data.horizon={horizon} leave no {split} window in "
                f"the {len(series)} values of {name}: lower them or change the fractions."
            )
    mean, std = float(series[:val_start].mean()), float(series[:val_start].std())
    std = std if std >= MIN_STD else 1.0
    normalisation = Normalisation((mean,), (std,)).with_targets(
        (mean,) * horizon, (std,) * horizon, relative=relative
    )
    parts = [part.scaled(normalisation) for part in (train, val, test)]
    scaled_test = parts[2]
    naive = naive_forecast(
        scaled_test.inputs.numpy(), scaled_test.lengths.numpy(), horizon, normalisation
    )
    spec = TaskSpec(
        name=name,
        input_size=1,
        output_size=horizon,
        kind="regression",
        per_step=False,
        baseline_loss=float(((naive - scaled_test.targets.numpy()) ** 2).mean()),
        baseline_name=BASELINE_NAME,
    )
    return SequenceSplits(spec, *parts, normalisation=normalisation)
