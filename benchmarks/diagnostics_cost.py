"""What the diagnostics cost: `make train` with and without them, timed alike.

The diagnostics are the gradient flow through time (callbacks.gradient_flow), the hidden-state
figure (callbacks.hidden_states) and the per-epoch gradient-norm statistics
(callbacks.gradient_monitor.statistics); the non-finite guard stays on in both. Each variant
runs as a fresh `rnnlab-train` process with the default experiment, alternating (the order
flips every round), REPEATS times each; the medians are compared. Besides wall time the
processes' CPU time (user + system) is compared, which a machine shared with other work
disturbs much less.

    python benchmarks/diagnostics_cost.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
TRAIN = str(ROOT / ".venv" / "bin" / "rnnlab-train")
OFF = (
    "~callbacks.gradient_flow",
    "~callbacks.hidden_states",
    "callbacks.gradient_monitor.statistics=false",
)
TARGET = 0.05


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(overrides: tuple[str, ...], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `rnnlab-train` process."""
    cpu, start = _children_cpu(), time.perf_counter()
    result = subprocess.run([TRAIN, *overrides], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-2000:]
    return wall, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    times: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    variants = {"with": (), "without": OFF}
    with TemporaryDirectory() as scratch:
        env = {**os.environ, "RNNLAB_ROOT": scratch}
        _timed(OFF, env)  # warm-up: file caches, compiled bytecode
        for round_ in range(args.repeats):
            order = ("with", "without") if round_ % 2 == 0 else ("without", "with")
            for name in order:
                times[name].append(_timed(variants[name], env))
    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in times.items()
    }
    print(f"`make train`, {args.repeats} runs each, alternating; medians")
    print(f"{'diagnostics':<12} {'wall s':>8} {'CPU s':>8}")
    for name, (wall, cpu) in medians.items():
        print(f"{name:<12} {wall:8.2f} {cpu:8.2f}")
    (wall_on, cpu_on), (wall_off, cpu_off) = medians["with"], medians["without"]
    print(
        f"diagnostics add {100 * (wall_on / wall_off - 1):+.1f}% wall time, "
        f"{100 * (cpu_on / cpu_off - 1):+.1f}% CPU time (target <= {100 * TARGET:.0f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
