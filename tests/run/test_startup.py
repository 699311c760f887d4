"""The training stack is imported with the collector off, then frozen once; training runs
with the collector on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import TINY_RUN

PROGRAM = """
import gc, sys
from rnnlab.run import startup

startup.import_long_lived(["fractions"])
print(gc.isenabled(), "fractions" in sys.modules, gc.get_freeze_count() > 0)
frozen = gc.get_freeze_count()
kept = [[] for _ in range(1000)]  # made by a job: a later import does not freeze it
startup.import_long_lived(["decimal"])
print(gc.isenabled(), "decimal" in sys.modules, gc.get_freeze_count() == frozen)
"""

#: A single run whose training records the collector's state.
TRAINING = """
import gc, sys
import rnnlab.run.training as training
from rnnlab.train import main

real_train = training.train
def train(cfg):
    print("COLLECTOR", gc.isenabled(), gc.get_freeze_count() > 0)
    return real_train(cfg)
training.train = train
sys.argv = ["rnnlab-train", *sys.argv[1:]]
main()
"""


def test_the_import_freezes_once_and_the_collector_comes_back() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], text=True, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "True"]


def test_a_run_trains_with_the_collector_on_over_a_frozen_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", TRAINING, *TINY_RUN],
        cwd=tmp_path,
        env={"RNNLAB_ROOT": str(tmp_path), "PATH": ""},
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "COLLECTOR True True" in result.stdout
