"""The results table of docs/data.md holds for seeds 1-5 with one and with two torch threads.

A default that learns a task under one seed and one thread count can fail under the next
(copy with the LSTM once scored 0.90 with one thread, 0.80 with two, 0.61 with another seed),
so each claim is checked on all ten runs of its cell, as a user would run them: one sweep per
task through the console command, into a temporary RNNLAB_ROOT, read back from each job's
metrics.json. The sweeps train as stacked networks (hydra/launcher=stacked: each member is
its single run's network, data and batches, to float32 rounding), which saves each run's
fixed cost. Still long, and the longest slow test: copy is 30 runs of 10 epochs of 625 steps
of 64 sequences, 26 minutes on one core of a 2-core CPU (the LSTM's two stacks of five: 8 and
11 minutes); with batches of 32, on 2 cores busy with other work (load 10), the LSTM's five
seeds alone took 48 minutes as one stack. Slow: ``make test-all``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BIN

SEEDS = "1,2,3,4,5"
THREADS = "1,2"
QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar", "logger=csv")

#: Adding's memoryless baseline (always answer 1) scores 1/6; learning means a tenth of it.
ADDING_LEARNED = (1 / 6) / 10
#: The tanh RNN "stays at the baseline": no run of it went below 0.12 (docs/data.md).
ADDING_NOT_LEARNED = 0.12
#: Copy's chance level is 1 in 8 symbols; the tanh RNN stays near it (measured 0.116-0.144;
#: 0.12-0.33 with the former batches of 32): far below the 90% the gated cells reach.
COPY_CHANCE = (0.08, 0.5)

#: task -> cell -> (test metric, what the table claims of it, the claim in words)
CLAIMS: dict[str, dict[str, tuple[str, Callable[[float], bool], str]]] = {
    "majority": {  # the tanh RNN scored 0.985 with seed 5: the goal is 0.98, not 0.99
        cell: ("test/acc", lambda v: v >= 0.98, "test accuracy ≥ 0.98")
        for cell in ("rnn", "lstm", "gru")
    },
    "adding": {
        "rnn": ("test/mse", lambda v: v >= ADDING_NOT_LEARNED, "test MSE stays ≥ 0.12"),
        "lstm": ("test/mse", lambda v: v <= ADDING_LEARNED, "test MSE ≤ 1/60"),
        "gru": ("test/mse", lambda v: v <= ADDING_LEARNED, "test MSE ≤ 1/60"),
    },
    "copy": {
        "rnn": ("test/acc", lambda v: COPY_CHANCE[0] <= v <= COPY_CHANCE[1], "recall near chance"),
        "lstm": ("test/acc", lambda v: v >= 0.90, "recall accuracy ≥ 0.90"),
        # measured 0.925-1.00 over seeds 1-5 x threads 1,2 (0.848-0.994 with batches of 32)
        "gru": ("test/acc", lambda v: v >= 0.90, "recall accuracy ≥ 0.90"),
    },
}


def _sweep(root: Path, task: str) -> list[dict]:
    """Every cell of ``task`` × seeds 1-5 × threads 1 and 2, with the task's and the cells'
    defaults; each job's metrics.json record."""
    result = subprocess.run(
        [
            str(BIN / "rnnlab-train"),
            "-m",
            f"data={task}",
            "model=rnn,lstm,gru",
            f"seed={SEEDS}",
            f"threads={THREADS}",
            "hydra/launcher=stacked",
            *QUIET,
        ],
        cwd=root,
        env={**os.environ, "RNNLAB_ROOT": str(root)},
        text=True,
        capture_output=True,
        timeout=7200,  # copy: 26 minutes on one quiet core, far longer on a busy machine
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    records = [
        json.loads(path.read_text())
        for path in sorted((root / "multirun" / "default").glob("*/*/metrics.json"))
    ]
    assert len(records) == 30 and all(r["status"] == "completed" for r in records)
    return records


def _setting(record: dict) -> dict[str, str]:
    return dict(o.split("=", 1) for o in record["overrides"] if "=" in o)


@pytest.mark.slow
@pytest.mark.parametrize("task", list(CLAIMS))
def test_the_tables_claims_hold_for_every_seed_and_thread_count(tmp_path: Path, task: str) -> None:
    failures = []
    for record in _sweep(tmp_path, task):
        setting = _setting(record)
        metric, holds, claim = CLAIMS[task][setting["model"]]
        value = record["metrics"][metric]
        if not holds(value):
            failures.append(
                f"{setting['model']} seed={setting['seed']} threads={setting['threads']}: "
                f"{metric} {value:.4f}, but the table claims {claim}"
            )
    assert not failures, "\n".join(failures)
