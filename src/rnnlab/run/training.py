"""Train, then test, one composed run and leave a complete, self-describing run directory."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import ModelCheckpoint

from rnnlab.callbacks.epoch_seed import EpochSeed
from rnnlab.callbacks.gradient_monitor import ADVICE
from rnnlab.callbacks.run_config import RunConfigInCheckpoint
from rnnlab.callbacks.trial_pruning import pruned_epoch
from rnnlab.config.file_paths import with_absolute_paths
from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.errors import ConfigError, DivergedError
from rnnlab.models.module import SequenceModule
from rnnlab.run.checkpoints import (
    RESUME_IDENTITY,
    TEST_IDENTITY,
    check_same_run,
    load_run_checkpoint,
    resumed_from,
)
from rnnlab.run.components import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)
from rnnlab.run.hparams import log_hparams
from rnnlab.run.quiet import quiet_known_warnings
from rnnlab.run.summary import announce, scalar_metrics
from rnnlab.run.threads import set_run_threads
from rnnlab.run_folder import write_record


def _run_config(cfg: DictConfig) -> dict[str, Any]:
    """The resolved config as plain containers, without Hydra's own node (present when
    composed with ``return_hydra_config``; its sweep fields do not resolve in a single run),
    its data files as absolute paths so that its checkpoints work from any directory."""
    task = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    container = OmegaConf.to_container(task, resolve=True)
    assert isinstance(container, dict)
    return with_absolute_paths(container)


def _relative_to(run_dir: Path, path: str) -> str | None:
    """A path inside the run directory as seen from it, so a moved run stays consistent."""
    if not path:
        return None
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(run_dir.resolve()))
    except ValueError:
        return str(resolved)


def _checkpoint_paths(trainer: pl.Trainer, run_dir: Path) -> dict[str, str | None]:
    callback = trainer.checkpoint_callback
    if not isinstance(callback, ModelCheckpoint):
        return {"best": None, "last": None}
    return {
        "best": _relative_to(run_dir, callback.best_model_path),
        "last": _relative_to(run_dir, callback.last_model_path),
    }


def _best_record(trainer: pl.Trainer) -> dict[str, Any] | None:
    """The monitored metric, its mode and best value: what chose the tested checkpoint."""
    callback = trainer.checkpoint_callback
    if not isinstance(callback, ModelCheckpoint) or callback.monitor is None:
        return None
    score = callback.best_model_score
    return {
        "monitor": callback.monitor,
        "mode": callback.mode,
        "value": None if score is None else float(score),
    }


def _check_finished_finite(metrics: dict[str, Any], stage: str) -> None:
    """A stage that ends with a non-finite loss diverged, guard or no guard."""
    for name in (f"{stage}/loss", "val/loss") if stage == "train" else (f"{stage}/loss",):
        loss = metrics.get(name)
        if loss is not None and not math.isfinite(float(loss)):
            raise DivergedError(f"{name} ended at {float(loss):g}: training diverged; {ADVICE}.")


def _test(
    cfg: DictConfig,
    trainer: pl.Trainer,
    module: SequenceModule,
    datamodule: SequenceDataModule,
    run_dir: Path,
    fitting: bool,
) -> tuple[str | None, int | None]:
    """Test the best checkpoint (or ``ckpt_path`` when not fitting); which one, which epoch."""
    if fitting:
        tested = _checkpoint_paths(trainer, run_dir)["best"]
        test_path = str(run_dir / tested) if tested else None
    else:
        tested = test_path = cfg.get("ckpt_path")
    module.loaded_epoch = None
    trainer.test(module, datamodule=datamodule, ckpt_path=test_path, verbose=True)
    return tested, module.loaded_epoch if test_path else trainer.current_epoch


def _tested_name(tested: str | None, status: str, fitting: bool) -> str | None:
    """What the test stage ran on: a checkpoint, the final or untrained weights, or nothing."""
    if status != "completed":
        return tested
    return tested or ("final weights" if fitting else "untrained weights")


def _command_line_overrides() -> list[str]:
    """The overrides this run was composed with (a sweep job's own values included)."""
    if not HydraConfig.initialized():
        return []
    return list(HydraConfig.get().overrides.task)


@contextmanager
def _interrupt_raised(trainer: pl.Trainer) -> Iterator[None]:
    """Lightning ends a fit or test stopped by Ctrl-C with ``sys.exit(1)`` after its graceful
    shutdown; raise it as the KeyboardInterrupt it was, so that rnnlab-train can say where
    the run's last checkpoint is and how to continue it."""
    try:
        yield
    except SystemExit:
        if trainer.interrupted:
            raise KeyboardInterrupt from None
        raise
    if trainer.interrupted:  # stopped without Lightning's exit: the run has no metrics.json
        raise KeyboardInterrupt


def _check_stages(cfg: DictConfig) -> None:
    if not cfg.get("train", True) and not cfg.get("test", True):
        raise ConfigError("train=false and test=false leave nothing to do: set one of them true.")


def train(cfg: DictConfig) -> float | None:
    """Fit, test on the best checkpoint, write metrics.json; return the optimized metric.

    With ``train=false``, the run tests ``ckpt_path`` (exactly what ``rnnlab-eval`` gives for
    it, on this config's data) or, without one, the freshly initialised network.
    """
    started = time.perf_counter()
    set_run_threads(cfg)
    quiet_known_warnings()
    _check_stages(cfg)
    fitting = bool(cfg.get("train", True))
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    run_config = _run_config(cfg)
    resumed = None
    if cfg.get("ckpt_path"):
        checkpoint = load_run_checkpoint(cfg.ckpt_path)
        sections = tuple(RESUME_IDENTITY) if fitting else TEST_IDENTITY
        check_same_run(cfg.ckpt_path, checkpoint, run_config, sections)
        resumed = resumed_from(cfg.ckpt_path, checkpoint) if fitting else None

    datamodule = build_datamodule(cfg)
    spec = datamodule.spec
    module = build_module(cfg, spec)
    loggers = build_loggers(cfg)
    callbacks = [
        *build_callbacks(cfg, spec, has_logger=bool(loggers)),
        RunConfigInCheckpoint(run_config),
        EpochSeed(int(cfg.seed)),
    ]
    trainer = build_trainer(cfg, callbacks, loggers)

    metrics: dict[str, Any] = {}
    status, message, tested, tested_epoch = "completed", None, None, None
    run_dir = Path(cfg.paths.output_dir)
    try:
        if fitting:
            with _interrupt_raised(trainer):
                trainer.fit(module, datamodule=datamodule, ckpt_path=cfg.get("ckpt_path"))
            metrics.update(trainer.callback_metrics)
            _check_finished_finite(metrics, "train")
            if (pruned := pruned_epoch(callbacks)) is not None:  # a search's hopeless trial
                status = "pruned"
                message = f"pruned by the search after epoch {pruned + 1}; not tested"
        if cfg.get("test", True) and status != "pruned":
            with _interrupt_raised(trainer):
                tested, tested_epoch = _test(cfg, trainer, module, datamodule, run_dir, fitting)
            metrics.update(trainer.callback_metrics)
            _check_finished_finite(metrics, "test")
    except DivergedError as error:
        status, message = "diverged", str(error)
        metrics.update(trainer.callback_metrics)

    values = scalar_metrics(metrics)
    record = {
        "status": status,
        "message": message,
        "name": cfg.name,
        "task": spec.name,
        "metrics": values,
        "epochs": trainer.current_epoch if fitting else (tested_epoch or 0),
        "global_step": trainer.global_step,
        "wall_time_s": round(time.perf_counter() - started, 3),
        "checkpoints": _checkpoint_paths(trainer, run_dir),
        "tested_checkpoint": _tested_name(tested, status, fitting),
        "tested_epoch": tested_epoch,
        "best": _best_record(trainer) if fitting else None,
        "resumed_from": resumed,
        "overrides": _command_line_overrides(),
        "torch_threads": torch.get_num_threads(),
        "task_spec": spec.to_dict(),
        "config": run_config,
    }
    if trainer.is_global_zero:
        log_hparams(trainer, run_config, values, module.objective.headline[0])
        announce(record, write_record(run_dir, record))
    if status == "diverged":
        raise DivergedError(str(message))
    optimized = cfg.get("optimized_metric")
    return values.get(optimized) if optimized else None
