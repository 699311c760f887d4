"""RecurrentNetwork: output shapes for every cell and head; lengths honoured by either impl."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.network import CELLS, IMPLS, RecurrentNetwork


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("per_step", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_shapes(cell: str, per_step: bool, bidirectional: bool) -> None:
    network = RecurrentNetwork(
        input_size=3,
        output_size=4,
        per_step=per_step,
        cell=cell,
        hidden_size=5,
        num_layers=2,
        bidirectional=bidirectional,
        dropout=0.1,
    )
    outputs = network(torch.randn(6, 7, 3))
    assert outputs.shape == ((6, 7, 4) if per_step else (6, 4))
    assert isinstance(network.core, CELLS[cell])


def test_rnn_nonlinearity_reaches_the_core() -> None:
    network = RecurrentNetwork(1, 2, per_step=False, cell="rnn", nonlinearity="relu")
    assert network.core.nonlinearity == "relu"


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("impl", IMPLS)
def test_padding_does_not_change_a_sequences_answer(
    cell: str, bidirectional: bool, impl: str
) -> None:
    torch.manual_seed(0)
    network = RecurrentNetwork(
        2, 3, per_step=False, cell=cell, hidden_size=4, bidirectional=bidirectional, impl=impl
    ).eval()
    short = torch.randn(1, 4, 2)
    padded = torch.cat([short, torch.randn(1, 3, 2)], dim=1)  # garbage after step 4
    batch = torch.cat([padded, torch.randn(1, 7, 2)])
    with torch.no_grad():
        alone = network(short)
        together = network(batch, torch.tensor([4, 7]))
    assert torch.allclose(together[0], alone[0], atol=1e-6)


def test_last_step_head_reads_the_final_hidden_state() -> None:
    """Without lengths the last-step head equals the head on the output at step T."""
    torch.manual_seed(1)
    network = RecurrentNetwork(1, 2, per_step=False, cell="rnn", hidden_size=8)
    inputs = torch.randn(5, 6, 1)
    outputs, _ = network.core(inputs)
    assert torch.allclose(network(inputs), network.head(outputs[:, -1]), atol=1e-6)
