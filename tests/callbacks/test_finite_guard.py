"""NonFiniteGuard: names the first non-finite step exactly, whatever the check interval."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from rnnlab.callbacks.finite_guard import NonFiniteGuard
from rnnlab.errors import DivergedError


def _trainer(step: int, last: bool = False, scaler: object | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        global_step=step,
        current_epoch=0,
        is_last_batch=last,
        precision_plugin=SimpleNamespace(scaler=scaler),
        sanity_checking=False,
        callback_metrics={},
    )


def _optimizer(grad: float) -> torch.optim.Optimizer:
    weight = torch.nn.Parameter(torch.ones(3))
    weight.grad = torch.full((3,), grad)
    return torch.optim.SGD([weight], lr=0.1)


def _train_steps(guard: NonFiniteGuard, losses: list[float], grads: list[float]) -> None:
    for index, (loss, grad) in enumerate(zip(losses, grads, strict=True)):
        guard.on_before_optimizer_step(_trainer(index), None, _optimizer(grad))
        last = index == len(losses) - 1
        guard.on_train_batch_end(
            _trainer(index + 1, last), None, {"loss": torch.tensor(loss)}, None, index
        )


@pytest.mark.parametrize("every", [1, 3, 10])
def test_the_first_bad_step_is_named_whatever_the_interval(every: int) -> None:
    guard = NonFiniteGuard(check_every_n_steps=every)
    with pytest.raises(DivergedError, match="the training loss became nan at epoch 1, step 3:"):
        _train_steps(guard, [1.0, 0.9, float("nan"), float("nan")], [1.0, 1.0, 1.0, 1.0])


def test_an_infinite_gradient_is_caught_while_the_loss_is_finite() -> None:
    guard = NonFiniteGuard()
    with pytest.raises(DivergedError, match="the gradient norm became inf at epoch 1, step 2:"):
        _train_steps(guard, [1.0, 0.9, 0.8], [1.0, float("inf"), 1.0])


def test_finite_training_passes_and_scaled_gradients_are_left_to_the_scaler() -> None:
    _train_steps(NonFiniteGuard(check_every_n_steps=2), [1.0, 0.5, 0.2], [1.0, 2.0, 3.0])
    guard = NonFiniteGuard()
    guard.on_before_optimizer_step(_trainer(0, scaler=object()), None, _optimizer(float("inf")))
    guard.on_train_batch_end(_trainer(1, True), None, {"loss": torch.tensor(1.0)}, None, 0)


def test_a_non_finite_validation_loss_stops_the_run() -> None:
    trainer = _trainer(4)
    trainer.callback_metrics = {"val/loss": torch.tensor(float("nan"))}
    with pytest.raises(DivergedError, match="validation loss became nan at epoch 1, after step 4"):
        NonFiniteGuard().on_validation_end(trainer, None)
