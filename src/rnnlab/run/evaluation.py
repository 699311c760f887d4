"""Re-evaluate a checkpoint on its run's test split, rebuilt from the checkpoint alone."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from omegaconf import DictConfig, OmegaConf

from rnnlab.callbacks.run_config import CHECKPOINT_KEY
from rnnlab.run.checkpoints import load_run_checkpoint, load_weights
from rnnlab.run.components import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)
from rnnlab.run.quiet import quiet_known_warnings
from rnnlab.run.summary import announce, scalar_metrics
from rnnlab.run_folder import write_record


def evaluate(cfg: DictConfig) -> dict[str, Any]:
    """Test the checkpoint at ``cfg.ckpt_path``; write and return the metrics record."""
    started = time.perf_counter()
    quiet_known_warnings()
    checkpoint = load_run_checkpoint(cfg.ckpt_path)
    run_cfg = OmegaConf.create(checkpoint[CHECKPOINT_KEY])
    pl.seed_everything(run_cfg.seed, workers=True, verbose=False)
    datamodule = build_datamodule(run_cfg)
    module = build_module(run_cfg, datamodule.spec)
    load_weights(module, checkpoint, cfg.ckpt_path)
    loggers = build_loggers(cfg)
    callbacks = build_callbacks(cfg, datamodule.spec, has_logger=bool(loggers))
    trainer = build_trainer(cfg, callbacks, loggers)
    trainer.test(module, datamodule=datamodule, verbose=True)
    record = {
        "status": "completed",
        "name": cfg.name,
        "task": datamodule.spec.name,
        "evaluated_checkpoint": str(Path(cfg.ckpt_path)),
        "epochs": checkpoint.get("epoch", -1) + 1,
        "metrics": scalar_metrics(trainer.callback_metrics),
        "wall_time_s": round(time.perf_counter() - started, 3),
        "config": OmegaConf.to_container(run_cfg),
    }
    if trainer.is_global_zero:
        announce(record, write_record(Path(cfg.paths.output_dir), record), "evaluation")
    return record
