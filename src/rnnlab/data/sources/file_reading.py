"""Find the user's file and hand it to the reader for its format (.npz or .csv)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnlab.data.sources.csv_file import read_long_csv
from rnnlab.data.sources.npz_file import read_npz
from rnnlab.data.sources.sequence_file import (
    TRAIN_SETTINGS,
    CsvColumns,
    SequenceFile,
    SettingNames,
)
from rnnlab.errors import ConfigError

SUFFIXES = (".npz", ".csv")


def check_path(path: Any, field: str) -> Path:
    """The file at ``path``, or one sentence when it is missing or of an unknown kind."""
    if path is None or str(path).strip() == "":
        raise ConfigError(
            f"{field} is required: give the path of an .npz or .csv file of sequences, "
            f"e.g. {field}=examples/sequences.npz."
        )
    file = Path(str(path)).expanduser()
    if file.is_dir():
        raise ConfigError(
            f"{field}={str(path)!r} is a folder: give the path of an .npz or .csv file of "
            "sequences, not of the folder that holds it."
        )
    if not file.is_file():
        raise ConfigError(
            f"{field}={str(path)!r} does not exist: give the path of an .npz or .csv file of "
            "sequences (a relative path is read from the directory you launch in)."
        )
    if file.suffix.lower() not in SUFFIXES:
        raise ConfigError(
            f"{field}={str(path)!r} is neither an .npz nor a .csv file: save the sequences "
            "with numpy.savez, or as a CSV with one row per time step."
        )
    return file


def read_sequence_file(
    path: Any,
    field: str,
    columns: CsvColumns,
    need_targets: bool,
    settings: SettingNames = TRAIN_SETTINGS,
    allow_pickle: bool = False,
) -> SequenceFile:
    """Read ``path`` (.npz or .csv) into a SequenceFile; ``field`` names it in messages.

    ``need_targets``: training needs them (a missing key or column is an error); prediction
    takes them when the file has them. ``settings``: how advice names the settings
    (``data.id_column`` for rnnlab-train, ``id_column`` for rnnlab-predict).
    ``allow_pickle``: an .npz may hold object arrays, which pickle reads (it can run code).
    """
    file = check_path(path, field)
    if file.suffix.lower() == ".npz":
        return read_npz(file, str(path), need_targets, allow_pickle, settings)
    return read_long_csv(file, str(path), columns, need_targets, settings)
