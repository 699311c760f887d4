"""A search of the default experiment with and without pruning, and two ways of running its
trials two at a time on one machine.

1. ``rnnlab-train -m hparams_search=optuna hydra.sweeper.n_trials=30`` with
   ``hparams_search.pruner=none`` and ``=hyperband``: wall time of the command, the best value
   found (``optimization_results.yaml``), trials pruned and epochs trained in all.
2. Trials two at a time (``--parallel N`` trials, 0 to skip): Hydra's joblib launcher
   (``hydra/launcher=joblib hydra.launcher.n_jobs=2 hydra.sweeper.n_jobs=2``: the search asks
   two trials, waits for both, asks two more) against two ``rnnlab-train`` workers started on
   the same ``hydra.sweep.dir`` (each takes the next trial as soon as its own ends). Wall
   time, and the time a slot stood idle: for each batch of the joblib search, the gap
   between its faster and its slower trial.

Progress bars are off; everything else is the default experiment.

    python benchmarks/search.py [--trials 30] [--parallel 8] [--skip-pruning]
                                [--parallel-pruner none|median|hyperband]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml

BIN = Path(sys.executable).parent
QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar")


def _search(root: Path, folder: Path, *extra: str) -> list[str]:
    return [
        str(BIN / "rnnlab-train"),
        "-m",
        "hparams_search=optuna",
        f"hydra.sweep.dir={folder}",
        *QUIET,
        *extra,
    ]


def _records(folder: Path) -> list[dict]:
    jobs = [job for job in folder.iterdir() if (job / "metrics.json").is_file()]
    jobs.sort(key=lambda job: int(job.name.partition("_")[0]))
    return [json.loads((job / "metrics.json").read_text()) for job in jobs]


def _run(commands: list[list[str]], root: Path) -> float:
    """Start the commands at once; the wall time until the last one ends."""
    env = {**os.environ, "RNNLAB_ROOT": str(root)}
    started = time.perf_counter()
    processes = [
        subprocess.Popen(c, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for c in commands
    ]
    for process in processes:
        _, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(commands[0])} failed:\n{err.decode()[-2000:]}")
    return time.perf_counter() - started


def pruning(root: Path, trials: int) -> None:
    print(f"{trials}-trial search of the default experiment (hparams_search=optuna, seed 42)")
    print(f"{'pruner':<10} {'wall (s)':>9} {'best val/acc_best':>18} {'pruned':>7} {'epochs':>7}")
    for pruner in ("none", "hyperband"):
        folder = root / f"pruner_{pruner}"
        command = _search(
            root, folder, f"hydra.sweeper.n_trials={trials}", f"hparams_search.pruner={pruner}"
        )
        wall = _run([command], root)
        best = yaml.safe_load((folder / "optimization_results.yaml").read_text())["best_value"]
        records = _records(folder)
        pruned = sum(record["status"] == "pruned" for record in records)
        epochs = sum(int(record.get("epochs") or 0) for record in records)
        print(f"{pruner:<10} {wall:>9.1f} {best:>18.4f} {pruned:>7} {epochs:>7}", flush=True)


def parallel(root: Path, trials: int, pruner: str) -> None:
    print(f"\n{trials} trials two at a time (hparams_search=optuna, pruner {pruner})")
    joblib_dir, workers_dir = root / "joblib", root / "workers"
    joblib = _search(
        root,
        joblib_dir,
        f"hydra.sweeper.n_trials={trials}",
        f"hparams_search.pruner={pruner}",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "hydra.sweeper.n_jobs=2",
    )
    worker = _search(
        root, workers_dir, f"hydra.sweeper.n_trials={trials}", f"hparams_search.pruner={pruner}"
    )
    for name, commands, folder in (
        ("joblib, batches of 2", [joblib], joblib_dir),
        ("2 workers, one study", [worker, worker], workers_dir),
    ):
        wall = _run(commands, root)
        times = [float(record["wall_time_s"]) for record in _records(folder)]
        line = f"{name:<22} wall {wall:6.1f} s; trials' own time {sum(times):6.1f} s"
        if folder == joblib_dir:
            pairs = [times[i : i + 2] for i in range(0, len(times) - 1, 2)]
            idle = sum(max(pair) - min(pair) for pair in pairs)
            line += f"; a slot idle {idle:5.1f} s waiting for the slower trial of its batch"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--skip-pruning", action="store_true")
    parser.add_argument("--parallel-pruner", default="none", help="the pruner of part 2")
    args = parser.parse_args()
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.skip_pruning:
            pruning(root, args.trials)
        if args.parallel:
            parallel(root, args.parallel, args.parallel_pruner)


if __name__ == "__main__":
    main()
