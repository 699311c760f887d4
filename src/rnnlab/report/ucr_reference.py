"""Published test accuracies of the UCR/UEA archive's reference methods, with their sources.

The table ships with rnnlab (``rnnlab/data/reference/ucr_reference_accuracy.csv``): one row
per set and method, the published error, the accuracy (1 - error) and where the number was
published. A set that has no row has no published figure there; it is left blank, never
estimated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rnnlab.errors import ConfigError

#: The packaged table, inside the rnnlab.data package.
REFERENCE_FILE = "reference/ucr_reference_accuracy.csv"
COLUMNS = ("dataset", "method", "error", "accuracy", "source")
#: The methods a benchmark compares with unless told otherwise.
DEFAULT_METHODS = ("1-NN ED", "1-NN DTW")


@dataclass(frozen=True)
class Reference:
    """One published accuracy and where it was published."""

    dataset: str
    method: str
    accuracy: float
    source: str


def packaged_reference_file() -> Path:
    """The table rnnlab ships."""
    return Path(str(resources.files("rnnlab.data") / REFERENCE_FILE))


def _row(path: Path, number: int, row: dict[str, str]) -> Reference:
    """One line of the table, checked: a number in [0, 1] that matches 1 - error, a source."""
    try:
        accuracy = float(row["accuracy"])
        error = float(row["error"])
    except ValueError:
        raise ConfigError(f"{path}, line {number}: accuracy and error must be numbers.") from None
    if not 0 <= accuracy <= 1 or abs(accuracy - (1 - error)) > 1e-4:
        raise ConfigError(
            f"{path}, line {number}: accuracy {accuracy} is not 1 - error ({error}) in [0, 1]."
        )
    if not row["source"].strip() or not row["dataset"].strip() or not row["method"].strip():
        raise ConfigError(f"{path}, line {number}: every row names its set, method and source.")
    return Reference(row["dataset"], row["method"], accuracy, row["source"])


def read_references(path: str | Path | None = None) -> list[Reference]:
    """Every row of the reference table (the packaged one when ``path`` is None)."""
    table = packaged_reference_file() if path is None else Path(path)
    if not table.is_file():
        raise ConfigError(
            f"the reference table {str(table)!r} does not exist: give a CSV with the "
            f"columns {', '.join(COLUMNS)}, or leave it out to use rnnlab's own."
        )
    with table.open(newline="") as stream:
        reader = csv.DictReader(stream)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ConfigError(
                f"{table} has the columns {', '.join(reader.fieldnames or ())}: "
                f"a reference table has {', '.join(COLUMNS)}."
            )
        return [_row(table, number, row) for number, row in enumerate(reader, start=2)]


def reference_accuracies(
    methods: tuple[str, ...] = DEFAULT_METHODS, path: str | Path | None = None
) -> dict[str, dict[str, Reference]]:
    """``{method: {dataset: Reference}}`` for each of ``methods``; a method the table does
    not hold is refused in one sentence that lists those it holds."""
    rows = read_references(path)
    known = sorted({row.method for row in rows})
    for method in methods:
        if method not in known:
            raise ConfigError(
                f"reference method {method!r} is not in the reference table: it holds "
                f"{', '.join(known)}."
            )
    return {
        method: {row.dataset: row for row in rows if row.method == method} for method in methods
    }
