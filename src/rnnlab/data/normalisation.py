"""Normalisation: the scaling a real data set was given, fitted on its training split only.

Real sources hand it out with their tensors (``SequenceSplits.normalisation``); the
DataModule exposes it and every checkpoint stores it as plain numbers
(``rnnlab_normalisation``), so that new sequences can later be scaled exactly as the
training data were, and predictions turned back into the data's own units, without the
training data. Fitting on the training split alone keeps the validation and test splits
unseen: their statistics never leak into the model's inputs.

Inputs: ``x' = (x - mean) / std`` per feature, on real steps only (padding stays 0).
Regression targets: ``y' = (y - target_mean) / target_std`` per output; with
``target_relative`` the target is instead the change from the last real input step of
feature 0 (already scaled), which is how a forecast is trained to beat the naive
last-value forecast: predicting 0 is that forecast.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: A standard deviation below this is treated as 1: a constant feature is only shifted.
MIN_STD = 1e-8


def step_mask(lengths: np.ndarray, total_steps: int) -> np.ndarray:
    """(N, T, 1) boolean mask: True on a sequence's real steps, False on its padding."""
    return (np.arange(total_steps)[None, :] < np.asarray(lengths)[:, None])[..., None]


def last_real_step(inputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, F): each sequence's last real step."""
    return inputs[np.arange(inputs.shape[0]), np.asarray(lengths) - 1]


def _full_length(inputs: np.ndarray, lengths: np.ndarray) -> bool:
    return bool((np.asarray(lengths) == inputs.shape[1]).all())


def _safe_std(std: np.ndarray) -> np.ndarray:
    return np.where(std < MIN_STD, 1.0, std)


@dataclass(frozen=True)
class Normalisation:
    """Per-feature input scaling and, for regression, per-output target scaling.

    Works on NumPy arrays (sources and files are NumPy; for arrays of this size NumPy is
    many times faster than torch on a busy CPU); results are float32.
    """

    mean: tuple[float, ...]
    std: tuple[float, ...]
    target_mean: tuple[float, ...] | None = None
    target_std: tuple[float, ...] | None = None
    #: Targets are changes from the last real step of (scaled) input feature 0.
    target_relative: bool = False

    @classmethod
    def fit(
        cls, inputs: np.ndarray, lengths: np.ndarray, per_feature: bool = True
    ) -> Normalisation:
        """Mean and std over the real steps of ``inputs`` (N, T, F): the training split.

        ``per_feature=False`` pools every feature into one mean and std (image rows, whose
        edge columns are almost always 0, would otherwise be blown up by a tiny std).
        """
        axes = (0, 1) if per_feature else (0, 1, 2)
        if _full_length(inputs, lengths):
            mean = inputs.mean(axis=axes, dtype=np.float64)
            # Deviations in the inputs' own precision, summed in float64: np.var(dtype=float64)
            # would first copy every value to float64, 3x slower on MNIST-sized inputs.
            deviations = inputs - mean.astype(inputs.dtype)
            var = np.square(deviations).mean(axis=axes, dtype=np.float64)
        else:
            mask = step_mask(lengths, inputs.shape[1])
            count = mask.sum(axis=axes) * (1 if per_feature else inputs.shape[2])
            mean = np.where(mask, inputs, 0).sum(axis=axes, dtype=np.float64) / count
            deviations = np.where(mask, inputs - mean, 0) ** 2
            var = deviations.sum(axis=axes, dtype=np.float64) / count
        features = inputs.shape[2]
        mean = np.broadcast_to(mean, features)
        std = np.broadcast_to(_safe_std(np.sqrt(var)), features)
        return cls(tuple(mean.tolist()), tuple(std.tolist()))

    def with_targets(
        self, mean: tuple[float, ...], std: tuple[float, ...], relative: bool = False
    ) -> Normalisation:
        """The same input scaling plus a target scaling (regression)."""
        std = tuple(s if s >= MIN_STD else 1.0 for s in std)
        return Normalisation(self.mean, self.std, tuple(mean), std, relative)

    @property
    def num_features(self) -> int:
        return len(self.mean)

    # applying it -----------------------------------------------------------------------
    def inputs(self, raw: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Scaled inputs (N, T, F) float32; padded steps are 0."""
        mean = np.asarray(self.mean, dtype=np.float32)
        std = np.asarray(self.std, dtype=np.float32)
        scaled = (raw.astype(np.float32, copy=False) - mean) / std
        if not _full_length(raw, lengths):
            scaled = np.where(step_mask(lengths, raw.shape[1]), scaled, np.float32(0))
        return scaled

    def targets(
        self, raw: np.ndarray, scaled_inputs: np.ndarray, lengths: np.ndarray
    ) -> np.ndarray:
        """Scaled regression targets (N, outputs); classification targets pass unchanged."""
        if self.target_mean is None or self.target_std is None:
            return raw
        scaled = (raw - np.asarray(self.target_mean)) / np.asarray(self.target_std)
        if self.target_relative:
            scaled = scaled - last_real_step(scaled_inputs, lengths)[:, :1]
        return scaled.astype(np.float32)

    def restore_targets(
        self, outputs: np.ndarray, scaled_inputs: np.ndarray, lengths: np.ndarray
    ) -> np.ndarray:
        """A regression network's outputs (or scaled targets) in the data's own units."""
        if self.target_mean is None or self.target_std is None:
            return outputs
        if self.target_relative:
            outputs = outputs + last_real_step(scaled_inputs, lengths)[:, :1]
        restored = outputs * np.asarray(self.target_std) + np.asarray(self.target_mean)
        return restored.astype(np.float32)

    # storing it --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain lists and numbers: what a checkpoint loaded with weights_only=True can hold."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> Normalisation:
        def numbers(key: str) -> tuple[float, ...] | None:
            value = stored.get(key)
            return None if value is None else tuple(float(v) for v in value)

        return cls(
            mean=numbers("mean") or (),
            std=numbers("std") or (),
            target_mean=numbers("target_mean"),
            target_std=numbers("target_std"),
            target_relative=bool(stored.get("target_relative", False)),
        )
