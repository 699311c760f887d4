"""The pre-flight in a forked child while the training stack is imported: a bad value still
ends the process at once with its one sentence; a good grid leaves the modules imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from rnnlab.sweep.overlap import training_modules

#: A program that runs ``check_while_importing`` with the check given as source text.
PROGRAM = """
import sys
from pathlib import Path
from rnnlab.config.guard import exit_on_user_error
from rnnlab.errors import ConfigError
from rnnlab.sweep.overlap import check_while_importing

def check():
{check}

with exit_on_user_error("prog"):  # as the entry point runs it; one core runs it here
    check_while_importing(check, ["{module}"], "prog")
print("after", "{module}" in sys.modules, Path("checked").exists())
"""


def _run(tmp_path: Path, check: str, module: str = "fractions") -> subprocess.CompletedProcess:
    source = PROGRAM.format(check=textwrap.indent(check, "    "), module=module)
    return subprocess.run(
        [sys.executable, "-c", source], cwd=tmp_path, text=True, capture_output=True, timeout=60
    )


def test_a_good_check_runs_in_the_child_and_the_modules_are_imported(tmp_path: Path) -> None:
    result = _run(tmp_path, 'Path("checked").write_text("the child ran me")')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "after True True"
    assert (tmp_path / "checked").read_text() == "the child ran me"


def test_a_bad_value_ends_the_process_with_its_sentence(tmp_path: Path) -> None:
    result = _run(tmp_path, 'raise ConfigError("model.hidden_size=0 is not valid.")')
    assert result.returncode == 2
    assert result.stderr.strip() == "prog: error: model.hidden_size=0 is not valid."
    assert "after" not in result.stdout  # the process did not go on


def test_a_bug_in_the_check_shows_its_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path, "raise RuntimeError('a bug')")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "RuntimeError: a bug" in result.stderr
    assert "after" not in result.stdout


def test_only_launchers_that_train_here_import_first() -> None:
    assert training_modules("hydra_plugins.rnnlab_sweep.stacked.StackedLauncher") == (
        "rnnlab.stack.training",
    )
    assert training_modules("hydra._internal.core_plugins.basic_launcher.BasicLauncher")
    joblib = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
    assert training_modules(joblib) == ()
    assert training_modules(None) == ()
