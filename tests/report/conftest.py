"""Synthetic run folders, laid out as rnnlab-train leaves them, for the report's tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

RunWriter = Callable[..., Path]

CLASSIFICATION = {"kind": "classification", "baseline_loss": None}
REGRESSION = {"kind": "regression", "baseline_loss": 1 / 6}


def write_run(
    folder: Path,
    overrides: Sequence[str] = (),
    *,
    status: str | None = "completed",
    metrics: dict[str, Any] | None = None,
    kind: str = "classification",
    best: dict[str, Any] | None = None,
    epochs: int = 3,
    wall_time_s: float = 1.5,
    message: str | None = None,
    config: dict[str, Any] | None = None,
    hydra: bool = True,
    val_loss: Sequence[Sequence[float]] | None = None,
) -> Path:
    """A run folder: .hydra/overrides.yaml, metrics.json (unless ``status`` is None) and,
    with ``val_loss``, checkpoints/last.ckpt holding that loss history."""
    folder.mkdir(parents=True)
    if hydra:
        (folder / ".hydra").mkdir()
        lines = "".join(f"- {override}\n" for override in overrides) or "[]\n"
        (folder / ".hydra" / "overrides.yaml").write_text(lines)
    if val_loss is not None:
        import torch

        (folder / "checkpoints").mkdir()
        history = {"train/loss": [], "val/loss": [list(point) for point in val_loss]}
        torch.save(
            {"epoch": len(val_loss) - 1, "loss_history": history},
            folder / "checkpoints" / "last.ckpt",
        )
    if status is None:
        return folder
    regression = kind == "regression"
    headline = "mse" if regression else "acc"
    record = {
        "status": status,
        "metrics": metrics if metrics is not None else {f"test/{headline}": 0.5, "test/loss": 0.7},
        "epochs": epochs,
        "wall_time_s": wall_time_s,
        "best": best
        if best is not None
        else {"monitor": f"val/{headline}", "mode": "min" if regression else "max", "value": 0.6},
        "task_spec": REGRESSION if regression else CLASSIFICATION,
        "config": config if config is not None else {"seed": 42, "data": {"seq_len": 10}},
    }
    if message is not None:
        record["message"] = message
    (folder / "metrics.json").write_text(json.dumps(record))
    return folder


@pytest.fixture
def make_run(tmp_path: Path) -> RunWriter:
    """``make_run("job", ["model=gru"], metrics={...})`` writes tmp_path/sweep/job."""

    def _make(job: str, overrides: Sequence[str] = (), **fields: Any) -> Path:
        return write_run(tmp_path / "sweep" / job, overrides, **fields)

    return _make
