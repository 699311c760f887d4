"""Resuming and testing from checkpoints: exact continuation, one "best", clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from rnnlab.errors import CheckpointError, ConfigError
from rnnlab.run.evaluation import evaluate
from rnnlab.run.training import train
from tests.conftest import TINY_RUN


def _record(cfg) -> dict:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())


def _last(cfg) -> Path:
    return Path(cfg.paths.output_dir) / "checkpoints" / "last.ckpt"


def _history(cfg) -> dict:
    return torch.load(_last(cfg), weights_only=True)["loss_history"]


def test_two_plus_two_epochs_equal_four_straight(compose_run) -> None:
    straight = compose_run(*TINY_RUN, "trainer.max_epochs=4")
    train(straight)
    expected, expected_history = _record(straight), _history(straight)

    first = compose_run(*TINY_RUN, "trainer.max_epochs=2")
    train(first)
    resumed = compose_run(*TINY_RUN, "trainer.max_epochs=4", f"ckpt_path={_last(first)}")
    train(resumed)
    record = _record(resumed)
    assert record["metrics"] == expected["metrics"]
    assert record["tested_epoch"] == expected["tested_epoch"]
    assert record["best"] == expected["best"]
    assert _history(resumed) == expected_history


def test_best_is_carried_across_a_resume(compose_run) -> None:
    """``mode=max`` on the falling val/loss puts the best epoch before the resume: the
    resumed run must still test that epoch, and report its value as val/loss_best."""
    best = ("callbacks.model_checkpoint.monitor=val/loss", "callbacks.model_checkpoint.mode=max")
    first = compose_run(*TINY_RUN, *best, "trainer.max_epochs=2")
    train(first)
    first_dir = first.paths.output_dir  # read now: it follows the latest composed run
    resumed = compose_run(*TINY_RUN, *best, "trainer.max_epochs=4", f"ckpt_path={_last(first)}")
    train(resumed)
    record = _record(resumed)
    val_losses = dict(_history(resumed)["val/loss"])
    best_epoch = max(val_losses, key=val_losses.get)
    assert best_epoch <= 2, "the scenario needs its best epoch before the resume"
    assert record["tested_epoch"] == best_epoch
    assert record["best"]["value"] == pytest.approx(val_losses[best_epoch], rel=1e-6)
    assert record["metrics"]["val/loss_best"] == pytest.approx(val_losses[best_epoch], rel=1e-6)
    assert (Path(resumed.paths.output_dir) / "checkpoints" / "best.ckpt").is_file()
    assert record["resumed_from"]["run_dir"] == first_dir
    assert record["resumed_from"]["epochs_done"] == 2


def test_best_checkpoint_and_val_best_agree(compose_run) -> None:
    cfg = compose_run(*TINY_RUN, "trainer.max_epochs=3")
    train(cfg)
    record = _record(cfg)
    assert record["best"]["monitor"] == "val/acc" and record["best"]["mode"] == "max"
    assert record["best"]["value"] == pytest.approx(record["metrics"]["val/acc_best"])
    best = torch.load(Path(cfg.paths.output_dir) / "checkpoints" / "best.ckpt", weights_only=True)
    assert record["tested_epoch"] == best["epoch"] + 1


def test_regression_monitors_mse(compose_run) -> None:
    cfg = compose_run(*TINY_RUN, "data=adding", "data.seq_len=6")
    train(cfg)
    record = _record(cfg)
    assert record["best"]["monitor"] == "val/mse" and record["best"]["mode"] == "min"
    assert "val/mse_best" in record["metrics"]


def test_an_unknown_monitor_is_one_sentence(compose_run) -> None:
    cfg = compose_run(*TINY_RUN, "data=adding", "callbacks.model_checkpoint.monitor=val/acc")
    with pytest.raises(ConfigError, match="'val/acc' is not a metric of the adding task"):
        train(cfg)


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        ("optimizer.lr=0.5", "optimizer.lr=0.01, but this run has optimizer.lr=0.5"),
        ("optimizer=sgd", "optimizer._target_='torch.optim.Adam'"),
    ],
)
def test_resume_refuses_optimizer_changes(compose_run, changed: str, named: str) -> None:
    first = compose_run(*TINY_RUN, "trainer.max_epochs=1")
    train(first)
    again = compose_run(*TINY_RUN, "trainer.max_epochs=2", changed, f"ckpt_path={_last(first)}")
    with pytest.raises(CheckpointError, match=named):
        train(again)


def test_a_cosine_schedule_cannot_be_stretched_silently(compose_run) -> None:
    first = compose_run(*TINY_RUN, "scheduler=cosine", "trainer.max_epochs=2")
    train(first)
    last = _last(first)  # read now: it follows the latest composed run
    stretched = compose_run(
        *TINY_RUN, "scheduler=cosine", "trainer.max_epochs=4", f"ckpt_path={last}"
    )
    with pytest.raises(CheckpointError, match="scheduler.scheduler.T_max=2, but this run has .*4"):
        train(stretched)
    kept = compose_run(
        *TINY_RUN,
        "scheduler=cosine",
        "trainer.max_epochs=4",
        "scheduler.scheduler.T_max=2",
        f"ckpt_path={last}",
    )
    train(kept)
    assert _record(kept)["epochs"] == 4


def test_testing_a_checkpoint_gives_what_eval_gives(compose_run) -> None:
    trained = compose_run(*TINY_RUN, "data=adding", "data.seq_len=6", "trainer.max_epochs=3")
    train(trained)
    best = Path(trained.paths.output_dir) / "checkpoints" / "best.ckpt"
    trained_record = _record(trained)

    tested = compose_run(
        *TINY_RUN, "data=adding", "data.seq_len=6", "train=false", f"ckpt_path={best}"
    )
    train(tested)
    record = _record(tested)
    assert record["tested_checkpoint"] == str(best)
    assert record["tested_epoch"] == trained_record["tested_epoch"]

    evaluated = evaluate(compose_run(f"ckpt_path={best}", *TINY_RUN[-3:-1], config_name="eval"))[
        "metrics"
    ]
    for name in ("test/mse", "test/mae", "test/loss"):
        assert record["metrics"][name] == evaluated[name] == trained_record["metrics"][name]


def test_testing_without_a_checkpoint_says_untrained(compose_run) -> None:
    cfg = compose_run(*TINY_RUN, "train=false")
    train(cfg)
    assert _record(cfg)["tested_checkpoint"] == "untrained weights"


def test_neither_training_nor_testing_is_refused(compose_run) -> None:
    with pytest.raises(ConfigError, match="train=false and test=false leave nothing to do"):
        train(compose_run(*TINY_RUN, "train=false", "test=false"))


def test_a_checkpoint_continues_under_the_other_impl(compose_run) -> None:
    """fused and unrolled compute the same weights the same way: switching is allowed."""
    first = compose_run(*TINY_RUN, "trainer.max_epochs=1")
    train(first)
    resumed = compose_run(
        *TINY_RUN, "trainer.max_epochs=2", "model.impl=unrolled", f"ckpt_path={_last(first)}"
    )
    train(resumed)
    assert _record(resumed)["epochs"] == 2
