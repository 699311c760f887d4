"""EpochOutputs: the epoch's loss is weighted by sequences, like Lightning's on_epoch mean."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.epoch_outputs import EpochOutputs


def test_mean_loss_weights_by_batch_size_and_keeps_outputs() -> None:
    outputs = EpochOutputs()
    outputs.add(
        torch.tensor(1.0, requires_grad=True), 3, torch.tensor([0, 1, 1]), torch.tensor([0, 1, 0])
    )
    outputs.add(torch.tensor(3.0), 1, torch.tensor([1]), torch.tensor([1]))
    assert len(outputs) == 2
    assert outputs.mean_loss().item() == pytest.approx((1.0 * 3 + 3.0) / 4)
    assert not outputs.mean_loss().requires_grad
    assert outputs.predictions().tolist() == [0, 1, 1, 1]
    assert outputs.targets().tolist() == [0, 1, 0, 1]
    outputs.clear()
    assert len(outputs) == 0
