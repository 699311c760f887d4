"""The copy memory task: layout of inputs and targets, and the memoryless baseline."""

from __future__ import annotations

import math

import torch

from rnnlab.data.tasks.copy_memory import BLANK, copy_baseline_loss, copy_task


def test_layout_of_inputs_and_targets() -> None:
    T, k, symbols = 6, 4, 5
    splits = copy_task(seq_len=T, num_symbols=symbols, num_remember=k, num_train=50, seed=0)
    inputs, targets = splits.train.inputs, splits.train.targets
    assert inputs.shape == (50, T + 2 * k, symbols + 2)
    assert targets.shape == (50, T + 2 * k)
    tokens = inputs.argmax(dim=-1)
    remembered = tokens[:, :k]
    assert torch.all((remembered >= 1) & (remembered <= symbols))
    assert torch.all(tokens[:, k : k + T - 1] == BLANK)
    assert torch.all(tokens[:, k + T - 1] == symbols + 1)  # the delimiter
    assert torch.all(tokens[:, k + T :] == BLANK)
    assert torch.all(targets[:, : T + k] == BLANK)
    assert torch.equal(targets[:, T + k :], remembered)
    spec = splits.spec
    assert spec.per_step and spec.output_size == symbols + 1 and spec.scored_last_steps == k


def test_baseline_is_the_memoryless_cross_entropy() -> None:
    assert copy_baseline_loss(100, 8, 10) == 10 * math.log(8) / 120
    assert copy_task(seq_len=30, num_train=2, num_val=1, num_test=1).spec.baseline_loss == (
        10 * math.log(8) / 50
    )


def test_seeded() -> None:
    a, b = copy_task(seed=9, num_train=20), copy_task(seed=9, num_train=20)
    assert torch.equal(a.train.targets, b.train.targets)
    assert not torch.equal(a.train.targets, copy_task(seed=10, num_train=20).train.targets)
