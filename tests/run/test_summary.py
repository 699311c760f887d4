"""What a finished run reports: plain numbers, non-finite values kept readable."""

from __future__ import annotations

from pathlib import Path

import torch

from rnnlab.run.summary import announce, scalar_metrics, write_metrics_file


def test_scalar_metrics_are_floats_and_nan_is_text() -> None:
    values = scalar_metrics({"test/mse": torch.tensor(float("nan")), "test/acc": torch.tensor(0.5)})
    assert values == {"test/acc": 0.5, "test/mse": "nan"}


def test_announce_survives_a_diverged_run(tmp_path: Path, capsys) -> None:
    record = {"metrics": {"test/mse": "nan"}, "wall_time_s": 1.0}
    announce(record, write_metrics_file(tmp_path, record))
    assert "test/mse nan" in capsys.readouterr().out
    assert (tmp_path / "metrics.json").is_file()
    assert not list(tmp_path.glob("*.partial"))
