"""What ``rnnlab-train`` does around Hydra: the checks before it starts and the end of a launch.

Before Hydra runs (a bad value costs well under a second, and nothing is written):
``--resume DIR`` is expanded into the sweep's own command line; path values are quoted for
Hydra's grammar (``rnnlab.config.path_values``); config groups and the command line are
checked; for a sweep, a resumed folder must hold the same sweep, every job of the grid is
composed and validated (the pre-flight), the folder's lock is taken and the job folders are
named by the swept values. Around Hydra: whatever ends the launch releases the locks, an
interrupted sweep says how to resume it, and a sweep with a failed job exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from omegaconf import DictConfig, OmegaConf

from rnnlab.config.composition import check_composes
from rnnlab.config.group_options import check_group_overrides
from rnnlab.config.path_values import quote_path_values
from rnnlab.data.sources.user_file_reading import check_data_file_of
from rnnlab.sweep import launches
from rnnlab.sweep.command_line import is_multirun, name_by_swept_values


def _wants_resume(arguments: list[str]) -> bool:
    return any(a == "--resume" or a.startswith("--resume=") for a in arguments)


def is_sweep(arguments: list[str], config_dir: str, config_name: str) -> bool:
    """``-m``, or a preset that is a sweep by itself (``experiment=vanishing_gradients``)."""
    if is_multirun(arguments):
        return True
    if not any(a.lstrip("+").startswith(("experiment=", "hparams_search=")) for a in arguments):
        return False
    from rnnlab.sweep.preflight import preset_is_sweep

    return preset_is_sweep(arguments, config_dir, config_name)


def _check_sweep(
    arguments: list[str],
    config_dir: str,
    config_name: str,
    composed: DictConfig | None,
    program: str | None,
) -> list[str]:
    """A sweep's checks before Hydra; the command line Hydra then runs. The grid's jobs are
    checked while the launcher's training stack is imported (rnnlab.sweep.overlap)."""
    from rnnlab.sweep.overlap import check_while_importing, training_modules
    from rnnlab.sweep.preflight import check_grid
    from rnnlab.sweep.same_sweep import check_same_sweep, requested_sweep_dir, sweep_to_resume
    from rnnlab.sweep.search_check import check_search, is_search

    if searched := is_search(composed):
        assert composed is not None
        check_search(composed, arguments)
    stored = sweep_to_resume(arguments)
    if stored is not None:  # a sweep run into the folder of an earlier one must be the same
        check_same_sweep(stored, arguments, config_dir, config_name)
    launcher = OmegaConf.select(composed, "hydra.launcher._target_") if composed else None
    modules = training_modules(launcher) if program else ()
    check_while_importing(
        lambda: check_grid(arguments, config_dir, config_name), modules, program or ""
    )
    # checked: now no other launch may take the folder (a new, time-stamped folder is locked
    # when the sweep starts)
    if (directory := requested_sweep_dir(arguments)) is not None:
        launches.hold(directory, shared=searched)  # a search's launches share its study
    return name_by_swept_values(arguments)


def prepare(
    arguments: list[str], config_dir: str, config_name: str, program: str | None = None
) -> tuple[list[str], bool]:
    """Check a command line before Hydra sees it: the arguments to run, and whether it is a
    sweep. A bad value raises RnnlabError, said in one sentence by the caller; given the
    entry point's ``program``, a sweep's jobs are checked while its training stack is imported
    (a bad one ends the process with that sentence from there)."""
    if _wants_resume(arguments):
        from rnnlab.sweep.same_sweep import expand_resume_flag

        arguments = expand_resume_flag(arguments)
    arguments = quote_path_values(arguments)  # a path with = or , works as typed
    check_group_overrides(arguments, config_dir, config_name)
    sweeping = is_sweep(arguments, config_dir, config_name)
    # a sweep's pre-flight composes every job; here its Hydra settings are checked too
    composed = check_composes(arguments, config_dir, config_name, without_sweeps=sweeping)
    if sweeping:
        arguments = _check_sweep(arguments, config_dir, config_name, composed, program)
    elif composed is not None:
        check_data_file_of(composed)  # a sweep's pre-flight reads each job's
    return arguments, sweeping


@contextmanager
def launched(sweeping: bool, program: str) -> Iterator[None]:
    """Run Hydra inside: on any end release the locks this process holds; on an interrupt
    say how to resume; a sweep with a failed job exits 1; Ctrl-C exits 1, not with a trace."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit) as stop:
        if sweeping and (hint := launches.resume_hint(program)):
            print(hint, file=sys.stderr)
        if isinstance(stop, KeyboardInterrupt):  # Ctrl-C before Lightning could catch it
            raise SystemExit(1) from None
        raise
    finally:
        launches.release_all()
    if sweeping and launches.any_failed():
        raise SystemExit(1)
