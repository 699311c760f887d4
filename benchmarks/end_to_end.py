"""Whole-command wall time: `make train` against the plain-PyTorch baseline, timed alike.

The baseline is benchmarks/baseline_rnn.py, the plain-PyTorch baseline (the lesson's
protocol). Both run as fresh processes (imports, data, training, test, figures included),
alternating, REPEATS times each; medians are compared. Also times how long a bad config
value takes to be reported, for each bad value the validation tests cover.

    python benchmarks/end_to_end.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
BASELINE_LABEL = "plain-PyTorch baseline (the lesson's protocol)"
WIDTH = len(BASELINE_LABEL)
BAD_VALUES = (
    "model=transformer",
    "model.hidden_size=abc",
    "model.hidden_size=0",
    "data.seq_len=-5",
    "data.batch_size=0",
    "trainer.max_epochs=-1",
    "model.num_layers=0",
    "model.dropout=1.5",
)


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result


def _newest_metrics(root: Path) -> dict:
    newest = max((root / "experiments").rglob("metrics.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(newest.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    baseline_times, train_times, baseline_acc, train_acc = [], [], None, None
    with TemporaryDirectory() as scratch:
        env = {**os.environ, "RNNLAB_ROOT": scratch}
        for _ in range(args.repeats):
            seconds, result = _timed(
                [sys.executable, "benchmarks/baseline_rnn.py", f"{scratch}/baseline"], env
            )
            assert result.returncode == 0, result.stderr
            baseline_times.append(seconds)
            baseline_acc = float(re.search(r"Test Accuracy: ([\d.]+)%", result.stdout).group(1))
            seconds, result = _timed(["make", "--no-print-directory", "train"], env)
            assert result.returncode == 0, result.stderr
            train_times.append(seconds)
            train_acc = 100 * _newest_metrics(Path(scratch))["metrics"]["test/acc"]
        error_times = []
        for bad in BAD_VALUES:
            seconds, result = _timed([str(ROOT / ".venv/bin/rnnlab-train"), bad], env)
            assert result.returncode != 0
            error_times.append(seconds)
    baseline, train = statistics.median(baseline_times), statistics.median(train_times)
    print(f"{'command':<{WIDTH}} {'wall s (median)':>16} {'test accuracy':>14}")
    print(f"{BASELINE_LABEL:<{WIDTH}} {baseline:16.2f} {baseline_acc:13.2f}%")
    print(f"{'make train':<{WIDTH}} {train:16.2f} {train_acc:13.2f}%")
    print(f"make train / plain-PyTorch baseline: {train / baseline:.2f}x  (target <= 2.00x)")
    print(
        f"bad config value reported in: max {max(error_times):.2f} s, "
        f"median {statistics.median(error_times):.2f} s over {len(BAD_VALUES)} values "
        "(target < 1.5 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
