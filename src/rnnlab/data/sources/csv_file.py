"""Read sequences from a long-format CSV: one row per time step, with a header line.

Columns (names configurable, CsvColumns): a sequence id, a time (a number; each
sequence's rows are sorted by it, and a time may not repeat within a sequence), the
features (numbers), a target that is one value per sequence (repeated on each of its
rows) and optionally a split. A sequence's rows need not be next to each other nor in
time order; sequences keep the order in which their ids first appear. Comma-separated
only; blank lines (and lines of spaces) are skipped. A blank cell of the time, a feature or
(for training) the target is a missing value, refused as NaN is.

pandas parses the file (csv_table), and whole-array operations group, sort, check and pad
its rows (csv_sequences, csv_problems): a million rows load in about the time pandas takes
to parse them. A file with a problem is read again with the csv module, which knows each
row's line, so that the problem is named at the file's own line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab.data.sources.csv_layout import CsvLayout, csv_layout
from rnnlab.data.sources.csv_problems import (
    FEATURES,
    TIME,
    blank_value,
    changing_value,
    field_counts,
    first_problem,
    number_cells,
    repeated_time,
)
from rnnlab.data.sources.csv_rows import read_header
from rnnlab.data.sources.csv_sequences import RowSequences, group_rows, padded_inputs, per_sequence
from rnnlab.data.sources.csv_table import CsvTable, exact_table, fast_table
from rnnlab.data.sources.sequence_file import (
    TRAIN_SETTINGS,
    CsvColumns,
    SequenceFile,
    SettingNames,
    not_finite_message,
    split_names,
)
from rnnlab.errors import ConfigError


class _LinesUnknown(Exception):
    """A problem in pandas' reading, which cannot name the line: read the file exactly."""


def _raise_first_problem(
    path: str,
    table: CsvTable,
    layout: CsvLayout,
    sequences: RowSequences,
    need_targets: bool,
) -> None:
    """One sentence for the first row a reader going down the file would refuse."""
    names = layout.names
    features = zip(table.features, layout.features, layout.feature_advice, strict=True)
    after_features = FEATURES + len(layout.features)
    problems = [
        field_counts(path, table.fields, layout.width),
        number_cells(path, table.times, names[layout.time], TIME),
        repeated_time(path, sequences, table.times.values, names[layout.time]),
        *(
            number_cells(path, column, names[at], FEATURES + k, advice)
            for k, (column, at, advice) in enumerate(features)
        ),
    ]
    if need_targets and table.target is not None and layout.target is not None:
        # training needs every target: a blank is a missing value (prediction writes it back)
        problems.append(blank_value(path, table.target, names[layout.target], after_features))
    for rank, (values, at, what) in enumerate(
        [(table.target, layout.target, "the target"), (table.split, layout.split, "the split")],
        start=after_features,
    ):
        if values is not None and at is not None:
            problems.append(changing_value(path, sequences, values, names[at], what, rank))
    problem = first_problem(problems)
    if problem is None:
        return
    if table.lines is None:
        raise _LinesUnknown
    raise ConfigError(problem.message(table.lines))


def _feature_rows(path: str, table: CsvTable) -> np.ndarray:
    """(R, F) float32; a value beyond float32's range is refused, as NaN is."""
    steps = np.empty((len(table), len(table.features)), dtype=np.float32)
    with np.errstate(over="ignore"):
        for k, column in enumerate(table.features):
            steps[:, k] = column.values
    if not np.isfinite(steps).all():  # finite as float64, too large for float32
        raise ConfigError(not_finite_message(path, "the features (beyond float32's range)"))
    return steps


def _sequence_file(
    path: str, table: CsvTable, layout: CsvLayout, need_targets: bool
) -> SequenceFile:
    """The table's rows as padded sequences, or one sentence naming the first bad row."""
    sequences = group_rows(table.ids, table.times.values)
    _raise_first_problem(path, table, layout, sequences, need_targets)
    inputs, lengths = padded_inputs(sequences, _feature_rows(path, table))
    split = None
    if table.split is not None and layout.split is not None:
        where = f"column {layout.names[layout.split]!r}"
        split = split_names(path, per_sequence(table.split, sequences), where)
    return SequenceFile(
        path,
        sequences.ids.names,
        inputs,
        lengths,
        None if table.target is None else per_sequence(table.target, sequences),
        split,
        feature_names=layout.feature_names,
    )


def read_long_csv(
    file: Path,
    path: str,
    columns: CsvColumns,
    need_targets: bool,
    settings: SettingNames = TRAIN_SETTINGS,
) -> SequenceFile:
    """The sequences of a long-format CSV; ``path`` as the user wrote it, for messages;
    ``settings`` names the keys its advice gives (rnnlab-train's or rnnlab-predict's)."""
    layout = csv_layout(path, read_header(file, path), columns, need_targets, settings)
    table = fast_table(file, layout)
    if table is not None:
        try:
            return _sequence_file(path, table, layout, need_targets)
        except _LinesUnknown:
            pass
    return _sequence_file(path, exact_table(file, path, layout), layout, need_targets)
