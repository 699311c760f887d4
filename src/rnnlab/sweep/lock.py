"""One launch at a time per sweep folder.

A sweep that is still running (a SLURM job not yet dead, a second terminal) and a resume of
the same folder would train the same interrupted jobs twice, into the same folders. The
sweep writes ``.rnnlab-sweep.lock`` (host and process id) when it starts and removes it when
it ends; a resume refuses a folder whose lock names a live process on this host, or any
process on another host (which this one cannot check).
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import suppress
from pathlib import Path

LOCK_FILE = ".rnnlab-sweep.lock"


def take(sweep_dir: Path) -> None:
    sweep_dir.mkdir(parents=True, exist_ok=True)
    record = {"host": socket.gethostname(), "pid": os.getpid()}
    (sweep_dir / LOCK_FILE).write_text(json.dumps(record) + "\n")


def release(sweep_dir: Path) -> None:
    with suppress(OSError):
        (sweep_dir / LOCK_FILE).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder(sweep_dir: Path) -> str | None:
    """Who runs the sweep in ``sweep_dir`` now (``process 123 on host``), or None."""
    try:
        record = json.loads((sweep_dir / LOCK_FILE).read_text())
        host, pid = str(record["host"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if host == socket.gethostname() and not _alive(pid):
        return None  # the launch was killed; its lock is stale
    return f"process {pid} on {host}"
