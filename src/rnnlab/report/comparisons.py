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
from rnnlab.report.aggregate import group_by, summarise
from rnnlab.report.seed_bands import clipping_seeds_figure, gradient_flow_seeds_figure
from rnnlab.report.swept import SEED_KEYS
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


def setting_labels(jobs: list[Path]) -> dict[Path, str]:
    """Each job folder -> its setting: the overrides that set it apart from the others, seeds
    left out, so that the jobs of one setting over several seeds share a label; "all runs"
    when only the seed differs."""
    kept = {
        job: [o for o in _overrides(job) if o.split("=", 1)[0].lstrip("+~") not in SEED_KEYS]
        for job in jobs
    }
    common = set.intersection(*(set(o) for o in kept.values())) if kept else set()
    return {job: ", ".join(o for o in kept[job] if o not in common) or "all runs" for job in jobs}


def _seed(job: Path) -> str:
    for override in _overrides(job):
        key, _, value = override.partition("=")
        if key == "seed":
            return value
    return job.name


def _stat(values: list[float | None]) -> dict[str, float | int | None]:
    stat = summarise(v for v in values if v is None or math.isfinite(v))
    return {"mean": stat.mean, "std": stat.std, "n": stat.n}


def _shown_stat(stat: dict[str, Any], digits: str = ".3g") -> str:
    if stat["mean"] is None:
        return "none finite"
    spread = f" ± {stat['std']:{digits}}" if stat["std"] is not None else ""
    return f"{stat['mean']:{digits}}{spread} (n={stat['n']})"


def _test_metrics(job: Path) -> dict[str, float]:
    try:
        record = read_record(job) or {}
    except UnreadableRecord:
        return {}
    metrics = record.get("metrics") or {}
    return {k: float(v) for k, v in metrics.items() if k in HEADLINE_TESTS and v is not None}


#: The test metrics the comparisons summarise over seeds, when the task has them.
HEADLINE_TESTS = ("test/mse", "test/acc")


def gradient_flow_comparison(sweep_dir: Path) -> Path | None:
    """Draw every setting's top-layer curve at its first and last measured epochs over its
    seeds (geometric mean, spread shaded, each seed faint); None if no job left a
    ``gradient_flow.json``."""
    jobs = job_dirs(sweep_dir)
    labels = setting_labels(jobs)
    curves: dict[str, dict[str, list[list[list[float]]]]] = {}
    numbers: dict[str, Any] = {}
    for job in jobs:
        record = _read_json(job / "gradient_flow.json")
        if not record or not record.get("epochs"):
            continue
        top = record.get("top_layer", "layer 1")
        measured = {int(epoch): curves_ for epoch, curves_ in record["epochs"].items()}
        first, last = min(measured), max(measured)
        entry = numbers.setdefault(
            labels[job], {"first_over_last": {}, "per_seed": {}, "test": {}, "runs": []}
        )
        for epoch in dict.fromkeys((first, last)):
            stage = "initial weights" if epoch == 0 else f"after epoch {epoch}"
            curve = _numbers(measured[epoch].get(top, []))
            points = [[t, value] for t, value in enumerate(curve, start=1)]
            curves.setdefault(labels[job], {}).setdefault(stage, []).append(points)
            entry["per_seed"].setdefault(stage, {})[_seed(job)] = _ratio(curve)
        for name, value in _test_metrics(job).items():
            entry["test"].setdefault(name, []).append(value)
        entry["runs"].append({"seed": _seed(job), "status": run_status(job), "job": job.name})
    if not curves:
        return None
    for entry in numbers.values():
        entry["first_over_last"] = {
            stage: _median(list(ratios.values())) for stage, ratios in entry["per_seed"].items()
        }
        entry["test"] = {name: _stat(values) for name, values in entry["test"].items()}
    seeds = max(len(entry["runs"]) for entry in numbers.values())
    title = "Gradient flow through time: ‖∂L/∂h_t‖, dashed before training"
    figure = gradient_flow_seeds_figure(
        curves, title=title + (f" ({seeds} seeds)" if seeds > 1 else "")
    )
    path = _save(sweep_dir, "gradient_flow_comparison", figure, numbers)
    for label, entry in numbers.items():
        shown = ", ".join(
            f"{stage} {_shown_ratio(ratio)}" for stage, ratio in entry["first_over_last"].items()
        )
        many = len(entry["runs"]) > 1
        _say(f"{label}: ‖∂L/∂h_1‖/‖∂L/∂h_T‖ {'(median of seeds) ' if many else ''}{shown}")
        for name, stat in entry["test"].items():
            _say(f"{label}: {name} {_shown_stat(stat, '.3g')}")
    _say(f"gradient flow compared in {path}")
    return path


def _median(values: list[float | None]) -> float | None:
    """The median of the finite ratios (0 counts: a gradient below float32's range)."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return None
    middle = len(known) // 2
    return known[middle] if len(known) % 2 else (known[middle - 1] + known[middle]) / 2


#: A run "ended worse" when its final training loss is more than this factor above the
#: lowest final loss in the sweep (runs that settle land within a few percent of each other).
WORSE_FACTOR = 1.1


def clipping_comparison(sweep_dir: Path) -> Path | None:
    """Per setting (clipped or not) over its seeds: how many runs diverged, ended worse or
    settled, the final training loss (mean ± std) and the gradient norms; one figure of
    loss and largest gradient norm per epoch. None if no job left a ``gradient_norms.json``."""
    jobs = job_dirs(sweep_dir)
    labels = setting_labels(jobs)
    runs: dict[str, dict[str, Any]] = {}
    for job in jobs:
        record = _read_json(job / "gradient_norms.json")
        epochs = (record or {}).get("epochs") or []
        if not epochs:
            continue
        norms_max = [e["grad/norm_max"] for e in epochs if e.get("grad/norm_max") is not None]
        fractions = [e.get("grad/clipped_fraction") or 0.0 for e in epochs]
        loss = epochs[-1].get("train/loss")
        status = run_status(job)
        runs[job.name] = {
            "setting": labels[job],
            "seed": _seed(job),
            "status": status,
            "gradient_clip_val": _clip_value(job),
            "final_train_loss": loss if status != "diverged" else None,
            "max_grad_norm": max(norms_max, default=None),
            "clipped_fraction": sum(fractions) / len(fractions),
            "curves": {
                name: [[e["epoch"], e.get(name)] for e in epochs]
                for name in ("train/loss", "grad/norm_max")
            },
        }
    if not runs:
        return None
    settings = _clipping_settings(runs)
    baseline = _baseline(jobs)
    figure = clipping_seeds_figure(
        {label: s.pop("curves") for label, s in settings.items()},
        {label: s.pop("stopped") for label, s in settings.items()},
        {label: s["gradient_clip_val"] for label, s in settings.items()},
        baseline,
        title=f"Gradient clipping over {max(s['runs'] for s in settings.values())} seed(s)",
    )
    for run in runs.values():
        del run["curves"]
    numbers = {"baseline_loss": baseline, "settings": settings, "runs": runs}
    path = _save(sweep_dir, "clipping_comparison", figure, numbers)
    for label, entry in settings.items():
        _say(
            f"{label}: {entry['runs']} runs: {entry['diverged']} diverged, "
            f"{entry['ended_worse']} ended worse, {entry['settled']} settled; final train/loss "
            f"{_shown_stat(entry['final_train_loss'])}, largest gradient norm "
            f"{_shown_spread(entry['max_grad_norm'])}, clipped "
            f"{100 * entry['clipped_fraction']:.0f}% of steps"
        )
    _say(f"clipping compared in {path} (each run: clipping_comparison.json)")
    return path


def _clipping_settings(runs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The runs of each setting counted and summarised; "ended worse": a completed run whose
    final loss is above WORSE_FACTOR × the lowest final loss of the sweep."""
    finals = [r["final_train_loss"] for r in runs.values() if _finite(r["final_train_loss"])]
    best = min(finals, default=None)
    settings: dict[str, dict[str, Any]] = {}
    for setting, members in group_by(list(runs.values()), lambda r: r["setting"]).items():
        diverged = [r for r in members if not _finite(r["final_train_loss"])]
        worse = [
            r
            for r in members
            if _finite(r["final_train_loss"])
            and best is not None
            and r["final_train_loss"] > WORSE_FACTOR * best
        ]
        settings[str(setting)] = {
            "gradient_clip_val": members[0]["gradient_clip_val"],
            "runs": len(members),
            "diverged": len(diverged),
            "ended_worse": len(worse),
            "settled": len(members) - len(diverged) - len(worse),
            "final_train_loss": _stat([r["final_train_loss"] for r in members]),
            "max_grad_norm": _spread([r["max_grad_norm"] for r in members]),
            "clipped_fraction": sum(r["clipped_fraction"] for r in members) / len(members),
            "curves": {
                name: [r["curves"][name] for r in members]
                for name in ("train/loss", "grad/norm_max")
            },
            "stopped": [r["curves"]["train/loss"] for r in diverged],
        }
    return settings


def _spread(values: list[float | None]) -> dict[str, float | None]:
    """Median, smallest and largest: gradient norms spread over orders of magnitude, where a
    mean ± std says little."""
    known = [v for v in values if _finite(v)]
    return {
        "median": _median(known),
        "min": min(known, default=None),
        "max": max(known, default=None),
    }


def _shown_spread(spread: dict[str, float | None]) -> str:
    if spread["median"] is None:
        return "none finite"
    return f"median {spread['median']:.3g} (range {spread['min']:.3g}–{spread['max']:.3g})"


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


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
