"""Compose the command's config once before Hydra does, to say a composition mistake in one
sentence.

rnnlab sets HYDRA_FULL_ERROR so that a bug shows its whole traceback; the price is that
Hydra's own composition errors (a misspelt key, a malformed override) would show one too.
Composing first with Hydra's compose API turns those into one sentence and exit status 2,
before any folder exists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.data_size import check_fits_in_memory
from rnnlab.config.group_options import compose_source, read_command_line
from rnnlab.errors import ConfigError

#: Flags with which Hydra prints something instead of running: nothing to check.
_INFORMATION_FLAGS = ("--help", "-h", "--hydra-help", "--info", "-i", "--version", "-sc")
_NO_SUCH_KEY = re.compile(r"Could not override '([^']+)'\.\s*To append to your config use (\S+)")


def _sentence(error: Exception) -> str:
    text = str(error).strip()
    if found := _NO_SUCH_KEY.search(text):
        key, appended = found.groups()
        return (
            f"{key} is not a key of the config (misspelt? `--cfg job` prints the config; "
            f"to add a new key, write {appended})."
        )
    lines = [line for line in text.splitlines() if not line.startswith("See https://")]
    reason = " ".join(line.strip() for line in lines) or type(error).__name__
    return f"the command line could not be composed: {reason.rstrip('.')}."


def _bad_override(overrides: Sequence[str]) -> str | None:
    """The first override Hydra's grammar refuses, with its reason, or None."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for override in overrides:
        try:
            OverridesParser.create().parse_overrides([override])
        except HydraException as error:
            lines = [line for line in str(error).splitlines() if not line.startswith("See ")]
            reason = lines[-1].strip() if lines else type(error).__name__
            return (
                f"{override!r} is not a valid override ({reason}): write key=value, quoting "
                "values with special characters ('key=\"a b\"')."
            )
    return None


def _is_sweep(override: str) -> bool:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        (parsed,) = OverridesParser.create().parse_overrides([override])
    except HydraException:
        return False  # composing says what is wrong with it
    return parsed.is_sweep_override()


def check_command_line(arguments: Sequence[str], config_dir: str, config_name: str) -> list[str]:
    """Everything an entry point checks before Hydra runs: group options, then composition.
    Returns the arguments for Hydra to run: path values quoted for its grammar, so that a
    path with ``=`` or ``,`` (a sweep job's folder) works as typed."""
    from rnnlab.config.group_options import check_group_overrides
    from rnnlab.config.path_values import quote_path_values

    arguments = quote_path_values(arguments)
    check_group_overrides(arguments, config_dir, config_name)
    check_composes(arguments, config_dir, config_name)
    return arguments


def check_composes(
    arguments: Sequence[str], config_dir: str, config_name: str, without_sweeps: bool = False
) -> DictConfig | None:
    """ConfigError in one sentence if the overrides on this command line do not compose, or
    ask for a generated task larger than the memory available; else the composed config
    (None for --help, --cfg and the like, which compose nothing).

    ``without_sweeps``: for ``-m``, the swept values are left out (the sweep's pre-flight
    composes each job); the fixed values and Hydra's own settings are checked here.
    """
    if any(a.partition("=")[0] in _INFORMATION_FLAGS for a in arguments):
        return None
    command = read_command_line(arguments)
    overrides = [o for o in command.overrides if not (without_sweeps and _is_sweep(o))]
    source = compose_source(command, config_dir, config_name)
    with initialize_config_dir(config_dir=source.config_dir, version_base="1.3"):
        try:
            cfg = compose(
                source.config_name,
                overrides=[*overrides, *source.extra],
                return_hydra_config=True,
            )
        except (HydraException, OmegaConfBaseException) as error:
            sentence = _bad_override(overrides) or _sentence(error)
            raise ConfigError(sentence) from None
    if not without_sweeps:  # a sweep's jobs are sized one by one by its pre-flight
        check_fits_in_memory(cfg)  # said before Hydra makes a run folder
    return cfg
