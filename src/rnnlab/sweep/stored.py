"""A sweep as its folder remembers it: ``multirun.yaml``, written when the sweep started.

It holds the command line's overrides (``hydra.overrides.task`` and ``.hydra``) and the
composed config the jobs were built from, which is all that is needed to check that a
resuming command is the same sweep and to print the command that resumes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.commands import shell_command
from rnnlab.errors import ConfigError
from rnnlab.run_folder import job_dirs
from rnnlab.sweep.command_line import EXCLUDE_KEYS

MULTIRUN_FILE = "multirun.yaml"
#: Characters a value may hold unquoted in a Hydra override.
_PLAIN = re.compile(r"[\w./+-]+")
SWEEP_DIR_KEY = "hydra.sweep.dir"
#: rnnlab-train's primary config, which a resume command need not name.
DEFAULT_CONFIG_NAME = "train"
#: Hydra overrides that rnnlab-train or ``-m`` add, or that belong to one launch only.
_NOT_REPEATED = (EXCLUDE_KEYS, "hydra.mode", SWEEP_DIR_KEY, "hydra.sweeper.retry_failed")


@dataclass(frozen=True)
class StoredSweep:
    """What a sweep folder's multirun.yaml says about the sweep that made it."""

    directory: Path
    #: The overrides that shaped the jobs, as typed (``model=rnn,lstm``), in order.
    task_overrides: tuple[str, ...]
    #: The user's own ``hydra.*`` overrides (a launcher, its n_jobs, n_trials ...).
    hydra_overrides: tuple[str, ...]
    #: ``--config-dir`` folders the sweep was launched with.
    config_dirs: tuple[str, ...]
    #: The composed config without its hydra node, interpolations unresolved.
    task_config: dict[str, Any]
    #: ``hydra.sweeper`` (its params, n_trials, storage ...), interpolations unresolved.
    sweeper: dict[str, Any]
    #: The primary config (``--config-name``), when not rnnlab-train's own.
    config_name: str | None = None

    @property
    def is_search(self) -> bool:
        """Whether a sampler (Optuna) chose the jobs, rather than a grid."""
        return is_search_sweeper(self.sweeper.get("_target_"))

    def resume_arguments(self) -> list[str]:
        """rnnlab-train's arguments that continue this sweep in its own folder."""
        config_dirs = [part for folder in self.config_dirs for part in ("--config-dir", folder)]
        config_name = ["--config-name", self.config_name] if self.config_name else []
        return [
            "-m",
            *config_dirs,
            *config_name,
            *self.task_overrides,
            *self.hydra_overrides,
            f"{SWEEP_DIR_KEY}={override_value(str(self.directory))}",
        ]

    def resume_command(self) -> str:
        """The resume command as one line a user can paste into a shell."""
        return shell_command("rnnlab-train", self.resume_arguments())


def is_search_sweeper(target: object) -> bool:
    """Whether ``hydra.sweeper._target_`` is a search (Optuna), whose launches share a study."""
    return "optuna" in str(target or "").lower()


def override_value(text: str) -> str:
    """``text`` as a value in Hydra's override grammar: as it is when plain, else quoted
    (a folder such as ``runs/lr=0.1`` would otherwise not parse)."""
    if _PLAIN.fullmatch(text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def has_stored_sweep(directory: Path) -> bool:
    """Whether ``directory`` is a sweep folder rnnlab can resume (it holds multirun.yaml)."""
    return (directory / MULTIRUN_FILE).is_file()


def read_stored_sweep(directory: Path) -> StoredSweep:
    """The sweep recorded in ``directory``; one sentence if its multirun.yaml is unusable."""
    path = directory / MULTIRUN_FILE
    try:
        stored = OmegaConf.load(path)
        overrides = stored.hydra.overrides
        task = [str(o) for o in overrides.task]
        hydra = [str(o) for o in overrides.hydra if not _launch_only(str(o))]
        sources = OmegaConf.select(stored, "hydra.runtime.config_sources", default=[]) or []
        config_dirs = [str(s.path) for s in sources if s.get("provider") == "command-line"]
        sweeper = OmegaConf.to_container(stored.hydra.sweeper, resolve=False)
        config_name = OmegaConf.select(stored, "hydra.job.config_name", default=None)
        container = OmegaConf.to_container(stored, resolve=False)
    except (OSError, OmegaConfBaseException, AttributeError, TypeError) as error:
        raise ConfigError(
            f"{str(path)!r} could not be read ({type(error).__name__}): the sweep folder's "
            "record is damaged, so the sweep cannot be resumed; start it in a new folder."
        ) from None
    assert isinstance(container, dict) and isinstance(sweeper, dict)
    container.pop("hydra", None)
    return StoredSweep(
        directory.resolve(),
        tuple(task),
        tuple(hydra),
        tuple(config_dirs),
        container,
        sweeper,
        None if config_name in (None, DEFAULT_CONFIG_NAME) else str(config_name),
    )


def _launch_only(override: str) -> bool:
    key = override.lstrip("+~").partition("=")[0]
    return key in _NOT_REPEATED


def unresumable_reason(stored: StoredSweep) -> str | None:
    """Why a recorded sweep cannot be continued (a search whose trials were not stored)."""
    if not stored.is_search or not job_dirs(stored.directory):
        return None
    storage = stored.sweeper.get("storage")
    if storage is None:
        return (
            "its Optuna study was kept in memory (hydra.sweeper.storage=null), so its trials "
            "cannot be continued"
        )
    if isinstance(storage, str) and f"${{{SWEEP_DIR_KEY}}}" in storage:
        file = stored.directory / storage.split(f"${{{SWEEP_DIR_KEY}}}", 1)[1].lstrip("/")
        if not file.is_file():
            return f"its Optuna study ({file.name}) is missing, so its trials cannot be continued"
    return None
