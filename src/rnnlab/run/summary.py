"""What a finished run reports: its metrics as plain numbers and its closing console line.

The record itself is written by ``rnnlab.run_folder.write_record``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch


def scalar_metrics(metrics: Mapping[str, Any]) -> dict[str, float | None]:
    """Lightning's callback metrics as plain floats, sorted by name; NaN and inf become None
    (JSON null), since JSON has no NaN and a reader should not have to parse "nan"."""
    values: dict[str, float | None] = {}
    for name, value in metrics.items():
        number = float(value.item() if isinstance(value, torch.Tensor) else value)
        values[name] = number if math.isfinite(number) else None
    return dict(sorted(values.items()))


def announce(record: dict[str, Any], path: Path, what: str = "run") -> None:
    """One closing line on the console: wall time, headline test metric, metrics.json path."""
    headline = {k: v for k, v in record["metrics"].items() if k in ("test/acc", "test/mse")}
    shown = ", ".join(
        f"{name} {value:.4f}" if isinstance(value, float) else f"{name} not finite"
        for name, value in headline.items()
    )
    status = record.get("status", "completed")
    ended = "finished" if status == "completed" else status
    shown = f" ({shown})" if shown else ""
    print(f"rnnlab: {what} {ended} in {record['wall_time_s']:.1f} s{shown}: {path}")
