"""Turn a user error into one sentence on stderr and a non-zero exit, leaving no run behind."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from hydra.core.hydra_config import HydraConfig

from rnnlab.errors import DivergedError, RnnlabError
from rnnlab.run_folder import has_checkpoint, has_record

#: Exit status for bad input (config, data file, checkpoint), as argparse uses for bad arguments.
USER_ERROR_EXIT = 2
#: Exit status of a run that trained but diverged (its metrics.json says so).
DIVERGED_EXIT = 1


def current_run_dir() -> Path | None:
    """This job's run directory, when Hydra has set one up."""
    if not HydraConfig.initialized():
        return None
    return Path(HydraConfig.get().runtime.output_dir)


def _discard_unfinished_run_dir() -> None:
    """Remove this run's directory unless it holds a checkpoint or a metrics.json."""
    run_dir = current_run_dir()
    if run_dir is None or not run_dir.is_dir():
        return
    if has_checkpoint(run_dir) or has_record(run_dir):
        return
    shutil.rmtree(run_dir, ignore_errors=True)
    with suppress(OSError):  # the <name>/ folder too, if this run was its only one
        run_dir.parent.rmdir()


@contextmanager
def exit_on_user_error(program: str) -> Iterator[None]:
    """Run the body; on RnnlabError print ``program: error: <sentence>`` and exit non-zero."""
    try:
        yield
    except RnnlabError as error:
        _discard_unfinished_run_dir()
        print(f"{program}: error: {error}", file=sys.stderr)
        code = DIVERGED_EXIT if isinstance(error, DivergedError) else USER_ERROR_EXIT
        raise SystemExit(code) from None
