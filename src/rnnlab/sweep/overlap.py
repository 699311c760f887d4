"""A sweep's pre-flight beside the import of its training stack, on two cores.

The pre-flight composes and validates every job of a grid (rnnlab.sweep.preflight; ~0.5 s
for twelve jobs here), and a launcher that trains in this process (basic, stacked) then
imports torch, Lightning and torchmetrics (~5 s). Neither needs the other, and Python imports
on one core: on Linux the checks run in a forked child while this process imports. A bad
value still stops the sweep at once: the child says it in its one sentence, and this process
exits with the child's status without waiting for its import to end. Where forking is not
used (not Linux, where fork is unsafe or missing, or one core, or other Python threads
running) the checks run here, then the import. The child is forked before the import, while
the process runs no Python thread (numpy's BLAS may hold idle native ones, which OpenBLAS
and MKL re-create after a fork).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence

from rnnlab.config.guard import exit_on_user_error
from rnnlab.run import startup

#: The modules a launcher that trains in this process imports first: its jobs' training stack.
#: Launchers that train in other processes (joblib, submitit) import nothing here.
IN_PROCESS_TRAINING = {
    "hydra._internal.core_plugins.basic_launcher.BasicLauncher": ("rnnlab.run.training",),
    "hydra_plugins.rnnlab_sweep.stacked.StackedLauncher": ("rnnlab.stack.training",),
}


def training_modules(launcher_target: str | None) -> tuple[str, ...]:
    """What the launcher will import to train, if it trains in this process."""
    return IN_PROCESS_TRAINING.get(launcher_target or "", ())


def can_fork() -> bool:
    """Whether the checks may run in a forked child: Linux, a second core, and no other
    Python thread (a fork copies only the thread that calls it)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return sys.platform == "linux" and cores > 1 and threading.active_count() == 1


def check_while_importing(
    check: Callable[[], object], modules: Sequence[str], program: str
) -> None:
    """Run ``check`` and import ``modules`` (rnnlab.run.startup), side by side where the
    machine allows.

    ``check`` raises RnnlabError for a bad value; then ``program: error: <sentence>`` is on
    stderr and the process exits non-zero, as if it had run here.
    """
    if not modules or not can_fork():
        check()
        startup.import_long_lived(modules)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # the checks, then gone: nothing after the fork point runs twice
        status = 1
        try:
            status = _status_of(check, program)
        finally:
            os._exit(status)
    watcher = threading.Thread(target=_exit_with_failed_child, args=(child, program), daemon=True)
    watcher.start()
    try:
        startup.import_long_lived(modules)
    finally:
        watcher.join()


def _status_of(check: Callable[[], object], program: str) -> int:
    """The exit status of ``check`` run as the entry point runs it (in the forked child)."""
    try:
        with exit_on_user_error(program):
            check()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C reached both processes; the parent says nothing either
        return 1
    except BaseException:  # a bug: its whole traceback, as the entry point would show it
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _exit_with_failed_child(child: int, program: str) -> None:
    """Wait for the checks; if they failed (the child said why), end this process at once."""
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return
    if code < 0:  # killed (e.g. out of memory): it could not say so itself
        print(
            f"{program}: error: the sweep's pre-flight check was killed by signal {-code}",
            file=sys.stderr,
        )
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
