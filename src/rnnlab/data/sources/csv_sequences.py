"""A long-format CSV's rows gathered into sequences, with whole-array operations only.

Each row's sequence is a code from pandas.factorize of its id (stripped of spaces), so codes
follow the order in which ids first appear, which is the order sequences keep. Rows are put
in (sequence, time) order by one stable sort, skipped when the file is already in that
order, as most files are; padding is one scatter into the zeroed (N, T, F) array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TextValues:
    """A column of text as each row's code into its distinct values, stripped of spaces."""

    #: (R,) int64: each row's value, an index into ``names``.
    codes: np.ndarray
    #: (K,) str: the distinct values, in the order they first appear.
    names: np.ndarray


@dataclass(frozen=True)
class RowSequences:
    """Which sequence each row belongs to, and the rows in order of sequence, then time."""

    #: Each row's sequence (codes) and the sequences' ids (names).
    ids: TextValues
    #: (R,) the rows sorted by sequence, then time; rows of equal time keep the file's order.
    order: np.ndarray
    #: (N,) each sequence's first row in the file.
    first_rows: np.ndarray

    def __len__(self) -> int:
        return len(self.ids.names)


def text_values(text: np.ndarray) -> TextValues | None:
    """``text`` (R,) as codes; values that differ only in surrounding spaces are one value.

    None when a value is missing (NaN: pandas' mark of a row too short to reach it)."""
    import pandas as pd

    codes, distinct = pd.factorize(text)
    if len(codes) and codes.min() < 0:
        return None
    stripped = np.char.strip(distinct.astype(str))  # once per distinct value, not per row
    merged, names = pd.factorize(stripped)
    return TextValues(merged[codes].astype(np.int64), np.asarray(names).astype(str))


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears; codes number values in order of first appearance."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate([[True], codes[1:] > seen[:-1]]))


def _time_order(codes: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Rows by sequence, then time (stable); a file already in that order is not sorted."""
    next_code, next_time = np.diff(codes), np.diff(times)
    if np.all((next_code > 0) | ((next_code == 0) & (next_time > 0))):
        return np.arange(len(codes))
    return np.lexsort((times, codes))


def group_rows(sequences: TextValues, times: np.ndarray) -> RowSequences:
    """Each row's sequence (``sequences``, its coded id) and the rows in time order."""
    return RowSequences(
        sequences, _time_order(sequences.codes, times), _first_rows(sequences.codes)
    )


def per_sequence(values: TextValues, sequences: RowSequences) -> np.ndarray:
    """(N,) str: each sequence's value, read on its first row."""
    return values.names[values.codes[sequences.first_rows]]


def padded_inputs(sequences: RowSequences, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows' features (R, F) as (N, max length, F) float32 in time order, zero-padded,
    and each sequence's length."""
    codes = sequences.ids.codes[sequences.order]
    lengths = np.bincount(codes, minlength=len(sequences)).astype(np.int64)
    longest, features = int(lengths.max(initial=0)), steps.shape[1]
    in_order = steps[sequences.order]
    if (lengths == longest).all():  # no padding: the rows are the array
        return in_order.reshape(len(sequences), longest, features), lengths
    starts = np.cumsum(lengths) - lengths
    at = codes * longest + np.arange(len(codes)) - starts[codes]  # row of the flat (N*T, F)
    inputs = np.zeros((len(sequences) * longest, features), np.float32)
    inputs[at] = in_order
    return inputs.reshape(len(sequences), longest, features), lengths
