"""A long-format CSV's data rows as columns, read fast by pandas or exactly by the csv module.

pandas parses a well-formed file in C, ~30x faster than Python per cell, but it cannot say
which line a row came from, fills a row of too few fields with missing values, and cuts a
first row of too many. So the fast reading gives up (None) at any sign of trouble (a parser
error or warning, a missing value, a cell that is not a number) and the file is read
exactly instead: the csv module's rows, each with its line and number of fields, from which
every message is made (csv_problems). pandas is imported inside the functions, so that the
other sources never pay for its import.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.data.sources.csv_layout import CsvLayout
from rnnlab.data.sources.csv_rows import read_rows
from rnnlab.data.sources.csv_sequences import TextValues, text_values

#: What a cell of a number column holds: a number (maybe not finite), nothing, or text.
NUMBER, BLANK, TEXT = 0, 1, 2


@dataclass(frozen=True)
class NumberColumn:
    """The time column or a feature column: one value per row."""

    #: float64; NaN where the cell is blank or not a number.
    values: np.ndarray
    #: int8 per row: NUMBER, BLANK or TEXT; None when pandas read every cell as a number.
    kinds: np.ndarray | None = None
    #: object: each cell as written (for messages); None as for kinds.
    text: np.ndarray | None = None


@dataclass(frozen=True)
class CsvTable:
    """The data rows of a long-format CSV, column by column (text columns coded, stripped)."""

    ids: TextValues
    times: NumberColumn
    features: tuple[NumberColumn, ...]
    target: TextValues | None
    split: TextValues | None
    #: Each row's number of fields; None: pandas found each row as wide as the header.
    fields: np.ndarray | None = None
    #: Each row's line in the file; None: not known (pandas' reading).
    lines: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids.codes)


def _column_names(width: int) -> list[str]:
    """Names of our own: the header's may repeat or be blank; columns are found by position."""
    return [f"c{i}" for i in range(width)]


def _text_columns(layout: CsvLayout) -> list[int]:
    return [i for i in (layout.id, layout.target, layout.split) if i is not None]


def _read_with_pandas(file: Path, layout: CsvLayout) -> Any:
    """pandas' DataFrame of the rows, or None when it stops (too many fields, not UTF-8 …)."""
    import pandas as pd

    names = _column_names(layout.width)
    text = {names[i] for i in _text_columns(layout)}
    # A blank is missing where numbers belong, and in the last column, where a short row shows.
    missing = {name: [""] for name in names if name not in text or name == names[-1]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row too wide
            return pd.read_csv(
                file,
                header=0,
                names=names,
                index_col=False,
                dtype=dict.fromkeys(text, object),
                keep_default_na=False,
                na_values=missing,
                encoding="utf-8-sig",
            )
    except (ValueError, OSError, pd.errors.ParserWarning):  # ParserError is a ValueError
        return None


def _numbers(column: Any) -> np.ndarray | None:
    """A column pandas read as numbers, all present, as float64; None otherwise."""
    values = column.to_numpy()
    if values.dtype.kind not in "iuf":  # text somewhere (or true/false): the exact reading
        return None
    values = values.astype(np.float64)
    return None if np.isnan(values).any() else values


def fast_table(file: Path, layout: CsvLayout) -> CsvTable | None:
    """The rows as pandas reads them, or None when only the exact reading can tell."""
    frame = _read_with_pandas(file, layout)
    if frame is None or len(frame) == 0:
        return None
    columns = [frame.iloc[:, i] for i in range(layout.width)]
    used = {layout.id, layout.time, *layout.features, layout.target, layout.split}
    if layout.width - 1 not in used and columns[-1].isna().any():
        return None  # a short row has no value in the last column (used ones are checked below)
    numbers = [_numbers(columns[i]) for i in (layout.time, *layout.features)]
    texts = {at: text_values(columns[at].to_numpy(dtype=object)) for at in _text_columns(layout)}
    if any(values is None for values in [*numbers, *texts.values()]):
        return None
    times, *features = (NumberColumn(values) for values in numbers if values is not None)
    return CsvTable(
        texts[layout.id],  # type: ignore[arg-type]  (not None: checked above)
        times,
        tuple(features),
        None if layout.target is None else texts[layout.target],
        None if layout.split is None else texts[layout.split],
    )


def _read_number(text: str) -> tuple[float, int]:
    """A cell as Python's float reads it (as rnnlab always has), and what it holds."""
    if not text.strip():
        return math.nan, BLANK
    try:
        return float(text), NUMBER
    except ValueError:
        return math.nan, TEXT


def _numbers_from_text(text: np.ndarray) -> NumberColumn:
    """A column of text as numbers, each distinct text read once."""
    import pandas as pd

    codes, distinct = pd.factorize(text)
    read = [_read_number(str(value)) for value in distinct]
    values = np.array([value for value, _ in read], dtype=np.float64)[codes]
    kinds = np.array([kind for _, kind in read], dtype=np.int8)[codes]
    return NumberColumn(values, kinds, text)


def exact_table(file: Path, path: str, layout: CsvLayout) -> CsvTable:
    """The rows as the csv module reads them, with their lines and numbers of fields."""
    import pandas as pd

    rows, lines = read_rows(file, path)
    data = rows[1:]
    frame = pd.DataFrame(data, dtype=object).reindex(columns=range(layout.width)).fillna("")

    def column(at: int) -> np.ndarray:
        return frame[at].to_numpy(dtype=object)

    def text(at: int | None) -> TextValues | None:
        return None if at is None else text_values(column(at))

    ids = text(layout.id)
    assert ids is not None  # filled with "": no value is missing
    return CsvTable(
        ids=ids,
        times=_numbers_from_text(column(layout.time)),
        features=tuple(_numbers_from_text(column(at)) for at in layout.features),
        target=text(layout.target),
        split=text(layout.split),
        fields=np.fromiter(map(len, data), dtype=np.int64, count=len(data)),
        lines=np.array(lines[1:], dtype=np.int64),
    )
