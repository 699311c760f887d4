"""A search's settings checked before Hydra starts: a bad pruner, storage, direction, trial
count or search space is said in one sentence, and nothing is written."""

from __future__ import annotations

from collections.abc import Sequence

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.group_options import read_command_line
from rnnlab.search.pruners import check_pruner
from rnnlab.search.space import search_space
from rnnlab.search.storage import check_storage
from rnnlab.sweep.stored import is_search_sweeper
from rnnlab.sweep.study import search_settings


def is_search(composed: DictConfig | None) -> bool:
    """Whether the composed config hands the sweep to the search sweeper."""
    if composed is None:
        return False
    return is_search_sweeper(OmegaConf.select(composed, "hydra.sweeper._target_", default=None))


def check_search(composed: DictConfig, arguments: Sequence[str]) -> None:
    """ConfigError in one sentence for the first bad search setting."""
    check_pruner(OmegaConf.select(composed, "hparams_search.pruner", default="none"))
    try:
        settings = search_settings(composed)
    except OmegaConfBaseException:
        return  # an interpolation only a launch resolves: the sweeper says it then
    check_storage(settings.storage)
    overrides = read_command_line(list(arguments)).overrides
    task = [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    search_space(settings.params, task)
