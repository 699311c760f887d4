"""End to end through Hydra's compose API: every cell on every task, and what a run leaves."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rnnlab.run.training import train
from tests.conftest import TINY_RUN


def _metrics(cfg) -> dict:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())


def _know_nothing_loss(cfg) -> float:
    """The test loss of a network that learned nothing: uniform class probabilities
    (ln C), or always answering 0 (the mean squared target)."""
    from rnnlab.run.components import build_datamodule

    splits = build_datamodule(cfg).splits
    if splits.spec.is_classification:
        return math.log(splits.spec.output_size)
    return float((splits.test.targets**2).mean())


@pytest.mark.parametrize("task", ["majority", "adding", "copy"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_each_cell_trains_on_each_task(compose_run, task: str, cell: str) -> None:
    """Two tiny epochs: every value is a finite number in its range, and the network has
    already learned something (the slow tests/run/test_task_defaults.py checks that the
    default sizes beat each task's baseline)."""
    cfg = compose_run(f"data={task}", f"model={cell}", "data.seq_len=6", *TINY_RUN)
    train(cfg)
    record = _metrics(cfg)
    assert record["status"] == "completed" and record["epochs"] == 2
    metrics = record["metrics"]
    assert all(isinstance(v, float) and math.isfinite(v) for v in metrics.values()), metrics
    if task == "adding":
        assert 0 <= metrics["test/mse"] == pytest.approx(metrics["test/loss"], rel=1e-5)
    else:
        assert 0 <= metrics["test/acc"] <= 1 and 0 <= metrics["val/acc_best"] <= 1
    assert (task != "majority") == ("test/loss_baseline" in metrics)
    assert metrics["test/loss"] < _know_nothing_loss(cfg)


def test_a_run_leaves_everything_it_promises(compose_run) -> None:
    cfg = compose_run(*TINY_RUN, "trainer.max_epochs=3")
    train(cfg)
    run_dir = Path(cfg.paths.output_dir)
    assert (run_dir / "checkpoints" / "best.ckpt").is_file()
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
    assert (run_dir / "figures" / "loss_curve.png").is_file()
    assert (run_dir / "figures" / "confusion_matrix.png").is_file()
    record = _metrics(cfg)
    for name in ("test/acc", "test/f1", "test/loss", "val/acc_best", "val/loss", "train/loss"):
        assert name in record["metrics"], name
    assert record["epochs"] == 3 and record["wall_time_s"] > 0
    assert record["tested_checkpoint"] == "checkpoints/best.ckpt"
    assert record["config"]["model"]["cell"] == "gru"

    events = EventAccumulator(str(run_dir), size_guidance={"images": 0}).Reload()
    scalars = set(events.Tags()["scalars"])
    assert {"train/loss", "val/loss", "val/acc", "val/acc_best", "test/acc"} <= scalars
    assert len(events.Scalars("val/acc")) == 3
    assert {"val/confusion_matrix", "test/confusion_matrix"} <= set(events.Tags()["images"])
    plugins = events.PluginTagToContent("hparams")
    assert "_hparams_/session_start_info" in plugins
    assert b"model.hidden_size" in plugins["_hparams_/session_start_info"]
    assert (
        "_hparams_/experiment" not in plugins
    )  # TensorBoard declares the columns from all runs loaded


def test_lesson_is_reproduced_exactly(compose_run, capsys) -> None:
    cfg = compose_run(
        "experiment=seed", "~callbacks.progress_bar", "trainer.enable_progress_bar=false"
    )
    train(cfg)
    printed = capsys.readouterr().out
    for line in (
        "Epoch [5/20], Loss: 0.6591",
        "Epoch [10/20], Loss: 0.6286",
        "Epoch [15/20], Loss: 0.5319",
        "Epoch [20/20], Loss: 0.3664",
        "Test Accuracy: 79.00%",
    ):
        assert line in printed, printed
    record = _metrics(cfg)
    assert record["metrics"]["test/acc"] == pytest.approx(0.79, abs=1e-6)
    assert record["metrics"]["train/loss"] == pytest.approx(0.3664, abs=5e-5)
    assert record["epochs"] == 20 and record["global_step"] == 20  # full batch: a step an epoch


def test_evaluation_gives_the_training_runs_test_metrics(compose_run) -> None:
    from rnnlab.run.evaluation import evaluate

    cfg = compose_run(*TINY_RUN, "data=copy", "data.seq_len=5")
    train(cfg)
    trained = _metrics(cfg)["metrics"]
    best = Path(cfg.paths.output_dir) / "checkpoints" / "best.ckpt"
    eval_cfg = compose_run(
        f"ckpt_path={best}",
        "trainer.enable_progress_bar=false",
        "~callbacks.progress_bar",
        config_name="eval",
    )
    evaluated = evaluate(eval_cfg)["metrics"]
    for name in ("test/acc", "test/f1", "test/loss"):
        assert evaluated[name] == pytest.approx(trained[name], abs=1e-7), name
    assert (Path(eval_cfg.paths.output_dir) / "metrics.json").is_file()


def test_resume_continues_the_epoch_count(compose_run) -> None:
    first = compose_run(*TINY_RUN, "trainer.max_epochs=2")
    train(first)
    first_record = _metrics(first)  # read now: output_dir follows the latest composed run
    last = Path(first.paths.output_dir) / "checkpoints" / "last.ckpt"
    resumed = compose_run(*TINY_RUN, "trainer.max_epochs=4", f"ckpt_path={last}")
    train(resumed)
    record = _metrics(resumed)
    assert first_record["epochs"] == 2 and record["epochs"] == 4
    assert record["global_step"] == 2 * first_record["global_step"]


def test_resume_may_change_the_batch_size(compose_run) -> None:
    first = compose_run(*TINY_RUN, "trainer.max_epochs=1")
    train(first)
    last = Path(first.paths.output_dir) / "checkpoints" / "last.ckpt"
    resumed = compose_run(
        *TINY_RUN, "trainer.max_epochs=2", "data.batch_size=32", f"ckpt_path={last}"
    )
    train(resumed)
    assert _metrics(resumed)["epochs"] == 2


def test_resume_refuses_a_different_model(compose_run) -> None:
    from rnnlab.errors import CheckpointError

    first = compose_run(*TINY_RUN)
    train(first)
    last = Path(first.paths.output_dir) / "checkpoints" / "last.ckpt"
    with pytest.raises(
        CheckpointError, match="model.cell='gru', but this run has model.cell='lstm'"
    ):
        train(compose_run(*TINY_RUN, "model=lstm", f"ckpt_path={last}"))


def test_fast_dev_run_tests_the_final_weights(compose_run) -> None:
    cfg = compose_run("debug=fast", "trainer.enable_progress_bar=false", "~callbacks.progress_bar")
    train(cfg)
    record = _metrics(cfg)
    assert record["tested_checkpoint"] == "final weights"
    assert "test/acc" in record["metrics"]


def test_curves_follow_each_stage_and_survive_a_resume(compose_run) -> None:
    """Validation every 2nd epoch gives val/loss points at epochs 2 and 4 only; the
    checkpoint written at epoch 2's validation already holds epoch 2's training loss."""
    first = compose_run(*TINY_RUN, "trainer.max_epochs=2", "trainer.check_val_every_n_epoch=2")
    train(first)
    last = Path(first.paths.output_dir) / "checkpoints" / "last.ckpt"
    resumed = compose_run(
        *TINY_RUN, "trainer.max_epochs=4", "trainer.check_val_every_n_epoch=2", f"ckpt_path={last}"
    )
    train(resumed)
    checkpoint = torch.load(
        Path(resumed.paths.output_dir) / "checkpoints" / "last.ckpt", weights_only=True
    )
    history = checkpoint["loss_history"]
    assert [epoch for epoch, _ in history["train/loss"]] == [1, 2, 3, 4]
    assert [epoch for epoch, _ in history["val/loss"]] == [2, 4]


#: Targets of every training batch the BatchRecorder saw, in order.
SEEN_BATCHES: list[list[int]] = []


class BatchRecorder(pl.Callback):
    """Records each training batch's targets (the sequences' labels, in batch order)."""

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx: int) -> None:
        SEEN_BATCHES.append(batch.targets.tolist())


def test_overfit_preset_trains_on_one_fixed_batch(compose_run) -> None:
    SEEN_BATCHES.clear()
    cfg = compose_run(
        "debug=overfit",
        "trainer.max_epochs=60",
        f"+callbacks.recorder._target_={__name__}.BatchRecorder",
        *TINY_RUN[1:],
    )
    train(cfg)
    assert len(SEEN_BATCHES) == 60  # one batch an epoch
    assert all(batch == SEEN_BATCHES[0] for batch in SEEN_BATCHES)
    history = torch.load(
        Path(cfg.paths.output_dir) / "checkpoints" / "last.ckpt", weights_only=True
    )["loss_history"]["train/loss"]
    assert history[0][1] > 0.5 and history[-1][1] < 0.01  # driven to ~0 on that batch
