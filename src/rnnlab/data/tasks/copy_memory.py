"""The copy memory task (Arjovsky, Shah & Bengio 2016): recall symbols after a long gap.

Input: ``num_remember`` symbols drawn from ``num_symbols``, then T-1 blanks, a delimiter,
then ``num_remember`` blanks. Target: T + num_remember blanks, then the symbols again.
Symbols are one-hot coded: 0 is the blank, 1..num_symbols the symbols, and
num_symbols + 1 the delimiter. A network that remembers nothing can at best emit blanks
and then guess, which costs num_remember * ln(num_symbols) / (T + 2 * num_remember)
nats per step: that baseline is logged next to the model's loss.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.data.spec import SequenceSplits, SequenceTensors, TaskSpec

BLANK = 0


def copy_baseline_loss(seq_len: int, num_symbols: int, num_remember: int) -> float:
    """Cross-entropy per step of the best strategy that remembers nothing."""
    return num_remember * math.log(num_symbols) / (seq_len + 2 * num_remember)


def _draw(
    rng: np.random.Generator, num_sequences: int, seq_len: int, num_symbols: int, num_remember: int
) -> SequenceTensors:
    total = seq_len + 2 * num_remember
    symbols = rng.integers(1, num_symbols + 1, size=(num_sequences, num_remember))
    tokens = np.full((num_sequences, total), BLANK, dtype=np.int64)
    tokens[:, :num_remember] = symbols
    tokens[:, num_remember + seq_len - 1] = num_symbols + 1  # the delimiter
    targets = np.full((num_sequences, total), BLANK, dtype=np.int64)
    targets[:, seq_len + num_remember :] = symbols
    inputs = F.one_hot(torch.from_numpy(tokens), num_classes=num_symbols + 2).float()
    return SequenceTensors.fixed_length(inputs, torch.from_numpy(targets))


def copy_task(
    seq_len: int = 20,
    num_symbols: int = 8,
    num_remember: int = 10,
    num_train: int = 5000,
    num_val: int = 500,
    num_test: int = 500,
    seed: int = 42,
) -> SequenceSplits:
    """Many-to-many recall of ``num_remember`` symbols after a gap of ``seq_len`` steps."""
    rng = np.random.default_rng(seed)
    draw = (seq_len, num_symbols, num_remember)
    train = _draw(rng, num_train, *draw)
    val = _draw(rng, num_val, *draw)
    test = _draw(rng, num_test, *draw)
    spec = TaskSpec(
        name="copy",
        input_size=num_symbols + 2,
        output_size=num_symbols + 1,
        kind="classification",
        per_step=True,
        class_names=("blank", *(str(s) for s in range(1, num_symbols + 1))),
        baseline_loss=copy_baseline_loss(seq_len, num_symbols, num_remember),
        baseline_name="blanks, then a random symbol",
        scored_last_steps=num_remember,
    )
    return SequenceSplits(spec=spec, train=train, val=val, test=test)
