"""What is wrong with a long-format CSV's rows: the first problem, in the order rows are read.

Each check looks at every row at once and gives the first row it refuses. The file is
reported as a reader going down it would: the earliest row with a problem, and within that
row the first check in the order a row is read (its number of fields, its time, the time
repeated in its sequence, each feature, its target, its split). Sentences name the file's
own line, which only the exact reading (csv_rows) knows, so a check's sentence is made from
the lines it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnlab.data.sources.csv_sequences import RowSequences, TextValues
from rnnlab.data.sources.csv_table import BLANK, TEXT, NumberColumn
from rnnlab.data.sources.sequence_file import missing_message, not_finite_message

#: Where each check comes in a row; the k-th feature's is FEATURES + k, then target, split.
FIELDS, TIME, REPEATED_TIME, FEATURES = 0, 1, 2, 3


@dataclass(frozen=True)
class RowProblem:
    """The first row one check refuses, the check's place within a row, and its sentence."""

    row: int
    rank: int
    #: The sentence, given each row's line in the file.
    message: Callable[[np.ndarray], str]


def first_problem(problems: list[RowProblem | None]) -> RowProblem | None:
    """The problem a reader going row by row would meet first."""
    found = [problem for problem in problems if problem is not None]
    return min(found, key=lambda p: (p.row, p.rank)) if found else None


def _first(refused: np.ndarray) -> int | None:
    return int(refused.argmax()) if refused.any() else None


def field_counts(path: str, fields: np.ndarray | None, width: int) -> RowProblem | None:
    """A row with more or fewer fields than the header (None: every row has as many)."""
    row = None if fields is None else _first(fields != width)
    if row is None or fields is None:
        return None
    count = int(fields[row])
    return RowProblem(
        row,
        FIELDS,
        lambda lines: (
            f"{path}: line {lines[row]} has {count} fields, but the header has {width}: every "
            "row needs one value per column."
        ),
    )


def number_cells(
    path: str, column: NumberColumn, name: str, rank: int, advice: str = ""
) -> RowProblem | None:
    """A cell of the time or a feature that is not a finite number."""
    row = _first(~np.isfinite(column.values))
    if row is None:
        return None
    kind = None if column.kinds is None else int(column.kinds[row])
    text = None if column.text is None else str(column.text[row])

    def message(lines: np.ndarray) -> str:
        where = f"column {name!r} at line {lines[row]}"
        if kind == BLANK:
            return missing_message(path, where)
        if kind == TEXT:
            return (
                f"{path}: column {name!r} holds {text!r} at line {lines[row]}, which is not a "
                f"number{advice}."
            )
        return not_finite_message(path, where)

    return RowProblem(row, rank, message)


def repeated_time(
    path: str, sequences: RowSequences, times: np.ndarray, name: str
) -> RowProblem | None:
    """A time that a sequence already has: named with both its lines."""
    order = sequences.order
    codes, ordered = sequences.ids.codes[order], times[order]
    same = (codes[1:] == codes[:-1]) & (ordered[1:] == ordered[:-1])
    if not same.any():
        return None
    later, earlier = order[1:][same], order[:-1][same]  # a stable sort: earlier < later
    pair = int(later.argmin())
    row, first = int(later[pair]), int(earlier[pair])
    sequence = str(sequences.ids.names[sequences.ids.codes[row]])
    time = float(times[row])
    return RowProblem(
        row,
        REPEATED_TIME,
        lambda lines: (
            f"{path}: sequence {sequence!r} has time {time:g} twice in column {name!r}, at "
            f"lines {lines[first]} and {lines[row]}: a sequence has one row per time step."
        ),
    )


def blank_value(path: str, values: TextValues, name: str, rank: int) -> RowProblem | None:
    """A row whose cell is blank (the target, when training needs it): a missing value."""
    row = _first(values.names[values.codes] == "")
    if row is None:
        return None
    return RowProblem(
        row, rank, lambda lines: missing_message(path, f"column {name!r} at line {lines[row]}")
    )


def changing_value(
    path: str, sequences: RowSequences, values: TextValues, name: str, what: str, rank: int
) -> RowProblem | None:
    """A row whose value differs from its sequence's first: ``what`` is one per sequence."""
    codes = sequences.ids.codes
    expected = values.codes[sequences.first_rows][codes]
    row = _first(values.codes != expected)
    if row is None:
        return None
    sequence = str(sequences.ids.names[codes[row]])
    old, new = str(values.names[expected[row]]), str(values.names[values.codes[row]])
    return RowProblem(
        row,
        rank,
        lambda _: (
            f"{path}: sequence {sequence!r} has {old!r} and {new!r} in column {name!r}, but "
            f"{what} is one value per sequence: repeat the same value on each of its rows."
        ),
    )
