"""A sweep's pre-flight beside the import of its training stack, on two cores.

The pre-flight composes and validates every job of a grid (rnnlab.sweep.preflight; ~0.7 s
for twelve jobs here), and a launcher that trains in this process (basic, stacked) then
imports torch, Lightning and torchmetrics (~5 s). Neither needs the other, and Python imports
on one core: on Linux the checks run in a forked child while this process imports. A bad
value still stops the sweep at once: the child says it in its one sentence, and this process
exits with the child's status without waiting for its import to end. Where there is no
``fork`` (macOS and Windows spawn) or no second core, the checks run here, then the import.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence

from rnnlab.config.guard import exit_on_user_error

#: The modules a launcher that trains in this process imports first: its jobs' training stack.
#: Launchers that train in other processes (joblib, submitit) import nothing here.
IN_PROCESS_TRAINING = {
    "hydra._internal.core_plugins.basic_launcher.BasicLauncher": ("rnnlab.run.training",),
    "hydra_plugins.rnnlab_sweep.stacked.StackedLauncher": ("rnnlab.stack.training",),
}


def training_modules(launcher_target: str | None) -> tuple[str, ...]:
    """What the launcher will import to train, if it trains in this process."""
    return IN_PROCESS_TRAINING.get(launcher_target or "", ())


def _can_fork() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return sys.platform == "linux" and cores > 1 and threading.active_count() == 1


def check_while_importing(check: Callable[[], None], modules: Sequence[str], program: str) -> None:
    """Run ``check`` and import ``modules``, side by side where the machine allows.

    ``check`` raises RnnlabError for a bad value; then ``program: error: <sentence>`` is on
    stderr and the process exits non-zero, as if it had run here.
    """
    if not modules or not _can_fork():
        check()
        for module in modules:
            importlib.import_module(module)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # the checks, then gone: nothing after the fork point runs twice
        os._exit(_status_of(check, program))
    watcher = threading.Thread(target=_exit_with_failed_child, args=(child,), daemon=True)
    watcher.start()
    try:
        for module in modules:
            importlib.import_module(module)
    finally:
        watcher.join()


def _status_of(check: Callable[[], None], program: str) -> int:
    """The exit status of ``check`` run as the entry point runs it (in the forked child)."""
    try:
        with exit_on_user_error(program):
            check()
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    except KeyboardInterrupt:  # Ctrl-C reached both processes; this one goes quietly
        return 1
    except BaseException:  # a bug: its whole traceback, as the entry point would show it
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _exit_with_failed_child(child: int) -> None:
    """Wait for the checks; if they failed (the child said why), end this process at once."""
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if code > 0 else 1)
