"""The unrolled recurrence computes what the fused nn.RNN / nn.LSTM / nn.GRU compute, with the
same parameters, and exposes every h_t with its full gradient ∂L/∂h_t."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.models.network import RecurrentNetwork
from rnnlab.models.unrolled import UnrolledRecurrence
from tests.conftest import TINY_RUN

#: (cell, nonlinearity): the four recurrences.
KINDS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)]
KIND_IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru"]
#: Variable lengths for a batch of 5 sequences of 6 steps: full, length 1, in between.
LENGTHS = torch.tensor([6, 1, 3, 6, 4])
TOL = {"atol": 1e-10, "rtol": 0.0}  # float64: the two paths differ only by rounding


def _core(cell: str, nonlinearity: str | None, num_layers: int, bidirectional: bool) -> nn.RNNBase:
    options = {} if nonlinearity is None else {"nonlinearity": nonlinearity}
    core = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](
        3, 4, num_layers=num_layers, batch_first=True, bidirectional=bidirectional, **options
    )
    return core.double()


def _fused(core: nn.RNNBase, inputs: torch.Tensor, lengths: torch.Tensor | None):
    if lengths is None:
        return core(inputs)
    packed = pack_padded_sequence(inputs, lengths, batch_first=True, enforce_sorted=False)
    outputs, final_state = core(packed)
    return pad_packed_sequence(outputs, batch_first=True, total_length=inputs.shape[1])[0], (
        final_state
    )


def _states(final_state) -> tuple[torch.Tensor, ...]:
    return final_state if isinstance(final_state, tuple) else (final_state,)


def _loss_and_grads(module: nn.Module, inputs: torch.Tensor, outputs, final_state):
    """A loss that weighs every output and final-state entry differently, and its gradients
    with respect to every parameter and the inputs."""
    generator = torch.Generator().manual_seed(7)
    loss = (outputs * torch.randn(outputs.shape, generator=generator, dtype=outputs.dtype)).sum()
    for state in _states(final_state):
        loss = (
            loss + (state * torch.randn(state.shape, generator=generator, dtype=state.dtype)).sum()
        )
    return torch.autograd.grad(loss, [inputs, *module.parameters()])


@pytest.mark.parametrize(("cell", "nonlinearity"), KINDS, ids=KIND_IDS)
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["fixed", "variable"])
def test_equals_the_fused_core(cell, nonlinearity, num_layers, bidirectional, lengths) -> None:
    """Outputs, final states (h_n, and c_n for an LSTM), and the gradients of a loss on all
    of them with respect to every parameter and to the inputs."""
    torch.manual_seed(0)
    core = _core(cell, nonlinearity, num_layers, bidirectional)
    inputs = torch.randn(5, 6, 3, dtype=torch.double, requires_grad=True)

    fused_outputs, fused_final = _fused(core, inputs, lengths)
    outputs, final = UnrolledRecurrence(core)(inputs, lengths)

    assert isinstance(final, tuple) == (cell == "lstm")
    torch.testing.assert_close(outputs, fused_outputs, **TOL)
    for state, fused_state in zip(_states(final), _states(fused_final), strict=True):
        assert state.shape == (num_layers * (2 if bidirectional else 1), 5, 4)
        torch.testing.assert_close(state, fused_state, **TOL)
    grads = _loss_and_grads(core, inputs, outputs, final)
    fused_grads = _loss_and_grads(core, inputs, fused_outputs, fused_final)
    for grad, fused_grad in zip(grads, fused_grads, strict=True):
        torch.testing.assert_close(grad, fused_grad, **TOL)


@pytest.mark.parametrize(("cell", "nonlinearity"), KINDS, ids=KIND_IDS)
def test_equals_the_fused_core_in_float32_to_1e_5(cell, nonlinearity) -> None:
    torch.manual_seed(1)
    core = _core(cell, nonlinearity, num_layers=2, bidirectional=True).float()
    inputs = torch.randn(5, 6, 3, requires_grad=True)
    fused_outputs, fused_final = _fused(core, inputs, LENGTHS)
    outputs, final = UnrolledRecurrence(core)(inputs, LENGTHS)
    torch.testing.assert_close(outputs, fused_outputs, atol=1e-5, rtol=0.0)
    grads = _loss_and_grads(core, inputs, outputs, final)
    fused_grads = _loss_and_grads(core, inputs, fused_outputs, fused_final)
    for grad, fused_grad in zip(grads, fused_grads, strict=True):
        torch.testing.assert_close(grad, fused_grad, atol=1e-5, rtol=0.0)


def test_time_major_inputs_follow_the_cores_batch_first() -> None:
    torch.manual_seed(2)
    core = nn.GRU(3, 4, num_layers=2, bidirectional=True).double()  # (T, B, F)
    inputs = torch.randn(6, 5, 3, dtype=torch.double)
    fused_outputs, fused_final = core(inputs)
    outputs, final = UnrolledRecurrence(core)(inputs)
    torch.testing.assert_close(outputs, fused_outputs, **TOL)
    torch.testing.assert_close(final, fused_final, **TOL)


def test_lengths_stop_the_forward_direction_and_start_the_backward_one() -> None:
    """Per sequence: the forward final state is the output at step length - 1, the backward
    final state the output at step 0, and every padded step reads zero."""
    torch.manual_seed(3)
    core = _core("gru", None, num_layers=1, bidirectional=True)
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    with torch.no_grad():
        outputs, final = UnrolledRecurrence(core)(inputs, LENGTHS)
        garbage = inputs.clone()
        garbage[1, 1:] = 100.0  # sequence 1 has length 1: nothing after step 0 may matter
        garbage_outputs, _ = UnrolledRecurrence(core)(garbage, LENGTHS)
    for b, length in enumerate(LENGTHS.tolist()):
        torch.testing.assert_close(final[0, b], outputs[b, length - 1, :4], **TOL)
        torch.testing.assert_close(final[1, b], outputs[b, 0, 4:], **TOL)
        assert (outputs[b, length:] == 0).all()
    torch.testing.assert_close(garbage_outputs, outputs, **TOL)


def test_dropout_falls_between_layers_in_training_only() -> None:
    """Layer 0 reads the inputs undropped, layer 1 reads layer 0's output dropped, and the
    top layer's output is left alone; in eval mode there is no dropout at all."""
    torch.manual_seed(4)
    core = nn.LSTM(3, 8, num_layers=2, batch_first=True, dropout=0.5).double()
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    recurrence = UnrolledRecurrence(core)
    core.eval()
    eval_outputs, _, eval_states = recurrence.forward_with_states(inputs)
    torch.testing.assert_close(eval_outputs, _fused(core, inputs, None)[0], **TOL)
    core.train()
    outputs, _, states = recurrence.forward_with_states(inputs)
    torch.testing.assert_close(states[0], eval_states[0], **TOL)
    assert not torch.allclose(states[1], eval_states[1])
    torch.testing.assert_close(outputs, states[1].flatten(2), **TOL)


# layer_states ---------------------------------------------------------------------------


def test_layer_states_hold_every_h_t_and_the_outputs_are_the_top_layers() -> None:
    torch.manual_seed(5)
    core = _core("lstm", None, num_layers=3, bidirectional=True)
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    outputs, final, states = UnrolledRecurrence(core).forward_with_states(inputs, LENGTHS)
    assert [tuple(s.shape) for s in states] == [(5, 6, 2, 4)] * 3
    assert all(s.requires_grad and s.is_leaf for s in states)
    torch.testing.assert_close(outputs, states[-1].flatten(2), **TOL)
    fused_outputs, _ = _fused(core, inputs, LENGTHS)
    torch.testing.assert_close(outputs, fused_outputs, **TOL)
    h_n = final[0].view(3, 2, 5, 4)  # (layer, direction, batch, H)
    for b, length in enumerate(LENGTHS.tolist()):
        torch.testing.assert_close(states[1][b, length - 1, 0], h_n[1, 0, b], **TOL)
        torch.testing.assert_close(states[1][b, 0, 1], h_n[1, 1, b], **TOL)


def test_gradient_of_a_one_unit_linear_rnn_is_a_power_of_w() -> None:
    """h_t = w h_{t-1} + x_t (relu of positive numbers is the identity). For L = h_{T-1},
    ∂L/∂h_t = w^(T-1-t); for L = Σ_t h_t it adds the direct 1 of every later step:
    ∂L/∂h_t = 1 + w + … + w^(T-1-t). Both need the paths back through time."""
    core = nn.RNN(1, 1, nonlinearity="relu", batch_first=True).double()
    w, steps = 0.5, 6
    with torch.no_grad():
        core.weight_ih_l0.fill_(1.0)
        core.weight_hh_l0.fill_(w)
        core.bias_ih_l0.zero_()
        core.bias_hh_l0.zero_()
    inputs = torch.rand(1, steps, 1, dtype=torch.double) + 0.1
    recurrence = UnrolledRecurrence(core)
    powers = torch.tensor([w ** (steps - 1 - t) for t in range(steps)], dtype=torch.double)

    outputs, _, states = recurrence.forward_with_states(inputs)
    (last,) = torch.autograd.grad(outputs[0, -1, 0], states)
    torch.testing.assert_close(last.flatten(), powers, **TOL)

    outputs, _, states = recurrence.forward_with_states(inputs)
    (total,) = torch.autograd.grad(outputs.sum(), states)
    torch.testing.assert_close(total.flatten(), powers.flip(0).cumsum(0).flip(0), **TOL)


def _reference_hidden_states(
    core: nn.RNNBase, inputs: torch.Tensor
) -> tuple[list[list[list[torch.Tensor]]], torch.Tensor]:
    """PyTorch's own single-step cells run in a plain Python loop over layers, directions
    and steps: states[layer][direction][t] is the very tensor h_t that everything later
    reads, so autograd's gradient with respect to it is ∂L/∂h_t. Also returns the outputs."""
    kind = type(core)
    options = {"nonlinearity": core.nonlinearity} if kind is nn.RNN else {}
    cell_type = {nn.RNN: nn.RNNCell, nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell}[kind]
    batch, steps, _ = inputs.shape
    layer_input, states = inputs, []
    for layer in range(core.num_layers):
        directions = []
        for direction in range(2 if core.bidirectional else 1):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            cell = cell_type(layer_input.shape[-1], core.hidden_size, **options).double()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                setattr(cell, name, getattr(core, name + suffix))
            zero = inputs.new_zeros(batch, core.hidden_size)
            state = (zero, zero) if kind is nn.LSTM else zero
            hidden = [None] * steps
            for t in reversed(range(steps)) if direction else range(steps):
                state = cell(layer_input[:, t], state)
                hidden[t] = state[0] if kind is nn.LSTM else state
            directions.append(hidden)
        states.append(directions)
        layer_input = torch.stack(
            [torch.cat([d[t] for d in directions], -1) for t in range(steps)], 1
        )
    return states, layer_input


@pytest.mark.parametrize(("cell", "nonlinearity"), KINDS, ids=KIND_IDS)
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_layer_state_gradients_are_the_full_dL_dh_t(cell, nonlinearity, bidirectional) -> None:
    """Against an explicit loop of nn.*Cell steps: ∂L/∂h_t for every layer, direction and
    step, where h_t of a lower layer feeds both its own next step and the layer above."""
    torch.manual_seed(6)
    core = _core(cell, nonlinearity, num_layers=2, bidirectional=bidirectional)
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    weights = torch.randn(5, 6, core.hidden_size * (2 if bidirectional else 1), dtype=torch.double)

    outputs, _, states = UnrolledRecurrence(core).forward_with_states(inputs)
    grads = torch.autograd.grad((outputs * weights).sum(), states)

    reference, reference_outputs = _reference_hidden_states(core, inputs)
    torch.testing.assert_close(outputs, reference_outputs, **TOL)
    flat = [h for layer in reference for direction in layer for h in direction]
    reference_grads = iter(torch.autograd.grad((reference_outputs * weights).sum(), flat))
    for grad in grads:
        for direction in range(grad.shape[2]):
            for t in range(grad.shape[1]):
                torch.testing.assert_close(grad[:, t, direction], next(reference_grads), **TOL)
    assert grads[0].abs().sum() > 0


def test_states_keep_their_graph_under_no_grad_and_inference_mode_is_refused() -> None:
    network = RecurrentNetwork(1, 2, per_step=False, cell="rnn", hidden_size=3)
    inputs = torch.randn(2, 4, 1)
    with torch.no_grad():  # as inside a Lightning validation hook without inference mode
        predictions, states = network.forward_with_states(inputs)
    (grad,) = torch.autograd.grad(predictions.sum(), states)
    assert grad.shape == (2, 4, 1, 3) and grad.abs().sum() > 0
    with torch.inference_mode(), pytest.raises(RuntimeError, match="outside torch.inference_mode"):
        network.forward_with_states(inputs)


def test_layer_state_gradients_are_zero_at_padded_steps() -> None:
    torch.manual_seed(7)
    network = RecurrentNetwork(3, 2, per_step=False, cell="gru", hidden_size=4, num_layers=2)
    predictions, states = network.forward_with_states(torch.randn(5, 6, 3), LENGTHS)
    grads = torch.autograd.grad(predictions.sum(), states)
    padded = torch.arange(6).unsqueeze(0) >= LENGTHS.unsqueeze(1)
    for grad, state in zip(grads, states, strict=True):
        assert (grad[padded] == 0).all() and (state[padded] == 0).all()
        assert (grad[~padded].abs().sum(-1) > 0).all()  # every real step feeds the answer


# through RecurrentNetwork ---------------------------------------------------------------


def _network_pair(cell, nonlinearity, per_step, bidirectional, num_layers=2):
    """A fused and an unrolled network with the same weights, in float64."""
    torch.manual_seed(8)
    fused = RecurrentNetwork(
        3, 2, per_step, cell, 4, num_layers, bidirectional, nonlinearity=nonlinearity
    ).double()
    unrolled = RecurrentNetwork(
        3,
        2,
        per_step,
        cell,
        4,
        num_layers,
        bidirectional,
        nonlinearity=nonlinearity,
        impl="unrolled",
    ).double()
    unrolled.load_state_dict(fused.state_dict())
    return fused, unrolled


@pytest.mark.parametrize(("cell", "nonlinearity"), KINDS, ids=KIND_IDS)
@pytest.mark.parametrize("per_step", [False, True], ids=["last-step", "per-step"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["fixed", "variable"])
def test_network_impls_agree(cell, nonlinearity, per_step, bidirectional, lengths) -> None:
    """Predictions and every parameter's gradient (head included), for both heads; and
    forward_with_states predicts the same."""
    fused, unrolled = _network_pair(cell, nonlinearity, per_step, bidirectional)
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    expected = fused(inputs, lengths)
    predictions = unrolled(inputs, lengths)
    assert predictions.shape == ((5, 6, 2) if per_step else (5, 2))
    torch.testing.assert_close(predictions, expected, **TOL)
    with_states, _ = fused.forward_with_states(inputs, lengths)
    torch.testing.assert_close(with_states, expected, **TOL)

    weights = torch.randn(expected.shape, dtype=torch.double)
    grads = torch.autograd.grad((predictions * weights).sum(), list(unrolled.parameters()))
    expected_grads = torch.autograd.grad((expected * weights).sum(), list(fused.parameters()))
    for grad, expected_grad in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(grad, expected_grad, **TOL)


def test_state_dicts_are_identical_and_checkpoints_cross_over() -> None:
    fused, unrolled = _network_pair("lstm", None, per_step=False, bidirectional=True)
    keys = list(fused.state_dict())
    assert keys == list(unrolled.state_dict())
    assert "core.weight_ih_l0" in keys and "core.bias_hh_l1_reverse" in keys
    assert not any("unrolled" in key for key in keys)

    torch.manual_seed(9)
    trained_unrolled = RecurrentNetwork(3, 2, False, "lstm", 4, 2, True, impl="unrolled").double()
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    fused.load_state_dict(trained_unrolled.state_dict())  # strict: same keys, same shapes
    torch.testing.assert_close(fused(inputs), trained_unrolled(inputs), **TOL)


def test_step_outputs_feed_the_head_at_every_step() -> None:
    """For a unidirectional last-step network, the head on step t's output is the answer
    had the sequence ended at t; at the last step it is forward's answer."""
    fused, unrolled = _network_pair("gru", None, per_step=False, bidirectional=False)
    inputs = torch.randn(5, 6, 3, dtype=torch.double)
    steps = unrolled.step_outputs(inputs)
    assert steps.shape == (5, 6, 4)
    per_step_answers = unrolled.head(steps)
    torch.testing.assert_close(per_step_answers[:, -1], unrolled(inputs), **TOL)
    torch.testing.assert_close(per_step_answers[:, 2], unrolled(inputs[:, :3]), **TOL)

    padded_steps = unrolled.step_outputs(inputs, LENGTHS)
    torch.testing.assert_close(padded_steps, fused.step_outputs(inputs, LENGTHS), **TOL)
    _, states = unrolled.forward_with_states(inputs, LENGTHS)
    torch.testing.assert_close(states[-1].flatten(2), padded_steps, **TOL)


def test_an_unknown_impl_is_refused() -> None:
    with pytest.raises(ValueError, match="impl='cudnn' is not one of fused, unrolled"):
        RecurrentNetwork(1, 2, per_step=False, impl="cudnn")


# through training ------------------------------------------------------------------------


def _metrics(cfg) -> dict:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())


def test_training_with_the_unrolled_impl_matches_the_fused_run(compose_run) -> None:
    """The same tiny run twice: the test metrics agree, and the unrolled run's checkpoint
    runs in a fused network with the same answers."""
    from rnnlab.run.training import train

    overrides = ("model=lstm", "model.hidden_size=8", "data.seq_len=6", *TINY_RUN)
    fused_cfg = compose_run(*overrides)
    train(fused_cfg)
    fused_metrics = _metrics(fused_cfg)["metrics"]
    cfg = compose_run(*overrides, "model.impl=unrolled")
    train(cfg)
    record = _metrics(cfg)
    assert record["status"] == "completed" and record["config"]["model"]["impl"] == "unrolled"
    for name in ("test/loss", "test/acc", "train/loss"):
        assert record["metrics"][name] == pytest.approx(fused_metrics[name], abs=1e-4), name

    checkpoint = torch.load(
        Path(cfg.paths.output_dir) / "checkpoints" / "last.ckpt", weights_only=True
    )
    state = {k.removeprefix("network."): v for k, v in checkpoint["state_dict"].items()}
    state = {k: v for k, v in state.items() if k.startswith(("core.", "head."))}
    networks = [
        RecurrentNetwork(1, 2, False, "lstm", 8, impl=impl).eval() for impl in ("fused", "unrolled")
    ]
    inputs = torch.randint(0, 2, (4, 6, 1)).float()
    for network in networks:
        network.load_state_dict(state)
    torch.testing.assert_close(networks[0](inputs), networks[1](inputs), atol=1e-5, rtol=0.0)


def test_impl_is_validated_before_the_run(compose_run) -> None:
    from rnnlab.config.validation import validate
    from rnnlab.errors import ConfigError

    validate(compose_run("model.impl=unrolled"))
    with pytest.raises(ConfigError, match=r"model.impl='cudnn'.*'fused', 'unrolled'"):
        validate(compose_run("model.impl=cudnn"))


@pytest.mark.slow  # 20 full-batch epochs; the fast suite has the fused-vs-unrolled run above
def test_the_lessons_equations_reproduce_the_lessons_numbers(compose_run, capsys) -> None:
    """experiment=seed with h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h) computed step by step
    prints the lesson's numbers digit for digit, as the fused kernel does."""
    from rnnlab.run.training import train

    cfg = compose_run(
        "experiment=seed",
        "model.impl=unrolled",
        "~callbacks.progress_bar",
        "trainer.enable_progress_bar=false",
    )
    train(cfg)
    printed = capsys.readouterr().out
    for line in (
        "Epoch [5/20], Loss: 0.6591",
        "Epoch [20/20], Loss: 0.3664",
        "Test Accuracy: 79.00%",
    ):
        assert line in printed, printed
