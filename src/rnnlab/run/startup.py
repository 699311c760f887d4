"""A process's start without the garbage collector's full passes.

Importing torch, Lightning and torchmetrics makes about a million objects that live as long
as the process, and Python's cyclic collector walks every one of them at each of its full
passes: several during the import and more while a run trains (~0.1-0.2 s each on the 2-core
machine). An entry point switches the collector off while it starts (``begin``) and, once the
training stack is imported (``end``), moves everything alive to the permanent generation
(``gc.freeze``) and switches it back on: later passes walk only what the run itself makes, and
processes forked from it (figure drawing) do not copy the frozen pages to count them. The
start allocates little garbage, which the freeze keeps; ``end`` freezes once a process, so
the jobs of a sweep run in one process are collected as usual.
"""

from __future__ import annotations

import gc

_state = {"frozen": False}


def begin() -> None:
    """No cyclic collection until ``end``: the objects made now live as long as the process."""
    if not _state["frozen"]:
        gc.disable()


def end() -> None:
    """Freeze what is alive (once a process) and collect as usual from now on."""
    if not _state["frozen"]:
        gc.freeze()
        _state["frozen"] = True
    gc.enable()
