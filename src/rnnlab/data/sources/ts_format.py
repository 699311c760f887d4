"""A reader for the UCR/UEA archive's ``.ts`` text format, so that aeon need not be imported.

The format: comment lines (``#``, ``%``), then ``@`` headers (keys case-insensitive), then
``@data`` and one case per line. A case is its dimensions separated by ``:``, each a
comma-separated series, then the label: a class from ``@classLabel true <labels>``, or a
number when ``@targetLabel true`` (regression). ``?`` and ``NaN`` mark missing values.

What is read: univariate and multivariate (``@univariate``, ``@dimensions``), equal and
variable length (``@equalLength false``: cases are padded with zeros and their lengths
kept), classification and regression. Missing values at the end of a case, in every
dimension at once, are padding (the archive pads some variable-length sets with NaN):
they shorten the case. A missing value anywhere else, or an infinite one, is refused in one
sentence: rnnlab does not invent values. Time-stamped files (``@timeStamps true``) are
refused too. tests/data/sources/test_ts_against_aeon.py checks every file aeon ships against
aeon's own loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.errors import ConfigError

MISSING = ("?", "nan")


@dataclass(frozen=True)
class TsData:
    """One ``.ts`` file: padded values, true lengths, and labels or regression targets."""

    problem: str
    #: (N, T, D) float32, zero after each case's length.
    values: np.ndarray
    #: (N,) int64, each case's number of real steps.
    lengths: np.ndarray
    #: (N,) class labels as written (str), or (N,) float64 regression targets.
    labels: np.ndarray
    #: The classes declared by ``@classLabel true ...``; None for regression.
    class_labels: tuple[str, ...] | None

    @property
    def is_regression(self) -> bool:
        return self.class_labels is None

    @property
    def num_dimensions(self) -> int:
        return int(self.values.shape[2])


@dataclass
class _Header:
    problem: str = ""
    dimensions: int | None = None
    class_labels: tuple[str, ...] | None = None
    regression: bool = False


def _is_true(word: str) -> bool:
    return word.strip().lower() == "true"


def _read_header(path: Path, number: int, line: str, header: _Header) -> None:
    key, *value = line[1:].split(
        None, 1
    )  # a key and its value may be apart by a tab, as aeon reads
    rest = value[0] if value else ""
    key, words = key.lower(), rest.split()
    if key == "problemname" and not header.problem:
        header.problem = rest.strip()
    elif key == "timestamps" and words and _is_true(words[0]):
        raise ConfigError(
            f"{path}, line {number}: time-stamped .ts files (@timeStamps true) are not "
            "supported: give the values without time stamps."
        )
    elif key == "univariate" and words and _is_true(words[0]):
        header.dimensions = 1
    elif key == "dimensions" and words:
        if not words[0].isdigit() or int(words[0]) < 1:
            raise ConfigError(f"{path}, line {number}: @dimensions {words[0]} is not a count.")
        header.dimensions = int(words[0])
    elif key == "classlabel" and words and _is_true(words[0]):
        header.class_labels = tuple(words[1:])
        if not header.class_labels:
            raise ConfigError(f"{path}, line {number}: @classLabel true lists no class labels.")
    elif key == "targetlabel" and words and _is_true(words[0]):
        header.regression = True


def _parse_dimension(path: Path, number: int, text: str) -> np.ndarray:
    tokens = text.split(",")
    try:  # NumPy reads "nan" itself; only a file with "?" pays for the second pass
        return np.array(tokens, dtype=np.float64)
    except ValueError:
        pass
    try:
        return np.array(
            ["nan" if t.strip().lower() in MISSING else t for t in tokens], dtype=np.float64
        )
    except ValueError:
        bad = next(t for t in tokens if not _is_number(t))
        raise ConfigError(
            f"{path}, line {number}: {bad.strip()!r} is not a number (a value, or ? when missing)."
        ) from None


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return token.strip().lower() in MISSING
    return True


def _parse_case(
    path: Path, number: int, line: str, header: _Header
) -> tuple[np.ndarray, str | float | None]:
    """One case: (length, D) values with trailing padding removed, and its label."""
    parts = line.split(":")
    labelled = header.class_labels is not None or header.regression
    label_text = parts.pop().strip() if labelled else None
    if header.dimensions is not None and len(parts) != header.dimensions:
        raise ConfigError(
            f"{path}, line {number}: the case has {len(parts)} dimensions, "
            f"but the header declares {header.dimensions}."
        )
    dimensions = [_parse_dimension(path, number, part) for part in parts]
    if len({len(d) for d in dimensions}) > 1:
        sizes = ", ".join(str(len(d)) for d in dimensions)
        raise ConfigError(
            f"{path}, line {number}: the case's dimensions have different lengths ({sizes}): "
            "each dimension needs one value per time step."
        )
    values = np.stack(dimensions, axis=1)  # (steps, D)
    real = ~np.isnan(values).all(axis=1)
    length = int(real.nonzero()[0][-1]) + 1 if real.any() else 0
    if length == 0:
        raise ConfigError(f"{path}, line {number}: the case holds no values.")
    values = values[:length]
    if np.isnan(values).any():
        step, dim = (int(i) for i in np.argwhere(np.isnan(values))[0])
        raise ConfigError(
            f"{path}, line {number}: a missing value at step {step + 1} of dimension "
            f"{dim + 1}, inside the series: rnnlab does not fill gaps; fill or drop the case."
        )
    if np.isinf(values).any():  # scaled, it would make every value NaN
        step, dim = (int(i) for i in np.argwhere(np.isinf(values))[0])
        raise ConfigError(
            f"{path}, line {number}: an infinite value at step {step + 1} of dimension "
            f"{dim + 1}: rnnlab does not invent values; fill or drop the case."
        )
    return values, _read_label(path, number, label_text, header)


def _read_label(path: Path, number: int, text: str | None, header: _Header) -> str | float | None:
    if text is None:
        return None
    if header.regression:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(
                f"{path}, line {number}: the regression target {text!r} is not a number."
            ) from None
    assert header.class_labels is not None
    if text not in header.class_labels:
        raise ConfigError(
            f"{path}, line {number}: class label {text!r} is not one of those declared by "
            f"@classLabel ({', '.join(header.class_labels)})."
        )
    return text


def read_ts(path: Path) -> TsData:
    """Read one ``.ts`` file, or raise ConfigError naming the file, line and problem."""
    header = _Header()
    cases: list[np.ndarray] = []
    labels: list[str | float | None] = []
    in_data = False
    # utf-8-sig: a byte-order mark (Windows editors write one) is not part of the first line
    with open(path, encoding="utf-8-sig", errors="replace") as file:
        for number, raw in enumerate(file, start=1):
            line = raw.strip()
            if not line or line[0] in "#%":
                continue
            if not in_data:
                if line[0] != "@":
                    raise ConfigError(
                        f"{path}, line {number}: expected an @ header or @data before the values."
                    )
                if line.lower().startswith("@data"):
                    in_data = True
                else:
                    _read_header(path, number, line, header)
                continue
            values, label = _parse_case(path, number, line, header)
            if header.dimensions is None:
                header.dimensions = values.shape[1]
            cases.append(values)
            labels.append(label)
    if not cases:
        raise ConfigError(f"{path} holds no cases (no lines after @data).")
    lengths = np.array([len(c) for c in cases], dtype=np.int64)
    padded = np.zeros((len(cases), int(lengths.max()), cases[0].shape[1]), dtype=np.float32)
    for row, case in enumerate(cases):
        padded[row, : len(case)] = case
    if header.regression:
        label_array = np.array(labels, dtype=np.float64)
    elif header.class_labels is not None:
        label_array = np.array(labels, dtype=object).astype(str)
    else:
        raise ConfigError(
            f"{path} declares neither @classLabel true nor @targetLabel true: "
            "rnnlab needs a label or a target for every case."
        )
    return TsData(
        problem=header.problem or path.stem,
        values=padded,
        lengths=lengths,
        labels=label_array,
        class_labels=None if header.regression else header.class_labels,
    )
