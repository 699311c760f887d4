"""A job's validation-loss curve, read from the loss history its last checkpoint carries.

torch is imported here, on first use, so a report that draws no curves never pays for it.
"""

from __future__ import annotations

from rnnlab.report.runs import Run
from rnnlab.run_folder import LAST_CHECKPOINT, as_number

Curve = list[tuple[float, float]]


def validation_curve(run: Run) -> Curve | None:
    """``[(epoch, val/loss), …]`` from ``checkpoints/last.ckpt``; None when there is none."""
    path = run.path / LAST_CHECKPOINT
    if not path.is_file():
        return None
    import torch

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # a damaged or foreign file: the job simply has no curve to draw
        return None
    history = checkpoint.get("loss_history") if isinstance(checkpoint, dict) else None
    points = history.get("val/loss") if isinstance(history, dict) else None
    curve = []
    for point in points if isinstance(points, list | tuple) else []:
        if isinstance(point, list | tuple) and len(point) == 2:
            epoch, loss = (as_number(value) for value in point)
            if epoch is not None and loss is not None:
                curve.append((epoch, loss))
    return curve or None
