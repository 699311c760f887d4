"""One launch at a time per sweep folder.

A sweep that is still running (a SLURM job not yet dead, a second terminal) and a resume of
the same folder would train the same interrupted jobs twice, into the same folders. A launch
takes ``.rnnlab-sweep.lock`` (host and process id) atomically — before Hydra starts, when it
resumes a folder, and when the sweep starts otherwise — and removes it when the sweep ends or
is interrupted. A lock naming a live process on this host, or any process on another host
(which this one cannot check), refuses the folder; a lock left by a killed process on this
host is stale and taken over.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import suppress
from pathlib import Path

from rnnlab.errors import ConfigError

LOCK_FILE = ".rnnlab-sweep.lock"


def _mine() -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read(path: Path) -> dict[str, object] | None:
    try:
        record = json.loads(path.read_text())
        return {"host": str(record["host"]), "pid": int(record["pid"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def holder(sweep_dir: Path) -> str | None:
    """Who else runs the sweep in ``sweep_dir`` now (``process 123 on host``), or None."""
    record = _read(sweep_dir / LOCK_FILE)
    if record is None or record == _mine():
        return None
    pid = int(str(record["pid"]))
    if record["host"] == socket.gethostname() and not _alive(pid):
        return None  # the launch was killed; its lock is stale
    return f"process {pid} on {record['host']}"


def acquire(sweep_dir: Path) -> None:
    """Take the folder's lock, or ConfigError in one sentence naming who holds it."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    path = sweep_dir / LOCK_FILE
    for _ in range(2):  # a second try after removing a stale lock
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            running = holder(sweep_dir)
            if running is not None:
                raise ConfigError(
                    f"{sweep_dir} is being run by {running}: wait for it to end or stop it "
                    f"first (if it is gone, delete {path})."
                ) from None
            if _read(path) == _mine():
                return
            with suppress(OSError):
                path.unlink()
            continue
        with os.fdopen(descriptor, "w") as file:
            file.write(json.dumps(_mine()) + "\n")
        return
    raise ConfigError(f"{sweep_dir}: its lock {path} could not be taken; try again.")


def release(sweep_dir: Path) -> None:
    """Remove the folder's lock if this process holds it."""
    path = sweep_dir / LOCK_FILE
    if _read(path) == _mine():
        with suppress(OSError):
            path.unlink()
