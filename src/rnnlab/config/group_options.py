"""Catch ``group=option`` overrides that name no config file, before Hydra composes.

Hydra's own report of this mistake lists its whole config search path; this check says
the same thing in one sentence: the bad option and the valid ones. It reads the command
line as Hydra's parser will and looks in every folder Hydra will search — rnnlab's
config tree (or ``--config-path``), the ``--config-dir``/``-cd`` folder, and the
``hydra.searchpath`` entries (``file://``, plain paths, ``pkg://``) — so an option that
lives in a user's own config folder is accepted and listed among the valid ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rnnlab.config.locations import PACKAGE_DIR
from rnnlab.errors import ConfigError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: Values this simple check leaves to Hydra: sweeps, interpolations, quoting, escapes.
_LEFT_TO_HYDRA = ("(", "[", "*", "$", "{", "'", '"', "\\")

#: Hydra's options that take a value, under each name its argument parser knows them by;
#: the value (``--config-name train``) is not an override.
_VALUE_OPTIONS: dict[str, str] = {
    "--config-dir": "config_dir",
    "-cd": "config_dir",
    "--config-path": "config_path",
    "-cp": "config_path",
    "--config-name": "config_name",
    "-cn": "config_name",
    "--cfg": "cfg",
    "-c": "cfg",
    "--package": "package",
    "-p": "package",
    "--experimental-rerun": "experimental_rerun",
}

_SEARCHPATH_KEY = "hydra.searchpath"


@dataclass(frozen=True)
class CommandLine:
    """Hydra's command line split into overrides and the options that move config folders."""

    overrides: tuple[str, ...]
    config_dir: str | None = None
    config_path: str | None = None
    config_name: str | None = None


def _split_arguments(arguments: Sequence[str]) -> tuple[list[int], dict[str, str | None]]:
    """Where the overrides are, and the values of Hydra's options, as its parser splits
    ``arguments``: ``-cd X`` and ``--config-dir=X`` alike (X is not an override)."""
    overrides: list[int] = []
    values: dict[str, str | None] = {}
    at = 0
    while at < len(arguments):
        argument = arguments[at]
        at += 1
        if not argument.startswith("-"):
            overrides.append(at - 1)
            continue
        option, has_value, value = argument.partition("=")
        name = _VALUE_OPTIONS.get(option)
        if name is not None and not has_value:
            value, at = (arguments[at] if at < len(arguments) else None), at + 1
        if name is not None:
            values[name] = value
    return overrides, values


def override_positions(arguments: Sequence[str]) -> list[int]:
    """The indices of the overrides in ``arguments`` (not the value of ``-cd X``)."""
    return _split_arguments(arguments)[0]


def read_command_line(arguments: Sequence[str]) -> CommandLine:
    """Split ``arguments`` as Hydra's parser does: ``-cd X`` and ``--config-dir=X`` alike."""
    positions, values = _split_arguments(arguments)
    return CommandLine(
        overrides=tuple(arguments[at] for at in positions),
        config_dir=values.get("config_dir"),
        config_path=values.get("config_path"),
        config_name=values.get("config_name"),
    )


def searchpath_overrides(command: CommandLine) -> list[str]:
    """``--config-dir X`` as the compose API understands it: an extra search-path entry."""
    return [f"hydra.searchpath=[file://{command.config_dir}]"] if command.config_dir else []


@dataclass(frozen=True)
class ComposeSource:
    """Where Hydra's compose API finds this command's config: ``initialize_config_dir``'s
    folder, the primary config's name, and the search-path overrides to add."""

    config_dir: str
    config_name: str
    extra: tuple[str, ...]


def compose_source(command: CommandLine, config_dir: str, config_name: str) -> ComposeSource:
    """As Hydra's command line finds the config: ``--config-name``, and ``--config-dir`` as a
    further folder. The compose API looks for the primary config before it reads
    ``hydra.searchpath``, so a primary config that only the user's folder holds is composed
    from that folder, with rnnlab's folder added to the search path instead."""
    name = command.config_name or config_name
    user_dir = command.config_dir
    if (
        user_dir
        and (Path(user_dir) / f"{name}.yaml").is_file()
        and not (Path(config_dir) / f"{name}.yaml").is_file()
    ):
        main = f"hydra.searchpath=[file://{Path(config_dir).absolute()}]"
        return ComposeSource(str(Path(user_dir).absolute()), name, (main,))
    return ComposeSource(config_dir, name, tuple(searchpath_overrides(command)))


def _child(folder: Traversable, relative: str) -> Traversable:
    """``folder/relative`` one part at a time, which every Traversable supports."""
    for part in relative.split("/"):
        folder = folder.joinpath(part)
    return folder


def resolve_folder(location: str, base: Path | None = None) -> Traversable | None:
    """The folder a search-path entry names, or None when there is none.

    ``pkg://a.b`` (or ``pkg://a/b``) is a package's folder, found with importlib.resources
    as Hydra finds it; ``file://dir`` and ``dir`` are folders, relative ones taken from
    ``base`` when given and from the working directory otherwise.
    """
    if location.startswith("pkg://"):
        package = location.removeprefix("pkg://").replace("/", ".").strip(".")
        try:
            folder: Traversable = resources.files(package)
        except (ImportError, ValueError, TypeError):
            return None
    else:
        path = Path(location.removeprefix("file://"))
        folder = base / path if base is not None else path
    return folder if folder.is_dir() else None


def _parse_searchpath_override(override: str) -> list[str]:
    """The entries of ``hydra.searchpath=[...]``, parsed by Hydra's own override grammar."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        (parsed,) = OverridesParser.create().parse_overrides([override])
        value = parsed.value()
    except HydraException:  # Hydra reports the malformed override itself
        return []
    return [str(entry) for entry in value] if isinstance(value, list) else []


def _primary_searchpath(folders: Iterable[Traversable], config_name: str) -> list[str]:
    """``hydra.searchpath`` of the primary config, from the first folder that has it."""
    from omegaconf import ListConfig, OmegaConf

    for folder in folders:
        config_file = _child(folder, f"{config_name}.yaml")
        if not config_file.is_file():
            continue
        try:
            with config_file.open(encoding="utf-8") as stream:
                entries = OmegaConf.select(OmegaConf.load(stream), _SEARCHPATH_KEY)
            return [str(entry) for entry in entries] if isinstance(entries, ListConfig) else []
        except Exception:  # a broken primary config is Hydra's to report, in its words
            return []
    return []


def searchpath_entries(
    command_line: CommandLine, folders: Iterable[Traversable], config_name: str
) -> list[str]:
    """hydra.searchpath as Hydra takes it: the first command-line override, else the primary's."""
    for override in command_line.overrides:
        if override.startswith(f"{_SEARCHPATH_KEY}="):
            return _parse_searchpath_override(override)
    return _primary_searchpath(folders, command_line.config_name or config_name)


def search_folders(
    command_line: CommandLine, config_dir: str | Path, config_name: str = "train"
) -> list[Traversable]:
    """Every existing config folder Hydra will search, in its order.

    The main folder (``config_dir``, or ``--config-path`` resolved as Hydra does, against
    the entry points' package folder), the ``--config-dir`` folder, then hydra.searchpath.
    """
    if command_line.config_path is not None:
        main = resolve_folder(command_line.config_path, base=PACKAGE_DIR)
    else:
        main = Path(config_dir)
    folders = [main] if main is not None else []
    if command_line.config_dir is not None:
        extra = resolve_folder(command_line.config_dir)
        if extra is None:
            absolute = Path(command_line.config_dir).absolute()
            raise ConfigError(
                f"--config-dir {command_line.config_dir} is not a folder ({absolute}): "
                "give the folder that holds your config groups, e.g. mine/ with mine/model/my.yaml."
            )
        folders.append(extra)
    for entry in searchpath_entries(command_line, folders, config_name):
        folder = resolve_folder(entry)
        if folder is not None:
            folders.append(folder)
    return folders


def available_options(config_dir: Traversable | str, group: str) -> list[str]:
    """The option names of one config group in one folder: its YAML files without the suffix."""
    folder = _child(Path(config_dir) if isinstance(config_dir, str) else config_dir, group)
    if not folder.is_dir():
        return []
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and entry.is_file()
    )


def group_options(folders: Iterable[Traversable], group: str) -> list[str]:
    """The union of one group's options over every searched folder, for the error sentence."""
    return sorted({option for folder in folders for option in available_options(folder, group)})


def _group_choice(override: str) -> tuple[str, list[str]] | None:
    """(group, options) of a plain ``group=a,b`` override; None for anything else."""
    if "=" not in override:
        return None
    key, value = override.split("=", 1)
    group = key.lstrip("+")
    if "." in group or "/" in group or not value or value == "null":
        return None
    if any(marker in value for marker in _LEFT_TO_HYDRA):
        return None
    return group, value.split(",")


def check_group_overrides(
    arguments: Sequence[str], config_dir: str | Path, config_name: str = "train"
) -> None:
    """Raise ConfigError for the first ``group=option`` whose option file no folder has.

    ``arguments`` is the whole command line (``sys.argv[1:]``), Hydra's options included;
    ``config_dir`` and ``config_name`` are what the entry point gives ``hydra.main``.
    """
    command_line = read_command_line(arguments)
    folders = search_folders(command_line, config_dir, config_name)
    for override in command_line.overrides:
        choice = _group_choice(override)
        if choice is None:
            continue
        group, options = choice
        if not any(_child(folder, group).is_dir() for folder in folders):
            continue  # not a config group here: a field, a typo Hydra reports, or Hydra's own
        for option in options:
            if not any(_child(folder, f"{group}/{option}.yaml").is_file() for folder in folders):
                raise ConfigError(
                    f"{group}={option} is not an option of the {group} config group: "
                    f"valid options are {', '.join(group_options(folders, group))}."
                )
