"""An .npz object array is read with pickle, which can run code: only when the user opts in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.sources.file_reading import read_sequence_file
from rnnlab.data.sources.sequence_file import PREDICT_SETTINGS, CsvColumns
from rnnlab.data.sources.user_file import file_source
from rnnlab.errors import ConfigError


class _TouchOnUnpickling:
    """Unpickled, it creates ``marker``: what a crafted file could do (or worse)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


def _crafted(folder: Path) -> tuple[Path, Path]:
    """An .npz whose inputs, unpickled, create a file; and where that file would be."""
    marker = folder / "code_ran"
    payload = np.empty(1, dtype=object)
    payload[0] = _TouchOnUnpickling(marker)
    np.savez(folder / "crafted.npz", inputs=payload, targets=np.array([0]))
    return folder / "crafted.npz", marker


def test_an_object_array_is_refused_without_unpickling_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, marker = _crafted(tmp_path)
    with pytest.raises(ConfigError) as raised:
        file_source("crafted.npz")
    assert str(raised.value) == (
        "crafted.npz stores 'inputs' as an object array, which numpy reads with pickle, and "
        "unpickling runs any code the file holds: save ragged sequences as padded inputs "
        "[N, T, F] with lengths [N], or, for a file you trust, set data.allow_pickle=true."
    )
    assert not marker.exists()


def test_the_crafted_file_does_run_code_when_pickle_is_allowed(tmp_path: Path) -> None:
    """The payload above is live: allowing pickle runs it (so the refusal is what stops it)."""
    path, marker = _crafted(tmp_path)
    with pytest.raises(ConfigError, match="is not a non-empty"):
        file_source(str(path), allow_pickle=True)
    assert marker.exists()


def test_rnnlab_predict_names_its_own_setting(tmp_path: Path) -> None:
    path, marker = _crafted(tmp_path)
    with pytest.raises(ConfigError, match=r"for a file you trust, set allow_pickle=true\.$"):
        read_sequence_file(str(path), "input", CsvColumns(), False, PREDICT_SETTINGS)
    assert not marker.exists()


def test_the_opt_in_is_true_or_false(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^data.allow_pickle=yes is not valid: expected true"):
        file_source(str(tmp_path / "any.npz"), allow_pickle="yes")  # type: ignore[arg-type]
