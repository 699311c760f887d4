"""The long-format CSV reader: pandas' fast reading, the exact reading it falls back to, and
the lines, fields and cells its sentences name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.sources.csv_file import read_long_csv
from rnnlab.data.sources.csv_layout import csv_layout
from rnnlab.data.sources.csv_rows import read_header
from rnnlab.data.sources.csv_table import exact_table, fast_table
from rnnlab.data.sources.sequence_file import TRAIN_SETTINGS, CsvColumns, SequenceFile
from rnnlab.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _read(path: Path, columns: CsvColumns | None = None) -> SequenceFile:
    return read_long_csv(path, path.name, columns or CsvColumns(), True)


def _message(path: Path, text: str, columns: CsvColumns | None = None) -> str:
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        _read(path, columns)
    return str(raised.value)


def _shuffled_file(path: Path, rng: np.random.Generator) -> Path:
    """Sequences of 1-9 steps, rows shuffled, ids and targets padded with spaces here and there."""
    rows = []
    for i in range(60):
        for t in range(int(rng.integers(1, 10))):
            a, b = rng.normal(size=2).astype(np.float32).tolist()
            rows.append(f"{' ' * (t % 2)}q{i},{t * 0.5},{a!r},{b!r}, {i % 3}")
    order = rng.permutation(len(rows))
    path.write_text("id,time,a,b,target\n" + "\n".join(rows[k] for k in order) + "\n")
    return path


def test_pandas_reading_and_the_exact_reading_give_the_same_arrays(tmp_path: Path) -> None:
    """The two readings of one file agree, so which one read it never shows. Features are
    compared as the float32 they become: pandas' parser may differ from Python's float in the
    17th digit of a float64, which float32 does not hold."""
    path = _shuffled_file(tmp_path / "mixed.csv", np.random.default_rng(0))
    header = read_header(path, path.name)
    layout = csv_layout(path.name, header, CsvColumns(), True, TRAIN_SETTINGS)
    fast, exact = fast_table(path, layout), exact_table(path, path.name, layout)
    assert fast is not None and fast.lines is None and exact.lines is not None
    for a, b in [(fast.ids, exact.ids), (fast.target, exact.target)]:
        assert a is not None and b is not None
        assert a.codes.tolist() == b.codes.tolist() and a.names.tolist() == b.names.tolist()
    assert np.array_equal(fast.times.values, exact.times.values)
    for a, b in zip(fast.features, exact.features, strict=True):
        assert np.array_equal(a.values.astype(np.float32), b.values.astype(np.float32))


def test_rows_are_sorted_into_sequences_in_order_of_first_appearance(tmp_path: Path) -> None:
    path = tmp_path / "order.csv"
    path.write_text("id,time,x,target\nb,2,20,1\na,1,1,0\n b ,0,0,1\na,0,0,0\nb,1,10,1\n")
    read = _read(path)
    assert read.ids.tolist() == ["b", "a"]  # " b " is b: ids are stripped
    assert read.lengths.tolist() == [3, 2]
    assert read.inputs[:, :, 0].tolist() == [[0, 10, 20], [0, 1, 0]]  # a's padding is zero
    assert read.targets is not None and read.targets.tolist() == ["1", "0"]


def test_lines_of_spaces_are_blank_and_later_lines_keep_their_numbers(tmp_path: Path) -> None:
    message = _message(tmp_path / "spaces.csv", "id,time,x,target\na,0,1,0\n   \n\t\n\na,0,2,0\n")
    assert "has time 0 twice in column 'time', at lines 2 and 6:" in message


def test_a_quoted_field_over_two_lines_counts_both(tmp_path: Path) -> None:
    text = 'id,time,x,target\r\n"a\r\nb",0,1,0\r\n"a\r\nb",1,inf,0\r\n'
    message = _message(tmp_path / "quoted.csv", text)
    assert message.endswith(
        "in column 'x' at line 5: rnnlab does not invent values; fill or "
        "drop them before training or predicting."
    )


@pytest.mark.parametrize(
    ("rows", "line", "fields"),
    [
        ("a,0,1,0\na,1,2\n", 3, 3),  # short: pandas would fill it with a missing value
        ("a,0,1,0,9\na,1,2,0\n", 2, 5),  # a first row too long: pandas would cut it
        ("a,0,1,0\na,1,2,0,9\n", 3, 5),  # a later row too long: pandas would stop
    ],
)
def test_a_row_of_the_wrong_width_is_named_with_its_line(
    tmp_path: Path, rows: str, line: int, fields: int
) -> None:
    message = _message(tmp_path / "width.csv", "id,time,x,target\n" + rows)
    assert message == (
        f"width.csv: line {line} has {fields} fields, but the header has 4: every row needs "
        "one value per column."
    )


def test_the_first_problem_down_the_file_is_the_one_named(tmp_path: Path) -> None:
    """A row too short on line 4 and text on line 3: line 3, as a reader going down sees."""
    message = _message(tmp_path / "two.csv", "id,time,x,target\na,0,1,0\na,1,no,0\na,2\n")
    assert "holds 'no' at line 3" in message
    # within one row the time comes before the features
    message = _message(tmp_path / "row.csv", "id,time,x,target\na,0,1,0\na,0,no,0\n")
    assert "has time 0 twice" in message


def test_true_and_false_are_text_not_numbers(tmp_path: Path) -> None:
    """pandas reads a column of true/false as booleans; rnnlab names the cell as written."""
    message = _message(tmp_path / "bools.csv", "id,time,x,target\na,0,True,0\na,1,false,0\n")
    assert "column 'x' holds 'True' at line 2, which is not a number" in message


def test_numbers_pythons_float_reads_are_read(tmp_path: Path) -> None:
    """Digits with underscores, as Python's float takes them (and rnnlab always has)."""
    path = tmp_path / "underscores.csv"
    path.write_text("id,time,x,target\na,0,1_000,0\na,1, 2.5 ,0\n")
    assert _read(path).inputs[0, :, 0].tolist() == [1000.0, 2.5]


def test_times_equal_as_numbers_are_the_same_time(tmp_path: Path) -> None:
    message = _message(tmp_path / "same.csv", "id,time,x,target\na,1,1,0\na,1.0,2,0\n")
    assert "has time 1 twice in column 'time', at lines 2 and 3" in message


def test_reading_a_csv_imports_pandas_and_an_npz_does_not() -> None:
    """pandas (half a second to import) is imported only when a CSV is read."""
    script = (
        "import sys\n"
        "from rnnlab.data.sources.file_reading import read_sequence_file\n"
        "from rnnlab.data.sources.sequence_file import CsvColumns\n"
        f"read_sequence_file({str(EXAMPLES / 'sequences.npz')!r}, 'p', CsvColumns(), True)\n"
        "print('pandas' in sys.modules)\n"
        f"read_sequence_file({str(EXAMPLES / 'sequences.csv')!r}, 'p', "
        "CsvColumns(id_column='sequence', time_column='step', target_column='total'), True)\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize(
    ("rows", "column", "line"),
    [
        ("a,0,1,0\na,1,,0\n", "x", 3),  # an empty feature cell
        ("a,0,1,0\na,1,  ,0\n", "x", 3),  # spaces only
        ("a,0,1,0\n\na,,2,0\n", "time", 4),  # the time, after a blank line
        ("a,0,1,0\na,1,2,\n", "target", 3),  # training needs every target
    ],
)
def test_a_blank_cell_is_a_missing_value(tmp_path: Path, rows: str, column: str, line: int) -> None:
    message = _message(tmp_path / "blank.csv", "id,time,x,target\n" + rows)
    assert message == (
        f"blank.csv has a missing value (a blank cell) in column {column!r} at line {line}: "
        "rnnlab does not invent values; fill or drop them before training or predicting."
    )


def test_prediction_takes_blank_targets_as_written(tmp_path: Path) -> None:
    """rnnlab-predict needs no target: a column left blank for new data is written back."""
    path = tmp_path / "new.csv"
    path.write_text("id,time,x,target\na,0,1,\na,1,2,\nb,0,3,\n")
    read = read_long_csv(path, path.name, CsvColumns(), False)
    assert read.targets is not None and read.targets.tolist() == ["", ""]
