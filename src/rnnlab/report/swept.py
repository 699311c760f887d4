"""Which settings were varied across the runs, and each run's value for them.

A setting counts as swept when its value differs between the runs found. Values come from
each run's ``.hydra/overrides.yaml``; a run that did not override a key gets the value it
actually ran with, from its resolved config (metrics.json, else ``.hydra/config.yaml``) or,
for a config group such as ``model``, from the group choice Hydra recorded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rnnlab.config.dotted import select
from rnnlab.report.runs import Run
from rnnlab.run_folder import Scalar, composed_config, hydra_settings

#: Settings that only redraw the randomness: runs differing in these alone are repeats.
SEED_KEYS = ("seed", "data.seed")
#: Keys that are never reported as swept: Hydra's own settings.
IGNORED_PREFIXES = ("hydra.",)
#: Significant digits of a float setting where it is shown for reading.
SIGNIFICANT = 4

_REFERENCE = re.compile(r"^\$\{([\w.]+)\}$")


def _config_value(config: dict[str, Any], key: str) -> Scalar:
    """A scalar at a dotted key; a plain ``${other.key}`` reference is followed once, as
    ``.hydra/config.yaml`` stores ``data.seed: ${seed}`` unresolved."""
    value = select(config, key)
    if isinstance(value, str) and (reference := _REFERENCE.match(value)):
        value = select(config, reference.group(1))
    return value if isinstance(value, Scalar) else None


def setting_value(run: Run, key: str) -> Scalar:
    """The value ``key`` had in ``run``: its override, else what the run was composed with."""
    if key in run.overrides:
        return run.overrides[key]
    for config in (run.config, composed_config(run.path)):
        if isinstance(config, dict) and (value := _config_value(config, key)) is not None:
            return value
    choices = select(hydra_settings(run.path), "hydra.runtime.choices")
    choice = choices.get(key) if isinstance(choices, dict) else None
    return choice if isinstance(choice, Scalar) else None


def swept_settings(runs: Sequence[Run], always: Sequence[str] = ()) -> dict[str, list[Scalar]]:
    """``{key: [value of run 0, value of run 1, …]}`` for every key whose values differ,
    in the order the keys first appear in the runs' overrides; the keys of ``always`` (what
    the sweep's own grid varies) first, even where the runs so far agree."""
    keys: dict[str, None] = dict.fromkeys(always)
    for run in runs:
        keys.update(dict.fromkeys(k for k in run.overrides if not k.startswith(IGNORED_PREFIXES)))
    swept = {}
    for key in keys:
        values = [setting_value(run, key) for run in runs]
        if key in always or any(value != values[0] for value in values[1:]):
            swept[key] = values
    return swept


def is_numeric(values: Sequence[Scalar]) -> bool:
    """True when every known value is a number (booleans are categories, not numbers)."""
    known = [value for value in values if value is not None]
    return bool(known) and all(
        isinstance(value, int | float) and not isinstance(value, bool) for value in known
    )


def describe(setting: dict[str, Scalar]) -> str:
    """``{"model": "gru", "optimizer.lr": 0.0013292918}`` → ``model=gru, optimizer.lr=0.001329``
    (values rounded for reading)."""
    return ", ".join(f"{key}={readable_value(value)}" for key, value in setting.items())


def readable_value(value: Scalar) -> str:
    """A setting for reading: a float with more than SIGNIFICANT digits (a search's 17-digit
    samples) rounded to them, anything else as ``show_value`` writes it (``10000.0`` stays);
    files that keep values (CSVs) use ``show_value``."""
    rounded = f"{value:.{SIGNIFICANT}g}" if isinstance(value, float) else None
    return rounded if rounded is not None and float(rounded) != value else show_value(value)


def show_value(value: Scalar) -> str:
    """A setting as a user would type it: ``null`` for a missing one, ``true`` not ``True``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
