"""rnnlab's Hydra callbacks for sweeps; they run in the launching process.

- ``SweepSummary`` (every sweep, from ``conf/hydra/default.yaml``): takes a new sweep folder's
  lock when the sweep starts; when it ends, writes the report, prints the closing line and
  notes whether the sweep failed.
- ``GradientFlowComparison`` / ``ClippingComparison`` (registered by
  ``experiment=vanishing_gradients`` / ``experiment=clipping``): one comparison figure of
  all jobs when the sweep ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from rnnlab.run_folder import job_dirs
from rnnlab.sweep import launches
from rnnlab.sweep.stored import is_search_sweeper
from rnnlab.sweep.summary import ended_badly, summary_line, write_report


class SweepSummary(Callback):
    """Writes the sweep's report and prints its closing line; notes failed or diverged jobs."""

    def __init__(self, write_report: bool = True) -> None:
        self.write_report = write_report

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        # rnnlab-train took the lock of a folder it was given; this takes a new folder's
        # (Hydra turns a callback's exception into a warning, so this cannot refuse).
        searched = is_search_sweeper(config.hydra.sweeper.get("_target_"))
        launches.hold(Path(config.hydra.sweep.dir), shared=searched)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.is_dir():
            launches.ended(sweep_dir, failed=False)
            return
        line, all_completed = summary_line(sweep_dir)
        if self.write_report and job_dirs(sweep_dir):
            line += write_report(sweep_dir)
        print(f"rnnlab: {line}", flush=True)
        searched = is_search_sweeper(config.hydra.sweeper.get("_target_"))
        launches.ended(sweep_dir, failed=ended_badly(sweep_dir, all_completed, searched))


class GradientFlowComparison(Callback):
    """At the end of a sweep: every job's ‖∂L/∂h_t‖ before and after training, one figure."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from rnnlab.report.comparisons import gradient_flow_comparison  # matplotlib: only now

        gradient_flow_comparison(Path(config.hydra.sweep.dir))


class ClippingComparison(Callback):
    """At the end of a sweep: every job's loss and gradient norm per epoch, one figure."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from rnnlab.report.comparisons import clipping_comparison  # matplotlib: only now

        clipping_comparison(Path(config.hydra.sweep.dir))
