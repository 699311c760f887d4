"""A sweep's job configs, composed once per choice of config groups.

Composing a config with Hydra reads and merges every file of its defaults list (about 0.15 s
here); a grid of 16 seeds composed job by job spends seconds merging the same files. Jobs whose
overrides choose the same config groups share that merge: it is composed once, and each job's
values are applied to a copy by Hydra's own step, in command-line order, as Hydra applies them
after composing. Whatever could change the defaults list (a config group, a search path, a
package, a key the primary config does not have) is part of the shared merge's key, so such
a job is composed in full. ``tests/config/test_job_configs.py`` holds the result to Hydra's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from omegaconf import DictConfig, OmegaConf, open_dict

from rnnlab.compat.hydra import apply_config_overrides, overrides_dirname

#: Composes a full config (with its ``hydra`` node) from a list of overrides.
Compose = Callable[[list[str]], DictConfig]


@dataclass(frozen=True)
class _Split:
    """A job's overrides: those the shared merge is composed from, and the values after it."""

    shared: tuple[str, ...]
    values: tuple[Override, ...]


def _groups(cfg: DictConfig) -> frozenset[str]:
    """The config groups of the composed defaults list (``model``, ``hydra/launcher``)."""
    return frozenset(str(group) for group in OmegaConf.select(cfg, "hydra.runtime.choices") or {})


def _top_level_values(cfg: DictConfig, groups: frozenset[str]) -> frozenset[str]:
    """The primary config's own top-level keys (``seed``, ``name``), not config groups."""
    tops = {group.split("/")[0] for group in groups}
    return frozenset(str(key) for key in cfg if key != "hydra" and key not in tops)


def _related(key: str, other: str) -> bool:
    return key == other or key.startswith(f"{other}.") or other.startswith(f"{key}.")


class JobConfigs:
    """Composes a sweep's jobs; call it with a job's overrides (see the module docstring)."""

    def __init__(self, compose: Compose) -> None:
        self._compose = compose
        self._parser = OverridesParser.create()
        self._merges: dict[tuple[str, ...], DictConfig] = {}
        self._value_keys: frozenset[str] | None = None
        self._groups: frozenset[str] = frozenset()

    def _is_value(self, override: Override) -> bool:
        """Whether Hydra applies this override to the composed config only (never to the
        defaults list); anything unsure counts as not."""
        key = override.key_or_group
        if override.package is not None or override.is_sweep_override() or "/" in key:
            return False
        if isinstance(override.value(), dict) or key.startswith("hydra.searchpath"):
            return False
        return "." in key or key in (self._value_keys or ())

    def _split(self, overrides: Sequence[str]) -> _Split | None:
        parsed = self._parser.parse_overrides(list(overrides))
        values = [o for o in parsed if self._is_value(o)]
        shared = [o for o in parsed if not self._is_value(o)]
        # a shared override that Hydra may apply as a value must keep its place among them
        for first in shared:
            group = first.key_or_group in self._groups and not isinstance(first.value(), dict)
            if not group and any(_related(first.key_or_group, o.key_or_group) for o in values):
                return None
        return _Split(tuple(str(o.input_line) for o in shared), tuple(values))

    def __call__(self, overrides: Sequence[str]) -> DictConfig:
        """The job's composed config, as Hydra's compose of these overrides returns it."""
        if self._value_keys is None:  # the first job: composed in full, to learn the keys
            cfg = self._compose(list(overrides))
            self._groups = _groups(cfg)
            self._value_keys = _top_level_values(cfg, self._groups)
            return cfg
        split = self._split(overrides)
        if split is None:
            return self._compose(list(overrides))
        merge = self._merges.get(split.shared)
        if merge is None:
            merge = self._merges[split.shared] = self._compose(list(split.shared))
        cfg = copy.deepcopy(merge)
        apply_config_overrides(split.values, cfg)
        return cfg


def record_job_overrides(cfg: DictConfig, overrides: Sequence[str]) -> None:
    """Write what Hydra's composition records of a job's overrides into a derived config:
    ``hydra.overrides.hydra`` and ``.task`` in order, and ``hydra.job.override_dirname``."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    task = [o for o in parsed if not o.is_hydra_override()]
    naming = cfg.hydra.job.config.override_dirname
    with open_dict(cfg.hydra):
        cfg.hydra.overrides.hydra = [o.input_line for o in parsed if o.is_hydra_override()]
        cfg.hydra.overrides.task = [o.input_line for o in task]
        cfg.hydra.job.override_dirname = overrides_dirname(
            task, naming.kv_sep, naming.item_sep, list(naming.exclude_keys)
        )
