"""What a finished run reports: plain numbers, JSON null for what is not finite."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from rnnlab.run.summary import announce, scalar_metrics
from rnnlab.run_folder import write_record


def test_scalar_metrics_are_floats_and_non_finite_values_are_null() -> None:
    values = scalar_metrics(
        {
            "test/mse": torch.tensor(float("nan")),
            "test/mae": torch.tensor(float("inf")),
            "test/acc": torch.tensor(0.5),
        }
    )
    assert values == {"test/acc": 0.5, "test/mae": None, "test/mse": None}


def test_a_diverged_record_is_plain_json_and_announced(tmp_path: Path, capsys) -> None:
    record = {"status": "diverged", "metrics": {"test/mse": None}, "wall_time_s": 1.0}
    path = write_record(tmp_path, record)
    announce(record, path)
    printed = capsys.readouterr().out
    assert "diverged in 1.0 s (test/mse not finite)" in printed
    text = path.read_text()
    assert json.loads(text)["metrics"] == {"test/mse": None} and "NaN" not in text
    assert not list(tmp_path.glob("*.partial"))
