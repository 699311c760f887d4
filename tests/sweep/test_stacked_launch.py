"""hydra/launcher=stacked as a user meets it: the console command, then what it left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnnlab.sweep.stacking import group, stack_key, why_alone
from tests.conftest import TINY_RUN, run_command, sweep_dir

TINY = (*TINY_RUN, "data.seq_len=6", "model.hidden_size=8")


def _config(**changes: object) -> dict:
    config = {
        "seed": 1,
        "model": {"cell": "gru", "hidden_size": 8, "dropout": 0.0},
        "data": {"seq_len": 10, "seed": 1, "batch_size": 32},
        "optimizer": {"lr": 0.01},
        "trainer": {"devices": 1, "precision": "32-true", "gradient_clip_val": None},
        "paths": {"output_dir": "/x/0_seed=1"},
        "callbacks": {"figures": {"output_dir": "/x/0_seed=1/figures"}},
    }
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = config
        for part in parents:
            node = node[part]
        node[leaf] = value
    return config


def test_jobs_stack_when_they_differ_only_in_what_a_stack_allows() -> None:
    base = stack_key(_config())
    same = [
        _config(
            seed=2,
            paths__output_dir="/x/1_seed=2",
            callbacks__figures__output_dir="/x/1_seed=2/figures",
        ),
        _config(optimizer__lr=0.1, data__seed=5, model__dropout=0.2),
        _config(trainer__gradient_clip_val=1.0),
    ]
    assert [stack_key(config) == base for config in same] == [True, True, True]
    for other in (_config(model__hidden_size=16), _config(data__seq_len=20)):
        assert stack_key(other) != base
    assert "several devices" in str(why_alone(_config(trainer__devices=2)))

    def scheduled(target: str) -> dict:
        return {**_config(), "scheduler": {"scheduler": {"_target_": target}, "interval": "epoch"}}

    plateau = why_alone(scheduled("torch.optim.lr_scheduler.ReduceLROnPlateau"))
    assert "schedule ReduceLROnPlateau" in str(plateau)
    assert why_alone(scheduled("torch.optim.lr_scheduler.CosineAnnealingLR")) is None
    # trainer settings the stack does not honour, away from their defaults
    assert "accumulate_grad_batches=2" in str(
        why_alone(_config(trainer__accumulate_grad_batches=2))
    )
    assert "limit_val_batches=0" in str(why_alone(_config(trainer__limit_val_batches=0)))
    assert why_alone(_config(trainer__accumulate_grad_batches=1, trainer__max_epochs=3)) is None


def test_grouping_respects_max_members_and_says_who_runs_alone() -> None:
    configs = [_config(seed=s) for s in range(5)] + [_config(model__hidden_size=16)]
    stacks = group(configs, max_members=3)
    assert [s.jobs for s in stacks] == [[0, 1, 2], [3, 4], [5]]
    assert stacks[2].alone_because == "nothing to stack it with"


@pytest.fixture(scope="module")
def stacked_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("stacked")
    result = run_command(
        root, "rnnlab-train", "-m", "name=st", "seed=1,2", "hydra/launcher=stacked", *TINY
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root, sweep_dir(root, "st"), result.stdout


def test_a_stacked_sweep_leaves_every_job_folder_as_a_single_run(stacked_sweep) -> None:
    _, sweep, stdout = stacked_sweep
    assert "rnnlab: stack of 2: jobs 0, 1 (gru" in stdout
    assert "rnnlab: 2 jobs: 2 completed" in stdout
    for job in ("0_seed=1", "1_seed=2"):
        folder = sweep / job
        record = json.loads((folder / "metrics.json").read_text())
        assert record["status"] == "completed" and record["epochs"] == 2
        assert record["config"]["seed"] == int(job[-1])
        assert record["stack"]["members"] == 2
        for path in ("checkpoints/best.ckpt", "checkpoints/last.ckpt", "figures/loss_curve.png"):
            assert (folder / path).is_file(), path
        assert list(folder.glob("events.out.tfevents.*"))
        assert (folder / ".hydra" / "overrides.yaml").is_file()
    assert "| seed |" in (sweep / "report.md").read_text()


def test_a_members_best_checkpoint_evaluates_to_its_test_metrics(stacked_sweep) -> None:
    root, sweep, _ = stacked_sweep
    folder = sweep / "1_seed=2"
    record = json.loads((folder / "metrics.json").read_text())
    best = folder / "checkpoints" / "best.ckpt"
    result = run_command(root, "rnnlab-eval", f"ckpt_path='{best}'")
    assert result.returncode == 0, result.stderr[-3000:]
    (evaluation,) = (root / "experiments").glob("**/metrics.json")
    evaluated = json.loads(evaluation.read_text())["metrics"]
    for name in ("test/acc", "test/loss"):
        assert evaluated[name] == pytest.approx(record["metrics"][name], abs=1e-6)


def test_a_members_last_checkpoint_resumes_as_a_single_run(stacked_sweep) -> None:
    root, sweep, _ = stacked_sweep
    last = sweep / "0_seed=1" / "checkpoints" / "last.ckpt"
    result = run_command(
        root,
        "rnnlab-train",
        "name=resumed",
        "seed=1",
        *[o for o in TINY if not o.startswith("trainer.max_epochs")],
        "trainer.max_epochs=3",
        f"ckpt_path='{last}'",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (resumed,) = (root / "experiments" / "resumed").glob("*/metrics.json")
    record = json.loads(resumed.read_text())
    assert record["status"] == "completed" and record["epochs"] == 3
    assert record["resumed_from"]["epochs_done"] == 2


def test_a_job_config_is_shown_resolved_where_it_can_be_before_its_job_runs() -> None:
    from omegaconf import OmegaConf

    from rnnlab.sweep.stacked_launch import _plain

    config = OmegaConf.create(
        {
            "width": 12,
            "model": {"hidden_size": "${width}", "cell": "gru"},
            "paths": {"output_dir": "${hydra:runtime.output_dir}"},
            "hydra": {"job": {"num": 0}},
        }
    )
    plain = _plain(config)
    assert plain["model"] == {"hidden_size": 12, "cell": "gru"}  # resolved
    assert plain["paths"] == {"output_dir": "${hydra:runtime.output_dir}"}  # needs the job
    assert "hydra" not in plain
