"""The search space in Hydra's override grammar, as Optuna distributions.

``hydra.sweeper.params`` and the command line use the grammar every Hydra sweep uses
(``interval``, ``range``, ``choice``, ``tag(log, ...)``, ``int(interval(...))``); Hydra's own
parser reads it, so rnnlab has no grammar of its own. A key given a plain value on the command
line is fixed for every trial, as in any Hydra sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep, Override, RangeSweep
from hydra.errors import HydraException

from rnnlab.errors import ConfigError


@dataclass(frozen=True)
class SearchSpace:
    """What each trial samples (name → distribution) and the overrides every trial gets."""

    distributions: dict[str, Any]
    #: Overrides as typed, the same for every trial (``trainer.max_epochs=2``,
    #: ``~callbacks.progress_bar``).
    fixed: tuple[str, ...]

    def trial_overrides(self, params: dict[str, Any]) -> tuple[str, ...]:
        """One trial's overrides: its sampled values (in the space's order), then the fixed."""
        sampled = tuple(f"{name}={params[name]}" for name in self.distributions if name in params)
        return (*sampled, *self.fixed)


def _distribution(override: Override) -> Any:
    """The Optuna distribution of one swept override."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    value = override.value()
    key = override.get_key_element()
    if isinstance(value, ChoiceSweep):
        return CategoricalDistribution(list(override.sweep_iterator()))
    if isinstance(value, RangeSweep):
        values = list(override.sweep_iterator())
        if not values:
            raise ConfigError(f"hydra.sweeper.params: {key}={override.input_line} is empty.")
        if all(isinstance(v, int) for v in values) and len(values) > 1:
            return IntDistribution(values[0], values[-1], step=values[1] - values[0])
        return CategoricalDistribution(values)
    if isinstance(value, IntervalSweep):
        log = "log" in value.tags
        if isinstance(value.start, int) and isinstance(value.end, int):
            return IntDistribution(value.start, value.end, log=log)
        return FloatDistribution(float(value.start), float(value.end), log=log)
    raise ConfigError(
        f"{override.input_line!r} cannot be searched: use choice(...), range(...) or "
        "interval(...), optionally tag(log, ...)."
    )


def search_space(params: dict[str, str] | None, arguments: Sequence[str]) -> SearchSpace:
    """``hydra.sweeper.params`` then the command line's overrides (a later key wins)."""
    lines = [f"{key}={value}" for key, value in (params or {}).items()]
    lines += list(arguments)
    try:
        parsed = OverridesParser.create().parse_overrides(lines)
    except HydraException as error:
        raise ConfigError(f"the search space could not be read: {error}") from None
    distributions: dict[str, Any] = {}
    fixed: dict[str, str] = {}
    for line, override in zip(lines, parsed, strict=True):
        key = override.get_key_element()
        distributions.pop(key, None)
        fixed.pop(key, None)
        if override.is_sweep_override():
            try:
                distributions[key] = _distribution(override)
            except ValueError as error:  # Optuna refuses the bounds (low > high, log of 0)
                raise ConfigError(
                    f"hydra.sweeper.params: {line} cannot be searched: {error}"
                ) from None
        else:
            fixed[key] = line
    return SearchSpace(distributions, tuple(fixed.values()))
