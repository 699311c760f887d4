"""A stack's members train exactly as their single runs (model.impl=unrolled) would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rnnlab.run.training import train
from rnnlab.stack.resume import resume_epoch
from rnnlab.stack.training import train_stack
from rnnlab.sweep.stacking import member_job
from tests.conftest import TINY_RUN

SMALL = (*TINY_RUN, "data.seq_len=6", "model.hidden_size=8", "~callbacks.gradient_flow")
SMALL += ("~callbacks.hidden_states",)
#: Members that differ in what a stack allows to differ.
MEMBERS = (("seed=1", "optimizer.lr=0.01"), ("seed=2", "optimizer.lr=0.03"))


def _record(run_dir: Path) -> dict:
    return json.loads((run_dir / "metrics.json").read_text())


def _stack_and_alone(compose_run, *overrides: str) -> list[tuple[dict, dict]]:
    """(member's record, single run's record) for each of MEMBERS."""
    jobs = [member_job(compose_run(*SMALL, *overrides, *member)) for member in MEMBERS]
    train_stack(jobs)
    alone = []
    for member in MEMBERS:
        cfg = compose_run(*SMALL, *overrides, *member, "model.impl=unrolled")
        run_dir = Path(cfg.paths.output_dir)  # read now: it follows the latest composed run
        train(cfg)
        alone.append(_record(run_dir))
    return [(_record(job.run_dir), record) for job, record in zip(jobs, alone, strict=True)]


COMBINATIONS = [
    pytest.param(cell, task, marks=() if (cell, task) == ("gru", "majority") else pytest.mark.slow)
    for cell in ("rnn", "lstm", "gru")
    for task in ("majority", "adding", "copy")
]


@pytest.mark.parametrize(("cell", "task"), COMBINATIONS)
def test_after_one_epoch_each_members_loss_is_its_single_runs(
    compose_run, cell: str, task: str
) -> None:
    pairs = _stack_and_alone(compose_run, f"model={cell}", f"data={task}", "trainer.max_epochs=1")
    for stacked, alone in pairs:
        assert stacked["status"] == alone["status"] == "completed"
        assert stacked["metrics"]["train/loss"] == pytest.approx(
            alone["metrics"]["train/loss"], rel=1e-5
        )
    # the members did differ
    assert pairs[0][0]["metrics"]["train/loss"] != pairs[1][0]["metrics"]["train/loss"]


def test_after_several_epochs_test_metrics_are_the_single_runs(compose_run) -> None:
    pairs = _stack_and_alone(compose_run, "model=lstm", "trainer.max_epochs=6")
    for stacked, alone in pairs:
        for name in ("test/acc", "test/loss", "val/acc_best"):
            assert stacked["metrics"][name] == pytest.approx(alone["metrics"][name], abs=1e-3)
        assert stacked["tested_epoch"] == alone["tested_epoch"]
        assert stacked["best"] == pytest.approx(alone["best"])


def test_fresh_and_continuing_members_never_share_a_stack() -> None:
    assert resume_epoch(None) != resume_epoch({"epoch": 0})  # after the first epoch


def test_a_members_checkpoint_is_a_single_runs(compose_run) -> None:
    job = member_job(compose_run(*SMALL, "seed=3"))
    train_stack([job, member_job(compose_run(*SMALL, "seed=4"))])
    run_dir = job.run_dir
    best = torch.load(run_dir / "checkpoints" / "best.ckpt", weights_only=False)
    last = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)
    assert set(best["state_dict"]) >= {"network.core.weight_ih_l0", "network.head.weight"}
    assert last["epoch"] == 1 and last["global_step"] == 8
    assert best["rnnlab_config"]["seed"] == 3
    assert len(last["optimizer_states"]) == 1 and last["loss_history"]["train/loss"]
    assert (run_dir / "figures" / "loss_curve.png").is_file()
    assert (run_dir / "figures" / "confusion_matrix.png").is_file()
    events = EventAccumulator(str(run_dir)).Reload()
    assert {"train/loss", "val/acc", "val/acc_best", "test/acc"} <= set(events.Tags()["scalars"])
    assert len(events.Scalars("val/acc")) == 2
    assert "_hparams_/session_start_info" in events.PluginTagToContent("hparams")


def test_a_member_that_diverges_stops_alone(compose_run) -> None:
    """A member whose loss explodes is recorded diverged; the other ends as its single run."""
    task = ("data=adding", "model=rnn", "model.nonlinearity=relu", "optimizer=sgd")
    calm, wild = ("seed=1", "optimizer.lr=0.01"), ("seed=1", "optimizer.lr=1e6")
    jobs = [member_job(compose_run(*SMALL, *task, *member)) for member in (calm, wild)]
    members = train_stack(jobs)
    assert [m.status for m in members] == ["completed", "diverged"]
    wild_record = _record(jobs[1].run_dir)
    assert wild_record["status"] == "diverged"
    assert "became" in wild_record["message"] and "optimizer.lr" in wild_record["message"]
    # it stopped where it diverged, in the first epoch; the calm member trained both epochs
    assert wild_record["epochs"] == 0 and wild_record["global_step"] < 4
    assert _record(jobs[0].run_dir)["epochs"] == 2
    alone = compose_run(*SMALL, *task, *calm, "model.impl=unrolled")
    run_dir = Path(alone.paths.output_dir)
    train(alone)
    calm_record, alone_record = _record(jobs[0].run_dir), _record(run_dir)
    for name in ("train/loss", "test/mse", "val/mse_best"):
        assert calm_record["metrics"][name] == pytest.approx(
            alone_record["metrics"][name], rel=1e-5
        )


def _early_stopping_state(run_dir: Path) -> dict:
    last = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)
    (state,) = [v for k, v in last["callbacks"].items() if k.startswith("EarlyStopping")]
    return {**state, "epoch": last["epoch"], "global_step": last["global_step"]}


def test_each_member_stops_early_by_its_own_early_stopping(compose_run) -> None:
    """Each member ends at the epoch its single run's EarlyStopping ends it, tested on its
    own best epoch, its last checkpoint holding the same verdict; the stack trains on for the
    members still improving."""
    stopping = ("callbacks=early_stopping", "callbacks.early_stopping.patience=1")
    stopping += ("callbacks.early_stopping.min_delta=0.02", "trainer.max_epochs=8")
    jobs = [member_job(compose_run(*SMALL, *stopping, *member)) for member in MEMBERS]
    train_stack(jobs)
    epochs = []
    for job, member in zip(jobs, MEMBERS, strict=True):
        cfg = compose_run(*SMALL, *stopping, *member, "model.impl=unrolled")
        run_dir = Path(cfg.paths.output_dir)
        train(cfg)
        stacked, alone = _record(job.run_dir), _record(run_dir)
        assert stacked["status"] == alone["status"] == "completed"
        for key in ("epochs", "global_step", "tested_epoch"):
            assert stacked[key] == alone[key], key
        for name in ("test/acc", "test/loss", "val/loss"):
            assert stacked["metrics"][name] == pytest.approx(alone["metrics"][name], abs=1e-4)
        mine, theirs = _early_stopping_state(job.run_dir), _early_stopping_state(run_dir)
        best = float(mine.pop("best_score"))
        assert best == pytest.approx(float(theirs.pop("best_score")), abs=1e-5)
        assert mine == theirs
        epochs.append(stacked["epochs"])
    assert min(epochs) < 8 and len(set(epochs)) == 2  # stopped early, at different epochs


def test_members_follow_their_own_schedule(compose_run) -> None:
    """With scheduler=cosine each member's rate decays from its own optimizer.lr, as alone,
    and its last checkpoint holds its share of the schedule in the single-run format."""
    pairs = _stack_and_alone(compose_run, "scheduler=cosine", "trainer.max_epochs=3")
    for stacked, alone in pairs:
        for name in ("train/loss", "test/loss", "val/loss"):
            assert stacked["metrics"][name] == pytest.approx(alone["metrics"][name], rel=1e-5)
    jobs = [member_job(compose_run(*SMALL, "scheduler=cosine", *m)) for m in MEMBERS]
    train_stack(jobs)
    for job, member in zip(jobs, MEMBERS, strict=True):
        last = torch.load(job.run_dir / "checkpoints" / "last.ckpt", weights_only=False)
        (schedule,) = last["lr_schedulers"]
        lr = float(member[1].partition("=")[2])
        assert schedule["base_lrs"] == [pytest.approx(lr)] and len(schedule["_last_lr"]) == 1
        assert last["optimizer_states"][0]["param_groups"][0]["initial_lr"] == pytest.approx(lr)


def test_an_epoch_cut_by_max_steps_is_closed_as_alone(compose_run) -> None:
    """trainer.max_steps ending an epoch half-way: that epoch's training metrics still count."""
    pairs = _stack_and_alone(compose_run, "trainer.max_epochs=3", "+trainer.max_steps=6")
    for stacked, alone in pairs:
        assert stacked["global_step"] == alone["global_step"] == 6
        assert stacked["epochs"] == alone["epochs"]
        assert stacked["metrics"]["train/loss"] == pytest.approx(
            alone["metrics"]["train/loss"], rel=1e-5
        )
        assert stacked["metrics"]["test/acc"] == pytest.approx(alone["metrics"]["test/acc"])
