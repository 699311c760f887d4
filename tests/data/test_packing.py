"""Padded variable-length batches give each sequence exactly what it gives when run alone.

The network packs a batch by its lengths, so the head reads each sequence's last real step
(and a bidirectional core starts its backward pass there), never the padding.
"""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.network import RecurrentNetwork


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("per_step", [False, True])
def test_packed_batch_equals_each_sequence_alone(
    cell: str, bidirectional: bool, per_step: bool
) -> None:
    torch.manual_seed(0)
    network = RecurrentNetwork(
        3, 4, per_step=per_step, cell=cell, hidden_size=8, num_layers=2, bidirectional=bidirectional
    ).eval()
    lengths = torch.tensor([7, 2, 5, 1])
    inputs = torch.randn(4, 7, 3)
    for row, length in enumerate(lengths.tolist()):
        inputs[row, length:] = 99.0  # padding a model must never read
    with torch.no_grad():
        batch = network(inputs, lengths)
        for row, length in enumerate(lengths.tolist()):
            alone = network(inputs[row : row + 1, :length])[0]
            expected = batch[row, :length] if per_step else batch[row]
            torch.testing.assert_close(expected, alone, rtol=1e-5, atol=1e-6)


def test_without_packing_the_padding_would_change_the_answer() -> None:
    """The check above can fail: reading the padding changes a last-step prediction."""
    torch.manual_seed(0)
    network = RecurrentNetwork(3, 4, per_step=False, cell="gru", hidden_size=8).eval()
    inputs = torch.randn(1, 6, 3)
    inputs[0, 3:] = 99.0
    with torch.no_grad():
        alone = network(inputs[:, :3])
        assert not torch.allclose(network(inputs), alone)
        torch.testing.assert_close(network(inputs, torch.tensor([3])), alone)
