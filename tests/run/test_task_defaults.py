"""Every task's defaults learn it: `rnnlab-train data=<task> model=<cell>`, nothing else.

The README promises that each task learns with its defaults (10 epochs, Adam lr 0.01) in
about a minute on a 2-core CPU; these run that exact console command and read the
verdict from metrics.json. Slow: about three minutes for all nine on an idle 2-core CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN

QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar")

#: Adding's memoryless baseline (always answer 1) scores 1/6; learning means a tenth of it.
ADDING_MAX_MSE = (1 / 6) / 10


def _train_defaults(tmp_path: Path, task: str, cell: str) -> dict[str, float]:
    """Run the console command a user types and return the test metrics it recorded."""
    result = subprocess.run(
        [str(BIN / "rnnlab-train"), f"data={task}", f"model={cell}", *QUIET],
        cwd=tmp_path,
        env={**os.environ, "RNNLAB_ROOT": str(tmp_path)},
        text=True,
        capture_output=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    (run,) = (tmp_path / "experiments" / "default").iterdir()
    record = json.loads((run / "metrics.json").read_text())
    assert record["status"] == "completed" and record["epochs"] == 10
    return record["metrics"]


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_majority_is_mastered(tmp_path: Path, cell: str) -> None:
    """The lesson's task is easy for every cell: the lesson's RNN stops at 79% only
    because it trains full-batch for 20 steps."""
    assert _train_defaults(tmp_path, "majority", cell)["test/acc"] >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_adding_beats_a_tenth_of_the_baseline(tmp_path: Path, cell: str) -> None:
    """Gated cells hold a marked value over 16-30 steps: MSE at most 1/60 (baseline 1/6)."""
    assert _train_defaults(tmp_path, "adding", cell)["test/mse"] <= ADDING_MAX_MSE


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="the tanh RNN does not learn adding with the shared Adam lr 0.01 in 10 epochs",
)
def test_rnn_adding_beats_a_tenth_of_the_baseline(tmp_path: Path) -> None:
    """The claim the README would like to make, kept as a strict xfail so that it is
    noticed once it holds. Measured: test MSE at the 1/6 baseline; no data size, batch
    size or hidden size tried (8-128) went below 0.12. With optimizer.lr=0.001 and
    data.num_train=40000 the same network reaches 0.0035."""
    assert _train_defaults(tmp_path, "adding", "rnn")["test/mse"] <= ADDING_MAX_MSE


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_copy_recalls_the_symbols(tmp_path: Path, cell: str) -> None:
    """Gated cells recall at least 90% of the symbols (chance: 1 in 8)."""
    assert _train_defaults(tmp_path, "copy", cell)["test/acc"] >= 0.90


@pytest.mark.slow
def test_rnn_copy_is_at_chance(tmp_path: Path) -> None:
    """The tanh RNN cannot learn copy in this budget: measured test accuracy 0.13, chance
    being 0.125 (it does answer with symbols in the recall window, where a network stuck
    on blanks scores 0). The README states that number; this keeps it honest."""
    assert _train_defaults(tmp_path, "copy", "rnn")["test/acc"] >= 0.10
