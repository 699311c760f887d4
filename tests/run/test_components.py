"""Every option of every config group composes, validates and instantiates."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch

from rnnlab.config.group_options import available_options
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.validation import validate
from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.models.module import SequenceModule
from rnnlab.run.components import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)

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
NEEDS_GPU = {("trainer", "gpu")}


def _options() -> list[tuple[str, str]]:
    return [(g, o) for g in GROUPS for o in available_options(Path(CONFIG_DIR), g)]


def test_every_group_has_options() -> None:
    assert {g for g, _ in _options()} == set(GROUPS)


@pytest.mark.parametrize(("group", "option"), _options())
def test_option_composes_and_instantiates(compose_run, group: str, option: str) -> None:
    cfg = compose_run(f"{group}={option}", *SMALL)
    validate(cfg)
    datamodule = build_datamodule(cfg)
    assert isinstance(datamodule, SequenceDataModule)
    module = build_module(cfg, datamodule.spec)
    assert isinstance(module, SequenceModule)
    optimizers = module.configure_optimizers()
    assert optimizers is not None
    callbacks, loggers = build_callbacks(cfg), build_loggers(cfg)
    if (group, option) in NEEDS_GPU and not torch.cuda.is_available():
        assert cfg.trainer.accelerator == "gpu"
        return
    trainer = build_trainer(cfg, callbacks, loggers)
    assert isinstance(trainer, pl.Trainer)
    assert all(callback in trainer.callbacks for callback in callbacks)
    assert len(trainer.loggers) == len(loggers) or cfg.trainer.get("fast_dev_run")


def test_model_is_sized_by_the_task(compose_run) -> None:
    cfg = compose_run("data=copy", "model=lstm", "data.num_symbols=5", *SMALL)
    datamodule = build_datamodule(cfg)
    network = build_module(cfg, datamodule.spec).network
    assert network.core.input_size == 7 and network.head.out_features == 6
    assert network.per_step


def test_bad_group_field_is_one_sentence(compose_run) -> None:
    from rnnlab.errors import ConfigError

    cfg = compose_run("+model.hidden=3", *SMALL)
    with pytest.raises(ConfigError, match="the model config could not be built"):
        build_module(cfg, build_datamodule(cfg).spec)
