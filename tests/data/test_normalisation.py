"""Normalisation: statistics of real steps only, padding kept at 0, exact round trips."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.data.normalisation import Normalisation


def _padded() -> tuple[np.ndarray, np.ndarray]:
    """Two sequences of two features; the second is 2 steps long, padded with 99s."""
    inputs = np.array(
        [[[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]], [[7.0, 70.0], [9.0, 90.0], [99.0, 99.0]]],
        dtype=np.float32,
    )
    return inputs, np.array([3, 2])


def test_fit_uses_real_steps_only() -> None:
    inputs, lengths = _padded()
    fitted = Normalisation.fit(inputs, lengths)
    real = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    assert fitted.mean == pytest.approx((real.mean(), 10 * real.mean()))
    assert fitted.std == pytest.approx((real.std(), 10 * real.std()))


def test_pooled_fit_gives_every_feature_the_same_statistics() -> None:
    inputs, lengths = _padded()
    pooled = Normalisation.fit(inputs, lengths, per_feature=False)
    real = np.concatenate([inputs[0], inputs[1, :2]]).ravel()
    assert pooled.mean == pytest.approx((real.mean(),) * 2)
    assert pooled.std == pytest.approx((real.std(),) * 2)


def test_scaled_training_inputs_have_zero_mean_unit_std_and_zero_padding() -> None:
    inputs, lengths = _padded()
    scaled = Normalisation.fit(inputs, lengths).inputs(inputs, lengths)
    real = np.concatenate([scaled[0], scaled[1, :2]])
    np.testing.assert_allclose(real.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(real.std(axis=0), 1, atol=1e-6)
    assert np.all(scaled[1, 2] == 0) and scaled.dtype == np.float32


def test_a_constant_feature_is_only_shifted() -> None:
    inputs = np.full((4, 3, 1), 5.0, dtype=np.float32)
    fitted = Normalisation.fit(inputs, np.full(4, 3))
    assert fitted.std == (1.0,)
    assert np.all(fitted.inputs(inputs, np.full(4, 3)) == 0)


@pytest.mark.parametrize("relative", [False, True])
def test_targets_round_trip_to_the_datas_units(relative: bool) -> None:
    inputs, lengths = _padded()
    norm = Normalisation.fit(inputs, lengths).with_targets((4.0,), (2.0,), relative=relative)
    scaled_inputs = norm.inputs(inputs, lengths)
    raw = np.array([[6.0], [11.0]], dtype=np.float32)
    scaled = norm.targets(raw, scaled_inputs, lengths)
    np.testing.assert_allclose(norm.restore_targets(scaled, scaled_inputs, lengths), raw, rtol=1e-6)
    if relative:  # the change from each sequence's last real step of feature 0
        last = scaled_inputs[[0, 1], [2, 1], 0]
        np.testing.assert_allclose(scaled[:, 0], (raw[:, 0] - 4.0) / 2.0 - last, rtol=1e-6)


def test_classification_targets_pass_unchanged() -> None:
    inputs, lengths = _padded()
    labels = np.array([1, 0])
    assert Normalisation.fit(inputs, lengths).targets(labels, inputs, lengths) is labels


def test_dict_round_trip_holds_only_plain_numbers() -> None:
    inputs, lengths = _padded()
    norm = Normalisation.fit(inputs, lengths).with_targets((1.0, 2.0), (3.0, 4.0), relative=True)
    stored = norm.to_dict()
    assert all(isinstance(v, list | bool | type(None)) for v in stored.values())
    assert all(isinstance(x, float) for x in stored["mean"] + stored["target_std"])
    assert Normalisation.from_dict(stored) == norm
