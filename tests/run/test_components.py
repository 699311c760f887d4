"""Every option of every config group trains and tests; building reports mistakes and bugs apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from hydra.errors import InstantiationException
from pytorch_lightning.callbacks import ModelSummary, ProgressBar

from rnnlab.config.group_options import available_options
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.validation import validate
from rnnlab.errors import ConfigError
from rnnlab.run.components import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)
from rnnlab.run.training import train

GROUPS = (
    "data",
    "model",
    "optimizer",
    "scheduler",
    "trainer",
    "callbacks",
    "logger",
    "debug",
    "experiment",
)
SMALL = ("data.num_train=8", "data.num_val=4", "data.num_test=4")
#: One epoch of one batch per stage, whatever the option sets.
ONE_BATCH = (
    "trainer.max_epochs=1",
    "trainer.check_val_every_n_epoch=1",
    "++trainer.limit_train_batches=1",
    "++trainer.limit_val_batches=1",
    "++trainer.limit_test_batches=1",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
)
NEEDS_GPU = {("trainer", "gpu"), ("trainer", "ddp")}
#: Options that start several processes: tests/run/test_ddp.py runs them from the command line.
OWN_PROCESSES = {("trainer", "ddp_cpu")}
#: What an option cannot run without: data=file needs a file.
REQUIRED = {
    ("data", "file"): (f"data.path={Path(__file__).parents[2] / 'examples' / 'sequences.npz'}",)
}


def _options() -> list[tuple[str, str]]:
    return [(g, o) for g in GROUPS for o in available_options(Path(CONFIG_DIR), g)]


def test_every_group_has_options() -> None:
    assert {g for g, _ in _options()} == set(GROUPS)


@pytest.mark.parametrize(("group", "option"), _options())
def test_option_fits_and_tests(compose_run, group: str, option: str) -> None:
    if (group, option) in NEEDS_GPU and not torch.cuda.is_available():
        pytest.skip("needs a GPU")
    if (group, option) in OWN_PROCESSES:
        pytest.skip("starts several processes: tests/run/test_ddp.py runs it as a user would")
    quiet = ONE_BATCH if (group, option) != ("callbacks", "none") else ONE_BATCH[:-1]
    quiet = (*REQUIRED.get((group, option), ()), *quiet)
    cfg = compose_run(f"{group}={option}", *quiet)
    if "num_train" in cfg.data:  # synthetic tasks: fewer sequences (real data sets are fixed)
        cfg = compose_run(f"{group}={option}", *SMALL, *quiet)
    validate(cfg)
    train(cfg)
    run_dir = Path(cfg.paths.output_dir)
    record = json.loads((run_dir / "metrics.json").read_text())
    assert record["status"] == "completed"
    headline = "test/mse" if record["task_spec"]["kind"] == "regression" else "test/acc"
    assert isinstance(record["metrics"][headline], float)
    if (group, option) == ("logger", "none"):  # no logger, yet the run leaves what it promises
        assert not list(run_dir.glob("events.out.tfevents*"))
        assert (run_dir / "checkpoints" / "last.ckpt").is_file()
        assert (run_dir / "figures" / "confusion_matrix.png").is_file()


def test_model_is_sized_by_the_task(compose_run) -> None:
    cfg = compose_run("data=copy", "model=lstm", "data.num_symbols=5", *SMALL)
    datamodule = build_datamodule(cfg)
    network = build_module(cfg, datamodule.spec).network
    assert network.core.input_size == 7 and network.head.out_features == 6
    assert network.per_step


def test_unknown_model_field_is_one_sentence(compose_run) -> None:
    cfg = compose_run("+model.hidden=3", *SMALL)
    with pytest.raises(ConfigError, match="the model config could not be built"):
        build_module(cfg, build_datamodule(cfg).spec)


def test_unknown_optimizer_field_is_caught_before_training(compose_run) -> None:
    """A ``_partial_`` optimizer is only called inside Lightning's fit: check it at build."""
    cfg = compose_run("+optimizer.betas_typo=3", *SMALL)
    with pytest.raises(ConfigError, match="optimizer config could not be built: .*betas_typo"):
        build_module(cfg, build_datamodule(cfg).spec)


def raise_empty_assertion(**_: object) -> None:
    """A component with a bug: a bare assert inside it (the message is empty)."""
    raise AssertionError


def raise_value_error(**_: object) -> None:
    """A component that refuses a value, as a library does."""
    raise ValueError("hidden_size must be even")


def test_a_bug_inside_a_component_stays_a_bug(compose_run) -> None:
    cfg = compose_run(f"model._target_={__name__}.raise_empty_assertion", *SMALL)
    with pytest.raises(InstantiationException) as caught:
        build_module(cfg, build_datamodule(cfg).spec)
    assert isinstance(caught.value.__cause__, AssertionError)


def test_a_value_a_library_refuses_is_one_sentence(compose_run) -> None:
    cfg = compose_run(f"model._target_={__name__}.raise_value_error", *SMALL)
    with pytest.raises(ConfigError, match="model config could not be built: .*must be even"):
        build_module(cfg, build_datamodule(cfg).spec)


def test_a_target_that_does_not_exist_is_one_sentence(compose_run) -> None:
    cfg = compose_run("model._target_=rnnlab.models.network.NoSuchNetwork", *SMALL)
    with pytest.raises(ConfigError, match="the model config could not be built"):
        build_module(cfg, build_datamodule(cfg).spec)


def _trainer_of(cfg):
    spec = build_datamodule(cfg).spec
    callbacks = build_callbacks(cfg, spec)
    return build_trainer(cfg, callbacks, build_loggers(cfg))


def test_a_callback_switched_off_is_not_added_back_by_lightning(compose_run) -> None:
    """``callbacks.progress_bar=null`` and ``~callbacks.model_summary`` leave no bar and no
    summary of Lightning's own either (it adds both when its list has none)."""
    trainer = _trainer_of(compose_run("callbacks.progress_bar=null", "~callbacks.model_summary"))
    assert trainer.progress_bar_callback is None
    assert not any(isinstance(c, ModelSummary) for c in trainer.callbacks)
    kept = _trainer_of(compose_run())
    assert isinstance(kept.progress_bar_callback, ProgressBar)
    assert sum(isinstance(c, ModelSummary) for c in kept.callbacks) == 1
