"""What a member leaves in its run folder besides checkpoints: the same files a single run
leaves, written for all members in one pass.

Per epoch: its scalars in its own TensorBoard run. At the end: ``metrics.json`` (its own
status, metrics, epochs, best, config), its HPARAMS session, ``gradient_norms.json``, and its
figures (the loss curve and the test confusion matrix, as a single run saves them), drawn for
all members at the end, side by side on the machine's cores, rather than during training.
Not drawn in a stack: gradient flow through time, hidden states and the forecast figure (run
the job alone for them).
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytorch_lightning as pl

from rnnlab.plotting import (
    RUN_FIGURE_DPI,
    SharedLayout,
    confusion_matrix_figure,
    loss_curve_figure,
)
from rnnlab.run.components import build_loggers
from rnnlab.run.hparams import hparams_of, trial_id, write_session
from rnnlab.run.summary import announce, scalar_metrics
from rnnlab.run_folder import FIGURES_DIR, write_record
from rnnlab.stack.members import Member

log = logging.getLogger(__name__)


def member_loggers(members: list[Member]) -> list[list[pl.loggers.Logger]]:
    """Each member's loggers, as its config builds them (its own TensorBoard run)."""
    return [build_loggers(member.job.cfg) for member in members]


class MemberScalars(pl.Callback):
    """After each validation, every training member's epoch metrics into its own loggers."""

    def __init__(self, members: list[Member], loggers: list[list[pl.loggers.Logger]]) -> None:
        self.members = members
        self.loggers = loggers

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        step = max(trainer.global_step - 1, 0)
        for member, loggers in zip(self.members, self.loggers, strict=True):
            if not member.trained_in(trainer.current_epoch + 1):
                continue
            values = {n: v for n, v in member.metrics.items() if not n.startswith("test/")}
            values = {n: v for n, v in values.items() if math.isfinite(v)}
            values["epoch"] = trainer.current_epoch
            for logger in loggers:
                logger.log_metrics(values, step=step)


def _write_final_scalars(member: Member, loggers: list[pl.loggers.Logger], step: int) -> None:
    """The test metrics as scalars, as a single run's test stage logs them (TensorBoard's
    HPARAMS table reads a run's final metrics from its scalars)."""
    values = {
        name: value
        for name, value in member.metrics.items()
        if name.startswith("test/") and math.isfinite(value)
    }
    for logger in loggers if values else ():
        logger.log_metrics(values, step=step)


def _write_hparams(member: Member, loggers: list[pl.loggers.Logger]) -> None:
    config = member.job.run_config
    params = hparams_of(config, member.job.varied)
    write_session(loggers, params, trial_id(config, sweep_job=True))


@dataclass(frozen=True)
class FigureOrder:
    """What one member's figures show, as plain data that a drawing process can take."""

    folder: Path
    curves: dict[str, list[list[float]]]
    baseline: float | None
    baseline_name: str | None
    title: str
    matrix: Any  # numpy array, or None for a regression task
    class_names: tuple[str, ...]
    matrix_title: str


def figure_order(member: Member) -> FigureOrder:
    """The loss curve and the test confusion matrix of a member, the files a run leaves."""
    module, spec = member.module, member.module.spec
    matrix = module.confusion_matrix("test")
    where = "test"
    accuracy = member.metrics.get("test/acc")
    if accuracy is not None:
        where += f", accuracy {100 * accuracy:.2f}%"
    return FigureOrder(
        folder=member.job.run_dir / FIGURES_DIR,
        curves={name: points for name, points in module.loss_history.items() if points},
        baseline=spec.baseline_loss,
        baseline_name=spec.baseline_name,
        title=f"Loss: {spec.name}",
        matrix=None if matrix is None else matrix.cpu().numpy(),
        class_names=tuple(spec.class_names or ()),
        matrix_title=f"Confusion matrix ({where})",
    )


def draw(order: FigureOrder, layout: SharedLayout) -> None:
    """Draw and save one member's figures; ``layout`` shares the axes positions of the
    figures drawn before in the same process (the members' figures differ only in numbers)."""
    order.folder.mkdir(parents=True, exist_ok=True)
    if order.curves:
        figure = loss_curve_figure(
            order.curves, order.baseline, order.baseline_name, title=order.title
        )
        figure.set_dpi(RUN_FIGURE_DPI)
        kind = ("loss", tuple(order.curves), order.baseline_name)
        layout.picture(figure, kind).save(order.folder / "loss_curve.png")
    if order.matrix is not None:
        figure = confusion_matrix_figure(order.matrix, order.class_names, order.matrix_title)
        figure.set_dpi(RUN_FIGURE_DPI)
        kind = ("confusion", order.class_names)
        layout.picture(figure, kind).save(order.folder / "confusion_matrix.png")


def _draw_or_say(orders: list[FigureOrder]) -> list[str | None]:
    """Draw some members' figures in turn; for each, the reason if they could not be drawn
    (the member's results stand without them, and the others are drawn all the same)."""
    layout = SharedLayout()
    failures: list[str | None] = []
    for order in orders:
        try:
            draw(order, layout)
        except Exception as error:  # a figure is not worth a member's results
            failures.append(f"{type(error).__name__}: {error}".splitlines()[0])
        else:
            failures.append(None)
    return failures


def draw_all(orders: list[FigureOrder]) -> None:
    """Every member's figures, drawn side by side on the machine's cores: drawing is most of
    what a member costs beyond its training steps, and the cores are idle once it ends. Each
    process draws a share of the members, the first's layout serving the rest."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    workers = min(len(orders), cores)
    shares = [orders[i::workers] for i in range(workers)]
    if workers <= 1:
        failures = _draw_or_say(orders)
    else:
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            drawn = list(pool.map(_draw_or_say, shares))
        failures = [None] * len(orders)
        for i, share_failures in enumerate(drawn):
            failures[i::workers] = share_failures
    for order, failure in zip(orders, failures, strict=True):
        if failure is not None:
            log.warning("the figures in %s could not be drawn: %s", order.folder, failure)


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
    _write_final_scalars(member, loggers, int(record.get("global_step") or 0))
    _write_hparams(member, loggers)
    for logger in loggers:
        logger.finalize("success")
    announce(record, write_record(member.job.run_dir, record))


def member_metrics(member: Member) -> dict[str, float | None]:
    """The member's final metrics as metrics.json holds them (non-finite as null)."""
    return scalar_metrics(member.metrics)
