"""What rnnlab-train says when Ctrl-C stops a single run: where its last checkpoint is and
the command that continues it, in one line (a sweep says how to resume it:
``rnnlab.sweep.launches``).

Lightning stops the fit gracefully and the run keeps its folder, without metrics.json; its
``last.ckpt`` (the last finished epoch) continues it into a new run folder with the same
command and ``ckpt_path=`` (README: resuming a run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from omegaconf import DictConfig

from rnnlab.config.commands import shell_command
from rnnlab.config.guard import current_run_dir
from rnnlab.config.path_values import as_typed
from rnnlab.run_folder import LAST_CHECKPOINT, run_status

CHECKPOINT_KEY = "ckpt_path"


def _shown(path: Path) -> str:
    """A path as short as it can be pasted from here: relative inside the working directory."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


def checkpoint_to_continue(cfg: DictConfig, run_dir: Path | None) -> Path | None:
    """The run's own last checkpoint; before it wrote one, the checkpoint it continued."""
    if run_dir is not None and run_status(run_dir) == "interrupted":
        return run_dir / LAST_CHECKPOINT
    given = cfg.get(CHECKPOINT_KEY)
    return Path(str(given)) if given and cfg.get("train", True) else None


def _without_checkpoint(arguments: Sequence[str]) -> list[str]:
    return [a for a in arguments if a.lstrip("+").partition("=")[0] != CHECKPOINT_KEY]


def continue_hint(program: str, arguments: Sequence[str], checkpoint: Path | None) -> str:
    """One line: the run stopped, its last checkpoint, and the command that continues it."""
    if checkpoint is None:
        again = shell_command(program, arguments)
        return f"rnnlab: the run stopped before its first checkpoint; start it again with: {again}"
    shown = _shown(checkpoint)
    command = shell_command(program, [*_without_checkpoint(arguments), f"{CHECKPOINT_KEY}={shown}"])
    return (
        f"rnnlab: the run stopped before it ended; its last checkpoint is {shown}; "
        f"continue it (into a new run folder) with: {command}"
    )


@contextmanager
def said_how_to_continue(cfg: DictConfig, program: str) -> Iterator[None]:
    """Run a single run; on Ctrl-C say how to continue it, then let the interrupt go on
    (``rnnlab.sweep.launch.launched`` ends the process with status 1)."""
    try:
        yield
    except KeyboardInterrupt:
        checkpoint = checkpoint_to_continue(cfg, current_run_dir())
        # sys.argv is the command line Hydra ran (rnnlab-train's main set it), paths quoted
        arguments = as_typed(sys.argv[1:])
        print(continue_hint(program, arguments, checkpoint), file=sys.stderr, flush=True)
        raise
