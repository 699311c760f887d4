"""Twelve runs of the default experiment three ways, and where a sweep job's time goes.

Wall time of the whole command, each started as a user would, one after the other:
- the plain-PyTorch baseline (benchmarks/baseline_rnn.py) run 12 times in a row, a fresh
  process each time: the floor, with no framework at all;
- ``rnnlab-train -m seed=1,...,12`` with Hydra's basic launcher (one process, jobs in turn);
- the same sweep with ``hydra/launcher=joblib`` (jobs in parallel, one loky worker per core);
- the same sweep with ``hydra/launcher=stacked`` (the jobs trained as one stacked network).
Progress bars are off in the sweeps; everything else is the default experiment.

Then the cost of a job beyond its training steps. Every sweep job gets one extra callback,
``+callbacks.step_timer`` (``step_timer`` below, found through PYTHONPATH), that times each
train, validation and test batch and stamps the stage boundaries; it costs two clock reads a
batch. A job's ``wall_time_s`` in metrics.json is its time inside ``train()``; what is not in
a batch is the framework's: building data, network and Trainer, the sanity check, the
checkpoints, figures and TensorBoard writes at epoch ends, loading the best checkpoint for
the test, and metrics.json. What a command spends outside every job's ``train()`` is process
start, imports, Hydra's per-job set-up (composition, .hydra/, logging) and the report that
every sweep writes when it ends.

    python benchmarks/sweep.py [--jobs 12]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar")
TIMER = "+callbacks.step_timer._target_=sweep.step_timer"
STEP_FILE = "step_times.json"
BATCH_KINDS = ("train", "validation", "test")


def step_timer() -> Any:
    """A Lightning callback that writes ``step_times.json`` into the run's folder.

    Built here, inside the job, so that the benchmark itself never imports Lightning.
    """
    import pytorch_lightning as pl

    class StepTimer(pl.Callback):
        def __init__(self) -> None:
            self.batches = dict.fromkeys(BATCH_KINDS, 0.0)
            self.stamps: dict[str, float] = {}
            self._started = 0.0

        def _start(self, trainer: pl.Trainer, *_: Any) -> None:
            self._started = time.perf_counter()

        def _stop(self, trainer: pl.Trainer, kind: str) -> None:
            if not trainer.sanity_checking:  # the sanity batch counts as set-up
                self.batches[kind] += time.perf_counter() - self._started

        on_train_batch_start = _start
        on_validation_batch_start = _start
        on_test_batch_start = _start

        def on_train_batch_end(self, trainer: pl.Trainer, *_: Any) -> None:
            self._stop(trainer, "train")

        def on_validation_batch_end(self, trainer: pl.Trainer, *_: Any) -> None:
            self._stop(trainer, "validation")

        def on_test_batch_end(self, trainer: pl.Trainer, *_: Any) -> None:
            self._stop(trainer, "test")

        def setup(self, trainer: pl.Trainer, pl_module: Any, stage: str) -> None:
            self.stamps.setdefault(f"setup_{getattr(stage, 'value', stage)}", time.time())

        def on_train_start(self, *_: Any) -> None:
            self.stamps["train_start"] = time.time()

        def on_train_end(self, *_: Any) -> None:
            self.stamps["train_end"] = time.time()

        def on_test_start(self, *_: Any) -> None:
            self.stamps["test_start"] = time.time()

        def on_test_end(self, trainer: pl.Trainer, *_: Any) -> None:
            self.stamps["test_end"] = time.time()
            record = {"batches": self.batches, "stamps": self.stamps}
            Path(trainer.default_root_dir, STEP_FILE).write_text(json.dumps(record))

    return StepTimer()


#: CPU seconds of every finished child process (and theirs: loky workers, jobs), by command.
CPU_SECONDS: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], env: dict[str, str], label: str = "") -> float:
    """Wall seconds of ``command``; its CPU seconds go to CPU_SECONDS[label] when labelled."""
    cpu, started = _children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    if label:
        CPU_SECONDS[label] = CPU_SECONDS.get(label, 0.0) + _children_cpu() - cpu
    return seconds


def _sweep(jobs: int, name: str, *extra: str, timed: bool = True) -> list[str]:
    """The sweep's command; ``timed`` adds the step timer (a stack runs no foreign callback)."""
    seeds = ",".join(str(seed) for seed in range(1, jobs + 1))
    timer = [TIMER] if timed else []
    return [
        str(BIN / "rnnlab-train"),
        "-m",
        f"seed={seeds}",
        f"name={name}",
        *QUIET,
        *timer,
        *extra,
    ]


def _job_dirs(root: Path, name: str, jobs: int) -> list[Path]:
    found = sorted(path.parent for path in (root / "multirun" / name).rglob("metrics.json"))
    assert len(found) == jobs, f"{name}: {len(found)} of {jobs} jobs wrote metrics.json"
    return found


def _breakdown(job: Path) -> dict[str, float]:
    """One job's seconds: in train(), in batches, and the framework's share by stage."""
    metrics_file = job / "metrics.json"
    record = json.loads(metrics_file.read_text())
    assert record["status"] == "completed", (job, record.get("message"))
    steps = json.loads((job / STEP_FILE).read_text())
    batches, stamps = steps["batches"], steps["stamps"]
    end = metrics_file.stat().st_mtime
    start = end - record["wall_time_s"]
    in_loop = stamps["train_end"] - stamps["train_start"]
    in_test = stamps["test_end"] - stamps["test_start"]
    return {
        "in train()": record["wall_time_s"],
        "batches (train + val + test)": sum(batches.values()),
        "build data, network, loggers, Trainer": stamps["setup_fit"] - start,
        "fit start: summary, sanity check": stamps["train_start"] - stamps["setup_fit"],
        "epoch ends: checkpoints, figures, metrics": in_loop
        - batches["train"]
        - batches["validation"],
        "fit end to test: load best.ckpt, set-up": stamps["test_start"] - stamps["train_end"],
        "test stage beyond its batches": in_test - batches["test"],
        "after the test: hparams, metrics.json": end - stamps["test_end"],
    }


def _print_breakdown(label: str, jobs: list[Path]) -> float:
    """The median job's seconds by stage; returns the total of every job's train()."""
    parts = [_breakdown(job) for job in jobs]
    medians = {key: statistics.median(part[key] for part in parts) for key in parts[0]}
    beyond = medians["in train()"] - medians["batches (train + val + test)"]
    threads = {json.loads((job / "metrics.json").read_text()).get("torch_threads") for job in jobs}
    print(f"\nwhere a job's time goes, {label}, torch threads {sorted(threads, key=str)}")
    print(f"(median of {len(jobs)} jobs, seconds)")
    for key, value in medians.items():
        print(f"  {key:<44} {value:6.3f}")
    print(f"  {'= per-job cost beyond the batches':<44} {beyond:6.3f}")
    return sum(part["in train()"] for part in parts)


def _environment(scratch: str) -> dict[str, str]:
    """Runs write under ``scratch``; job processes find ``step_timer`` in this folder."""
    path = [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "RNNLAB_ROOT": scratch, "PYTHONPATH": os.pathsep.join(filter(None, path))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=12)
    jobs = parser.parse_args(argv).jobs
    with TemporaryDirectory() as scratch:
        env, root = _environment(scratch), Path(scratch)
        baseline_command = [sys.executable, "benchmarks/baseline_rnn.py", f"{scratch}/baseline"]
        baseline = sum(_timed(baseline_command, env, "baseline") for _ in range(jobs))
        basic = _timed(_sweep(jobs, "basic"), env, "basic")
        parallel = _timed(_sweep(jobs, "joblib", "hydra/launcher=joblib"), env, "joblib")
        stacked = _timed(
            _sweep(jobs, "stacked", "hydra/launcher=stacked", timed=False), env, "stacked"
        )
        imports = _timed([sys.executable, "-c", "import rnnlab.run.training"], env)
        # as the entry points import it (rnnlab.run.startup): no collector passes meanwhile
        quiet_import = "import gc; gc.disable(); import rnnlab.run.training"
        imports_without_gc = _timed([sys.executable, "-c", quiet_import], env)
        (basic_sweep,) = (root / "multirun" / "basic").iterdir()
        report = _timed([str(BIN / "rnnlab-report"), str(basic_sweep)], env)
        cores = os.cpu_count() or 1
        label = f"{jobs} runs of the default experiment, whole command, {cores} cores"
        print(f"{label:<58} {'wall s':>7} {'s / run':>8} {'/ baseline':>11} {'CPU s':>7}")
        for name, key, seconds in (
            (f"plain-PyTorch baseline, {jobs} processes in a row", "baseline", baseline),
            ("rnnlab-train -m (basic launcher)", "basic", basic),
            ("rnnlab-train -m hydra/launcher=joblib", "joblib", parallel),
            ("rnnlab-train -m hydra/launcher=stacked", "stacked", stacked),
        ):
            print(
                f"{name:<58} {seconds:7.2f} {seconds / jobs:8.2f} {seconds / baseline:10.2f}x"
                f" {CPU_SECONDS[key]:7.1f}"
            )
        print(
            "(CPU s: user + system time of the command and every process it started; it moves"
            " less than wall time when other work shares the machine)"
        )
        print(f"joblib / basic launcher: {parallel / basic:.2f}x")
        print(f"stacked / basic launcher: {stacked / basic:.2f}x")
        print(
            f"target: <= 0.30x the baseline ({0.3 * baseline:.1f} s here): stacked {stacked:.1f} s"
        )
        in_basic = _print_breakdown("basic launcher", _job_dirs(root, "basic", jobs))
        in_joblib = _print_breakdown("joblib launcher", _job_dirs(root, "joblib", jobs))
        print(
            f"\noutside the jobs' train(): basic launcher {basic - in_basic:.2f} s in all; "
            f"joblib {parallel - in_joblib / cores:.2f} s per worker (wall - job time / {cores}). "
            f"Of that, importing rnnlab's training stack takes {imports:.2f} s "
            f"(python -c 'import rnnlab.run.training'; {imports_without_gc:.2f} s with the "
            "garbage collector off, as rnnlab-train imports it), and the report every sweep "
            "writes at its "
            f"end about {report:.2f} s (rnnlab-report on the basic sweep, in a process of its "
            "own); the rest is process start and Hydra's per-job set-up."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
