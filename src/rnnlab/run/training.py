"""Train, then test, one composed run and leave a complete, self-describing run directory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import ModelCheckpoint

from rnnlab.callbacks.run_config import RunConfigInCheckpoint
from rnnlab.run.checkpoints import check_same_run, load_run_checkpoint
from rnnlab.run.components import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)
from rnnlab.run.quiet import quiet_known_warnings
from rnnlab.run.summary import announce, log_hparams, scalar_metrics, write_metrics_file


def _run_config(cfg: DictConfig) -> dict[str, Any]:
    """The resolved config as plain containers, without Hydra's own node."""
    config = OmegaConf.to_container(cfg, resolve=True)
    config.pop("hydra", None)
    return config


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


def train(cfg: DictConfig) -> float | None:
    """Fit, test on the best checkpoint, write metrics.json; return the optimized metric."""
    started = time.perf_counter()
    quiet_known_warnings()
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    run_config = _run_config(cfg)
    if cfg.get("ckpt_path"):
        check_same_run(cfg.ckpt_path, load_run_checkpoint(cfg.ckpt_path), run_config)

    datamodule = build_datamodule(cfg)
    spec = datamodule.spec
    module = build_module(cfg, spec)
    callbacks = [*build_callbacks(cfg), RunConfigInCheckpoint(run_config)]
    trainer = build_trainer(cfg, callbacks, build_loggers(cfg))

    metrics: dict[str, Any] = {}
    if cfg.get("train", True):
        trainer.fit(module, datamodule=datamodule, ckpt_path=cfg.get("ckpt_path"))
        if trainer.interrupted:
            raise SystemExit("training was interrupted: the run has no metrics.json.")
        metrics.update(trainer.callback_metrics)
    run_dir = Path(cfg.paths.output_dir)
    checkpoints = _checkpoint_paths(trainer, run_dir)
    tested = None
    if cfg.get("test", True):
        tested = checkpoints["best"]
        best_path = str(run_dir / tested) if tested else None
        trainer.test(module, datamodule=datamodule, ckpt_path=best_path, verbose=True)
        metrics.update(trainer.callback_metrics)

    values = scalar_metrics(metrics)
    record = {
        "status": "completed",
        "name": cfg.name,
        "task": spec.name,
        "metrics": values,
        "epochs": trainer.current_epoch,
        "global_step": trainer.global_step,
        "wall_time_s": round(time.perf_counter() - started, 3),
        "checkpoints": checkpoints,
        "tested_checkpoint": tested or "final weights",
        "task_spec": spec.to_dict(),
        "config": run_config,
    }
    if trainer.is_global_zero:
        log_hparams(trainer, run_config, values)
        announce(record, write_metrics_file(run_dir, record))
    optimized = cfg.get("optimized_metric")
    return values.get(optimized) if optimized else None
