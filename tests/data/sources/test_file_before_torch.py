"""A bad data=file file is found before torch is imported (a single run) or while it is
(a sweep's pre-flight, in a child process), before anything trains; a good one is read once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnlab.data.sources import user_file_reading
from rnnlab.data.sources.user_file_reading import read_user_file
from tests.conftest import TORCH_PROBE


def _bad_csv(folder: Path) -> Path:
    path = folder / "runs.csv"
    path.write_text("id,time,x,target\na,0,1.5,1\na,1,,1\nb,0,2.0,0\n")
    return path


@pytest.mark.parametrize("sweep", [False, True])
def test_a_bad_file_is_one_sentence_before_torch(tmp_path: Path, sweep: bool) -> None:
    path = _bad_csv(tmp_path)
    arguments = ["data=file", f"data.path={path}"]
    if sweep:
        arguments = ["-m", *arguments, "seed=1,2"]
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", TORCH_PROBE, *arguments],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"RNNLAB_ROOT": str(tmp_path), "PATH": ""},
        timeout=120,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 2, result.stderr[-2000:]
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "missing value (a blank cell) in column 'x' at line 3" in line
    forks = sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1
    if sweep and forks:  # its jobs are checked in a forked child while this process imports
        # torch (rnnlab.sweep.overlap): the sentence ends the process there and then
        assert result.stdout == ""
    else:
        assert "TORCH_NOT_IMPORTED" in result.stdout
    assert not (tmp_path / "experiments").exists() and not (tmp_path / "multirun").exists()
    assert seconds < 30  # a generous bound: the point is that training never started


def test_a_checked_file_is_not_read_twice(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "runs.csv"
    rows = ["id,time,x,target"] + [
        f"s{i},{t},{t * 0.5},{i % 2}" for i in range(8) for t in range(3)
    ]
    path.write_text("\n".join(rows) + "\n")
    reads: list[object] = []
    original = user_file_reading.read_sequence_file
    monkeypatch.setattr(
        user_file_reading,
        "read_sequence_file",
        lambda *a, **k: reads.append(a) or original(*a, **k),
    )
    first = read_user_file(str(path), val_fraction=0.25, test_fraction=0.25)
    again = read_user_file(str(path), val_fraction=0.25, test_fraction=0.25)
    assert again is first and len(reads) == 1
    path.write_text("\n".join(rows[:-3]) + "\n")  # the file changed: read again
    read_user_file(str(path), val_fraction=0.25, test_fraction=0.25)
    assert len(reads) == 2
