"""Catch ``group=option`` overrides that name no config file, before Hydra composes.

Hydra's own report of this mistake lists its whole config search path; this check says
the same thing in one sentence: the bad option and the valid ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rnnlab.errors import ConfigError

#: Sweep syntax that this simple check leaves to Hydra.
_SWEEP_MARKERS = ("(", "[", "*", "$", "{")


def available_options(config_dir: Path, group: str) -> list[str]:
    """The option names of one config group: its YAML files without the suffix."""
    return sorted(path.stem for path in (config_dir / group).glob("*.yaml"))


def check_group_overrides(arguments: Sequence[str], config_dir: str | Path) -> None:
    """Raise ConfigError for the first ``group=option`` whose option file does not exist."""
    config_dir = Path(config_dir)
    for argument in arguments:
        if argument.startswith("-") or "=" not in argument:
            continue
        key, value = argument.split("=", 1)
        group = key.lstrip("+")
        if "." in group or "/" in group or not (config_dir / group).is_dir():
            continue
        if any(marker in value for marker in _SWEEP_MARKERS) or value in ("null", ""):
            continue
        options = available_options(config_dir, group)
        for option in value.split(","):
            if option not in options:
                raise ConfigError(
                    f"{group}={option} is not an option of the {group} config group: "
                    f"valid options are {', '.join(options)}."
                )
