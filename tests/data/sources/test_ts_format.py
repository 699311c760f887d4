"""The .ts reader on small hand-written files: every header and layout the archive uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.sources.ts_format import read_ts
from rnnlab.errors import ConfigError


def _write(tmp_path: Path, text: str, name: str = "Toy_TRAIN.ts") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


UNIVARIATE = """# a comment
% another comment
@problemName Toy
@timeStamps false
@univariate true
@equalLength true
@seriesLength 3
@classLabel true a b

@data
1,2,3:a
4.5,5,-6e-1:b
"""


def test_univariate_values_lengths_and_labels(tmp_path: Path) -> None:
    data = read_ts(_write(tmp_path, UNIVARIATE))
    assert data.problem == "Toy"
    assert data.values.shape == (2, 3, 1) and data.values.dtype == np.float32
    np.testing.assert_allclose(data.values[1, :, 0], [4.5, 5.0, -0.6])
    assert data.lengths.tolist() == [3, 3]
    assert data.labels.tolist() == ["a", "b"] and data.class_labels == ("a", "b")
    assert not data.is_regression


def test_multivariate_dimensions_become_features(tmp_path: Path) -> None:
    text = "@problemName M\n@univariate false\n@dimensions 2\n@classLabel true 1 2\n@data\n"
    text += "1,2,3:10,20,30:2\n4,5,6:40,50,60:1\n"
    data = read_ts(_write(tmp_path, text))
    assert data.values.shape == (2, 3, 2)
    np.testing.assert_array_equal(data.values[0], [[1, 10], [2, 20], [3, 30]])
    assert data.labels.tolist() == ["2", "1"]


def test_variable_length_cases_are_padded_with_zeros_and_keep_their_lengths(
    tmp_path: Path,
) -> None:
    text = "@problemName V\n@dimensions 2\n@equalLength false\n@classLabel true x y\n@data\n"
    text += "1,2:3,4:x\n1,2,3,4:5,6,7,8:y\n7:8:x\n"
    data = read_ts(_write(tmp_path, text))
    assert data.values.shape == (3, 4, 2)
    assert data.lengths.tolist() == [2, 4, 1]
    assert np.all(data.values[0, 2:] == 0) and np.all(data.values[2, 1:] == 0)
    np.testing.assert_array_equal(data.values[2, 0], [7, 8])


def test_regression_targets_are_numbers(tmp_path: Path) -> None:
    # Lower-case keys, as some of aeon's regression files write them.
    text = "@problemname R\n@univariate true\n@targetlabel true\n@data\n1,2,3:0.5\n4,5,6:-2\n"
    data = read_ts(_write(tmp_path, text))
    assert data.is_regression and data.class_labels is None
    assert data.labels.dtype == np.float64 and data.labels.tolist() == [0.5, -2.0]


def test_trailing_missing_values_are_padding(tmp_path: Path) -> None:
    text = "@problemName P\n@univariate true\n@classLabel true 1 2\n@data\n"
    text += "1,2,?,?:1\n3,NaN,NaN,NaN:2\n"
    data = read_ts(_write(tmp_path, text))
    assert data.lengths.tolist() == [2, 1]
    assert not np.isnan(data.values).any()


def test_a_missing_value_inside_a_series_is_one_sentence(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "@problemName P\n@univariate true\n@classLabel true 1\n@data\n1,?,3:1\n"
    )
    with pytest.raises(ConfigError, match=r"line 5: a missing value at step 2 of dimension 1"):
        read_ts(path)


def test_a_tab_after_a_header_key_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    """As aeon reads them: Windows editors write the mark, some writers a tab."""
    text = "\ufeff@problemName T\n@univariate\ttrue\n@classLabel\ttrue a b\n@data\n1,2:a\n3,4:b\n"
    path = tmp_path / "Tabs_TRAIN.ts"
    path.write_text(text, encoding="utf-8")
    data = read_ts(path)
    assert (data.problem, data.class_labels, data.labels.tolist()) == ("T", ("a", "b"), ["a", "b"])
    np.testing.assert_array_equal(data.values[:, :, 0], [[1, 2], [3, 4]])


def test_an_infinite_value_is_one_sentence(tmp_path: Path) -> None:
    """Scaled, one infinite value would turn the whole dimension into NaN."""
    path = _write(tmp_path, "@univariate true\n@classLabel true 1\n@data\n1,2,3:1\n1,-inf,3:1\n")
    with pytest.raises(ConfigError) as raised:
        read_ts(path)
    assert str(raised.value) == (
        f"{path}, line 5: an infinite value at step 2 of dimension 1: rnnlab does not invent "
        "values; fill or drop the case."
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("@timeStamps true\n@classLabel true 1\n@data\n(0,1):1\n", "time-stamped"),
        ("@classLabel true 1 2\n@data\n1,2:3\n", "class label '3' is not one of"),
        ("@dimensions 2\n@classLabel true 1\n@data\n1,2:1\n", "has 1 dimensions, but the header"),
        ("@dimensions 2\n@classLabel true 1\n@data\n1,2:1,2,3:1\n", "different lengths"),
        ("@classLabel true 1\n@data\n1,abc:1\n", "'abc' is not a number"),
        ("@targetLabel true\n@data\n1,2:high\n", "regression target 'high' is not a number"),
        ("@classLabel true 1\n@data\n", "holds no cases"),
        ("@univariate true\n@data\n1,2\n", "neither @classLabel true nor @targetLabel true"),
        ("1,2:1\n", "expected an @ header"),
    ],
)
def test_malformed_files_are_named_in_one_sentence(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as error:
        read_ts(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)
