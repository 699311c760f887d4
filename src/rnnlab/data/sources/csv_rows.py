"""A CSV's rows as the standard library's csv module reads them, each with its file line.

This is the exact reading: slow (Python per row), but it knows the line each row ends on
and how many fields it has, so every message about a row names the file's real line.
rnnlab reads a file this way only for its header, and in full only when the fast reading
(pandas, csv_table) meets a problem to report. Blank lines, and lines of spaces only
(pandas skips both), are skipped here too, so row *i* is the same row in both readings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from rnnlab.errors import ConfigError


def _is_blank(row: list[str]) -> bool:
    """An empty line, or one of spaces only: what pandas skips (``""`` is a row of one field)."""
    return not row or (len(row) == 1 and row[0] != "" and not row[0].strip())


def _rows(file: Path, path: str) -> Iterator[tuple[list[str], int]]:
    """Each non-blank row and the file line it ends on; one sentence if the file is no text."""
    try:
        with open(file, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for row in reader:
                if not _is_blank(row):
                    yield row, reader.line_num
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(
            f"{path} could not be read as a CSV text file ({type(error).__name__}): the file "
            "is damaged or is not UTF-8 text with one row per time step."
        ) from None


def no_rows_message(path: str) -> str:
    return f"{path} holds no data rows: expected a header line, then one row per time step."


def read_header(file: Path, path: str) -> list[str]:
    """The header row (the first non-blank one), read without reading the rest."""
    for row, _ in _rows(file, path):
        return row
    raise ConfigError(no_rows_message(path))


def read_rows(file: Path, path: str) -> tuple[list[list[str]], list[int]]:
    """Every non-blank row, header first, and the file line each ends on."""
    rows: list[list[str]] = []
    lines: list[int] = []
    for row, line in _rows(file, path):
        rows.append(row)
        lines.append(line)
    if len(rows) < 2:
        raise ConfigError(no_rows_message(path))
    return rows, lines
