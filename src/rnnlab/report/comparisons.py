"""Comparison figures of a sweep's jobs, drawn from the files their folders hold.

The presets that need them run them when the sweep ends (the Hydra callbacks in
``rnnlab.sweep.callbacks``):

- ``gradient_flow_comparison`` (``experiment=vanishing_gradients``): ‖∂L/∂h_t‖ against t for
  every job at its initial weights and after training, from each job's ``gradient_flow.json``;
- ``clipping_comparison`` (``experiment=clipping``): the training loss and the gradient norm per
  epoch of every job, from each job's ``gradient_norms.json``.

Each writes ``<sweep dir>/<name>.png`` and ``<name>.json`` (the numbers the figure shows) and
prints what it measured. Jobs are labelled by the overrides that differ between them
(``model=lstm``). A job without the file it needs (switched off, or failed early) is left out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from rnnlab.config.dotted import select
from rnnlab.plotting import clipping_comparison_figure, gradient_flow_comparison_figure
from rnnlab.run_folder import (
    UnreadableRecord,
    composed_config,
    job_dirs,
    read_record,
    recorded_overrides,
    run_status,
)


def job_labels(jobs: list[Path]) -> dict[Path, str]:
    """Each job folder -> the overrides that set it apart from the others (``model=lstm``);
    its folder name when they all share the same overrides."""
    overrides = {job: _overrides(job) for job in jobs}
    common = set.intersection(*(set(o) for o in overrides.values())) if overrides else set()
    return {
        job: ", ".join(o for o in overrides[job] if o not in common) or job.name for job in jobs
    }


def _overrides(job: Path) -> list[str]:
    return recorded_overrides(job) or []


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _numbers(values: list[Any]) -> list[float]:
    """JSON values as floats; null (a non-finite value) becomes NaN, which plots as a gap."""
    return [math.nan if v is None else float(v) for v in values]


def _ratio(curve: list[float]) -> float | None:
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖, or None when it is not a finite number."""
    if not curve or not curve[-1] or not math.isfinite(curve[0] / curve[-1]):
        return None
    return curve[0] / curve[-1]


def _shown_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "not finite"
    # float32 stops at ~1e-45: a gradient that fades further is exactly 0 in training too
    return "0 (below float32's range)" if ratio == 0 else f"{ratio:.3g}"


def _save(sweep_dir: Path, name: str, figure: Figure, numbers: dict[str, Any]) -> Path:
    path = sweep_dir / f"{name}.png"
    figure.savefig(path, dpi=120)
    (sweep_dir / f"{name}.json").write_text(json.dumps(numbers, indent=2) + "\n")
    return path


def _say(line: str) -> None:
    print(f"rnnlab: {line}", flush=True)


def gradient_flow_comparison(sweep_dir: Path) -> Path | None:
    """Draw every job's top-layer curve at its first and last measured epochs; None if no job
    left a ``gradient_flow.json``."""
    jobs = job_dirs(sweep_dir)
    labels = job_labels(jobs)
    curves: dict[str, dict[str, list[float]]] = {}
    numbers: dict[str, Any] = {}
    for job in jobs:
        record = _read_json(job / "gradient_flow.json")
        if not record or not record.get("epochs"):
            continue
        top = record.get("top_layer", "layer 1")
        measured = {int(epoch): curves_ for epoch, curves_ in record["epochs"].items()}
        first, last = min(measured), max(measured)
        stages = {}
        for epoch in dict.fromkeys((first, last)):
            stage = "initial weights" if epoch == 0 else f"after epoch {epoch}"
            stages[stage] = _numbers(measured[epoch].get(top, []))
        curves[labels[job]] = stages
        numbers[labels[job]] = {
            "first_over_last": {stage: _ratio(curve) for stage, curve in stages.items()},
            "status": run_status(job),
            "job": job.name,
        }
    if not curves:
        return None
    figure = gradient_flow_comparison_figure(
        curves, title="Gradient flow through time: ‖∂L/∂h_t‖, dashed before training"
    )
    path = _save(sweep_dir, "gradient_flow_comparison", figure, numbers)
    for label, entry in numbers.items():
        shown = ", ".join(
            f"{stage} {_shown_ratio(ratio)}" for stage, ratio in entry["first_over_last"].items()
        )
        _say(f"{label}: ‖∂L/∂h_1‖/‖∂L/∂h_T‖ {shown}")
    _say(f"gradient flow compared in {path}")
    return path


def clipping_comparison(sweep_dir: Path) -> Path | None:
    """Draw every job's loss and gradient norm per epoch; None if no job left a
    ``gradient_norms.json``."""
    jobs = job_dirs(sweep_dir)
    labels = job_labels(jobs)
    runs: dict[str, dict[str, list[list[float]]]] = {}
    thresholds: dict[str, float | None] = {}
    numbers: dict[str, Any] = {}
    for job in jobs:
        record = _read_json(job / "gradient_norms.json")
        epochs = (record or {}).get("epochs") or []
        if not epochs:
            continue
        label = labels[job]
        runs[label] = {
            name: [[e["epoch"], e.get(name)] for e in epochs]
            for name in ("train/loss", "grad/norm_mean", "grad/norm_max")
        }
        thresholds[label] = _clip_value(job)
        norms_max = [e["grad/norm_max"] for e in epochs if e.get("grad/norm_max") is not None]
        fractions = [e.get("grad/clipped_fraction") or 0.0 for e in epochs]
        numbers[label] = {
            "status": run_status(job),
            "gradient_clip_val": thresholds[label],
            "final_train_loss": epochs[-1].get("train/loss"),
            "max_grad_norm": max(norms_max, default=None),
            "clipped_fraction": sum(fractions) / len(fractions),
            "job": job.name,
        }
    if not runs:
        return None
    figure = clipping_comparison_figure(runs, thresholds, _baseline(jobs))
    path = _save(sweep_dir, "clipping_comparison", figure, numbers)
    for label, entry in numbers.items():
        loss = entry["final_train_loss"]
        largest = entry["max_grad_norm"]
        _say(
            f"{label}: {entry['status']}, final train/loss "
            + (f"{loss:.4g}" if loss is not None else "not finite")
            + ", max gradient norm "
            + (f"{largest:.3g}" if largest is not None else "not finite")
            + f", clipped {100 * entry['clipped_fraction']:.0f}% of steps"
        )
    _say(f"clipping compared in {path}")
    return path


def _baseline(jobs: list[Path]) -> float | None:
    """The task's memoryless baseline loss, from the first job's metrics.json that has one."""
    for job in jobs:
        try:
            record = read_record(job) or {}
        except UnreadableRecord:
            continue
        spec = record.get("task_spec") or {}
        if spec.get("baseline_loss") is not None:
            return float(spec["baseline_loss"])
    return None


def _clip_value(job: Path) -> float | None:
    """The job's trainer.gradient_clip_val, from its composed config."""
    value = select(composed_config(job), "trainer.gradient_clip_val")
    return float(value) if isinstance(value, int | float) and value else None
