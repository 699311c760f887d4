"""RecurrentNetwork: a recurrent core (nn.RNN, nn.LSTM or nn.GRU) and a linear head.

h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h) runs inside ``core``; y = W_hy h + b_y is
``head``, applied to the last step (one target per sequence) or to every step (one
target per time step). The core is one attribute so that a later, unrolled cell can be
swapped in while sharing its weights.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

#: Config name -> torch module; keep in step with rnnlab.config.schema.CELL_NAMES.
CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentNetwork(nn.Module):
    """Maps (B, T, input_size) to (B, output_size), or (B, T, output_size) when per_step."""

    def __init__(
        self,
        input_size: int,
        output_size: int,
        per_step: bool,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        nonlinearity: str | None = None,
    ) -> None:
        super().__init__()
        cell_options = {} if nonlinearity is None else {"nonlinearity": nonlinearity}
        # The core is built before the head, as in the lesson, so that under the same seed
        # PyTorch's default initialisation draws the same weights.
        self.core = CELLS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            **cell_options,
        )
        self.num_directions = 2 if bidirectional else 1
        self.head = nn.Linear(hidden_size * self.num_directions, output_size)
        self.per_step = per_step

    def _last_hidden(self, final_state: torch.Tensor | tuple[torch.Tensor, ...]) -> torch.Tensor:
        """The top layer's final hidden state, both directions side by side: (B, D * H)."""
        hidden = final_state[0] if isinstance(final_state, tuple) else final_state
        if self.num_directions == 1:
            return hidden[-1]
        directions = hidden[-self.num_directions :]
        return directions.transpose(0, 1).reshape(hidden.shape[1], -1)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if lengths is None:
            outputs, final_state = self.core(inputs)
        else:
            packed = pack_padded_sequence(
                inputs, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            packed_outputs, final_state = self.core(packed)
            outputs, _ = pad_packed_sequence(
                packed_outputs, batch_first=True, total_length=inputs.shape[1]
            )
        if self.per_step:
            return self.head(outputs)
        return self.head(self._last_hidden(final_state))
