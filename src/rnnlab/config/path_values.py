"""Paths on the command line work as typed: ``=``, ``,`` and the like need no quotes.

A sweep's job folder is named by its values (``5_data.seq_len=40,model=gru``), so the path of
its checkpoint holds ``=`` and ``,``, which Hydra's override grammar reads as syntax ("mismatched
input '='", or a sweep over two values). Before Hydra parses the command line, the value of
each key that names a file or folder is quoted for that grammar, unless it already reads as
itself or the user wrote Hydra syntax there (quotes, escapes, an interpolation, a list,
``choice(a.csv,b.csv)`` to sweep over files). Anywhere else ``,`` still means a sweep.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

from rnnlab.config.file_paths import PATH_KEYS
from rnnlab.config.group_options import override_positions

#: Keys whose value is a file or folder: the entry points' own, the data files, where runs go.
PATH_VALUE_KEYS: tuple[str, ...] = (
    "ckpt_path",
    "input",
    "output",
    *PATH_KEYS,
    "paths.root_dir",
    "paths.experiments_dir",
    "paths.multirun_dir",
    "hydra.run.dir",
    "hydra.sweep.dir",
)
#: Hydra's sweep and cast functions: ``data.path=choice(a.csv,b.csv)`` sweeps over files.
_HYDRA_FUNCTION = re.compile(
    r"(choice|range|interval|glob|sort|shuffle|tag|int|float|str|bool|json_str|extend_list)"
    r"\(.*\)",
    re.DOTALL,
)


def _path_value(override: str) -> tuple[str, str] | None:
    """(``key=`` with its ``+`` prefix, value) of an override that sets a path key."""
    key, has_value, value = override.partition("=")
    if not has_value or key.lstrip("+") not in PATH_VALUE_KEYS:
        return None
    return f"{key}=", value


def _written_for_hydra(value: str) -> bool:
    """Hydra syntax the user wrote on purpose, left to Hydra as typed."""
    return (
        not value
        or value == "null"
        or value[0] in "'\"[{"
        or "${" in value
        or "\\" in value
        or _HYDRA_FUNCTION.fullmatch(value) is not None
    )


def _reads_as_itself(value: str) -> bool:
    """Whether Hydra's grammar reads ``value`` unquoted as exactly this string."""
    try:
        (parsed,) = OverridesParser.create().parse_overrides([f"key={value}"])
    except HydraException:
        return False
    return not parsed.is_sweep_override() and parsed.value() == value


def quoted(value: str) -> str:
    """``value`` (without backslashes) as one quoted string of Hydra's grammar."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "\\'") + "'"


def quote_path_value(override: str) -> str:
    """``ckpt_path=runs/5_a=1,b=2/best.ckpt`` → ``ckpt_path='runs/5_a=1,b=2/best.ckpt'``;
    any other override as it is."""
    found = _path_value(override)
    if found is None:
        return override
    key, value = found
    if _written_for_hydra(value) or _reads_as_itself(value):
        return override
    return key + quoted(value)


def quote_path_values(arguments: Sequence[str]) -> list[str]:
    """The command line with every path value quoted for Hydra where it needs it."""
    positions = set(override_positions(arguments))
    return [quote_path_value(a) if at in positions else a for at, a in enumerate(arguments)]


def as_typed(arguments: Sequence[str]) -> list[str]:
    """The command line with quoted path values shown bare again, as a user types them (for
    a printed command: ``quote_path_values`` quotes them again when it is run)."""
    positions = set(override_positions(arguments))
    return [_unquoted(a) if at in positions else a for at, a in enumerate(arguments)]


def _unquoted(override: str) -> str:
    found = _path_value(override)
    if found is None or not found[1].startswith(("'", '"')):
        return override
    key, value = found
    try:
        (parsed,) = OverridesParser.create().parse_overrides([f"key={value}"])
    except HydraException:
        return override
    text = parsed.value()
    if not isinstance(text, str) or _written_for_hydra(text):
        return override  # bare, it would read as Hydra syntax: keep the quotes
    return key + text
