"""Turn a source's NumPy parts into scaled SequenceSplits, the scaling fitted on train only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnlab.data.normalisation import Normalisation
from rnnlab.data.spec import SequenceSplits, SequenceTensors, TaskSpec


@dataclass(frozen=True)
class RawPart:
    """One split before scaling: inputs (N, T, F), lengths (N,), targets (N,) or (N, K)."""

    inputs: np.ndarray
    lengths: np.ndarray
    targets: np.ndarray

    def take(self, indices: np.ndarray) -> RawPart:
        """These cases, padding cut to the longest of them."""
        lengths = self.lengths[indices]
        steps = int(lengths.max()) if len(indices) else self.inputs.shape[1]
        return RawPart(self.inputs[indices, :steps], lengths, self.targets[indices])

    def scaled(self, normalisation: Normalisation) -> SequenceTensors:
        """Tensors of this part, inputs and regression targets scaled by ``normalisation``."""
        inputs = normalisation.inputs(self.inputs, self.lengths)
        targets = self.targets
        if targets.dtype.kind == "f":
            targets = normalisation.targets(targets.reshape(len(targets), -1), inputs, self.lengths)
        return SequenceTensors(
            torch.from_numpy(inputs),
            torch.from_numpy(np.ascontiguousarray(targets)),
            torch.from_numpy(self.lengths.astype(np.int64)),
        )


def classification_splits(
    spec: TaskSpec, train: RawPart, val: RawPart, test: RawPart, per_feature: bool = True
) -> SequenceSplits:
    """Inputs scaled by statistics of ``train`` alone; targets are class indices (int64)."""
    normalisation = Normalisation.fit(train.inputs, train.lengths, per_feature=per_feature)
    return regression_splits(spec, train, val, test, normalisation)


def regression_splits(
    spec: TaskSpec,
    train: RawPart,
    val: RawPart,
    test: RawPart,
    normalisation: Normalisation,
) -> SequenceSplits:
    """Inputs, and (N, K) float targets, scaled by ``normalisation`` (fitted on train);
    class-index targets pass through unscaled (``RawPart.scaled``)."""
    return SequenceSplits(
        spec=spec,
        train=train.scaled(normalisation),
        val=val.scaled(normalisation),
        test=test.scaled(normalisation),
        normalisation=normalisation,
    )
