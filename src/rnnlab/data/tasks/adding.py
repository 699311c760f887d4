"""The adding problem (Arjovsky, Shah & Bengio 2016): add the two marked numbers.

Channel 1 holds T numbers drawn from U[0, 1]; channel 2 is zero except for exactly two
ones, one in each half of the sequence. The target is the sum of the two marked numbers.
Always answering 1 scores an MSE of Var(U1 + U2) = 1/6: a model must beat that to show
it remembers anything.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.data.spec import SequenceSplits, SequenceTensors, TaskSpec
from rnnlab.errors import ConfigError

#: MSE of always predicting 1, the best answer that ignores the inputs.
ADDING_BASELINE_MSE = 1.0 / 6.0


def _draw(rng: np.random.Generator, num_sequences: int, seq_len: int) -> SequenceTensors:
    values = rng.uniform(0.0, 1.0, size=(num_sequences, seq_len))
    half = seq_len // 2
    first = rng.integers(0, half, size=num_sequences)
    second = rng.integers(half, seq_len, size=num_sequences)
    rows = np.arange(num_sequences)
    markers = np.zeros_like(values)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    sums = values[rows, first] + values[rows, second]
    inputs = torch.from_numpy(np.stack([values, markers], axis=-1).astype(np.float32))
    targets = torch.from_numpy(sums.astype(np.float32)).unsqueeze(-1)
    return SequenceTensors.fixed_length(inputs, targets)


def adding_task(
    seq_len: int = 50,
    num_train: int = 5000,
    num_val: int = 500,
    num_test: int = 500,
    seed: int = 42,
) -> SequenceSplits:
    """Two-channel sequences whose target is the sum of the two marked values."""
    if seq_len < 2:
        raise ConfigError(
            f"data.seq_len={seq_len} is too short for the adding task: "
            "it needs seq_len >= 2 so that each half holds one marker."
        )
    rng = np.random.default_rng(seed)
    train = _draw(rng, num_train, seq_len)
    val = _draw(rng, num_val, seq_len)
    test = _draw(rng, num_test, seq_len)
    spec = TaskSpec(
        name="adding",
        input_size=2,
        output_size=1,
        kind="regression",
        per_step=False,
        baseline_loss=ADDING_BASELINE_MSE,
        baseline_name="always predict 1",
    )
    return SequenceSplits(spec=spec, train=train, val=val, test=test)
