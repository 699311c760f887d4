"""The start-up window: no collection while a process starts, one freeze at its end."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import gc
from rnnlab.run import startup

startup.begin()
print(gc.isenabled())
startup.end()
frozen = gc.get_freeze_count()
print(gc.isenabled(), frozen > 0)
kept = [[] for _ in range(1000)]  # made by a job: not frozen by a later end()
startup.begin()
print(gc.isenabled())  # a second begin does not switch it off again
startup.end()
print(gc.get_freeze_count() == frozen)
"""


def test_the_collector_is_off_while_starting_and_frozen_once() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], text=True, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True"]
