"""The layers of docs/architecture.md hold: import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_import_runs_up_a_layer_or_in_a_circle() -> None:
    result = _lint(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 kept, 0 broken" in result.stdout


def test_the_contracts_catch_an_import_that_runs_up(tmp_path: Path) -> None:
    """The same contracts on a copy of src/ where config imports the sweep layer."""
    shutil.copytree(ROOT / "src", tmp_path / "src")
    config = tmp_path / "src" / "rnnlab" / "config" / "dotted.py"
    config.write_text(config.read_text() + "\nfrom rnnlab.sweep import launches  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tmp_path / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": ""},
    )
    assert result.returncode == 1
    assert "rnnlab.config.dotted -> rnnlab.sweep.launches" in result.stdout
