"""What rnnlab uses of ``hydra._internal``: the basic sweeper and two steps of composition.

rnnlab's resumable grid sweeper subclasses the basic sweeper, and the pre-flight uses its
``split_arguments`` to list a grid's jobs in the exact order Hydra launches them. A sweep's
jobs are composed once per choice of config groups (rnnlab.config.job_configs), with each
job's values applied by Hydra's own step (``_apply_overrides_to_config``) and its folder named
by Hydra's own ``get_overrides_dirname``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from rnnlab.compat import missing

_MODULE = "hydra._internal.core_plugins.basic_sweeper"
_NAME = f"{_MODULE}.BasicSweeper"
_LOADER = "hydra._internal.config_loader_impl"


def basic_sweeper_class() -> Any:
    """Hydra's BasicSweeper class as its module holds it now.

    Looked up at each call, never kept: Hydra's plugin scan executes its core plugin modules
    again, and a subclass of an earlier BasicSweeper fails its own ``super()`` calls.
    """
    try:
        module = importlib.import_module(_MODULE)
    except ImportError:
        raise missing("hydra-core", _MODULE, "run grids and list a grid's jobs") from None
    sweeper = getattr(module, "BasicSweeper", None)
    if sweeper is None:
        raise missing("hydra-core", _NAME, "run grids and list a grid's jobs")
    return sweeper


def _loader_function(name: str, used_for: str) -> Any:
    found: Any = importlib.import_module(_LOADER)
    for part in name.split("."):
        found = getattr(found, part, None)
    if not callable(found):
        raise missing("hydra-core", f"{_LOADER}.{name}", used_for)
    return found


def apply_config_overrides(overrides: Sequence[Any], cfg: Any) -> None:
    """Apply parsed value overrides to a composed config as Hydra does after composing."""
    step = _loader_function(
        "ConfigLoaderImpl._apply_overrides_to_config", "apply a sweep job's values"
    )
    step(list(overrides), cfg)


def overrides_dirname(
    overrides: Sequence[Any], kv_sep: str, item_sep: str, exclude_keys: Sequence[str]
) -> str:
    """``hydra.job.override_dirname`` of a job's task overrides, as Hydra writes it."""
    name = _loader_function("get_overrides_dirname", "name a sweep job's overrides")
    return str(
        name(
            overrides=list(overrides),
            kv_sep=kv_sep,
            item_sep=item_sep,
            exclude_keys=list(exclude_keys),
        )
    )


def check() -> None:
    """Raise CompatError unless BasicSweeper and the composition steps are there."""
    if not callable(getattr(basic_sweeper_class(), "split_arguments", None)):
        raise missing("hydra-core", f"{_NAME}.split_arguments", "list a grid's jobs in order")
    _loader_function("ConfigLoaderImpl._apply_overrides_to_config", "apply a sweep job's values")
    _loader_function("get_overrides_dirname", "name a sweep job's overrides")


def grid_batches(parsed_overrides: Sequence[object]) -> list[list[str]]:
    """Every job's overrides of a parsed command line, in Hydra's launch order."""
    check()
    (batch,) = basic_sweeper_class().split_arguments(list(parsed_overrides), max_batch_size=None)
    return batch
