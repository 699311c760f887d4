"""What a multirun command line sweeps: the swept keys, the fixed ones, and the jobs.

Read with Hydra's own override grammar, before Hydra runs, so that job folders can be named by
the values that vary and every job can be checked before the first one trains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

from rnnlab.config.group_options import read_command_line

MULTIRUN_FLAGS = ("-m", "--multirun")
#: Where Hydra reads the keys left out of a job's folder name.
EXCLUDE_KEYS = "hydra.job.config.override_dirname.exclude_keys"
#: Keys never shown in a job folder's name: Hydra's own settings.
_NEVER_IN_NAME = ("hydra.verbose",)


@dataclass(frozen=True)
class SweepCommand:
    """A multirun command line split into what varies across its jobs and what does not."""

    overrides: tuple[str, ...]
    swept_keys: tuple[str, ...]
    fixed_keys: tuple[str, ...]

    @property
    def task_overrides(self) -> tuple[str, ...]:
        """The overrides that shape the jobs' configs: Hydra's own (``hydra.*`` and
        ``hydra/<group>=``, which Hydra records apart, as ``hydra.overrides.hydra``) left out."""
        return tuple(
            o for o in self.overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))
        )


def is_multirun(arguments: Sequence[str]) -> bool:
    return any(argument in MULTIRUN_FLAGS for argument in arguments)


def read_sweep(arguments: Sequence[str]) -> SweepCommand | None:
    """The sweep on this command line, or None when it cannot be parsed (Hydra says why)."""
    overrides = read_command_line(arguments).overrides
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return None
    swept, fixed = [], []
    for override in parsed:
        key = override.key_or_group
        (swept if override.is_sweep_override() else fixed).append(key)
    return SweepCommand(tuple(overrides), tuple(swept), tuple(fixed))


def name_by_swept_values(arguments: list[str]) -> list[str]:
    """``arguments`` plus the Hydra override that leaves fixed keys out of job folder names.

    Hydra names a job folder by all of its overrides except ``exclude_keys``; excluding every
    key that is the same in all jobs leaves exactly the values that vary across the sweep.
    A user's own ``exclude_keys`` override wins.
    """
    sweep = read_sweep(arguments)
    if sweep is None or any(a.startswith(EXCLUDE_KEYS) for a in arguments):
        return arguments
    excluded = sorted({*sweep.fixed_keys, *_NEVER_IN_NAME} - set(sweep.swept_keys))
    override = f"{EXCLUDE_KEYS}=[{','.join(_quoted(k) for k in excluded)}]"
    # beside the other overrides: Hydra's parser refuses an override after e.g. ``-cd DIR``
    at = arguments.index(sweep.overrides[0]) if sweep.overrides else len(arguments)
    return [*arguments[:at], override, *arguments[at:]]


def _quoted(key: str) -> str:
    """A key as an element of a Hydra list override (quoted when it holds odd characters)."""
    return key if key.replace(".", "").replace("_", "").replace("/", "").isalnum() else repr(key)
