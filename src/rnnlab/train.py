"""rnnlab-train: compose a run from conf/, validate it, train it, test it.

Torch and Lightning are imported only after the config has passed validation, so a
bad value is reported in well under a second. With ``-m`` every job of the grid is
checked before the first one trains, job folders are named by the swept values, a
failing job is recorded and the sweep goes on, and the sweep exits non-zero if any failed.
"""

from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig

from rnnlab.config.composition import check_composes
from rnnlab.config.group_options import check_group_overrides
from rnnlab.config.guard import exit_on_user_error
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.processes import refuse_ddp_in_multirun
from rnnlab.config.validation import validate
from rnnlab.sweep.command_line import is_multirun, name_by_swept_values
from rnnlab.sweep.folders import register_job_folder_resolver
from rnnlab.sweep.job import (
    continue_interrupted_job,
    in_multirun,
    isolated_job,
    search_value,
)

# A user's mistake is caught and said in one sentence; what reaches Hydra is a bug, and a bug
# needs its whole traceback, which Hydra prints only with this set.
os.environ.setdefault("HYDRA_FULL_ERROR", "1")

#: The primary config in CONFIG_DIR; the group check also reads its hydra.searchpath.
CONFIG_NAME = "train"
PROGRAM = "rnnlab-train"

# At import, so that launcher workers that unpickle ``run`` know the resolver too.
register_job_folder_resolver()


def _train(cfg: DictConfig) -> float | None:
    validate(cfg)
    refuse_ddp_in_multirun(cfg)  # a search's jobs are not known to the pre-flight
    from rnnlab.run.training import train

    return train(cfg)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name=CONFIG_NAME)
def run(cfg: DictConfig) -> float | None:
    if in_multirun():
        result = None
        with isolated_job(PROGRAM):
            continue_interrupted_job(cfg)
            result = _train(cfg)
        return search_value(result, cfg.get("optimized_metric"))
    with exit_on_user_error(PROGRAM):
        return _train(cfg)


def _is_sweep(arguments: list[str]) -> bool:
    """``-m``, or a preset that is a sweep by itself (``experiment=vanishing_gradients``)."""
    if is_multirun(arguments):
        return True
    if not any(a.lstrip("+").startswith(("experiment=", "hparams_search=")) for a in arguments):
        return False
    from rnnlab.sweep.preflight import preset_is_sweep

    return preset_is_sweep(arguments, CONFIG_DIR, CONFIG_NAME)


def check_resumed_sweep(arguments: list[str]) -> None:
    """A sweep run into the folder of an earlier one must be the same sweep."""
    from rnnlab.sweep.same_sweep import check_same_sweep, sweep_to_resume

    stored = sweep_to_resume(arguments)
    if stored is not None:
        check_same_sweep(stored, arguments, CONFIG_DIR, CONFIG_NAME)


def hold_sweep_folder(arguments: list[str]) -> None:
    """Lock a sweep folder given on the command line before Hydra writes into it (a new,
    time-stamped folder is locked when the sweep starts)."""
    from rnnlab.sweep.same_sweep import requested_sweep_dir
    from rnnlab.sweep.summary import hold

    if (directory := requested_sweep_dir(arguments)) is not None:
        hold(directory)


def main() -> float | None:
    arguments = sys.argv[1:]
    with exit_on_user_error(PROGRAM):
        if any(a == "--resume" or a.startswith("--resume=") for a in arguments):
            from rnnlab.sweep.same_sweep import expand_resume_flag

            arguments = expand_resume_flag(arguments)
            sys.argv = [sys.argv[0], *arguments]
        check_group_overrides(arguments, CONFIG_DIR, CONFIG_NAME)
        sweeping = _is_sweep(arguments)
        # a sweep's pre-flight composes every job; here its Hydra settings are checked too
        check_composes(arguments, CONFIG_DIR, CONFIG_NAME, without_sweeps=sweeping)
        if sweeping:
            from rnnlab.sweep.preflight import check_grid

            check_resumed_sweep(arguments)
            check_grid(arguments, CONFIG_DIR, CONFIG_NAME)
            hold_sweep_folder(arguments)  # checked: now no other launch may take the folder
            sys.argv = [sys.argv[0], *name_by_swept_values(arguments)]
    try:
        result = run()
    except (KeyboardInterrupt, SystemExit) as stop:
        if sweeping:
            from rnnlab.sweep.summary import interrupted

            if hint := interrupted():
                print(hint, file=sys.stderr)
        if isinstance(stop, KeyboardInterrupt):  # Ctrl-C before Lightning could catch it
            raise SystemExit(1) from None
        raise
    finally:
        if sweeping:
            from rnnlab.sweep.summary import release_locks

            release_locks()
    if sweeping:
        from rnnlab.sweep.summary import any_sweep_failed

        if any_sweep_failed():
            raise SystemExit(1)
    return result


if __name__ == "__main__":
    main()
