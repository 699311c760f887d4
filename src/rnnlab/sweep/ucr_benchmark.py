"""``experiment=ucr_benchmark``'s Hydra callback: when the sweep ends, the benchmark table,
CSV and figure (rnnlab.report.ucr_benchmark) in the sweep folder, and its tallies printed.

The reference table and methods are checked when the callback is built, as the sweep
starts, so a method the table lacks, or a missing table, is refused in one sentence
(exit status 2) before any job trains.

Hydra runs the sweep's callbacks in reverse order at the end, so the sweep's report
(SweepSummary) rewrites these files after this callback; it reads this callback's settings
from the sweep folder's multirun.yaml (rnnlab.report.ucr_benchmark.benchmark_settings), so
the files come out the same, and ``rnnlab-report DIR`` later writes them the same again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from rnnlab.config.guard import exit_on_user_error
from rnnlab.report.ucr_reference import DEFAULT_METHODS, reference_accuracies


class UcrBenchmarkReport(Callback):
    """Writes ucr_benchmark.md/.csv/.png into the sweep folder and prints the tallies."""

    def __init__(
        self,
        methods: tuple[str, ...] | list[str] = DEFAULT_METHODS,
        reference_file: str | None = None,
    ) -> None:
        self.methods = tuple(methods)
        self.reference_file = reference_file
        # Hydra wraps a callback's exception in its own traceback: say the sentence and exit.
        with exit_on_user_error(Path(sys.argv[0]).name):
            reference_accuracies(self.methods, reference_file)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from rnnlab.report.ucr_benchmark import MARKDOWN_FILE, summary, write_benchmark

        sweep_dir = Path(config.hydra.sweep.dir)
        bench = write_benchmark(sweep_dir, methods=self.methods, reference_file=self.reference_file)
        if bench is not None:
            print(
                f"rnnlab: UCR benchmark: {summary(bench)} ({sweep_dir / MARKDOWN_FILE})", flush=True
            )
