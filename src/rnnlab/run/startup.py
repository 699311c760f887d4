"""Importing the training stack without the garbage collector's full passes.

Importing torch, Lightning and torchmetrics makes about a million objects that live as long
as the process, and Python's cyclic collector walks every one of them at each of its full
passes: several during the import and more while a run trains (0.1-0.7 s each on the 2-core
machine, more under load). ``import_long_lived`` collects what the start left (a small heap:
~0.05 s), imports with the collector off, then moves everything alive to the permanent
generation (``gc.freeze``) and switches the collector back on: later passes walk only what
the run itself makes, and processes forked from it (figure drawing) do not copy the frozen
pages to count them. It freezes once a process, so the jobs of a sweep run in one process
are collected as usual.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Sequence

_state = {"frozen": False}


def import_long_lived(modules: Sequence[str]) -> None:
    """Import ``modules`` (a run's training stack); the first call in a process freezes."""
    if _state["frozen"]:
        for module in modules:
            importlib.import_module(module)
        return
    gc.collect()  # the start's garbage is not frozen with the rest
    enabled = gc.isenabled()
    gc.disable()
    try:
        for module in modules:
            importlib.import_module(module)
    finally:
        gc.freeze()
        _state["frozen"] = True
        if enabled:
            gc.enable()
