"""One launch at a time per sweep folder.

A sweep that is still running (a SLURM job not yet dead, a second terminal) and a resume of
the same folder would train the same interrupted jobs twice, into the same folders. A launch
takes ``.rnnlab-sweep.lock`` (host and process id) atomically — before Hydra starts, when it
resumes a folder, and when the sweep starts otherwise — and removes it when the sweep ends or
is interrupted. A lock naming a live process on this host, or any process on another host
(which this one cannot check), refuses the folder; a lock left by a killed process on this
host is stale and taken over.

A search is the exception: its trials come from one shared study, so several launches may
work on it at once (terminals, SLURM array tasks). Each *joins* the folder instead of locking
it: it writes ``.rnnlab-workers/<host>_<pid>`` and touches it every half minute, so that a
trial a dead worker left running can be told from one a live worker is training. A worker is
named ``host:pid:start`` (its process's start time, where /proc gives it), so a process id
reused by another process (a restarted container numbers its processes afresh, under the
same host name) is not taken for the dead worker: one on this host is alive when a process
with its id and start time runs and its heartbeat, if it has one, is recent; one elsewhere
by that heartbeat alone; and a worker named as this very process is dead (this launch is
asking, so it is not working on a trial: it is a restart that got the same name). Whether
the command is the same search is checked before (rnnlab.sweep.same_sweep); a grid still
locks.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from contextlib import suppress
from pathlib import Path

from rnnlab.errors import ConfigError

LOCK_FILE = ".rnnlab-sweep.lock"
#: How long an unreadable lock counts as one being written by another launch.
_WRITE_GRACE_S = 10.0
WORKERS_DIR = ".rnnlab-workers"
#: How often a search's worker shows it is alive, and when one on another host counts as dead.
_HEARTBEAT_S = 30.0
_STALE_S = 300.0


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
    path = sweep_dir / LOCK_FILE
    record = _read(path)
    if record is None:
        # unreadable: being written this instant by another launch, or damaged long ago
        return "another launch" if _younger_than(path, _WRITE_GRACE_S) else None
    if record == _mine():
        return None
    pid = int(str(record["pid"]))
    if record["host"] == socket.gethostname() and not _alive(pid):
        return None  # the launch was killed; its lock is stale
    return f"process {pid} on {record['host']}"


def _younger_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def acquire(sweep_dir: Path) -> None:
    """Take the folder's lock, or ConfigError in one sentence naming who holds it.

    The lock appears whole or not at all (written aside, then hard-linked into place, which
    fails if a lock is there), so no other launch ever reads a half-written one.
    """
    sweep_dir.mkdir(parents=True, exist_ok=True)
    path = sweep_dir / LOCK_FILE
    aside = sweep_dir / f"{LOCK_FILE}.{os.getpid()}"
    aside.write_text(json.dumps(_mine()) + "\n")
    try:
        for _ in range(2):  # a second try after removing a stale lock
            try:
                os.link(aside, path)
                return
            except FileExistsError:
                running = holder(sweep_dir)
                if running is not None:
                    raise ConfigError(
                        f"{sweep_dir} is being run by {running}: wait for it to end or stop "
                        f"it first (if it is gone, delete {path})."
                    ) from None
                if _read(path) == _mine():
                    return
                with suppress(OSError):
                    path.unlink()
        raise ConfigError(f"{sweep_dir}: its lock {path} could not be taken; try again.")
    finally:
        with suppress(OSError):
            aside.unlink()


def release(sweep_dir: Path) -> None:
    """Remove the folder's lock if this process holds it."""
    path = sweep_dir / LOCK_FILE
    if _read(path) == _mine():
        with suppress(OSError):
            path.unlink()


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, /proc/<pid>/stat field 22), or
    None where that cannot be read (no such process, no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return fields[19] if len(fields) > 19 and fields[19].isdigit() else None


def worker_id() -> str:
    """This process as a search's worker: ``host:pid:start`` (``host:pid`` where its start
    time cannot be read), recorded with each trial it asks."""
    pid = os.getpid()
    start = _start_time(pid)
    return f"{socket.gethostname()}:{pid}" + (f":{start}" if start else "")


def _parse_worker(worker: str) -> tuple[str, str, str | None]:
    """(host, pid, start time or None) of a worker's name, new (``host:pid:start``) or old."""
    head, _, last = worker.rpartition(":")
    host, _, middle = head.rpartition(":")
    if host and middle.isdigit() and last.isdigit():
        return host, middle, last
    return head, last, None


def _worker_file(sweep_dir: Path, worker: str) -> Path:
    return sweep_dir / WORKERS_DIR / worker.replace(":", "_").replace("/", "_")


def _beat(path: Path, stop: threading.Event) -> None:
    while not stop.wait(_HEARTBEAT_S):
        with suppress(OSError):
            path.touch()


_BEATING: dict[Path, threading.Event] = {}


def join(sweep_dir: Path) -> None:
    """Join a search in ``sweep_dir`` as one of its workers (ConfigError if a grid sweep,
    which does not share, holds the folder's lock)."""
    running = holder(sweep_dir)
    if running is not None and (sweep_dir / LOCK_FILE).exists():
        raise ConfigError(
            f"{sweep_dir} is being run by {running}: wait for it to end or stop it first "
            f"(if it is gone, delete {sweep_dir / LOCK_FILE})."
        )
    path = _worker_file(sweep_dir, worker_id())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_mine()) + "\n")
    if path not in _BEATING:
        stop = threading.Event()
        threading.Thread(target=_beat, args=(path, stop), daemon=True).start()
        _BEATING[path] = stop


def leave(sweep_dir: Path) -> None:
    """Stop being a worker of the search in ``sweep_dir`` (nothing if this process was not)."""
    path = _worker_file(sweep_dir, worker_id())
    if (stop := _BEATING.pop(path, None)) is not None:
        stop.set()
    with suppress(OSError):
        path.unlink()
    with suppress(OSError):
        path.parent.rmdir()  # the last worker out


def worker_alive(sweep_dir: Path, worker: str | None) -> bool:
    """Whether the worker that asked a trial still works on it: a process on this host that
    is alive, or a worker elsewhere whose heartbeat is recent."""
    if not worker:
        return False
    host, pid, start = _parse_worker(worker)
    mine_host, mine_pid, _ = _parse_worker(worker_id())
    if (host, pid) == (mine_host, mine_pid):
        return False  # named as this process, which is asking, not training: a restart
    heartbeat = _worker_file(sweep_dir, worker)
    if host != socket.gethostname():
        return _younger_than(heartbeat, _STALE_S)
    if not pid.isdigit() or not _alive(int(pid)):
        return False
    if start is not None and _start_time(int(pid)) not in (None, start):
        return False  # its process id now belongs to another process
    return not heartbeat.exists() or _younger_than(heartbeat, _STALE_S)
