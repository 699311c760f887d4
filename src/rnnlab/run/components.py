"""Instantiate a run's parts from its config with Hydra: data, model, callbacks, loggers, trainer.

The model is sized by the data's TaskSpec (input, output, head), never by hand.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from lightning_fabric.utilities.exceptions import MisconfigurationException
from omegaconf import DictConfig
from pytorch_lightning.callbacks import LearningRateMonitor, ModelSummary, ProgressBar

from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.data.spec import TaskSpec
from rnnlab.errors import ConfigError, RnnlabError
from rnnlab.models.module import SequenceModule
from rnnlab.run.monitored_metric import resolved_monitor_kwargs, run_monitor

#: rnnlab's own source folder: an error raised from code in here is rnnlab's bug.
_RNNLAB_SOURCE = Path(__file__).resolve().parents[1]
#: Callbacks that have nothing to do without a logger (Lightning refuses them then).
_NEED_A_LOGGER = (LearningRateMonitor,)
#: Trainer switches of the callbacks Lightning adds on its own when none is in the list: a
#: ``callbacks.<name>=null`` that removes one turns Lightning's own off too.
_LIGHTNING_ADDS = {"enable_progress_bar": ProgressBar, "enable_model_summary": ModelSummary}


def _raised_in_rnnlab(error: BaseException) -> bool:
    """True when the innermost frame of ``error``'s traceback lies in rnnlab's source."""
    traceback = error.__traceback__
    if traceback is None:
        return False
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return Path(traceback.tb_frame.f_code.co_filename).resolve().is_relative_to(_RNNLAB_SOURCE)


def _is_config_mistake(cause: BaseException | None) -> bool:
    """The config's fault: a target that cannot be found, or a value or argument that a
    library refused (Lightning says so with MisconfigurationException). Anything else raised
    while building (an assertion, an attribute error, an error inside rnnlab's own code) is a
    bug and keeps its traceback."""
    if cause is None or isinstance(cause, ImportError | MisconfigurationException):
        return True
    return isinstance(cause, TypeError | ValueError) and not _raised_in_rnnlab(cause)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _check_partial_arguments(group: str, built: Any) -> None:
    """A ``_partial_`` target is called later, deep inside Lightning: check its arguments now."""
    if not isinstance(built, functools.partial):
        return
    try:
        inspect.signature(built.func).bind_partial(*built.args, **built.keywords)
    except TypeError as error:
        raise ConfigError(f"the {group} config could not be built: {_first_line(error)}.") from None
    except ValueError:  # no signature to check (some builtins): leave it to the call
        return


def build(group: str, node: DictConfig, **kwargs: Any) -> Any:
    """``instantiate`` that reports a config mistake in one sentence and a bug as a bug."""
    try:
        built = instantiate(node, **kwargs)
    except InstantiationException as error:
        cause = error.__cause__
        while cause is not None and not isinstance(cause, RnnlabError):
            cause = cause.__cause__
        if cause is not None:
            raise cause from None
        if not _is_config_mistake(error.__cause__):
            raise
        reason = _first_line(error.__cause__ or error)
        raise ConfigError(f"the {group} config could not be built: {reason}") from None
    _check_partial_arguments(group, built)
    for value in built.values() if isinstance(built, dict) else ():
        _check_partial_arguments(group, value)
    return built


def build_datamodule(cfg: DictConfig) -> SequenceDataModule:
    return build("data", cfg.data)


def build_module(cfg: DictConfig, spec: TaskSpec) -> SequenceModule:
    """The network sized by ``spec``, its optimizer, optional scheduler and "best" metric."""
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
    monitor = run_monitor(cfg, spec)
    return SequenceModule(
        network,
        spec,
        optimizer=optimizer,
        scheduler=scheduler,
        best_metric=monitor.metric if monitor else None,
        best_mode=monitor.mode if monitor else "max",
    )


def _build_group_entries(
    group: str, node: DictConfig | None, spec: TaskSpec | None = None
) -> list[Any]:
    """Each entry of a callbacks/logger group that has a ``_target_``; null entries are off."""
    if not node:
        return []
    return [
        build(
            f"{group}.{key}",
            entry,
            **resolved_monitor_kwargs(entry, spec, f"{group}.{key}"),
        )
        for key, entry in node.items()
        if isinstance(entry, DictConfig) and "_target_" in entry
    ]


def build_callbacks(cfg: DictConfig, spec: TaskSpec, has_logger: bool = True) -> list[pl.Callback]:
    """The callbacks group; ``monitor: auto`` becomes the task's headline validation metric."""
    callbacks = _build_group_entries("callbacks", cfg.get("callbacks"), spec)
    if has_logger:
        return callbacks
    return [callback for callback in callbacks if not isinstance(callback, _NEED_A_LOGGER)]


def build_loggers(cfg: DictConfig) -> list[pl.loggers.Logger]:
    return _build_group_entries("logger", cfg.get("logger"))


def switched_off(callbacks: list[pl.Callback]) -> dict[str, bool]:
    """``enable_progress_bar=False`` (and the like) for each kind of callback that Lightning
    would add by itself because the callbacks group has none: off in the config is off."""
    return {
        switch: False
        for switch, kind in _LIGHTNING_ADDS.items()
        if not any(isinstance(callback, kind) for callback in callbacks)
    }


def build_trainer(
    cfg: DictConfig, callbacks: list[pl.Callback], loggers: list[pl.loggers.Logger]
) -> pl.Trainer:
    return build(
        "trainer",
        cfg.trainer,
        callbacks=callbacks,
        logger=loggers or False,
        **switched_off(callbacks),
    )
