"""What a member leaves in its run folder besides checkpoints: the same files a single run
leaves, written for all members in one pass.

Per epoch: its scalars in its own TensorBoard run. At the end: ``metrics.json`` (its own
status, metrics, epochs, best, config), its HPARAMS session, ``gradient_norms.json``, and its
figures (loss curve; confusion matrices of its last validation and its test), drawn once at
the end rather than during training. Not drawn in a stack: gradient flow through time, hidden
states and the forecast figure (run the job alone for them).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.loggers import TensorBoardLogger
from torch.utils.tensorboard.summary import hparams

from rnnlab.compat.tensorboard import file_writer
from rnnlab.plotting import confusion_matrix_figure, loss_curve_figure
from rnnlab.run.components import build_loggers
from rnnlab.run.hparams import hparams_of, ordered_metrics
from rnnlab.run.summary import announce, scalar_metrics
from rnnlab.run_folder import FIGURES_DIR, write_record
from rnnlab.stack.members import Member


def member_loggers(members: list[Member]) -> list[list[pl.loggers.Logger]]:
    """Each member's loggers, as its config builds them (its own TensorBoard run)."""
    return [build_loggers(member.job.cfg) for member in members]


class MemberScalars(pl.Callback):
    """After each validation, every active member's epoch metrics into its own loggers."""

    def __init__(self, members: list[Member], loggers: list[list[pl.loggers.Logger]]) -> None:
        self.members = members
        self.loggers = loggers

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        step = max(trainer.global_step - 1, 0)
        for member, loggers in zip(self.members, self.loggers, strict=True):
            if not member.active:
                continue
            values = {n: v for n, v in member.metrics.items() if not n.startswith("test/")}
            values = {n: v for n, v in values.items() if math.isfinite(v)}
            values["epoch"] = trainer.current_epoch
            for logger in loggers:
                logger.log_metrics(values, step=step)


def _write_hparams(member: Member, loggers: list[pl.loggers.Logger], values: dict) -> None:
    params = hparams_of(member.job.run_config, member.job.varied)
    shown = ordered_metrics(values, member.module.objective.headline[0])
    for logger in loggers:
        if isinstance(logger, TensorBoardLogger):
            writer = file_writer(logger.experiment)
            for summary in hparams(params, shown):
                writer.add_summary(summary)
            logger.experiment.flush()


def _figures(member: Member) -> None:
    """The loss curve and the confusion matrices, drawn once at the end."""
    module, folder = member.module, member.job.run_dir / FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    history = {name: points for name, points in module.loss_history.items() if points}
    spec = module.spec
    if history:
        figure = loss_curve_figure(
            history,
            baseline=spec.baseline_loss,
            baseline_name=spec.baseline_name,
            title=f"Loss: {spec.name}",
        )
        figure.savefig(folder / "loss_curve.png", dpi=120)
    for stage, name in (("val", "confusion_matrix_val.png"), ("test", "confusion_matrix.png")):
        matrix = module.confusion_matrix(stage)
        if matrix is None:
            continue
        where = f"val, epoch {member.best_epoch or '?'}" if stage == "val" else "test"
        accuracy = member.metrics.get(f"{stage}/acc")
        if accuracy is not None:
            where += f", accuracy {100 * accuracy:.2f}%"
        figure = confusion_matrix_figure(
            matrix.cpu().numpy(), spec.class_names, title=f"Confusion matrix ({where})"
        )
        figure.savefig(folder / name, dpi=120)


def _write_gradient_history(member: Member, history: list[dict[str, float]]) -> None:
    node = member.job.cfg.get("callbacks", {}).get("gradient_monitor")
    output = node.get("output_file") if node else None
    if not output or not history:
        return
    records = [{k: (v if math.isfinite(v) else None) for k, v in r.items()} for r in history]
    path = Path(str(output))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"epochs": records}, indent=1) + "\n")


def write_member(
    member: Member,
    loggers: list[pl.loggers.Logger],
    record: dict[str, Any],
    gradient_history: list[dict[str, float]],
) -> None:
    """Everything a finished member leaves besides its checkpoints; metrics.json last."""
    _write_gradient_history(member, gradient_history)
    _figures(member)
    _write_hparams(member, loggers, record["metrics"])
    for logger in loggers:
        logger.finalize("success")
    announce(record, write_record(member.job.run_dir, record))


def member_metrics(member: Member) -> dict[str, float | None]:
    """The member's final metrics as metrics.json holds them (non-finite as null)."""
    return scalar_metrics(member.metrics)
