"""The results of a UCR/UEA benchmark: rnnlab's test accuracy per set (mean ± std over
seeds) beside the archive's published reference accuracies, and the wins, ties and losses.

A tie is an equal accuracy at the published precision (4 decimals): the archive's numbers are
accuracies on a fixed test split, so a smaller margin is no evidence either way.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab.data.sources.ucr_recipe import TUNED_ON, SetProperties, derive
from rnnlab.report.runs import Run
from rnnlab.report.ucr_reference import DEFAULT_METHODS, Reference, reference_accuracies

#: Published accuracies have 4 decimals; closer than this is a tie.
DECIMALS = 4


@dataclass(frozen=True)
class SetResult:
    """One set: rnnlab's test accuracy over its completed seeds, and the references."""

    dataset: str
    accuracies: tuple[float, ...]
    wall_time_s: float
    references: dict[str, Reference | None] = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.accuracies)

    @property
    def std(self) -> float:
        return statistics.stdev(self.accuracies) if len(self.accuracies) > 1 else 0.0

    @property
    def tuned(self) -> bool:
        return self.dataset in TUNED_ON

    def outcome(self, method: str) -> str | None:
        """``win``, ``tie`` or ``loss`` against ``method``; None without a published figure."""
        reference = self.references.get(method)
        if reference is None:
            return None
        ours, theirs = round(self.mean, DECIMALS), round(reference.accuracy, DECIMALS)
        return "win" if ours > theirs else "tie" if ours == theirs else "loss"


@dataclass(frozen=True)
class Benchmark:
    """Every set's result, the reference methods, and the runs that did not complete."""

    results: list[SetResult]
    methods: tuple[str, ...]
    incomplete: list[str]
    #: Completed runs of ``experiment=ucr`` left out because a derived setting was changed.
    not_the_recipe: list[str] = field(default_factory=list)

    def tally(self, method: str) -> dict[str, int]:
        outcomes = [result.outcome(method) for result in self.results]
        return {kind: outcomes.count(kind) for kind in ("win", "tie", "loss")}

    def unpublished(self, method: str) -> list[str]:
        return [r.dataset for r in self.results if r.references.get(method) is None]

    @property
    def total_wall_time_s(self) -> float:
        return sum(result.wall_time_s for result in self.results)


def _dataset(run: Run) -> str | None:
    data = (run.config or {}).get("data") or {}
    name = data.get("name")
    return str(name) if name is not None else None


#: The derived settings a run must keep to count as the recipe's, and where its config holds
#: them (``trainer.max_epochs`` may be cut, as a quick check does, without changing the rules).
DERIVED = {
    "chunk": ("data", "chunk"),
    "batch_size": ("data", "batch_size"),
    "hidden_size": ("model", "hidden_size"),
    "balance": ("data", "balance"),
}


def ran_the_recipe(run: Run) -> bool:
    """Whether the run was made with ``experiment=ucr`` (its config records ``ucr_recipe``),
    with its derived settings kept or not."""
    return bool(run.config and "ucr_recipe" in run.config)


def recipe_differences(run: Run) -> list[str]:
    """How a run of ``experiment=ucr`` departs from what the recipe derives for its set (the
    rules applied to the set properties its config records): ``data.chunk=5 (the recipe's
    9)``, ...; empty when it kept every derived setting."""
    config = run.config or {}
    recorded = (config.get("ucr_recipe") or {}).get("properties")
    properties = SetProperties.from_description(str(recorded)) if recorded else None
    if properties is None:
        return ["no set properties recorded (ucr_recipe.properties)"]
    derived = derive(properties).settings()
    differences = []
    for setting, (group, key) in DERIVED.items():
        value = (config.get(group) or {}).get(key)
        if value != derived[setting]:
            differences.append(f"{group}.{key}={value} (the recipe's {derived[setting]})")
    return differences


def is_recipe_run(run: Run) -> bool:
    """A run of the ``experiment=ucr`` recipe as it is: its config records the set's
    properties, and its chunk, batch size, hidden size and balance are what the recipe
    derives from them (a run with ``data.chunk=5`` is a variant, not the recipe)."""
    return ran_the_recipe(run) and not recipe_differences(run)


def benchmark(
    runs: Sequence[Run],
    methods: tuple[str, ...] = DEFAULT_METHODS,
    reference_file: str | Path | None = None,
) -> Benchmark:
    """Group completed runs by set; attach each method's published accuracy (or None)."""
    published = reference_accuracies(methods, reference_file)
    accuracies: dict[str, list[float]] = {}
    times: dict[str, float] = {}
    incomplete = []
    not_the_recipe = []
    for run in runs:
        name, accuracy = _dataset(run), run.metrics.get("test/acc")
        if not run.completed or name is None or accuracy is None:
            incomplete.append(f"{run.job} ({run.status})")
            continue
        if ran_the_recipe(run) and (differences := recipe_differences(run)):
            not_the_recipe.append(f"{run.job} ({'; '.join(differences)})")
            continue
        accuracies.setdefault(name, []).append(accuracy)
        times[name] = times.get(name, 0.0) + (run.wall_time_s or 0.0)
    results = [
        SetResult(
            name,
            tuple(values),
            times[name],
            {method: published[method].get(name) for method in methods},
        )
        for name, values in sorted(accuracies.items(), key=lambda item: item[0].lower())
    ]
    return Benchmark(results, methods, incomplete, not_the_recipe)
