"""The lesson's equations as code: nn.RNN, nn.LSTM and nn.GRU computed one step at a time.

``UnrolledRecurrence(core)`` runs the loop over layers, directions and time steps that the
fused kernels hide, reading the weights of the fused module ``core`` itself. It owns no
parameters, so a network's ``state_dict`` and checkpoints are the same whichever of the two
runs, and a checkpoint trained with one loads and runs with the other. The step functions
below are PyTorch's definitions written out (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU):

=================  ==========================================================================
RNN                h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  act = tanh or relu
                   (the lesson's W_xh is ``weight_ih_l0``, W_hh ``weight_hh_l0``, and its
                   b_h is split into b_ih + b_hh)
LSTM, gates i f g o
                   i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
                   f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
                   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
                   o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
                   c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
                   h_t = o_t ⊙ tanh(c_t)
GRU, gates r z n   r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
                   z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
                   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
                   h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
=================  ==========================================================================

PyTorch stores each layer's gate matrices stacked in that order: ``weight_ih_l{k}`` is
[W_ii; W_if; W_ig; W_io] for an LSTM and [W_ir; W_iz; W_in] for a GRU, and the backward
direction's weights end in ``_reverse``. h_0 (and c_0) are zero.

Beyond the fused module's semantics, with the same shapes (inputs batch first when the
core is):

- ``lengths`` (B,): sequence b is read for steps 0 … lengths[b] - 1. The forward direction
  stops updating after them, so its final state is the state at step lengths[b] - 1; the
  backward direction starts at step lengths[b] - 1 from h_0. Outputs at padded steps are
  zero, as ``pad_packed_sequence`` leaves them. This is what packing does in the fused path.
- In training mode, dropout with p = ``core.dropout`` on each layer's output except the
  last one, as PyTorch does (the masks are drawn differently, so only eval-mode or p = 0
  results match the fused module digit for digit).

API, for diagnostics that need every hidden state in the autograd graph::

    recurrence = UnrolledRecurrence(network.core)
    outputs, final_state = recurrence(inputs, lengths)              # as core(packed) gives
    outputs, final_state, layer_states = recurrence.forward_with_states(inputs, lengths)

``layer_states`` is a list with one tensor per layer, shaped (B, T, num_directions, H):
``layer_states[l][b, t, d]`` is h_t of layer l, direction d (0 forward, 1 backward), zero
at padded steps, and ``layer_states[-1].flatten(2)`` equals ``outputs``. Each is a leaf that
requires grad and that the loop adds, as zeros, to the h_t it computes, before h_t is used
by anything (by h_{t+1}, by layer l + 1 and by the outputs). So, for a loss computed from
``outputs`` or ``final_state``, ``torch.autograd.grad(loss, layer_states)`` (or
``.grad`` after ``loss.backward()``) is the full ∂L/∂h_t: the direct contribution plus
everything that reaches h_t back through later steps and higher layers. (A ``torch.stack``
of the per-step h_t would not do: the recurrence reads each h_t before the stack exists,
so the stack's gradient would miss every path back through time.) Gradients at padded steps
are zero. The leaves are filled with the h_t values after the loop, so they are read, not
differentiated through: parameter gradients come from the loss as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

#: A cell's state: (h,) for RNN and GRU, (h, c) for LSTM.
State = tuple[torch.Tensor, ...]


@dataclass(frozen=True)
class DirectionWeights:
    """One layer's weights in one direction, as PyTorch names them (bias None without bias)."""

    weight_ih: torch.Tensor  # (G·H, input size): the gates' W_i* stacked
    weight_hh: torch.Tensor  # (G·H, H): the gates' W_h* stacked
    bias_ih: torch.Tensor | None  # (G·H,)
    bias_hh: torch.Tensor | None  # (G·H,)

    @classmethod
    def of(cls, core: nn.RNNBase, layer: int, direction: int) -> DirectionWeights:
        """Read ``weight_ih_l{layer}`` … (``_reverse`` for direction 1) from the fused core."""
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        return cls(
            getattr(core, "weight_ih" + suffix),
            getattr(core, "weight_hh" + suffix),
            getattr(core, "bias_ih" + suffix, None),
            getattr(core, "bias_hh" + suffix, None),
        )

    def hidden_part(self, h_prev: torch.Tensor) -> torch.Tensor:
        """W_hh h_{t-1} + b_hh for every gate at once: (B, G·H)."""
        return F.linear(h_prev, self.weight_hh, self.bias_hh)


#: One time step: (W_ih x_t + b_ih for this step, state at t-1, weights) -> state at t.
#: The input part does not depend on h, so the caller computes it for all T steps in one
#: matrix product; the step adds the recurrent part and applies the cell's equations.
CellStep = Callable[[torch.Tensor, State, DirectionWeights], State]


def rnn_tanh_step(input_part: torch.Tensor, state: State, w: DirectionWeights) -> State:
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh): the lesson's Elman step."""
    (h_prev,) = state
    return (torch.tanh(input_part + w.hidden_part(h_prev)),)


def rnn_relu_step(input_part: torch.Tensor, state: State, w: DirectionWeights) -> State:
    """h_t = relu(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh): nothing bounds h_t."""
    (h_prev,) = state
    return (torch.relu(input_part + w.hidden_part(h_prev)),)


def lstm_step(input_part: torch.Tensor, state: State, w: DirectionWeights) -> State:
    """PyTorch's LSTM step; gate blocks in the order i, f, g, o."""
    h_prev, c_prev = state
    x_i, x_f, x_g, x_o = input_part.chunk(4, dim=-1)  # W_i* x_t + b_i*, one per gate
    h_i, h_f, h_g, h_o = w.hidden_part(h_prev).chunk(4, dim=-1)  # W_h* h_{t-1} + b_h*
    i = torch.sigmoid(x_i + h_i)  # i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
    f = torch.sigmoid(x_f + h_f)  # f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
    g = torch.tanh(x_g + h_g)  # g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
    o = torch.sigmoid(x_o + h_o)  # o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
    c = f * c_prev + i * g  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h = o * torch.tanh(c)  # h_t = o_t ⊙ tanh(c_t)
    return h, c


def gru_step(input_part: torch.Tensor, state: State, w: DirectionWeights) -> State:
    """PyTorch's GRU step; gate blocks in the order r, z, n. The reset gate multiplies
    W_hn h_{t-1} + b_hn *after* the product, as PyTorch (and cuDNN) define it."""
    (h_prev,) = state
    x_r, x_z, x_n = input_part.chunk(3, dim=-1)  # W_i* x_t + b_i*, one per gate
    h_r, h_z, h_n = w.hidden_part(h_prev).chunk(3, dim=-1)  # W_h* h_{t-1} + b_h*
    r = torch.sigmoid(x_r + h_r)  # r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    z = torch.sigmoid(x_z + h_z)  # z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n = torch.tanh(x_n + r * h_n)  # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    h = (1 - z) * n + z * h_prev  # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    return (h,)


def cell_step(core: nn.RNNBase) -> CellStep:
    """The step function that computes what ``core``'s fused kernel computes."""
    if isinstance(core, nn.LSTM):
        return lstm_step
    if isinstance(core, nn.GRU):
        return gru_step
    if isinstance(core, nn.RNN):
        return rnn_tanh_step if core.nonlinearity == "tanh" else rnn_relu_step
    raise TypeError(f"no unrolled step for {type(core).__name__}: use nn.RNN, nn.LSTM or nn.GRU")


def run_direction(
    step: CellStep,
    input_parts: torch.Tensor,
    weights: DirectionWeights,
    initial: State,
    valid: torch.Tensor | None,
    reverse: bool,
    probe: torch.Tensor | None = None,
) -> tuple[torch.Tensor, State]:
    """One layer in one direction over all steps: its outputs (B, T, H) and final state.

    ``input_parts`` (B, T, G·H) holds W_ih x_t + b_ih for every t; ``valid`` (B, T, 1) says
    which steps lie inside each sequence (None: all). At an invalid step the state is carried
    unchanged, so the forward direction keeps its state at length - 1 and the backward one
    still holds h_0 when it reaches step length - 1. ``probe`` (B, T, H), a zero leaf, is
    added to each valid h_t so that its gradient is ∂L/∂h_t (see the module docstring).
    """
    steps = range(input_parts.shape[1] - 1, -1, -1) if reverse else range(input_parts.shape[1])
    # unbind, not [:, t]: the backward pass of T slices would fill a zero (B, T, ·) tensor
    # per step (O(T²) memory traffic), unbind's gathers all steps' gradients in one stack.
    step_inputs = input_parts.unbind(1)
    step_probes = None if probe is None else probe.unbind(1)
    state = initial
    hidden: list[torch.Tensor] = []  # h_t in the order visited
    for t in steps:
        new = step(step_inputs[t], state, weights)
        if step_probes is not None:
            new = (new[0] + step_probes[t], *new[1:])
        if valid is not None:
            new = tuple(torch.where(valid[:, t], n, s) for n, s in zip(new, state, strict=True))
        state = new
        hidden.append(state[0])
    outputs = torch.stack(hidden[::-1] if reverse else hidden, dim=1)
    if valid is not None:
        outputs = outputs.masked_fill(~valid, 0.0)  # padded steps read as zero
    return outputs, state


class UnrolledRecurrence:
    """The fused ``core``'s forward pass, step by step, with ``core``'s own parameters.

    Deliberately not an ``nn.Module``: it holds no parameters of its own, so nothing is
    added to a network's ``state_dict``. ``core.training`` decides whether dropout is on.
    """

    def __init__(self, core: nn.RNNBase) -> None:
        if getattr(core, "proj_size", 0):
            raise ValueError("the unrolled LSTM does not implement proj_size > 0")
        self.core = core
        self.step = cell_step(core)
        self.num_directions = 2 if core.bidirectional else 1

    def __call__(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | State]:
        """(outputs, final_state), shaped as ``core`` returns them; zero at padded steps."""
        outputs, final_state, _ = self._run(inputs, lengths, with_states=False)
        return outputs, final_state

    def forward_with_states(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | State, list[torch.Tensor]]:
        """(outputs, final_state, layer_states): layer_states[l] is (B, T, D, H), every h_t
        of layer l, a leaf whose gradient is the full ∂L/∂h_t (see the module docstring).

        Gradients are its point, so it records the graph even under ``torch.no_grad()``
        (e.g. inside a validation hook); ``torch.inference_mode()`` cannot be undone here.
        """
        if torch.is_inference_mode_enabled():
            raise RuntimeError(
                "forward_with_states needs autograd: call it outside torch.inference_mode() "
                "(e.g. under torch.inference_mode(False))"
            )
        with torch.enable_grad():
            return self._run(inputs, lengths, with_states=True)

    def _run(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None, with_states: bool
    ) -> tuple[torch.Tensor, torch.Tensor | State, list[torch.Tensor]]:
        core = self.core
        if not core.batch_first:
            inputs = inputs.transpose(0, 1)
        batch, total_steps, _ = inputs.shape
        valid = None
        if lengths is not None:
            steps = torch.arange(total_steps, device=inputs.device)
            valid = (steps < lengths.to(inputs.device).unsqueeze(1)).unsqueeze(-1)
        zeros = inputs.new_zeros(batch, core.hidden_size)
        initial: State = (zeros, zeros) if isinstance(core, nn.LSTM) else (zeros,)

        layer_input = inputs
        finals: list[State] = []
        layer_states: list[torch.Tensor] = []
        for layer in range(core.num_layers):
            if layer > 0:  # dropout on every layer's output but the last one
                layer_input = F.dropout(layer_input, core.dropout, core.training)
            probes = None
            if with_states:
                shape = (batch, total_steps, self.num_directions, core.hidden_size)
                probes = inputs.new_zeros(shape).requires_grad_()
            outputs = []
            for direction in range(self.num_directions):
                weights = DirectionWeights.of(core, layer, direction)
                input_parts = F.linear(layer_input, weights.weight_ih, weights.bias_ih)
                output, final = run_direction(
                    self.step,
                    input_parts,
                    weights,
                    initial,
                    valid,
                    reverse=direction == 1,
                    probe=None if probes is None else probes[:, :, direction],
                )
                outputs.append(output)
                finals.append(final)
            layer_input = torch.cat(outputs, dim=-1)
            if probes is not None:
                with torch.no_grad():  # the values, now that they exist (module docstring)
                    probes.copy_(torch.stack(outputs, dim=2))
                layer_states.append(probes)

        # (num_layers · D, B, H), layer-major as PyTorch orders h_n (and c_n)
        final_state = tuple(torch.stack(parts) for parts in zip(*finals, strict=True))
        outputs = layer_input if core.batch_first else layer_input.transpose(0, 1)
        return outputs, final_state if len(final_state) == 2 else final_state[0], layer_states
