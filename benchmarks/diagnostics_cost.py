"""What the diagnostics cost: `make train` with and without them, timed alike.

The diagnostics are the gradient flow through time (callbacks.gradient_flow), the hidden-state
figure (callbacks.hidden_states) and the per-epoch gradient-norm statistics
(callbacks.gradient_monitor.statistics); the non-finite guard, which computes the gradient
norm the statistics use, stays on in both. Two measurements:

- A/B: the default experiment, as `make train` runs it, in fresh processes with and without
  the diagnostics, alternating (the order flips every round), REPEATS times each; medians of
  the whole command's wall and CPU time.
- Inside the runs with diagnostics: the main thread's CPU time spent in the diagnostics'
  hooks, which other work on a shared machine barely disturbs, against the command's wall
  time without them; and the statistics' share per training step.

Both variants run through this script's --driver mode (rnnlab-train's entry point plus hook
timers), so they start alike.

    python benchmarks/diagnostics_cost.py [--repeats 5] [--threads 1]

On a machine busy with other work, --threads 1 (OMP_NUM_THREADS for both variants) keeps
torch's worker threads from spinning while they wait for a core, which inflates CPU time.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OFF = (
    "~callbacks.gradient_flow",
    "~callbacks.hidden_states",
    "callbacks.gradient_monitor.statistics=false",
)
TARGET = 0.05
MARK = "DIAGNOSTICS_COST "


# --driver: one run, with the diagnostics' hooks timed -----------------------------------
def _timed(totals: dict[str, list[float]], part: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            entry = totals[part]
            entry[0] += time.thread_time() - cpu
            entry[1] += time.perf_counter() - wall
            entry[2] += 1

    return wrapper


def _driver(overrides: list[str]) -> None:
    """rnnlab-train with these overrides; prints the time the diagnostics took."""
    from rnnlab import train
    from rnnlab.callbacks import gradient_flow, gradient_monitor, hidden_states

    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    hooks = {
        "gradient flow": (
            gradient_flow.GradientFlow,
            ("on_train_start", "on_train_epoch_end", "on_fit_end"),
        ),
        "hidden states": (hidden_states.HiddenStates, ("on_test_batch_start", "on_test_end")),
        # the statistics' part of the monitor: per step (the default run does not clip, so
        # nothing else), then once an epoch
        "gradient statistics, per step": (
            gradient_monitor.EpochGradientStatistics,
            ("add",),
        ),
        "gradient statistics, per epoch": (
            gradient_monitor.GradientMonitor,
            ("on_train_epoch_end",),
        ),
    }
    for part, (owner, names) in hooks.items():
        for name in names:
            setattr(owner, name, _timed(totals, part, getattr(owner, name)))
    sys.argv = ["rnnlab-train", *overrides]
    train.main()
    print(MARK + json.dumps({part: list(values) for part, values in totals.items()}), flush=True)


# the comparison ---------------------------------------------------------------------------
def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(overrides: tuple[str, ...], env: dict[str, str]) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one fresh process, and its diagnostics' times."""
    command = [sys.executable, __file__, "--driver", *overrides]
    cpu, start = _children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = [x for x in result.stdout.splitlines() if x.startswith(MARK)]
    return wall, _children_cpu() - cpu, json.loads(line[len(MARK) :])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="OMP_NUM_THREADS for the runs")
    parser.add_argument("--driver", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.driver is not None:
        _driver(args.driver)
        return 0
    variants = {"on": (), "off": OFF}
    runs: dict[str, list[tuple[float, float, dict]]] = {"on": [], "off": []}
    with TemporaryDirectory() as scratch:
        env = {**os.environ, "RNNLAB_ROOT": scratch}
        if args.threads:
            env["OMP_NUM_THREADS"] = str(args.threads)
        _run(OFF, env)  # warm-up: file caches, compiled bytecode
        for round_ in range(args.repeats):
            for name in ("on", "off") if round_ % 2 == 0 else ("off", "on"):
                runs[name].append(_run(variants[name], env))

    def median(name: str, index: int) -> float:
        return statistics.median(run[index] for run in runs[name])

    print(
        f"`make train` (the default experiment), {args.repeats} fresh processes each, alternating"
    )
    print(f"{'diagnostics':<12} {'wall s (median)':>16} {'CPU s (median)':>15}")
    for name in runs:
        print(f"{name:<12} {median(name, 0):16.2f} {median(name, 1):15.2f}")
    wall_on, wall_off = median("on", 0), median("off", 0)
    cpu_on, cpu_off = median("on", 1), median("off", 1)
    print(
        f"A/B: diagnostics add {100 * (wall_on / wall_off - 1):+.1f}% wall time, "
        f"{100 * (cpu_on / cpu_off - 1):+.1f}% CPU time (target <= {100 * TARGET:.0f}%)"
    )
    parts = sorted({part for run in runs["on"] for part in run[2]})
    spent = {
        part: statistics.median(run[2].get(part, [0.0, 0.0, 0])[0] for run in runs["on"])
        for part in parts
    }
    total = sum(spent.values())
    print(
        f"inside the runs: the diagnostics' hooks take {total:.3f} s of main-thread CPU "
        f"(median): {100 * total / wall_off:.1f}% of the command's wall time and "
        f"{100 * total / cpu_off:.1f}% of its CPU time without them "
        f"(target <= {100 * TARGET:.0f}%)"
    )
    for part in parts:
        calls = statistics.median(run[2].get(part, [0, 0, 0])[2] for run in runs["on"])
        per_call = 1e6 * spent[part] / calls if calls else 0.0
        print(f"  {part:<32} {spent[part]:7.3f} s  {calls:6.0f} calls  {per_call:9.1f} µs a call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
