"""What a sweep's own record says beyond its job folders, as the sweep layer hands it to the
report: the report reads folders of runs and never a sweep's record (``multirun.yaml``)
itself, so a grid's jobs that never started and a search's best trial come from here."""

from __future__ import annotations

from dataclasses import dataclass, field

from rnnlab.run_folder import Scalar

#: The status of a grid's job that has no folder yet.
NOT_STARTED = "not started"


@dataclass(frozen=True)
class PlannedJob:
    """One job of a grid as the sweep recorded it, whether or not it has started."""

    number: int
    #: The job's overrides as ``{key: value}``, swept and fixed alike.
    overrides: dict[str, Scalar]


@dataclass(frozen=True)
class BestTrial:
    """A search's best completed trial: what it scored and how to run it alone."""

    metric: str
    #: ``maximize`` or ``minimize``.
    direction: str
    value: float
    #: The trial's folder, relative to the sweep folder.
    job: str
    #: The values it was given for the searched keys, exactly.
    params: dict[str, Scalar]
    #: ``rnnlab-train …``: the trial as a single run, with the exact values.
    command: str


@dataclass(frozen=True)
class SearchStudy:
    """Where a search's Optuna study is: its storage (resolved) and its name."""

    storage: str
    study_name: str


@dataclass(frozen=True)
class SweepPlan:
    """What the sweep's own record (not its job folders) says, handed to the report by the
    sweep layer: the report reads folders of runs, never a sweep's record itself."""

    #: The keys the sweep varies, over its whole grid or search space, in order.
    swept: list[str] = field(default_factory=list)
    #: Every job of a grid, in launch order; empty for a search, whose trials are its folders.
    jobs: list[PlannedJob] = field(default_factory=list)
    best: BestTrial | None = None
    #: A search's study, for its history, importances and pruned trials.
    search: SearchStudy | None = None
