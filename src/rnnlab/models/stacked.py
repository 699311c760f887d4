"""K recurrent networks of the same shape run as one: every weight gets a leading member axis.

``StackedNetworks(networks)`` computes, for inputs ``[K, B, T, F]``, what each
``networks[k]`` computes for ``inputs[k]`` with ``impl="unrolled"``: the same equations
(rnnlab.models.unrolled's cell steps, PyTorch's gate order), with the matrix products of all
members batched (``torch.baddbmm``; the fused RNN kernels have no batching rule for batched
weights). The weights are ``torch.stack``-ed from the members' own parameters at every call,
so each member keeps its own leaf tensors, its own gradients and its own optimizer, and its
``state_dict`` is exactly a single run's.

Dropout between layers draws each member's masks from that member's own generator, in the
order and shapes a single run draws them from torch's global generator, so a member's run
equals its single run with dropout too (seed the generators as ``EpochSeed`` seeds the global
one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.models.network import RecurrentNetwork
from rnnlab.models.unrolled import CellStep, State, cell_step


@dataclass(frozen=True)
class StackedDirectionWeights:
    """One layer's weights in one direction for all members: ``[K, …]``, transposed for bmm."""

    weight_ih_t: torch.Tensor  # (K, in, G·H)
    weight_hh_t: torch.Tensor  # (K, H, G·H)
    bias_ih: torch.Tensor | None  # (K, 1, G·H)
    bias_hh: torch.Tensor | None  # (K, 1, G·H)

    @classmethod
    def of(cls, cores: Sequence[nn.RNNBase], layer: int, direction: int) -> StackedDirectionWeights:
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")

        def stacked(name: str, transpose: bool) -> torch.Tensor | None:
            parts = [getattr(core, name + suffix, None) for core in cores]
            if parts[0] is None:
                return None
            weights = torch.stack(parts)
            return weights.transpose(1, 2) if transpose else weights.unsqueeze(1)

        weight_ih, weight_hh = stacked("weight_ih", True), stacked("weight_hh", True)
        assert weight_ih is not None and weight_hh is not None
        return cls(weight_ih, weight_hh, stacked("bias_ih", False), stacked("bias_hh", False))

    def input_parts(self, inputs: torch.Tensor) -> torch.Tensor:
        """W_ih x_t + b_ih for every member, sequence and step: (K, B, T, G·H)."""
        members, batch, steps, features = inputs.shape
        flat = inputs.reshape(members, batch * steps, features)
        if self.bias_ih is None:
            parts = torch.bmm(flat, self.weight_ih_t)
        else:
            parts = torch.baddbmm(self.bias_ih, flat, self.weight_ih_t)
        return parts.reshape(members, batch, steps, -1)

    def hidden_part(self, h_prev: torch.Tensor) -> torch.Tensor:
        """W_hh h_{t-1} + b_hh for every member and gate at once: (K, B, G·H). The cell steps
        of rnnlab.models.unrolled call this, so they run unchanged on stacked states."""
        if self.bias_hh is None:
            return torch.bmm(h_prev, self.weight_hh_t)
        return torch.baddbmm(self.bias_hh, h_prev, self.weight_hh_t)


def _run_direction(
    step: CellStep,
    input_parts: torch.Tensor,
    weights: StackedDirectionWeights,
    initial: State,
    valid: torch.Tensor | None,
    reverse: bool,
) -> tuple[torch.Tensor, State]:
    """rnnlab.models.unrolled.run_direction with a leading member axis: (K, B, T, ·)."""
    total = input_parts.shape[2]
    steps = range(total - 1, -1, -1) if reverse else range(total)
    step_inputs = input_parts.unbind(2)
    state = initial
    hidden: list[torch.Tensor] = []
    for t in steps:
        new = step(step_inputs[t], state, weights)  # type: ignore[arg-type]
        if valid is not None:
            new = tuple(torch.where(valid[:, :, t], n, s) for n, s in zip(new, state, strict=True))
        state = new
        hidden.append(state[0])
    outputs = torch.stack(hidden[::-1] if reverse else hidden, dim=2)
    if valid is not None:
        outputs = outputs.masked_fill(~valid, 0.0)
    return outputs, state


def _dropout_mask(like: torch.Tensor, p: float, generator: torch.Generator) -> torch.Tensor:
    """One member's inverted-dropout mask, drawn as ``F.dropout`` draws it (none for p = 0)."""
    if p == 0.0:
        return torch.ones_like(like)
    if p == 1.0:
        return torch.zeros_like(like)
    return torch.empty_like(like).bernoulli_(1 - p, generator=generator).div_(1 - p)


def _dropout(
    inputs: torch.Tensor, rates: Sequence[float], generators: Sequence[torch.Generator] | None
) -> torch.Tensor:
    """Each member's dropout with its own rate, from its own generator."""
    if generators is None or not any(rates):
        return inputs
    masks = [
        _dropout_mask(member, p, generator)
        for member, p, generator in zip(inputs, rates, generators, strict=True)
    ]
    return inputs * torch.stack(masks)


class StackedNetworks:
    """The forward pass of K same-shaped RecurrentNetworks at once (see the module docstring).

    Holds no parameters of its own: it reads the members' at each call.
    """

    def __init__(self, networks: Sequence[RecurrentNetwork]) -> None:
        first = networks[0]
        self.networks = list(networks)
        self.cores = [network.core for network in networks]
        self.step = cell_step(first.core)
        self.per_step = first.per_step
        self.num_directions = first.num_directions
        self.dropout_rates = [float(core.dropout) for core in self.cores]

    def __call__(
        self,
        inputs: torch.Tensor,
        lengths: torch.Tensor | None = None,
        generators: Sequence[torch.Generator] | None = None,
    ) -> torch.Tensor:
        """Predictions ``[K, B, O]`` (or ``[K, B, T, O]`` per step) for inputs ``[K, B, T, F]``
        and lengths ``[K, B]``; ``generators`` (one per member) switch dropout on."""
        core = self.cores[0]
        members, batch, total, _ = inputs.shape
        valid = None
        if lengths is not None:
            steps = torch.arange(total, device=inputs.device)
            valid = (steps < lengths.to(inputs.device).unsqueeze(-1)).unsqueeze(-1)
        zeros = inputs.new_zeros(members, batch, core.hidden_size)
        initial: State = (zeros, zeros) if isinstance(core, nn.LSTM) else (zeros,)
        layer_input = inputs
        finals: list[torch.Tensor] = []
        for layer in range(core.num_layers):
            if layer > 0:
                layer_input = _dropout(layer_input, self.dropout_rates, generators)
            outputs = []
            for direction in range(self.num_directions):
                weights = StackedDirectionWeights.of(self.cores, layer, direction)
                output, final = _run_direction(
                    self.step,
                    weights.input_parts(layer_input),
                    weights,
                    initial,
                    valid,
                    reverse=direction == 1,
                )
                outputs.append(output)
                finals.append(final[0])
            layer_input = torch.cat(outputs, dim=-1)
        return self._predict(layer_input, finals[-self.num_directions :])

    def _predict(self, outputs: torch.Tensor, top_finals: list[torch.Tensor]) -> torch.Tensor:
        """The members' heads: on every step's output, or on the top layer's final state."""
        weight = torch.stack([network.head.weight for network in self.networks]).transpose(1, 2)
        bias = torch.stack([network.head.bias for network in self.networks]).unsqueeze(1)
        if self.per_step:
            members, batch, total, width = outputs.shape
            flat = outputs.reshape(members, batch * total, width)
            return torch.baddbmm(bias, flat, weight).reshape(members, batch, total, -1)
        last = torch.cat(top_finals, dim=-1)  # (K, B, D·H), directions side by side
        return torch.baddbmm(bias, last, weight)
