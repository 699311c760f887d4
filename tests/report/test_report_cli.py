"""rnnlab-report as a user runs it: on the folder a real rnnlab-train sweep leaves."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SWEEP = (
    "-m",
    "data.seq_len=4,6",
    "model=rnn,gru",
    "trainer.max_epochs=1",
    "data.num_train=32",
    "data.num_val=16",
    "data.num_test=16",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
)


def _run(tmp_path: Path, *command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RNNLAB_ROOT": str(tmp_path)}
    return subprocess.run(
        command, cwd=tmp_path, env=env, text=True, capture_output=True, timeout=300, check=False
    )


@pytest.mark.slow
def test_report_on_a_real_sweep(tmp_path: Path) -> None:
    train = _run(tmp_path, str(BIN / "rnnlab-train"), *SWEEP)
    assert train.returncode == 0, train.stderr
    (sweep,) = (tmp_path / "multirun" / "default").iterdir()

    result = _run(tmp_path, str(BIN / "rnnlab-report"), str(sweep))

    assert result.returncode == 0, result.stderr
    assert "4 jobs (4 completed); swept: data.seq_len, model" in result.stdout
    with (sweep / "report.csv").open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 4
    assert list(rows[0])[1:4] == ["data.seq_len", "model", "test/acc"]
    assert sorted((row["data.seq_len"], row["model"]) for row in rows) == [
        ("4", "gru"), ("4", "rnn"), ("6", "gru"), ("6", "rnn"),
    ]  # fmt: skip
    assert all(row["status"] == "completed" and 0 <= float(row["test/acc"]) <= 1 for row in rows)
    assert all(row["epochs"] == "1" and row["val/acc_best"] for row in rows)
    figures = sorted(path.name for path in (sweep / "figures").iterdir())
    assert figures == ["test_acc_vs_data.seq_len.png", "val_loss_curves.png"]
    assert "| data.seq_len | model | test/acc |" in (sweep / "report.md").read_text()
