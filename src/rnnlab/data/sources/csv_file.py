"""Read sequences from a long-format CSV: one row per time step, with a header line.

Columns (names configurable, CsvColumns): a sequence id, a time (a number; each
sequence's rows are sorted by it, and a time may not repeat within a sequence), the
features (numbers), a target that is one value per sequence (repeated on each of its
rows) and optionally a split. A sequence's rows need not be next to each other nor in
time order; sequences keep the order in which their ids first appear. Comma-separated
only. Read with the standard library: no pandas on the way.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnlab.data.sources.sequence_file import (
    TRAIN_SETTINGS,
    CsvColumns,
    SequenceFile,
    SettingNames,
    not_finite_message,
    pad,
    split_names,
)
from rnnlab.errors import ConfigError


@dataclass
class _Sequence:
    """The rows of one sequence id as they are read."""

    first_line: int
    times: list[float] = field(default_factory=list)
    #: The line of each time read so far: a repeated time is named with both lines.
    lines: dict[float, int] = field(default_factory=dict)
    steps: list[list[float]] = field(default_factory=list)
    target: str | None = None
    split: str | None = None


@dataclass(frozen=True)
class _Layout:
    """Where each named column sits in a row."""

    id: int
    time: int
    features: tuple[int, ...]
    feature_names: tuple[str, ...]
    target: int | None
    split: int | None
    #: Appended to "column 'c' holds 'a' …, which is not a number" for each feature column.
    feature_advice: tuple[str, ...]


def _read_rows(file: Path, path: str) -> tuple[list[list[str]], list[int]]:
    """The non-blank rows, and the file line each ends on (messages name real lines)."""
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        with open(file, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for row in reader:
                if row:
                    rows.append(row)
                    lines.append(reader.line_num)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(
            f"{path} could not be read as a CSV text file ({type(error).__name__}): the file "
            "is damaged or is not UTF-8 text with one row per time step."
        ) from None
    if len(rows) < 2:
        raise ConfigError(
            f"{path} holds no data rows: expected a header line, then one row per time step."
        )
    return rows, lines


def _separator_advice(names: list[str]) -> str:
    """When the header is one column holding ';' or a tab: the file uses another separator."""
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        return ", but rnnlab reads comma-separated files: write it with commas between values"
    return ""


def _feature_advice(name: str, inferred: bool, settings: SettingNames) -> str:
    """What to do when a feature column holds text: only inferred features can be wrong."""
    if not inferred:
        return ""
    if settings.features_from_model:
        return (
            ": a model trained on an .npz reads every column besides the id, time and target "
            "as an input, so remove the others from the file"
        )
    if name.strip().lower() == "split":
        return (
            f": to split by it set {settings.key('split_column')}={name}, or name the inputs "
            f"with {settings.key('feature_columns')}"
        )
    return (
        ": every column besides the id, time and target is read as an input; name the "
        f"inputs with {settings.key('feature_columns')}, or the split with "
        f"{settings.key('split_column')}"
    )


def _layout(
    path: str,
    header: list[str],
    columns: CsvColumns,
    need_targets: bool,
    settings: SettingNames,
) -> _Layout:
    """Each configured column's position, or one sentence naming the first missing one."""
    names = [name.strip() for name in header]
    listed = (
        f"its one column is {names[0]!r}{_separator_advice(names)}"
        if _separator_advice(names)
        else f"its columns are {', '.join(names)}"
    )

    def position(name: str, setting: str) -> int:
        if name in names:
            return names.index(name)
        if _separator_advice(names):
            raise ConfigError(f"{path} has no column {name!r} ({settings.key(setting)}): {listed}.")
        if setting == "feature_columns" and settings.features_from_model:
            raise ConfigError(
                f"{path} has no column {name!r}, an input the model was trained on: {listed}; "
                f"rename the column that holds it to {name!r} in the file."
            )
        key = settings.key(setting)
        raise ConfigError(
            f"{path} has no column {name!r} ({key}): {listed}; name the right one with "
            f"{key}=<column>."
        )

    id_at = position(columns.id_column, "id_column")
    time_at = position(columns.time_column, "time_column")
    has_target = columns.target_column in names
    target_at = (
        position(columns.target_column, "target_column") if need_targets or has_target else None
    )
    split_at = None
    if columns.split_column is not None and (need_targets or columns.split_column in names):
        split_at = position(columns.split_column, "split_column")
    inferred = columns.feature_columns is None
    if inferred:
        taken = {id_at, time_at, target_at, split_at}
        features = tuple(i for i in range(len(names)) if i not in taken)
    else:
        assert columns.feature_columns is not None
        features = tuple(position(name, "feature_columns") for name in columns.feature_columns)
        roles = {id_at: "id", time_at: "time", target_at: "target", split_at: "split"}
        for name, at in zip(columns.feature_columns, features, strict=True):
            if at in roles:
                key = settings.key("feature_columns")
                raise ConfigError(
                    f"{path}: column {name!r} is the {roles[at]} column, so it cannot also be an "
                    f"input ({key}): list only columns of input values."
                )
    if not features:
        raise ConfigError(
            f"{path} has no feature columns besides its id, time and target columns: "
            "add at least one column of input values."
        )
    return _Layout(
        id_at,
        time_at,
        features,
        tuple(names[i] for i in features),
        target_at,
        split_at,
        tuple(_feature_advice(names[i], inferred, settings) for i in features),
    )


def _number(path: str, text: str, column: str, line: int, advice: str = "") -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(
            f"{path}: column {column!r} holds {text!r} at line {line}, which is not a "
            f"number{advice}."
        ) from None
    if not math.isfinite(value):
        raise ConfigError(not_finite_message(path, f"column {column!r} at line {line}"))
    return value


def _one_per_sequence(
    path: str, sequence_id: str, old: str | None, new: str, column: str, what: str
) -> str:
    """The sequence's value of a column that must not change along the sequence."""
    if old is not None and old != new:
        raise ConfigError(
            f"{path}: sequence {sequence_id!r} has {old!r} and {new!r} in column {column!r}, "
            f"but {what} is one value per sequence: repeat the same value on each of its rows."
        )
    return new


def _group(
    path: str, rows: list[list[str]], lines: list[int], layout: _Layout
) -> dict[str, _Sequence]:
    header = [name.strip() for name in rows[0]]
    sequences: dict[str, _Sequence] = {}
    for line, row in zip(lines[1:], rows[1:], strict=True):
        if len(row) != len(header):
            raise ConfigError(
                f"{path}: line {line} has {len(row)} fields, but the header has "
                f"{len(header)}: every row needs one value per column."
            )
        sequence_id = row[layout.id].strip()
        sequence = sequences.setdefault(sequence_id, _Sequence(first_line=line))
        time = _number(path, row[layout.time], header[layout.time], line)
        if time in sequence.lines:
            raise ConfigError(
                f"{path}: sequence {sequence_id!r} has time {time:g} twice in column "
                f"{header[layout.time]!r}, at lines {sequence.lines[time]} and {line}: a "
                "sequence has one row per time step."
            )
        sequence.lines[time] = line
        sequence.times.append(time)
        sequence.steps.append(
            [
                _number(path, row[i], header[i], line, advice)
                for i, advice in zip(layout.features, layout.feature_advice, strict=True)
            ]
        )
        if layout.target is not None:
            column = header[layout.target]
            value = row[layout.target].strip()
            sequence.target = _one_per_sequence(
                path, sequence_id, sequence.target, value, column, "the target"
            )
        if layout.split is not None:
            column = header[layout.split]
            value = row[layout.split].strip()
            sequence.split = _one_per_sequence(
                path, sequence_id, sequence.split, value, column, "the split"
            )
    return sequences


def _in_time_order(sequence: _Sequence) -> np.ndarray:
    """The sequence's steps (T, F), sorted by their time."""
    order = np.argsort(np.array(sequence.times), kind="stable")
    return np.array(sequence.steps, dtype=np.float32)[order]


def read_long_csv(
    file: Path,
    path: str,
    columns: CsvColumns,
    need_targets: bool,
    settings: SettingNames = TRAIN_SETTINGS,
) -> SequenceFile:
    """The sequences of a long-format CSV; ``path`` as the user wrote it, for messages;
    ``settings`` names the keys its advice gives (rnnlab-train's or rnnlab-predict's)."""
    rows, lines = _read_rows(file, path)
    layout = _layout(path, rows[0], columns, need_targets, settings)
    sequences = _group(path, rows, lines, layout)
    inputs, lengths = pad([_in_time_order(s) for s in sequences.values()])
    if not np.isfinite(inputs).all():  # finite as float64, too large for float32
        raise ConfigError(not_finite_message(path, "the features (beyond float32's range)"))
    targets = split = None
    if layout.target is not None:
        targets = np.array([s.target for s in sequences.values()], dtype=str)
    if layout.split is not None:
        column = rows[0][layout.split].strip()
        values = np.array([s.split for s in sequences.values()], dtype=str)
        split = split_names(path, values, f"column {column!r}")
    return SequenceFile(
        path,
        np.array(list(sequences), dtype=str),
        inputs,
        lengths,
        targets,
        split,
        feature_names=layout.feature_names,
    )
