"""rnnlab's .ts reader against aeon's own loader, on every .ts file aeon ships (slow: aeon's
import alone takes seconds, which is why rnnlab has its own reader).

Every file is compared (the UCR/UEA classification sets, and the regression sets data=ucr
reads too): the values, each case's length, the labels or regression targets, and the
missing values. Where the two differ by design, the test says how:

- aeon keeps a case's missing values as NaN; rnnlab reads trailing steps missing in every
  dimension as padding (the case ends before them, padded with zeros), and refuses a file
  with a missing value anywhere else. So a case's length in rnnlab is aeon's less its
  trailing all-NaN steps, and aeon may have no NaN before it, or rnnlab must refuse the file.
- aeon lowercases every line it reads, labels too; rnnlab keeps them as written.
- aeon returns float64 (cases, dimensions, steps); rnnlab float32 (cases, steps, dimensions).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.sources.ts_format import TsData, read_ts
from rnnlab.data.sources.ucr import archive_folder
from rnnlab.errors import ConfigError
from tests.data.sources.packages import needs_package

pytestmark = [pytest.mark.slow, needs_package("aeon")]


def _shipped_files() -> list[Path]:
    """Every .ts file under aeon's data folder, found without importing aeon."""
    try:
        return sorted(archive_folder(None).glob("**/*.ts"))
    except ConfigError:  # aeon is not installed: the marks above skip the test
        return []


def _aeon_cases(path: Path) -> tuple[list[np.ndarray], np.ndarray, dict]:
    """aeon's reading: each case as (steps, dimensions) float64, the labels, the header."""
    from aeon.datasets import load_from_ts_file

    data, labels, meta = load_from_ts_file(str(path), return_meta_data=True)
    return [np.asarray(case, dtype=np.float64).T for case in data], labels, meta


def _length(case: np.ndarray) -> int:
    """Steps before the trailing ones missing in every dimension (rnnlab's padding)."""
    present = np.flatnonzero(~np.isnan(case).all(axis=1))
    return int(present[-1]) + 1 if len(present) else 0


def _check_values(read: TsData, cases: list[np.ndarray]) -> None:
    assert read.values.shape[0] == len(cases)
    assert read.values.shape[2] == cases[0].shape[1]
    assert read.lengths.tolist() == [_length(case) for case in cases]
    for row, case in enumerate(cases):
        length = _length(case)
        assert np.array_equal(read.values[row, :length], case[:length].astype(np.float32))
        assert not read.values[row, length:].any()  # padding is zero


def _check_labels(read: TsData, labels: np.ndarray, meta: dict) -> None:
    if meta["targetlabel"]:
        assert read.is_regression
        assert np.array_equal(read.labels, labels.astype(np.float64))
        return
    assert read.class_labels is not None
    assert [label.lower() for label in read.labels.tolist()] == labels.tolist()
    assert [label.lower() for label in read.class_labels] == meta["class_values"]


def _compare_with_aeon(path: Path) -> None:
    """rnnlab's reading of ``path`` is aeon's, but for the differences the module names."""
    cases, labels, meta = _aeon_cases(path)
    if meta["timestamps"]:
        with pytest.raises(ConfigError, match="time-stamped .ts files"):
            read_ts(path)
        return
    inside = [np.isnan(case[: _length(case)]).any() for case in cases]
    if any(inside):  # a gap inside a series: refused, never filled
        with pytest.raises(ConfigError, match="a missing value at step"):
            read_ts(path)
        return
    read = read_ts(path)
    _check_values(read, cases)
    _check_labels(read, labels, meta)


@pytest.mark.parametrize("path", _shipped_files(), ids=lambda path: path.name)
def test_rnnlab_reads_each_ts_file_as_aeon_does(path: Path) -> None:
    _compare_with_aeon(path)


HEADER = "@problemName Made\n@univariate {univariate}\n@equalLength false\n@classLabel true A b\n"
#: No shipped file misses a value: the rules for missing values, on files of our own.
MADE = {
    "trailing question marks": HEADER + "@data\n1,2,?,?:A\n4,5,6,7:b\n",
    "trailing NaN": HEADER + "@data\n1,NaN,nan,NaN:b\n4,5,6,7:A\n",
    "trailing NaN in both dimensions": HEADER + "@data\n1,2,NaN:3,4,?:A\n4,5,6:7,8,9:b\n",
    "NaN in one dimension only": HEADER + "@data\n1,2,NaN:3,4,5:A\n4,5,6:7,8,9:b\n",
    "a gap inside": HEADER + "@data\n1,?,3:A\n4,5,6:b\n",
    "a tab after the keys": HEADER.replace("l true", "l\ttrue").replace("e {", "e\t{")
    + "@data\n1,2:A\n3,4:b\n",
    "a byte-order mark": "\ufeff" + HEADER + "@data\n1,2:A\n3,4:b\n",
    "Windows line ends": (HEADER + "@data\n1, 2 ,3:A\n4,5,6:b\n").replace("\n", "\r\n"),
}


@pytest.mark.parametrize("case", sorted(MADE))
def test_missing_values_and_layouts_read_as_aeon_does(tmp_path: Path, case: str) -> None:
    text = MADE[case]
    univariate = "false" if "both" in case or "one dimension" in case else "true"
    path = tmp_path / "Made_TRAIN.ts"
    path.write_text(text.format(univariate=univariate), encoding="utf-8")
    _compare_with_aeon(path)


def test_every_classification_set_is_compared() -> None:
    """The files above are aeon's sets, both halves of each: none is silently left out."""
    names = {path.name for path in _shipped_files()}
    for name in ("GunPoint", "BasicMotions", "JapaneseVowels", "PickupGestureWiimoteZ"):
        assert {f"{name}_TRAIN.ts", f"{name}_TEST.ts"} <= names
