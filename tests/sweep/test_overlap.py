"""The pre-flight in a forked child while the training stack is imported: a bad value still
ends the process at once with its one sentence; a good grid leaves the modules imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnnlab.sweep.overlap import training_modules

#: A program that runs ``check_while_importing`` with the check given as source text, while
#: importing ``slow_stack`` (which takes ``delay`` seconds, then leaves a file ``imported``).
PROGRAM = """
import os, sys
from pathlib import Path
sys.path.insert(0, ".")
from rnnlab.config.guard import exit_on_user_error
from rnnlab.errors import ConfigError
from rnnlab.sweep.overlap import check_while_importing

Path("parent").write_text(str(os.getpid()))

def check():
{check}

with exit_on_user_error("prog"):  # as the entry point runs it
    check_while_importing(check, ["slow_stack"], "prog")
print("after", "slow_stack" in sys.modules, Path("checked").exists())
"""

#: What ``can_fork`` asks of the machine (the test process itself runs threads under xdist).
FORKS = sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1
needs_fork = pytest.mark.skipif(not FORKS, reason="the checks run here without a fork")


def _run(tmp_path: Path, check: str, delay: float = 0.0) -> subprocess.CompletedProcess:
    (tmp_path / "slow_stack.py").write_text(
        f"import time, pathlib\ntime.sleep({delay})\npathlib.Path('imported').touch()\n"
    )
    source = PROGRAM.format(check=textwrap.indent(check, "    "))
    return subprocess.run(
        [sys.executable, "-c", source], cwd=tmp_path, text=True, capture_output=True, timeout=60
    )


def test_a_good_check_runs_and_the_modules_are_imported(tmp_path: Path) -> None:
    result = _run(tmp_path, 'Path("checked").write_text(str(os.getpid()))')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "after True True"
    assert (tmp_path / "imported").exists()


@needs_fork
def test_the_check_runs_in_a_child_process(tmp_path: Path) -> None:
    result = _run(tmp_path, 'Path("checked").write_text(str(os.getpid()))')
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "checked").read_text() != (tmp_path / "parent").read_text()


def test_a_bad_value_ends_the_process_with_its_sentence(tmp_path: Path) -> None:
    result = _run(tmp_path, 'raise ConfigError("model.hidden_size=0 is not valid.")')
    assert result.returncode == 2
    assert result.stderr.strip() == "prog: error: model.hidden_size=0 is not valid."
    assert "after" not in result.stdout  # the process did not go on


@needs_fork
def test_a_bad_value_does_not_wait_for_the_import(tmp_path: Path) -> None:
    result = _run(tmp_path, 'raise ConfigError("data.seq_len=-3 is not valid.")', delay=30)
    assert result.returncode == 2
    assert not (tmp_path / "imported").exists()  # ended while the import was still going


def test_a_bug_in_the_check_shows_its_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path, "raise RuntimeError('a bug')")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "RuntimeError: a bug" in result.stderr
    assert "after" not in result.stdout


@needs_fork
def test_a_check_killed_by_a_signal_is_said(tmp_path: Path) -> None:
    result = _run(tmp_path, "import signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "prog: error: the sweep's pre-flight check was killed by signal 9"
    )


def test_only_launchers_that_train_here_import_first() -> None:
    assert training_modules("hydra_plugins.rnnlab_sweep.stacked.StackedLauncher") == (
        "rnnlab.stack.training",
    )
    assert training_modules("hydra._internal.core_plugins.basic_launcher.BasicLauncher")
    joblib = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
    assert training_modules(joblib) == ()
    assert training_modules(None) == ()
