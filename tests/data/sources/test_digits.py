"""data=digits: scikit-learn's 1,797 8x8 digits as 8 steps x 8 features."""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.data.sources.digits import digits_source
from tests.data.sources.packages import needs_package

pytestmark = needs_package("sklearn")


def test_shapes_sizes_and_stratification() -> None:
    splits = digits_source()
    assert splits.train.inputs.shape[1:] == (8, 8) and splits.spec.input_size == 8
    assert len(splits.train) + len(splits.val) + len(splits.test) == 1797
    assert abs(len(splits.test) - 0.2 * 1797) <= 10
    counts = splits.test.targets.bincount().numpy()
    assert counts.min() >= 35 and counts.max() <= 37  # about 20% of each digit's ~180
    train = splits.train.inputs.numpy()
    np.testing.assert_allclose([train.mean(), train.std()], [0, 1], atol=1e-4)


def test_deterministic_and_independent_of_the_runs_seed() -> None:
    first, other_seed = digits_source(seed=1), digits_source(seed=2)
    assert torch.equal(first.train.inputs, other_seed.train.inputs)
    assert not torch.equal(first.test.inputs, digits_source(split_seed=3).test.inputs)
