"""A command that rnnlab prints names rnnlab-train as the user ran it, so it works pasted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab.sweep import launches
from tests.conftest import BIN

#: PATH without the venv's scripts, as in a shell where the venv is not active.
NOT_ON_PATH = os.pathsep.join(
    folder for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if folder != str(BIN)
)


def _run(cwd: Path, program: str, *arguments: str, path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [program, *arguments],
        cwd=cwd,
        env={**os.environ, "RNNLAB_ROOT": str(cwd), "PATH": path},
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_a_script_run_by_a_relative_path_is_printed_by_that_path(tmp_path: Path) -> None:
    (tmp_path / "venv-bin").symlink_to(BIN)  # as `.venv/bin/rnnlab-train` from the checkout
    result = _run(tmp_path, "venv-bin/rnnlab-train", "--resume", path=NOT_ON_PATH)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rnnlab-train: error: --resume needs a sweep folder: venv-bin/rnnlab-train --resume DIR."
    )


def test_a_script_found_on_path_is_printed_by_its_name(tmp_path: Path) -> None:
    result = _run(tmp_path, "rnnlab-train", "--resume", path=f"{BIN}{os.pathsep}{NOT_ON_PATH}")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rnnlab-train: error: --resume needs a sweep folder: rnnlab-train --resume DIR."
    )


def test_the_resume_hint_of_a_stopped_sweep_names_the_script_as_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", NOT_ON_PATH)
    monkeypatch.setattr(sys, "argv", [str(BIN / "rnnlab-train"), "-m"])
    monkeypatch.setattr(launches, "_STARTED", [tmp_path / "multirun" / "a b"])
    assert launches.resume_hint("rnnlab-train") == (
        "rnnlab: the sweep stopped before it ended; resume it with: "
        f"{BIN / 'rnnlab-train'} --resume '{tmp_path / 'multirun' / 'a b'}'"
    )
