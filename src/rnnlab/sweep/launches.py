"""The sweeps this process launched: the folder locks it holds and how each sweep ended.

``rnnlab-train`` takes a sweep folder's lock before Hydra starts (or when the sweep starts,
for a new time-stamped folder), releases every lock it holds whatever ends the process, says
how to resume a sweep that was interrupted, and exits 1 when a sweep had a job that failed.
This is process state by nature (one launch, one process); it is kept here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.config.commands import shell_command
from rnnlab.sweep import lock

#: The sweeps this process started and has not seen end, newest last.
_STARTED: list[Path] = []
#: The sweeps this process ran that had a job that did not complete.
_FAILED: list[Path] = []


def hold(sweep_dir: Path, *, shared: bool = False) -> None:
    """Take ``sweep_dir``'s lock for this process (ConfigError if another launch holds it),
    or, for a search (``shared``), join it as one more worker; released when the sweep ends,
    or by ``release_all``."""
    sweep_dir = sweep_dir.resolve()
    if shared:
        lock.join(sweep_dir)
    else:
        lock.acquire(sweep_dir)
    if sweep_dir not in _STARTED:
        _STARTED.append(sweep_dir)


def ended(sweep_dir: Path, *, failed: bool) -> None:
    """The sweep in ``sweep_dir`` ended: release its lock and remember whether it failed."""
    lock.release(sweep_dir)
    lock.leave(sweep_dir.resolve())
    if sweep_dir.resolve() in _STARTED:
        _STARTED.remove(sweep_dir.resolve())
    if failed:
        _FAILED.append(sweep_dir)


def release_all() -> None:
    """Release the lock of every sweep this process took (whatever ended it)."""
    while _STARTED:
        sweep_dir = _STARTED.pop()
        lock.release(sweep_dir)
        lock.leave(sweep_dir)


def resume_hint(program: str) -> str | None:
    """For a sweep this process started and did not see end: how to resume it (the
    command named as the user called it, so that the line works when pasted)."""
    if not _STARTED:
        return None
    command = shell_command(program, ["--resume", str(_STARTED[-1])])
    return f"rnnlab: the sweep stopped before it ended; resume it with: {command}"


def any_failed() -> bool:
    """Whether a sweep this process ran had a job that did not complete (exit status 1)."""
    return bool(_FAILED)
