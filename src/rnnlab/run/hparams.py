"""TensorBoard's HPARAMS tab: what was varied and the few settings people compare, beside the
final metrics, so a sweep reads as a table of its grid.

Showing every config field (``data._target_``, ``trainer.default_root_dir`` ...) buries the
one that was swept; here the columns are the run's own command-line overrides (for a sweep
job: the values that vary across the sweep) and COMPARED settings.

Each run writes only its session (its values and a trial ID), never an experiment summary:
TensorBoard takes every column from the first experiment summary it finds, so one written
by a classification run hid a regression sweep's metrics and swept keys when both were
loaded. Without one, the plugin builds the table from all the runs it loads: every
session's keys as columns, every run's scalars (its final metrics among them) as metrics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from pytorch_lightning.loggers import Logger, TensorBoardLogger
from tensorboard.plugins.hparams.summary_v2 import hparams_pb

from rnnlab.compat.tensorboard import file_writer
from rnnlab.config.dotted import select

#: Settings shown for every run, whether or not they were changed.
COMPARED = (
    "model.cell",
    "model.hidden_size",
    "model.num_layers",
    "optimizer.lr",
    "data.batch_size",
    "data.seq_len",
    "trainer.gradient_clip_val",
)


def _shown(value: Any) -> bool | int | float | str:
    if value is None:
        return "null"
    return value if isinstance(value, bool | int | float | str) else str(value)


def varied_overrides() -> list[tuple[str, str]]:
    """(key, value) of this run's overrides that name it: a sweep job's swept values, or a
    single run's command-line changes (Hydra's own settings left out)."""
    if not HydraConfig.initialized():
        return []
    hydra = HydraConfig.get()
    excluded = set(hydra.job.config.override_dirname.exclude_keys)
    varied = []
    for override in hydra.overrides.task:
        key, _, value = override.partition("=")
        key = key.lstrip("+~")
        if key not in excluded and not key.startswith("hydra"):
            varied.append((key, value))
    return varied


def hparams_of(config: Mapping[str, Any], varied: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The varied values (typed from the config where the key is a field), then COMPARED."""
    params: dict[str, Any] = {}
    for key, text in varied:
        value = select(config, key)
        params[key] = _shown(value if value is not None and "." in key else text)
    for key in COMPARED:
        if key not in params and select(config, key.rsplit(".", 1)[0]) is not None:
            params[key] = _shown(select(config, key))
    return params


def ordered_metrics(metrics: Mapping[str, float | None], headline: str) -> dict[str, float]:
    """Finite final metrics, the test headline first, then test, best, val and train ones."""

    def rank(name: str) -> tuple[int, str]:
        order = (f"test/{headline}", "test/", "_best", "val/", "train/")
        for position, marker in enumerate(order):
            if name == marker or (marker.endswith("/") and name.startswith(marker)):
                return position, name
            if marker == "_best" and name.endswith(marker):
                return position, name
        return len(order), name

    finite = {k: v for k, v in metrics.items() if isinstance(v, float)}
    return {name: finite[name] for name in sorted(finite, key=rank)}


def is_sweep_job() -> bool:
    """Whether this run is one job of a sweep (``-m``), in a folder of its sweep's."""
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def trial_id(config: Mapping[str, Any], sweep_job: bool) -> str:
    """The HPARAMS table's trial ID, what tells this run apart first: a sweep job's folder
    (``3_data.seq_len=20,model=lstm · memory_vs_length 2026-…``), a run's name and time."""
    run_dir = Path(str(select(config, "paths.output_dir") or "run"))
    name = select(config, "name") or run_dir.parent.name
    if sweep_job:
        return f"{run_dir.name} · {name} {run_dir.parent.name}"
    return f"{name} {run_dir.name}"


def write_session(loggers: Sequence[Logger], params: Mapping[str, Any], trial: str) -> None:
    """One HPARAMS session (TensorBoard's own ``hparams_pb``) in each TensorBoard logger's
    run; the metrics are the run's scalars, already written under the same names."""
    summary = hparams_pb(dict(params), trial_id=trial)
    for logger in loggers:
        if isinstance(logger, TensorBoardLogger):
            file_writer(logger.experiment).add_summary(summary)
            logger.experiment.flush()


def log_hparams(
    trainer: pl.Trainer,
    config: Mapping[str, Any],
    metrics: Mapping[str, float | None] | None = None,
    headline: str | None = None,
) -> None:
    """Write this run's HPARAMS session into its TensorBoard logs.

    ``metrics`` and ``headline`` are no longer read (TensorBoard finds the final metrics
    among the run's scalars); they stay for the callers that pass them.
    """
    params = hparams_of(config, varied_overrides())
    write_session(trainer.loggers, params, trial_id(config, is_sweep_job()))
