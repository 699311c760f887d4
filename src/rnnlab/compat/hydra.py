"""Hydra's basic sweeper, which lives in ``hydra._internal``.

rnnlab's resumable grid sweeper subclasses it, and the pre-flight uses its
``split_arguments`` to list a grid's jobs in the exact order Hydra launches them.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from rnnlab.compat import missing

_MODULE = "hydra._internal.core_plugins.basic_sweeper"
_NAME = f"{_MODULE}.BasicSweeper"


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


def check() -> None:
    """Raise CompatError unless BasicSweeper is there with what rnnlab calls."""
    if not callable(getattr(basic_sweeper_class(), "split_arguments", None)):
        raise missing("hydra-core", f"{_NAME}.split_arguments", "list a grid's jobs in order")


def grid_batches(parsed_overrides: Sequence[object]) -> list[list[str]]:
    """Every job's overrides of a parsed command line, in Hydra's launch order."""
    check()
    (batch,) = basic_sweeper_class().split_arguments(list(parsed_overrides), max_batch_size=None)
    return batch
