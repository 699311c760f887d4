"""Hints name rnnlab's commands as the user called them, so that a pasted hint works."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rnnlab.config.commands import command_name, shell_command


def _scripts(folder: Path, *names: str) -> Path:
    """Executable stand-ins for console scripts in ``folder``."""
    folder.mkdir(parents=True)
    for name in names:
        script = folder / name
        script.write_text("#!/bin/sh\n")
        script.chmod(0o755)
    return folder


def test_a_script_called_by_its_path_is_named_by_that_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scripts(tmp_path / ".venv" / "bin", "rnnlab-train", "rnnlab-report")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [".venv/bin/rnnlab-train", "-m"])
    assert command_name("rnnlab-train") == ".venv/bin/rnnlab-train"
    assert command_name("rnnlab-report") == ".venv/bin/rnnlab-report"
    monkeypatch.setattr(sys, "argv", [str(tmp_path / ".venv" / "bin" / "rnnlab-train")])
    assert command_name("rnnlab-report") == str(tmp_path / ".venv" / "bin" / "rnnlab-report")


def test_a_script_that_path_finds_is_named_bare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = _scripts(tmp_path / "bin", "rnnlab-train", "rnnlab-report")
    monkeypatch.setenv("PATH", f"{scripts}{os.pathsep}/usr/bin")
    monkeypatch.setattr(sys, "argv", [str(scripts / "rnnlab-train")])
    assert command_name("rnnlab-report") == "rnnlab-report"


def test_another_install_first_on_path_is_not_the_one_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _scripts(tmp_path / "mine", "rnnlab-train")
    other = _scripts(tmp_path / "other", "rnnlab-train")
    monkeypatch.setenv("PATH", f"{other}{os.pathsep}{mine}")
    monkeypatch.setattr(sys, "argv", [str(mine / "rnnlab-train")])
    assert command_name("rnnlab-train") == str(mine / "rnnlab-train")


def test_without_a_sibling_script_the_bare_name_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "rnnlab" / "train.py")])  # python -m
    assert command_name("rnnlab-report") == "rnnlab-report"
    monkeypatch.setattr(sys, "argv", ["rnnlab-train"])
    assert command_name("rnnlab-train") == "rnnlab-train"


def test_a_path_with_spaces_is_quoted_for_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = _scripts(tmp_path / "my env" / "bin", "rnnlab-train")
    monkeypatch.setenv("PATH", "/usr/bin")
    monkeypatch.setattr(sys, "argv", [str(scripts / "rnnlab-train")])
    line = shell_command("rnnlab-train", ["--resume", "multirun/a b"])
    assert line == f"'{scripts / 'rnnlab-train'}' --resume 'multirun/a b'"
