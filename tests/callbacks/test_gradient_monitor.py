"""GradientMonitor: the guard names the first non-finite step exactly, whatever the check
interval; the epoch statistics count what clipping changed, in fakes and in whole runs."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rnnlab.callbacks.gradient_monitor import GradientMonitor
from rnnlab.errors import DivergedError
from rnnlab.run.training import train
from tests.conftest import TINY_RUN


def _trainer(
    step: int,
    last: bool = False,
    scaler: object | None = None,
    clip: float | None = None,
    algorithm: str | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        global_step=step,
        current_epoch=0,
        is_last_batch=last,
        precision_plugin=SimpleNamespace(scaler=scaler),
        sanity_checking=False,
        callback_metrics={},
        gradient_clip_val=clip,
        gradient_clip_algorithm=algorithm,
        is_global_zero=True,
    )


def _optimizer(grad: float) -> torch.optim.Optimizer:
    weight = torch.nn.Parameter(torch.ones(3))
    weight.grad = torch.full((3,), grad)
    return torch.optim.SGD([weight], lr=0.1)


def _train_steps(guard: GradientMonitor, losses: list[float], grads: list[float]) -> None:
    for index, (loss, grad) in enumerate(zip(losses, grads, strict=True)):
        guard.on_before_optimizer_step(_trainer(index), None, _optimizer(grad))
        last = index == len(losses) - 1
        guard.on_train_batch_end(
            _trainer(index + 1, last), None, {"loss": torch.tensor(loss)}, None, index
        )


@pytest.mark.parametrize("every", [1, 3, 10])
def test_the_first_bad_step_is_named_whatever_the_interval(every: int) -> None:
    guard = GradientMonitor(check_every_n_steps=every)
    with pytest.raises(DivergedError, match="the training loss became nan at epoch 1, step 3:"):
        _train_steps(guard, [1.0, 0.9, float("nan"), float("nan")], [1.0, 1.0, 1.0, 1.0])


def test_an_infinite_gradient_is_caught_while_the_loss_is_finite() -> None:
    guard = GradientMonitor()
    with pytest.raises(DivergedError, match="the gradient norm became inf at epoch 1, step 2:"):
        _train_steps(guard, [1.0, 0.9, 0.8], [1.0, float("inf"), 1.0])


def test_finite_training_passes_and_scaled_gradients_are_left_to_the_scaler() -> None:
    _train_steps(GradientMonitor(check_every_n_steps=2), [1.0, 0.5, 0.2], [1.0, 2.0, 3.0])
    guard = GradientMonitor()
    guard.on_before_optimizer_step(_trainer(0, scaler=object()), None, _optimizer(float("inf")))
    guard.on_train_batch_end(_trainer(1, True), None, {"loss": torch.tensor(1.0)}, None, 0)


def test_a_non_finite_validation_loss_stops_the_run() -> None:
    trainer = _trainer(4)
    trainer.callback_metrics = {"val/loss": torch.tensor(float("nan"))}
    with pytest.raises(DivergedError, match="validation loss became nan at epoch 1, after step 4"):
        GradientMonitor().on_validation_end(trainer, None)


# the epoch statistics ---------------------------------------------------------------------
class _Module:
    """Keeps what the monitor logs, as LightningModule.log_dict would."""

    def __init__(self) -> None:
        self.logged: dict[str, float] = {}

    def log_dict(self, values: dict[str, float], **_: object) -> None:
        self.logged.update(values)


def _epoch(monitor: GradientMonitor, grads: list[float], **trainer_options: object) -> _Module:
    """One epoch of steps whose gradient is 3 × ``grad`` (total norm √3·|grad|)."""
    for step, grad in enumerate(grads):
        monitor.on_before_optimizer_step(_trainer(step, **trainer_options), None, _optimizer(grad))
    module = _Module()
    monitor.on_train_epoch_end(_trainer(len(grads), **trainer_options), module)
    return module


def test_norm_statistics_and_no_clipping_without_a_threshold() -> None:
    logged = _epoch(GradientMonitor(), [1.0, 2.0, 4.0]).logged
    root3 = 3**0.5
    assert logged["grad/norm_mean"] == pytest.approx(root3 * 7 / 3)
    assert logged["grad/norm_max"] == pytest.approx(root3 * 4)
    assert logged["grad/clipped_fraction"] == 0.0


@pytest.mark.parametrize(
    ("clip", "algorithm", "fraction"),
    [(3.0, "norm", 2 / 4), (1.5, "value", 2 / 4), (100.0, "norm", 0.0), (1e-6, "norm", 1.0)],
)
def test_the_clipped_fraction_counts_the_steps_clipping_changes(
    clip: float, algorithm: str, fraction: float
) -> None:
    """Norms √3·(1, 1.5, 2, 4) = (1.7, 2.6, 3.5, 6.9); largest elements (1, 1.5, 2, 4)."""
    monitor = GradientMonitor()
    logged = _epoch(monitor, [1.0, 1.5, 2.0, 4.0], clip=clip, algorithm=algorithm).logged
    assert logged["grad/clipped_fraction"] == pytest.approx(fraction)


def test_steps_a_gradient_scaler_skips_are_left_out_and_each_epoch_starts_afresh() -> None:
    monitor = GradientMonitor()
    logged = _epoch(monitor, [1.0, float("inf"), 3.0], scaler=object(), clip=2.0).logged
    assert logged["grad/norm_mean"] == pytest.approx(3**0.5 * 2)
    assert logged["grad/clipped_fraction"] == pytest.approx(1 / 2)
    logged = _epoch(monitor, [5.0], clip=2.0).logged
    assert logged["grad/norm_max"] == pytest.approx(3**0.5 * 5)
    assert [record["epoch"] for record in monitor.history] == [1, 1]  # the fake's epoch


def test_statistics_off_log_nothing_and_keep_nothing(tmp_path: Path) -> None:
    monitor = GradientMonitor(statistics=False, output_file=str(tmp_path / "norms.json"))
    assert _epoch(monitor, [1.0, 2.0], clip=1.0).logged == {}
    assert monitor.history == [] and not (tmp_path / "norms.json").exists()


# whole runs --------------------------------------------------------------------------------
def _run(compose_run, *overrides: str) -> tuple[Path, dict[str, float]]:
    cfg = compose_run(*TINY_RUN, "model=rnn", *overrides)
    train(cfg)
    run_dir = Path(cfg.paths.output_dir)
    return run_dir, json.loads((run_dir / "metrics.json").read_text())["metrics"]


def test_a_run_logs_the_statistics_and_keeps_them_per_epoch(compose_run) -> None:
    run_dir, metrics = _run(compose_run, "trainer.gradient_clip_val=1e-4")
    assert metrics["grad/clipped_fraction"] == 1.0  # every step's norm is above 1e-4
    assert metrics["grad/norm_max"] >= metrics["grad/norm_mean"] > 1e-4
    records = json.loads((run_dir / "gradient_norms.json").read_text())["epochs"]
    assert [r["epoch"] for r in records] == [1, 2]
    assert records[-1]["grad/norm_mean"] == pytest.approx(metrics["grad/norm_mean"])
    events = EventAccumulator(str(run_dir)).Reload()
    assert len(events.Scalars("grad/norm_mean")) == 2

    _, metrics = _run(compose_run)
    assert metrics["grad/clipped_fraction"] == 0.0  # no clipping, nothing clipped


def test_statistics_switched_off_leave_no_trace(compose_run) -> None:
    run_dir, metrics = _run(compose_run, "callbacks.gradient_monitor.statistics=false")
    assert not [name for name in metrics if name.startswith("grad/")]
    assert not (run_dir / "gradient_norms.json").exists()
    events = EventAccumulator(str(run_dir)).Reload()
    assert not [tag for tag in events.Tags()["scalars"] if tag.startswith("grad/")]
