"""Refuse to resume a sweep folder with a different sweep.

``rnnlab-train -m <overrides> hydra.sweep.dir=<existing sweep>`` resumes that sweep; its jobs
are found by number, so the command must describe the same jobs in the same order. Checked
before Hydra starts, so a refused command changes nothing in the folder:

1. the task overrides, key by key, as typed (``model=rnn,lstm,gru``), and the order of the
   swept keys (it numbers the jobs);
2. the composed config itself, which differs when a config file was edited since;
3. for a search, the sweeper keys that say which study it is and how it is searched
   (``direction``, ``storage``, ``study_name``, ``sampler``, ``params``): Optuna joins an
   existing study whatever direction it is given, and another storage or study name would
   start a second study whose trial 0 writes into the same ``0_...`` job folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.commands import shell_command
from rnnlab.config.dotted import first_difference
from rnnlab.config.group_options import ComposeSource, compose_source, read_command_line
from rnnlab.errors import ConfigError
from rnnlab.run_folder import HYDRA_DIR, job_dir_by_number, job_dirs, recorded_overrides
from rnnlab.sweep.command_line import SweepCommand, read_sweep
from rnnlab.sweep.grid import grid_jobs_of
from rnnlab.sweep.stored import (
    SWEEP_DIR_KEY,
    StoredSweep,
    has_stored_sweep,
    read_stored_sweep,
    unresumable_reason,
)

RESUME_FLAG = "--resume"
_NO_RECORD = (
    "{directory} holds job folders but no multirun.yaml, so which sweep made them is unknown "
    f"and they cannot be continued: give a new {SWEEP_DIR_KEY}."
)
_CANNOT = (
    f"{{directory}} cannot be resumed: {{reason}}; run the search again into a new {SWEEP_DIR_KEY}."
)


def _resume_folder(arguments: Sequence[str]) -> tuple[str | None, list[str]]:
    """``--resume DIR`` or ``--resume=DIR`` anywhere: (DIR, the other arguments)."""
    for at, argument in enumerate(arguments):
        if argument == RESUME_FLAG:
            rest = [*arguments[:at], *arguments[at + 2 :]]
            return (arguments[at + 1] if at + 1 < len(arguments) else ""), rest
        if argument.startswith(f"{RESUME_FLAG}="):
            return argument.partition("=")[2], [*arguments[:at], *arguments[at + 1 :]]
    return None, list(arguments)


def expand_resume_flag(arguments: Sequence[str]) -> list[str]:
    """``--resume DIR [overrides]`` → the sweep's own arguments (from DIR's multirun.yaml),
    then the extra overrides (e.g. ``hydra.sweeper.retry_failed=true``)."""
    folder, extra = _resume_folder(arguments)
    if folder is None:
        return list(arguments)
    if not folder:
        usage = f"{shell_command('rnnlab-train', [RESUME_FLAG])} DIR"
        raise ConfigError(f"{RESUME_FLAG} needs a sweep folder: {usage}.")
    directory = Path(folder)
    if (directory / HYDRA_DIR).is_dir() and has_stored_sweep(directory.parent):
        raise ConfigError(
            f"{RESUME_FLAG} {folder}: that is one job of a sweep; give the sweep's "
            f"folder: {shell_command('rnnlab-train', [RESUME_FLAG, str(directory.parent)])}."
        )
    if not has_stored_sweep(directory):
        if directory.is_dir() and job_dirs(directory):
            raise ConfigError(_NO_RECORD.format(directory=directory))
        raise ConfigError(
            f"{RESUME_FLAG} {folder}: that is not a sweep folder (it holds no "
            "multirun.yaml); give a folder such as multirun/<name>/<time>."
        )
    stored = read_stored_sweep(directory)
    if (reason := unresumable_reason(stored)) is not None:
        raise ConfigError(_CANNOT.format(directory=stored.directory, reason=reason))
    return [*stored.resume_arguments(), *extra]


def requested_sweep_dir(arguments: Sequence[str]) -> Path | None:
    """The folder given as ``hydra.sweep.dir=<DIR>`` on the command line, if any."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for override in read_command_line(arguments).overrides:
        if override.lstrip("+").partition("=")[0] != SWEEP_DIR_KEY:
            continue
        try:
            (parsed,) = OverridesParser.create().parse_overrides([override])
        except HydraException:
            return None  # Hydra says what is wrong with it
        value = parsed.value()
        return Path(str(value)) if value else None
    return None


def sweep_to_resume(arguments: Sequence[str]) -> StoredSweep | None:
    """The stored sweep this command continues (its folder holds multirun.yaml), or None
    for a new sweep; one sentence for a folder that cannot be continued. (Whether another
    launch is using it is checked when rnnlab-train takes its lock, rnnlab.sweep.lock.)"""
    directory = requested_sweep_dir(arguments)
    if directory is None or not directory.is_dir():
        return None
    if not has_stored_sweep(directory):
        if job_dirs(directory):
            raise ConfigError(_NO_RECORD.format(directory=directory))
        return None
    stored = read_stored_sweep(directory)
    if (reason := unresumable_reason(stored)) is not None:
        raise ConfigError(_CANNOT.format(directory=stored.directory, reason=reason))
    return stored


def _split(override: str) -> tuple[str, str]:
    key, _, value = override.partition("=")
    return key, value


def _first_override_difference(stored: Sequence[str], new: Sequence[str]) -> str | None:
    old_values, new_values = dict(map(_split, stored)), dict(map(_split, new))
    for key in [*old_values, *(k for k in new_values if k not in old_values)]:
        if key not in new_values:
            return f"it was run with {key}={old_values[key]}, which this command leaves out"
        if key not in old_values:
            return f"this command adds {key}={new_values[key]}, which it was not run with"
        if old_values[key] != new_values[key]:
            return (
                f"it was run with {key}={old_values[key]}, this command has {key}={new_values[key]}"
            )
    return None


def _swept_order_difference(stored: Sequence[str], command: SweepCommand) -> str | None:
    stored_sweep = read_sweep(list(stored))
    if stored_sweep is None or stored_sweep.swept_keys == command.swept_keys:
        return None
    return (
        f"it swept {', '.join(stored_sweep.swept_keys)} in that order, this command sweeps "
        f"{', '.join(command.swept_keys)} (the order numbers the jobs)"
    )


def _first_config_difference(old: Any, new: Any) -> str | None:
    if (found := first_difference(old, new)) is None:
        return None
    key, old_value, new_value = found
    return (
        f"its jobs were composed with {key}={_shown(old_value)}, the config files now "
        f"give {_shown(new_value)}"
    )


def _shown(value: Any) -> str:
    return "null" if value is None else str(value)


#: The sweeper keys a search's later launches must share with its first (item 3 above).
SEARCH_KEYS = ("direction", "storage", "study_name", "sampler")


def _composed(
    command: SweepCommand, source: ComposeSource
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task config and ``hydra.sweeper`` as the sweep's launch composes them now (with
    the command's own ``hydra.*`` overrides, e.g. ``hydra.sweeper.params=...``)."""
    fixed = [o for o in command.overrides if _is_fixed(o)]
    with initialize_config_dir(config_dir=source.config_dir, version_base="1.3"):
        cfg = compose(
            source.config_name, overrides=[*fixed, *source.extra], return_hydra_config=True
        )
    sweeper = OmegaConf.to_container(cfg.hydra.sweeper, resolve=False)
    container = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(container, dict) and isinstance(sweeper, dict)
    container.pop("hydra", None)
    return container, sweeper


def _search_key_difference(stored: StoredSweep, sweeper: dict[str, Any]) -> str | None:
    """The first of a search's study keys that this command changes."""
    if not stored.is_search:
        return None
    for key in SEARCH_KEYS:
        old, new = stored.sweeper.get(key), sweeper.get(key)
        if old != new:
            return (
                f"it was run with hydra.sweeper.{key}={_shown(old)}, this command and the "
                f"config files give hydra.sweeper.{key}={_shown(new)}"
            )
    return None


def _is_fixed(override: str) -> bool:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    (parsed,) = OverridesParser.create().parse_overrides([override])
    return not parsed.is_sweep_override()


def _foreign_job(stored: StoredSweep) -> str | None:
    """A job folder whose overrides are not those of the job with its number."""
    if stored.is_search:
        return None
    jobs = grid_jobs_of(stored)
    for number, folder in job_dir_by_number(stored.directory).items():
        held = recorded_overrides(folder)
        if held is None:
            continue  # set up only in part: it runs again
        if number >= len(jobs) or sorted(held) != sorted(jobs[number]):
            return f"its folder {folder.name} does not hold job {number} of the sweep it records"
    return None


def check_same_sweep(
    stored: StoredSweep, arguments: Sequence[str], config_dir: str, config_name: str
) -> None:
    """ConfigError naming the first difference between this command and the stored sweep."""
    command = read_sweep(arguments)
    if command is None:
        return  # Hydra reports the malformed override itself
    difference = _first_override_difference(stored.task_overrides, command.task_overrides)
    difference = difference or _swept_order_difference(stored.task_overrides, command)
    if difference is None:
        source = compose_source(read_command_line(arguments), config_dir, config_name)
        try:
            config, sweeper = _composed(command, source)
        except (HydraException, OmegaConfBaseException):
            return  # the grid check names the problem
        params = sweeper.get("params")
        difference = _search_key_difference(stored, sweeper)
        difference = difference or _first_config_difference(stored.task_config, config)
        if difference is None and params != stored.sweeper.get("params"):
            difference = (
                f"it was run with hydra.sweeper.params={_shown(stored.sweeper.get('params'))}, "
                f"this command and the config files give {_shown(params)}"
            )
        difference = difference or _foreign_job(stored)
    if difference is not None:
        report = shell_command("rnnlab-report", [str(stored.directory)])
        raise ConfigError(
            f"{stored.directory} holds a different sweep: {difference}; resume with the "
            f"sweep's own command ({report} prints it), or give a new {SWEEP_DIR_KEY}."
        )
