"""EpochOutputs: the epoch's loss weighs each batch by what its loss averages over."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data.spec import TaskSpec
from rnnlab.models.epoch_outputs import EpochOutputs
from rnnlab.models.objective import Objective, step_mask


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


def test_tensor_counts_and_mixed_counts() -> None:
    outputs = EpochOutputs()
    outputs.add(torch.tensor(2.0), torch.tensor([1, 4]).sum(), torch.zeros(1), torch.zeros(1))
    outputs.add(torch.tensor(0.5), torch.tensor(3), torch.zeros(1), torch.zeros(1))
    assert outputs.mean_loss().item() == pytest.approx((2.0 * 5 + 0.5 * 3) / 8)
    outputs.add(torch.tensor(4.0), 2, torch.zeros(1), torch.zeros(1))  # an int after tensors
    assert outputs.mean_loss().item() == pytest.approx((2.0 * 5 + 0.5 * 3 + 4.0 * 2) / 10)


def test_half_precision_losses_do_not_round_the_counts() -> None:
    """bfloat16 holds integers exactly only up to 256: counts must not be cast to it."""
    outputs = EpochOutputs()
    outputs.add(torch.tensor(1.0, dtype=torch.bfloat16), 257, torch.zeros(1), torch.zeros(1))
    outputs.add(torch.tensor(0.0, dtype=torch.bfloat16), 1, torch.zeros(1), torch.zeros(1))
    assert outputs.mean_loss().item() == pytest.approx(257 / 258, rel=1e-6)


def test_per_step_epoch_loss_is_the_mean_over_all_valid_steps() -> None:
    """Batches with different numbers of valid steps: the epoch loss is the loss of them all."""
    torch.manual_seed(0)
    spec = TaskSpec("t", 1, 3, "classification", True, ("a", "b", "c"), scored_last_steps=2)
    objective = Objective(spec)
    epoch = EpochOutputs()
    all_outputs, all_targets, losses = [], [], []
    for lengths in (torch.tensor([6, 1, 2]), torch.tensor([6, 6]), None):
        batch = 3 if lengths is None else len(lengths)
        outputs, targets = torch.randn(batch, 6, 3), torch.randint(0, 3, (batch, 6))
        loss = objective.loss(outputs, targets, lengths)
        losses.append(loss)
        epoch.add(
            loss, objective.weight(targets, lengths), *objective.scored(outputs, targets, lengths)
        )
        valid = step_mask(lengths if lengths is not None else torch.full((batch,), 6), 6)
        all_outputs.append(outputs[valid])
        all_targets.append(targets[valid])
    expected = F.cross_entropy(torch.cat(all_outputs), torch.cat(all_targets))
    assert epoch.mean_loss().item() == pytest.approx(expected.item(), rel=1e-6)
    # the per-sequence weighting it replaces would differ on these batches
    per_sequence = (torch.stack(losses) * torch.tensor([3.0, 2.0, 3.0])).sum() / 8
    assert per_sequence.item() != pytest.approx(expected.item(), rel=1e-3)
