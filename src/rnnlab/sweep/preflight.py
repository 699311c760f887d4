"""Check every job of a grid before the first one trains.

Hydra composes each job's config only when its turn comes, so a bad value in job 7 would be
found after jobs 1–6 trained. Here every job is composed with Hydra's compose API (once per
choice of config groups: rnnlab.config.job_configs) and validated up front; the first bad one
stops the sweep with one sentence that names its overrides, before Hydra has created any
folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.group_options import ComposeSource, compose_source, read_command_line
from rnnlab.config.job_configs import JobConfigs
from rnnlab.config.processes import refuse_ddp_in_multirun
from rnnlab.config.validation import validate
from rnnlab.data.sources.user_file_reading import check_data_file_of
from rnnlab.errors import ConfigError
from rnnlab.sweep.command_line import read_sweep
from rnnlab.sweep.grid import grid_jobs

#: Overrides that hand the sweep to another sweeper, whose jobs are not known in advance.
_OTHER_SWEEPERS = ("hydra/sweeper", "hparams_search")


def check_grid(arguments: Sequence[str], config_dir: str, config_name: str) -> int:
    """Compose and validate every job of the grid on this command line; return the job count.

    Searches run by another sweeper (Optuna) choose their jobs as they go: only the
    composed base config is checked then.
    """
    sweep = read_sweep(arguments)
    if sweep is None:
        return 0  # Hydra reports the malformed override itself
    keys = {key for key in (*sweep.swept_keys, *sweep.fixed_keys)}
    overrides = list(sweep.task_overrides)
    source = compose_source(read_command_line(arguments), config_dir, config_name)
    swept_keys = set(sweep.swept_keys)
    if keys & set(_OTHER_SWEEPERS):
        jobs = [[o for o in overrides if not _is_sweep(o)]]
    else:
        preset = _preset_params(overrides, source)
        swept_keys |= {p.partition("=")[0] for p in preset}
        jobs = grid_jobs([*preset, *overrides])
    with initialize_config_dir(config_dir=source.config_dir, version_base="1.3"):
        configs = JobConfigs(lambda overrides: _compose_with_hydra(source.config_name, overrides))
        for number, job in enumerate(jobs):
            swept = [o for o in job if o.partition("=")[0].lstrip("+~") in swept_keys]
            label = f"job {number} ({' '.join(swept)})" if swept else "the sweep"
            _check_job(label, lambda job=job: configs([*job, *source.extra]))
    return len(jobs)


def _compose_with_hydra(config_name: str, overrides: list[str]) -> DictConfig:
    return compose(config_name, overrides=overrides, return_hydra_config=True)


def _task_config(cfg: DictConfig) -> DictConfig:
    """The job's config as the compose API returns it without Hydra's node."""
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return cfg


def _preset_params(overrides: list[str], source: ComposeSource) -> list[str]:
    """``hydra.sweeper.params`` that a preset sets (e.g. experiment=memory_vs_length), as
    overrides, with the command line's own values for the same keys taking precedence."""
    given = {o.partition("=")[0].lstrip("+~") for o in overrides}
    with initialize_config_dir(config_dir=source.config_dir, version_base="1.3"):
        try:
            cfg = compose(
                source.config_name, overrides=[*overrides, *source.extra], return_hydra_config=True
            )
        except (HydraException, OmegaConfBaseException):
            return []  # the job check below names the problem
    params = OmegaConf.select(cfg, "hydra.sweeper.params", default=None) or {}
    return [f"{key}={value}" for key, value in params.items() if key not in given]


def _is_sweep(override: str) -> bool:
    (parsed,) = OverridesParser.create().parse_overrides([override])
    return parsed.is_sweep_override()


def _check_job(label: str, composed: Callable[[], DictConfig]) -> None:
    """Compose and validate one job; ``label`` names it by its swept values."""
    try:
        cfg = _task_config(composed())
        validate(cfg)
        refuse_ddp_in_multirun(cfg, RunMode.MULTIRUN)
        check_data_file_of(cfg)
    except ConfigError as error:
        raise ConfigError(f"{label}: {error}") from None
    except (HydraException, OmegaConfBaseException) as error:
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise ConfigError(f"{label} could not be composed: {reason}") from None


def preset_is_sweep(arguments: Sequence[str], config_dir: str, config_name: str) -> bool:
    """Whether the composed config makes this a sweep without ``-m`` (a preset that sets
    ``hydra.mode: MULTIRUN``, like ``experiment=vanishing_gradients``)."""
    sweep = read_sweep(arguments)
    if sweep is None:
        return False
    source = compose_source(read_command_line(arguments), config_dir, config_name)
    with initialize_config_dir(config_dir=source.config_dir, version_base="1.3"):
        try:
            cfg = compose(
                source.config_name,
                overrides=[*sweep.task_overrides, *source.extra],
                return_hydra_config=True,
            )
        except (HydraException, OmegaConfBaseException):
            return False  # Hydra reports it when it composes
    mode = OmegaConf.select(cfg, "hydra.mode", default=None)
    return getattr(mode, "name", str(mode)) == RunMode.MULTIRUN.name
