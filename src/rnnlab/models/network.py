"""RecurrentNetwork: a recurrent core (nn.RNN, nn.LSTM or nn.GRU) and a linear head.

h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h) runs inside ``core``; y = W_hy h + b_y is
``head``, applied to the last step (one target per sequence) or to every step (one
target per time step).

``core`` owns the recurrent weights whichever implementation runs them: ``impl="fused"``
calls it (cuDNN or ATen kernels), ``impl="unrolled"`` runs rnnlab.models.unrolled's
step-by-step equations on the same parameters. The state_dict is the same for both, so a
checkpoint trained with one loads and runs with the other.

For diagnostics:

- ``forward_with_states(inputs, lengths) -> (predictions, layer_states)``, by the unrolled
  path whatever ``impl`` says: predictions as ``forward`` returns them; ``layer_states[l]``
  (B, T, num_directions, H) holds every h_t of layer l, and
  ``torch.autograd.grad(loss, layer_states)`` is the full ∂L/∂h_t.
- ``step_outputs(inputs, lengths) -> (B, T, num_directions * H)``, by ``impl``: the top
  layer's h_t at every step (zero at padded steps). ``head`` applies to it as to one step: the
  prediction a last-step network would make had the sequence ended at step t (for a
  bidirectional core only approximately: the backward half at step t has read steps t … T-1).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.models.unrolled import UnrolledRecurrence

#: Config name -> torch module; keep in step with rnnlab.config.schema.CELL_NAMES.
CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
#: How the core's recurrence is computed; keep in step with the schema's model.impl rule.
IMPLS: tuple[str, ...] = ("fused", "unrolled")


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
        impl: str = "fused",
    ) -> None:
        super().__init__()
        if impl not in IMPLS:
            raise ValueError(f"impl={impl!r} is not one of {', '.join(IMPLS)}")
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
        self.impl = impl

    def _last_hidden(self, final_state: torch.Tensor | tuple[torch.Tensor, ...]) -> torch.Tensor:
        """The top layer's final hidden state, both directions side by side: (B, D * H)."""
        hidden = final_state[0] if isinstance(final_state, tuple) else final_state
        if self.num_directions == 1:
            return hidden[-1]
        directions = hidden[-self.num_directions :]
        return directions.transpose(0, 1).reshape(hidden.shape[1], -1)

    def _fused(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor | tuple[torch.Tensor, ...]]:
        """The core's own kernels; lengths go through packing."""
        if lengths is None:
            return self.core(inputs)
        packed = pack_padded_sequence(inputs, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_outputs, final_state = self.core(packed)
        outputs, _ = pad_packed_sequence(
            packed_outputs, batch_first=True, total_length=inputs.shape[1]
        )
        return outputs, final_state

    def _predict(
        self, outputs: torch.Tensor, final_state: torch.Tensor | tuple[torch.Tensor, ...]
    ) -> torch.Tensor:
        if self.per_step:
            return self.head(outputs)
        return self.head(self._last_hidden(final_state))

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if self.impl == "unrolled":
            return self._predict(*UnrolledRecurrence(self.core)(inputs, lengths))
        return self._predict(*self._fused(inputs, lengths))

    def forward_with_states(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """(predictions, layer_states), by the unrolled path whatever ``impl`` says.

        ``predictions`` are what ``forward`` returns; ``layer_states[l]`` is layer l's h_t
        for every step, (B, T, num_directions, H), zero at padded steps: leaves whose
        gradient is the full ∂L/∂h_t (rnnlab.models.unrolled explains how). The graph is
        recorded even under ``torch.no_grad()``, since gradients are the point.
        """
        recurrence = UnrolledRecurrence(self.core)
        outputs, final_state, layer_states = recurrence.forward_with_states(inputs, lengths)
        with torch.enable_grad():
            return self._predict(outputs, final_state), layer_states

    def step_outputs(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The top layer's h_t at every step, (B, T, num_directions * H), by ``impl``;
        ``head`` applies to it step by step."""
        if self.impl == "unrolled":
            return UnrolledRecurrence(self.core)(inputs, lengths)[0]
        return self._fused(inputs, lengths)[0]
