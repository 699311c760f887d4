"""Instantiate a run's parts from its config with Hydra: data, model, callbacks, loggers, trainer.

The model is sized by the data's TaskSpec (input, output, head), never by hand.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import DictConfig

from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.data.spec import TaskSpec
from rnnlab.errors import ConfigError, RnnlabError
from rnnlab.models.module import SequenceModule


def build(group: str, node: DictConfig, **kwargs: Any) -> Any:
    """``instantiate`` that reports a bad config group in one sentence, not a traceback."""
    try:
        return instantiate(node, **kwargs)
    except InstantiationException as error:
        cause = error.__cause__
        while cause is not None and not isinstance(cause, RnnlabError):
            cause = cause.__cause__
        if cause is not None:
            raise cause from None
        reason = str(error.__cause__ or error).splitlines()[0]
        raise ConfigError(f"the {group} config could not be built: {reason}") from None


def build_datamodule(cfg: DictConfig) -> SequenceDataModule:
    return build("data", cfg.data)


def build_module(cfg: DictConfig, spec: TaskSpec) -> SequenceModule:
    """The network sized by ``spec``, wrapped with its optimizer and optional scheduler."""
    network = build(
        "model",
        cfg.model,
        input_size=spec.input_size,
        output_size=spec.output_size,
        per_step=spec.per_step,
    )
    optimizer = build("optimizer", cfg.optimizer)
    scheduler_cfg = cfg.get("scheduler")
    scheduler = build("scheduler", scheduler_cfg, _convert_="all") if scheduler_cfg else None
    return SequenceModule(network, spec, optimizer=optimizer, scheduler=scheduler)


def _build_group_entries(group: str, node: DictConfig | None) -> list[Any]:
    """Each entry of a callbacks/logger group that has a ``_target_``; null entries are off."""
    if not node:
        return []
    return [
        build(f"{group}.{key}", entry)
        for key, entry in node.items()
        if isinstance(entry, DictConfig) and "_target_" in entry
    ]


def build_callbacks(cfg: DictConfig) -> list[pl.Callback]:
    return _build_group_entries("callbacks", cfg.get("callbacks"))


def build_loggers(cfg: DictConfig) -> list[pl.loggers.Logger]:
    return _build_group_entries("logger", cfg.get("logger"))


def build_trainer(
    cfg: DictConfig, callbacks: list[pl.Callback], loggers: list[pl.loggers.Logger]
) -> pl.Trainer:
    return build("trainer", cfg.trainer, callbacks=callbacks, logger=loggers or False)
