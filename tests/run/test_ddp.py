"""Several processes: trainer=ddp_cpu trains and tests like one process, into one run folder.

The end-to-end test runs the real command (rank 1 is started by Lightning re-running it
under Hydra) and then rnnlab-eval in one process: equal test metrics prove that every
test sequence was counted exactly once across the two ranks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hydra.types import RunMode
from hydra.utils import instantiate
from omegaconf import OmegaConf
from pytorch_lightning.strategies import DDPStrategy

from rnnlab.config.processes import refuse_ddp_in_multirun, several_processes
from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.data.tasks.majority import majority_task
from rnnlab.errors import ConfigError
from tests.conftest import Composer

BIN = Path(sys.executable).parent
QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar")


# configs -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("group", "accelerator", "devices", "backend"),
    [("ddp_cpu", "cpu", 2, "gloo"), ("ddp", "gpu", -1, "nccl")],
)
def test_ddp_configs_compose_to_a_ddp_strategy(
    compose_run: Composer, group: str, accelerator: str, devices: int, backend: str
) -> None:
    trainer = compose_run(f"trainer={group}").trainer
    assert (trainer.accelerator, trainer.devices) == (accelerator, devices)
    strategy = instantiate(trainer.strategy)
    assert isinstance(strategy, DDPStrategy)
    assert strategy._start_method == "popen"  # ddp: the command is run again for each rank
    assert strategy._process_group_backend == backend


# a sweep refuses several processes ---------------------------------------------------------
@pytest.mark.parametrize(
    ("devices", "accelerator", "several"),
    [
        (1, "auto", False),
        ("1", "cpu", False),
        (2, "cpu", True),
        (-1, "gpu", True),
        ("auto", "cpu", False),
        ("auto", "gpu", True),
        ("0,", "gpu", False),
        ("0,1", "gpu", True),
        ([3], "gpu", False),
        ([0, 1], "gpu", True),
    ],
)
def test_several_processes_reads_lightnings_devices_values(
    devices: Any, accelerator: str, several: bool
) -> None:
    cfg = OmegaConf.create({"trainer": {"devices": devices, "accelerator": accelerator}})
    assert several_processes(cfg) is several


def test_a_sweep_refuses_ddp_and_a_single_run_does_not(compose_run: Composer) -> None:
    cfg = compose_run("trainer=ddp_cpu")
    refuse_ddp_in_multirun(cfg)  # compose leaves hydra.mode unset: a single run
    refuse_ddp_in_multirun(cfg, RunMode.RUN)
    with pytest.raises(ConfigError, match=r"trainer.devices=2 starts several processes.*-m"):
        refuse_ddp_in_multirun(cfg, RunMode.MULTIRUN)
    refuse_ddp_in_multirun(compose_run("trainer=cpu"), RunMode.MULTIRUN)
    with pytest.raises(ConfigError):
        refuse_ddp_in_multirun(compose_run("trainer=cpu", "+trainer.num_nodes=2"), RunMode.MULTIRUN)


# the DataModule's loaders on each rank -----------------------------------------------
def _loaders(rank: int, world_size: int, **sizes: int) -> SequenceDataModule:
    datamodule = SequenceDataModule(partial(majority_task), batch_size=8, seed=0, **sizes)
    datamodule.trainer = SimpleNamespace(  # type: ignore[assignment]
        strategy=SimpleNamespace(root_device="cpu"),
        global_rank=rank,
        world_size=world_size,
        overfit_batches=0,
    )
    return datamodule


def _targets_seen(loader: Any) -> int:
    return sum(len(batch.targets) for batch in loader)


def test_ranks_evaluate_every_sequence_once_and_train_equal_shares() -> None:
    ranks = [_loaders(r, 2, num_train=101, num_val=37, num_test=21) for r in (0, 1)]
    assert [_targets_seen(d.val_dataloader()) for d in ranks] == [18, 19]
    assert [_targets_seen(d.test_dataloader()) for d in ranks] == [10, 11]
    assert [_targets_seen(d.train_dataloader()) for d in ranks] == [50, 50]


def test_a_split_smaller_than_the_number_of_processes_is_one_sentence() -> None:
    datamodule = _loaders(0, 4, num_train=64, num_val=3)
    with pytest.raises(
        ConfigError,
        match=r"the val split has 3 sequences, fewer than the 4 processes.*raise data.num_val",
    ):
        datamodule.val_dataloader()


# the real command ------------------------------------------------------------------------
def _run(tmp_path: Path, program: str, *overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / program), *overrides],
        cwd=tmp_path,
        env={**os.environ, "RNNLAB_ROOT": str(tmp_path)},
        text=True,
        capture_output=True,
        timeout=300,
    )


@pytest.mark.slow
def test_ddp_cpu_writes_one_run_whose_test_metrics_rnnlab_eval_reproduces(
    tmp_path: Path,
) -> None:
    trained = _run(
        tmp_path,
        "rnnlab-train",
        "trainer=ddp_cpu",
        "data.num_test=201",  # odd sizes: two ranks get uneven shares
        "data.num_val=101",
        "trainer.max_epochs=2",
        "data.num_train=256",
        *QUIET,
    )
    assert trained.returncode == 0, trained.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["experiments"]  # nothing in cwd
    assert sorted(p.name for p in (tmp_path / "experiments").iterdir()) == ["default"]
    (run,) = (tmp_path / "experiments" / "default").iterdir()  # one run folder, not one per rank
    record = json.loads((run / "metrics.json").read_text())
    assert record["status"] == "completed" and record["epochs"] == 2
    assert record["config"]["trainer"]["devices"] == 2
    metrics = record["metrics"]
    assert {"train/loss", "val/loss", "val/acc", "test/acc", "test/loss", "test/f1"} <= set(metrics)
    assert (run / "figures" / "confusion_matrix.png").is_file()
    assert (run / "checkpoints" / "best.ckpt").is_file()

    evaluated = _run(
        tmp_path, "rnnlab-eval", f"ckpt_path={run / 'checkpoints' / 'best.ckpt'}", *QUIET
    )
    assert evaluated.returncode == 0, evaluated.stderr
    (evaluation,) = (tmp_path / "experiments" / "eval").iterdir()
    single = json.loads((evaluation / "metrics.json").read_text())["metrics"]
    # 201 test sequences: a rank share dropped or counted twice would move acc by >= 1/201
    for name in ("test/acc", "test/loss", "test/f1"):
        assert metrics[name] == pytest.approx(single[name], abs=1e-6), name


def _metrics(tmp_path: Path, name: str) -> dict[str, Any]:
    (run,) = (tmp_path / "experiments" / name).iterdir()
    return json.loads((run / "metrics.json").read_text())["metrics"]


@pytest.mark.slow
def test_two_ranks_with_half_the_batch_train_like_one_process(tmp_path: Path) -> None:
    """Rank r's batch k is order[r::2][16k:16k+16], so both ranks' batches together are the
    single process's batch order[32k:32k+32], and DDP's averaged gradient is its gradient."""
    common = ("trainer.max_epochs=2", "data.num_train=256", "data.num_val=101", *QUIET)
    single = _run(tmp_path, "rnnlab-train", "name=single", "trainer=cpu", *common)
    assert single.returncode == 0, single.stderr
    ddp = _run(
        tmp_path, "rnnlab-train", "name=ddp", "trainer=ddp_cpu", "data.batch_size=16", *common
    )
    assert ddp.returncode == 0, ddp.stderr
    one, two = _metrics(tmp_path, "single"), _metrics(tmp_path, "ddp")
    for name in ("train/loss", "val/loss", "val/acc", "test/loss", "test/acc"):
        assert two[name] == pytest.approx(one[name], abs=1e-5), name  # float summation order


def _refusal_is_wired() -> bool:
    """Whether rnnlab-train calls the refusal (in its sweep preflight or before training)."""
    for name in ("rnnlab.train", "rnnlab.sweep.preflight"):
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            continue
        if spec and spec.origin and "refuse_ddp_in_multirun" in Path(spec.origin).read_text():
            return True
    return False


@pytest.mark.skipif(not _refusal_is_wired(), reason="rnnlab-train does not refuse it yet")
def test_a_ddp_sweep_is_refused_in_one_sentence_and_nothing_trains(tmp_path: Path) -> None:
    swept = _run(tmp_path, "rnnlab-train", "-m", "trainer=ddp_cpu", "seed=1,2", *QUIET)
    assert swept.returncode != 0
    assert "trainer.devices=2 starts several processes, which a sweep (-m) cannot run" in (
        swept.stderr
    )
    assert not list(tmp_path.rglob("*.ckpt"))  # no job trained, no process was started
    assert not (tmp_path / "experiments").exists()  # no rank reran the sweep as a single run
