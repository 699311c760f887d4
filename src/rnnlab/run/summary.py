"""What a finished run reports: metrics.json, and its hyper-parameters in TensorBoard.

metrics.json is written last and atomically (write, then rename), so a run directory
that has one is a finished run, and a directory without one never looks finished.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import TensorBoardLogger
from torch.utils.tensorboard.summary import hparams

METRICS_FILE = "metrics.json"


def scalar_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Lightning's callback metrics as plain floats, sorted by name."""
    values = {}
    for name, value in metrics.items():
        number = float(value.item() if isinstance(value, torch.Tensor) else value)
        values[name] = number if math.isfinite(number) else str(number)
    return dict(sorted(values.items()))


def write_metrics_file(run_dir: str | Path, record: dict[str, Any]) -> Path:
    """Write ``record`` as metrics.json in ``run_dir``, atomically."""
    path = Path(run_dir) / METRICS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n")
    os.replace(partial, path)
    return path


def announce(record: dict[str, Any], path: Path, what: str = "run") -> None:
    """One closing line on the console: wall time, headline test metric, metrics.json path."""
    headline = {k: v for k, v in record["metrics"].items() if k in ("test/acc", "test/mse")}
    # a diverged run stores "nan" as text (JSON has no NaN): show it as it is
    shown = ", ".join(
        f"{name} {value:.4f}" if isinstance(value, float) else f"{name} {value}"
        for name, value in headline.items()
    )
    print(f"rnnlab: {what} finished in {record['wall_time_s']:.1f} s ({shown}): {path}")


def _flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, bool | int | float | str):
            flat[name] = value
        else:
            flat[name] = str(value)
    return flat


#: Config sections whose values are shown as hyper-parameters in TensorBoard.
HPARAM_SECTIONS = ("data", "model", "optimizer", "scheduler", "trainer")


def log_hparams(
    trainer: pl.Trainer, config: Mapping[str, Any], metrics: Mapping[str, float]
) -> None:
    """Fill TensorBoard's HPARAMS tab: the run's settings beside its final metrics.

    The summary is written without the extra step-0 scalars that
    ``TensorBoardLogger.log_hyperparams(params, metrics)`` would add, because the metrics
    already exist as scalars under the same names in the same run.
    """
    params = {"seed": config.get("seed"), "name": config.get("name")}
    for section in HPARAM_SECTIONS:
        if isinstance(config.get(section), Mapping):
            params.update(_flatten(config[section], f"{section}."))
    params = {
        key: "null" if value is None else value
        for key, value in params.items()
        if not key.endswith("._partial_")
    }
    shown = {k: v for k, v in metrics.items() if isinstance(v, float)}
    for logger in trainer.loggers:
        if isinstance(logger, TensorBoardLogger):
            writer = logger.experiment._get_file_writer()
            for summary in hparams(params, shown):
                writer.add_summary(summary)
            logger.experiment.flush()
