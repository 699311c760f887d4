"""Where a search's study lives: ``hydra.sweeper.storage``.

- ``sqlite:///<file>`` (the default, ``<sweep folder>/optuna.db``): one machine, any number of
  worker processes;
- a path ending in ``.log`` or ``.journal`` (or ``journal:<path>``): Optuna's journal file, for
  workers on several machines that share a file system (NFS, Lustre) but no database server;
- any other database URL SQLAlchemy knows (``postgresql://...``, ``mysql+pymysql://...``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnlab.errors import ConfigError

_JOURNAL_SUFFIXES = (".log", ".journal")
_JOURNAL_PREFIX = "journal:"
#: How long a worker waits for SQLite's write lock while other workers write (seconds).
_SQLITE_TIMEOUT_S = 60
_VALID = (
    "use sqlite:///<file>, a database URL such as postgresql://user@host/db, or a journal "
    "file <path>.log for workers on several machines"
)


def journal_path(url: str) -> Path | None:
    """The journal file a storage names, or None for a database URL."""
    if url.startswith(_JOURNAL_PREFIX):
        return Path(url[len(_JOURNAL_PREFIX) :].removeprefix("//"))
    if "://" not in url and url.endswith(_JOURNAL_SUFFIXES):
        return Path(url)
    return None


def check_storage(url: Any) -> str:
    """The storage URL, or ConfigError in one sentence; opens nothing."""
    text = str(url)
    if url is None or not text.strip():
        raise ConfigError(
            "hydra.sweeper.storage is empty: an rnnlab search keeps its study so that it can "
            f"resume and share it; {_VALID}."
        )
    if journal_path(text) is not None:
        return text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(text).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(
            f"hydra.sweeper.storage={text} is not a storage Optuna can open ({reason}): {_VALID}."
        ) from None
    return text


def open_storage(url: str) -> Any:
    """Optuna's storage object for ``url``; ConfigError if it cannot be opened."""
    import optuna

    url = check_storage(url)
    journal = journal_path(url)
    try:
        if journal is not None:
            from optuna.storages.journal import JournalFileBackend

            journal.parent.mkdir(parents=True, exist_ok=True)
            return optuna.storages.JournalStorage(JournalFileBackend(str(journal)))
        engine: dict[str, Any] = {}
        if url.startswith("sqlite"):
            engine = {"connect_args": {"timeout": _SQLITE_TIMEOUT_S}}
        return optuna.storages.RDBStorage(url, engine_kwargs=engine)
    except (OSError, ImportError, ValueError, RuntimeError) as error:
        raise _unopenable(url, error) from None
    except Exception as error:  # SQLAlchemy's OperationalError and the like
        if type(error).__module__.startswith("sqlalchemy"):
            raise _unopenable(url, error) from None
        raise


def _unopenable(url: str, error: BaseException) -> ConfigError:
    first = str(error).strip().splitlines()
    reason = first[0] if first else type(error).__name__
    return ConfigError(f"hydra.sweeper.storage={url} could not be opened ({reason}): {_VALID}.")


def dashboard_command(url: str) -> str:
    """The ``optuna-dashboard`` command that shows the study (for those who have it)."""
    import shlex

    journal = journal_path(url)
    return f"optuna-dashboard {shlex.quote(str(journal) if journal is not None else url)}"
