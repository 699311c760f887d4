"""data=series: sliding windows over a shipped series, split in time, scaled on the past."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.data.sources.series import (
    naive_forecast,
    read_series,
    series_path,
    series_source,
    span_bounds,
)
from rnnlab.data.spec import SequenceTensors
from rnnlab.errors import ConfigError
from tests.data.sources.packages import needs_package

pytestmark = needs_package("aeon")


def _airline() -> np.ndarray:
    return read_series(series_path("Airline"))


def _restored(splits, part: SequenceTensors) -> tuple[np.ndarray, np.ndarray]:
    """A split's windows and targets back in passengers."""
    norm = splits.normalisation
    inputs, lengths = part.inputs.numpy(), part.lengths.numpy()
    raw_inputs = inputs[..., 0] * norm.std[0] + norm.mean[0]
    return raw_inputs, norm.restore_targets(part.targets.numpy(), inputs, lengths)


def test_windows_and_targets_are_consecutive_values_of_the_series() -> None:
    series = _airline()
    assert len(series) == 144 and series[0] == 112
    splits = series_source("Airline", window=12, horizon=3, relative=True)
    inputs, targets = _restored(splits, splits.train)
    assert splits.train.inputs.shape == (len(splits.train), 12, 1)
    assert splits.train.targets.shape == (len(splits.train), 3)
    np.testing.assert_allclose(inputs[0], series[:12], rtol=1e-5)
    np.testing.assert_allclose(targets[0], series[12:15], rtol=1e-5)
    np.testing.assert_allclose(inputs[1], series[1:13], rtol=1e-5)  # slides by one step


@pytest.mark.parametrize("relative", [True, False])
def test_split_is_chronological_and_each_target_lies_in_its_own_span(relative: bool) -> None:
    series = _airline()
    splits = series_source("Airline", window=24, horizon=2, relative=relative)
    val_start, test_start = span_bounds(144, 0.15, 0.2)
    assert (val_start, test_start) == (93, 115)
    spans = [(0, val_start), (val_start, test_start), (test_start, 144)]
    for part, (first, stop) in zip((splits.train, splits.val, splits.test), spans, strict=True):
        _, targets = _restored(splits, part)
        expected = np.stack([series[t : t + 2] for t in range(max(first, 24), stop - 1)])
        np.testing.assert_allclose(targets, expected, rtol=1e-5)


def test_scaling_is_fitted_on_the_training_span_alone() -> None:
    series = _airline()
    norm = series_source("Airline").normalisation
    val_start, _ = span_bounds(144, 0.15, 0.2)
    assert norm.mean == pytest.approx((series[:val_start].mean(),))
    assert norm.std == pytest.approx((series[:val_start].std(),))
    assert norm.mean[0] < series.mean()  # the later, larger values were not seen


def test_baseline_is_the_naive_forecasts_test_mse_either_way() -> None:
    relative = series_source("Airline", relative=True)
    absolute = series_source("Airline", relative=False)
    assert relative.spec.baseline_loss == pytest.approx(absolute.spec.baseline_loss, rel=1e-5)
    test = relative.test
    assert relative.spec.baseline_loss == pytest.approx(float((test.targets**2).mean()), rel=1e-6)
    naive = naive_forecast(
        absolute.test.inputs.numpy(), absolute.test.lengths.numpy(), 1, absolute.normalisation
    )
    np.testing.assert_allclose(naive[:, 0], absolute.test.inputs[:, -1, 0].numpy())


def test_deterministic() -> None:
    assert torch.equal(series_source(seed=1).train.targets, series_source(seed=2).train.targets)


def test_unknown_name_and_impossible_windows_are_one_sentence() -> None:
    with pytest.raises(ConfigError, match=r"data.name='Passengers' is not a series .* Airline \("):
        series_source("Passengers")
    with pytest.raises(ConfigError, match="data.window=200 and data.horizon=1 leave no training"):
        series_source("Airline", window=200)
    with pytest.raises(ConfigError, match="data.horizon=0 is not valid"):
        series_source("Airline", horizon=0)
