"""Turn a user error into one sentence on stderr and a non-zero exit, leaving no run behind."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from hydra.core.hydra_config import HydraConfig

from rnnlab.errors import RnnlabError

#: Exit status for bad input (config, data file, checkpoint), as argparse uses for bad arguments.
USER_ERROR_EXIT = 2


def _discard_unfinished_run_dir() -> None:
    """Remove this run's directory unless it already holds a checkpoint worth keeping."""
    if not HydraConfig.initialized():
        return
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    checkpoints = run_dir / "checkpoints"
    if run_dir.is_dir() and not (checkpoints.is_dir() and any(checkpoints.iterdir())):
        shutil.rmtree(run_dir, ignore_errors=True)
        with suppress(OSError):  # the <name>/ folder too, if this run was its only one
            run_dir.parent.rmdir()


@contextmanager
def exit_on_user_error(program: str) -> Iterator[None]:
    """Run the body; on RnnlabError print ``program: error: <sentence>`` and exit 2."""
    try:
        yield
    except RnnlabError as error:
        _discard_unfinished_run_dir()
        print(f"{program}: error: {error}", file=sys.stderr)
        raise SystemExit(USER_ERROR_EXIT) from None
