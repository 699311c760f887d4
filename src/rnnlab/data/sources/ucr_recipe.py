"""``experiment=ucr``: one recipe for any UCR/UEA classification set, its settings derived
from the set's own properties (length, channels, classes, training cases, class balance),
never from its name.

The rules were written down before any of them was run, and only the constants below may
be tuned (docs/data.md says on which sets, and how the other sets were kept out of it):

- **chunk** (length, variable length, channels): a case is read ``chunk`` values at a time
  so that a case of the set's median length takes about TARGET_STEPS recurrent steps (an
  LSTM that must carry hundreds of single values forgets the early ones); a variable-length
  set is sized by its median case, and the longer cases simply take more steps. The input
  width ``chunk × channels`` is kept at or below MAX_WIDTH, so a long series is not turned
  into a handful of very wide steps, and a multichannel set is chunked less.
- **batch size** (training cases): ``ceil(fitted cases / STEPS_PER_EPOCH)``, which cuts the
  fitted split into STEPS_PER_EPOCH batches, so the same number of optimisation steps,
  EPOCHS × STEPS_PER_EPOCH, for any set of 50 fitted cases or more. Below 50 fitted
  cases some counts cannot be cut into 8 batches of one size (17 cases: batches of 2 give 9,
  of 3 give 6), and for those the rule gives 5 to 7 larger batches per epoch instead (17
  cases: 6, 41: 7). The why of ``batch_size`` says how many steps the set gets.
- **hidden size** (classes): HIDDEN units, twice that for more than MANY_CLASSES classes.
- **balance** (class balance): when the largest training class has more than
  IMBALANCE times the cases of the smallest, the rare classes are topped up in the fitted
  split (rnnlab.data.sources.class_balance); validation and test are left as they are.

Everything else is fixed in ``conf/experiment/ucr.yaml`` (LSTM, Adam, cosine schedule,
clipping, the checkpoint chosen by validation loss). The numbers reach the config through
the OmegaConf resolver ``ucr_recipe`` (``${ucr_recipe:chunk,${data.name},...}``), so the
run's config, metrics.json and checkpoints hold the derived values, and ``ucr_recipe`` in
the config holds the set's properties and the reason for each value. Hydra imports the
``hydra_plugins.rnnlab_ucr`` package whenever it composes a config, which registers the
resolver. Reading the properties needs numpy only, so bad names are refused before torch
is imported.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rnnlab.data.sources.splitting import split_indices
from rnnlab.data.sources.ts_format import read_ts
from rnnlab.data.sources.ucr_archive import set_files
from rnnlab.errors import ConfigError

RESOLVER = "ucr_recipe"
#: The only sets whose results were looked at while the constants below were chosen; every
#: other set is held out (benchmark reports mark the two kinds apart).
TUNED_ON = ("GunPoint", "ItalyPowerDemand", "OSULeaf", "ACSF1", "PickupGestureWiimoteZ")
#: Recurrent steps a case of median length is read in.
TARGET_STEPS = 16
#: Most input values per step (chunk × channels).
MAX_WIDTH = 64
#: Batches per epoch the batch size is chosen for: exactly this many from 50 fitted cases up,
#: 5 to 8 below (module docstring).
STEPS_PER_EPOCH = 8
#: Epochs of every run (with STEPS_PER_EPOCH: the same optimisation steps for every set).
EPOCHS = 100
#: Hidden units of the LSTM, doubled beyond MANY_CLASSES classes.
HIDDEN = 64
MANY_CLASSES = 16
#: Largest / smallest class in the training cases above which rare classes are topped up.
IMBALANCE = 2.0


@dataclass(frozen=True)
class SetProperties:
    """What the recipe may look at: the training file's shape and labels, nothing else."""

    train_cases: int
    fitted_cases: int
    channels: int
    classes: int
    median_length: int
    min_length: int
    max_length: int
    smallest_class: int
    largest_class: int

    @property
    def variable_length(self) -> bool:
        return self.min_length != self.max_length

    @property
    def imbalance(self) -> float:
        return self.largest_class / self.smallest_class

    def describe(self) -> str:
        """One line of what was read, for the run's config."""
        length = (
            f"lengths {self.min_length}-{self.max_length} (median {self.median_length})"
            if self.variable_length
            else f"length {self.median_length}"
        )
        return (
            f"{self.train_cases} training cases ({self.fitted_cases} fitted), "
            f"{self.channels} channel(s), {self.classes} classes "
            f"({self.smallest_class}-{self.largest_class} cases each), {length}"
        )

    @classmethod
    def from_description(cls, text: str) -> SetProperties | None:
        """The properties back from describe()'s line (a run's ``ucr_recipe.properties``);
        None for any other text."""
        match = _DESCRIPTION.fullmatch(text.strip())
        if match is None:
            return None
        n = {key: int(value) for key, value in match.groupdict().items() if value is not None}
        fixed = n.get("length")
        return cls(
            train_cases=n["train"],
            fitted_cases=n["fitted"],
            channels=n["channels"],
            classes=n["classes"],
            median_length=fixed if fixed is not None else n["median"],
            min_length=fixed if fixed is not None else n["min"],
            max_length=fixed if fixed is not None else n["max"],
            smallest_class=n["smallest"],
            largest_class=n["largest"],
        )


_DESCRIPTION = re.compile(
    r"(?P<train>\d+) training cases \((?P<fitted>\d+) fitted\), (?P<channels>\d+) channel\(s\), "
    r"(?P<classes>\d+) classes \((?P<smallest>\d+)-(?P<largest>\d+) cases each\), "
    r"(?:length (?P<length>\d+)|lengths (?P<min>\d+)-(?P<max>\d+) \(median (?P<median>\d+)\))"
)


@dataclass(frozen=True)
class Recipe:
    """The derived settings and, for each, the sentence that says why."""

    chunk: int
    batch_size: int
    hidden_size: int
    max_epochs: int
    balance: bool
    why: dict[str, str]

    def settings(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if key != "why"}


def derive(properties: SetProperties) -> Recipe:
    """The recipe's rules (module docstring) applied to one set's properties."""
    p = properties
    by_length = max(1, p.median_length // TARGET_STEPS)
    width_cap = max(1, MAX_WIDTH // p.channels)
    chunk = min(by_length, width_cap)
    steps = math.ceil(p.median_length / chunk)
    length = f"median length {p.median_length}" + (
        f" (lengths {p.min_length}-{p.max_length})" if p.variable_length else ""
    )
    chunk_why = f"{length} / {TARGET_STEPS} target steps -> chunk {by_length}"
    if chunk < by_length:
        chunk_why += f", capped at {MAX_WIDTH} values per step / {p.channels} channels"
    chunk_why += f": {steps} steps of {chunk * p.channels} values"
    batch_size = max(1, math.ceil(p.fitted_cases / STEPS_PER_EPOCH))
    batches = math.ceil(p.fitted_cases / batch_size)
    hidden = HIDDEN * (2 if p.classes > MANY_CLASSES else 1)
    balance = p.imbalance > IMBALANCE
    return Recipe(
        chunk=chunk,
        batch_size=batch_size,
        hidden_size=hidden,
        max_epochs=EPOCHS,
        balance=balance,
        why={
            "chunk": chunk_why,
            "batch_size": (
                f"{p.fitted_cases} fitted cases / {STEPS_PER_EPOCH} steps per epoch "
                f"-> {EPOCHS * batches} optimisation steps in {EPOCHS} epochs"
                + (
                    f" (too few cases for {STEPS_PER_EPOCH} batches of one size: {batches} "
                    f"batches of {batch_size} per epoch)"
                    if batches != STEPS_PER_EPOCH
                    else ""
                )
                + (" (a few more once rare classes are topped up)" if balance else "")
            ),
            "hidden_size": (
                f"{p.classes} classes {'>' if p.classes > MANY_CLASSES else '<='} "
                f"{MANY_CLASSES} -> {hidden} units"
            ),
            "max_epochs": f"fixed at {EPOCHS}: the batch size fixes the steps per epoch",
            "balance": (
                f"largest / smallest training class = {p.largest_class}/{p.smallest_class} "
                f"= {p.imbalance:.2f} {'>' if balance else '<='} {IMBALANCE:g}"
                + (": rare classes topped up" if balance else ": left as they are")
            ),
        },
    )


@functools.lru_cache(maxsize=64)
def set_properties(name: str, archive_dir: str | None, val_fraction: float) -> SetProperties:
    """The properties of a classification set's training file (regression is refused)."""
    train_file, _ = set_files(name, archive_dir)
    data = read_ts(train_file)
    if data.is_regression:
        raise ConfigError(
            f"data.name={name!r} is a regression set (its cases have numeric targets), but "
            "experiment=ucr classifies: pick a classification set, or train it with data=ucr."
        )
    labels = np.unique(data.labels, return_inverse=True)[1]
    counts = np.bincount(labels)
    fitted, _ = split_indices(len(labels), (0, val_fraction), 0, labels=labels)
    return SetProperties(
        train_cases=len(labels),
        fitted_cases=len(fitted),
        channels=data.num_dimensions,
        classes=len(counts),
        median_length=int(np.median(data.lengths)),
        min_length=int(data.lengths.min()),
        max_length=int(data.lengths.max()),
        smallest_class=int(counts.min()),
        largest_class=int(counts.max()),
    )


def recipe_value(
    field: str, name: str, archive_dir: str | None = None, val_fraction: float = 0.2
) -> Any:
    """The resolver: a derived setting (``chunk``, ``batch_size``, ...), ``why_<setting>``:
    the sentence that says why, or ``properties``: what was read from the set."""
    properties = set_properties(str(name), archive_dir, float(val_fraction))
    recipe = derive(properties)
    settings = recipe.settings()
    if field == "properties":
        return properties.describe()
    if field.startswith("why_") and field[4:] in recipe.why:
        return recipe.why[field[4:]]
    if field not in settings:
        raise ConfigError(
            f"${{{RESOLVER}:{field},...}} is not a setting of the recipe: valid are "
            f"{', '.join(settings)}, why_<setting> and properties."
        )
    return settings[field]


def register_resolver() -> None:
    """Make ``${ucr_recipe:...}`` available (again, harmlessly)."""
    from omegaconf import OmegaConf

    OmegaConf.register_new_resolver(RESOLVER, recipe_value, replace=True)
