"""The lesson's task: is more than half of a binary sequence made of ones?

Sequences come from a NumPy ``RandomState(seed)``, train first, then test, then
validation. ``randint(0, 2, size=(n, T))`` yields exactly the values that the lesson's
loop of ``randint(0, 2, size=(T,))`` calls does, so with seed 42 the train and test
sets are the lesson's own, and the validation split is drawn after them.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.data.spec import SequenceSplits, SequenceTensors, TaskSpec


def _draw(rng: np.random.RandomState, num_sequences: int, seq_len: int) -> SequenceTensors:
    bits = rng.randint(0, 2, size=(num_sequences, seq_len))
    labels = (bits.sum(axis=1) > seq_len // 2).astype(np.int64)
    inputs = torch.from_numpy(bits.astype(np.float32)).unsqueeze(-1)
    return SequenceTensors.fixed_length(inputs, torch.from_numpy(labels))


def majority_task(
    seq_len: int = 10,
    num_train: int = 1000,
    num_val: int = 200,
    num_test: int = 200,
    seed: int = 42,
) -> SequenceSplits:
    """Binary sequences labelled 1 iff count(1) > seq_len // 2."""
    rng = np.random.RandomState(seed)
    train = _draw(rng, num_train, seq_len)
    test = _draw(rng, num_test, seq_len)
    val = _draw(rng, num_val, seq_len)
    spec = TaskSpec(
        name="majority",
        input_size=1,
        output_size=2,
        kind="classification",
        per_step=False,
        class_names=("0", "1"),
    )
    return SequenceSplits(spec=spec, train=train, val=val, test=test)
