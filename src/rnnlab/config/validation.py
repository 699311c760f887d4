"""Check a composed config against the schema and say, in one sentence, what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.data_size import check_fits_in_memory
from rnnlab.config.dotted import select
from rnnlab.config.schema import RULES, Rule
from rnnlab.errors import ConfigError

_MISSING = object()


def _bad_value_message(key: str, value: Any, rule: Rule) -> str:
    shown = "null" if value is None else repr(value)
    return f"{key}={shown} is not valid: expected {rule.describe()}."


def _check_rules(cfg: DictConfig) -> None:
    for key, rule in RULES.items():
        try:
            value = select(cfg, key, _MISSING)
        except OmegaConfBaseException as error:
            raise ConfigError(f"{key} could not be resolved: {error}".splitlines()[0]) from None
        if value is _MISSING:
            continue
        if not rule.accepts(value):
            raise ConfigError(_bad_value_message(key, value, rule))


def _check_consistency(cfg: DictConfig) -> None:
    """Rules that tie fields together, where a single-field rule cannot see the problem."""
    model = cfg.get("model")
    if model is not None and model.get("nonlinearity") is not None and model.get("cell") != "rnn":
        raise ConfigError(
            f"model.nonlinearity={model.nonlinearity!r} only applies to model=rnn, "
            f"not to cell {model.get('cell')!r}: remove it or use model=rnn."
        )
    data = cfg.get("data")
    monitor = OmegaConf.select(cfg, "callbacks.model_checkpoint.monitor", default=None)
    if monitor is not None and monitor != "auto" and not str(monitor).startswith("val/"):
        raise ConfigError(
            f"callbacks.model_checkpoint.monitor={monitor!r} is not valid: expected auto, "
            "a validation metric such as val/loss or val/acc, or null (the latest epoch)."
        )
    if data is not None and data.get("num_val") == 0:
        if monitor is not None:
            raise ConfigError(
                f"callbacks.model_checkpoint.monitor={monitor!r} needs a validation split, but "
                "data.num_val=0: set data.num_val >= 1 or callbacks.model_checkpoint.monitor=null."
            )
        if OmegaConf.select(cfg, "trainer.limit_val_batches", default=None) != 0:
            raise ConfigError(
                "data.num_val=0 leaves nothing to validate on: set data.num_val >= 1 "
                "or trainer.limit_val_batches=0."
            )
    for switch, callback in (
        ("enable_progress_bar", "progress_bar"),
        ("enable_checkpointing", "model_checkpoint"),
    ):
        switched_off = OmegaConf.select(cfg, f"trainer.{switch}", default=None) is False
        if switched_off and OmegaConf.select(cfg, f"callbacks.{callback}", default=None):
            raise ConfigError(
                f"trainer.{switch}=false contradicts callbacks.{callback}, which is still on: "
                f"also pass ~callbacks.{callback} (or callbacks=none)."
            )
    min_epochs = OmegaConf.select(cfg, "trainer.min_epochs", default=None)
    max_epochs = OmegaConf.select(cfg, "trainer.max_epochs", default=None)
    if isinstance(min_epochs, int) and isinstance(max_epochs, int) and min_epochs > max_epochs:
        raise ConfigError(
            f"trainer.min_epochs={min_epochs} is larger than trainer.max_epochs={max_epochs}: "
            "min_epochs must be <= max_epochs."
        )


def checkpoint_missing_message(path: str) -> str:
    return (
        f"ckpt_path={path!r} does not exist: give the path of a .ckpt file written by "
        "rnnlab-train, e.g. experiments/<name>/<run>/checkpoints/last.ckpt."
    )


def _check_checkpoint_path(cfg: DictConfig) -> None:
    if "ckpt_path" not in cfg:
        return
    if OmegaConf.is_missing(cfg, "ckpt_path"):
        raise ConfigError(
            "ckpt_path is required: pass ckpt_path=experiments/<name>/<run>/checkpoints/best.ckpt."
        )
    path = cfg.ckpt_path
    if path is not None and not Path(str(path)).is_file():
        raise ConfigError(checkpoint_missing_message(str(path)))


def validate(cfg: DictConfig) -> None:
    """Raise ConfigError with one sentence when ``cfg`` breaks a schema or consistency rule,
    or asks for a generated task larger than the memory available."""
    _check_checkpoint_path(cfg)
    _check_rules(cfg)
    _check_consistency(cfg)
    check_fits_in_memory(cfg)
