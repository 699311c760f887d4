"""Stacked sweeps: what one stack costs against one run, how a stack scales with its members,
and torch's threads beside a busy neighbour process. Every number is measured in this run.

1. Whole commands, one after the other (progress bars off):
   ``rnnlab-train`` (what ``make train`` runs) and
   ``rnnlab-train -m seed=1,...,16 hydra/launcher=stacked``; target: the 16 seeds in <= 2x.
2. Scaling, in a fresh process per row: members 1, 4, 16, 64 of a tiny network (GRU 8 units)
   and of a mid-sized one (GRU 64 units), default task (majority, T = 10, batch 32): the
   stack's seconds per epoch (fit only: no checkpoints, figures or logs), its peak memory
   (max RSS of the process), and its seconds per member-epoch against one job alone (the same
   network fused, under a plain Lightning Trainer).
3. Threads: ``rnnlab-train`` with ``threads=auto`` (one thread for this small network) and
   with torch's default (one per core), each while another process keeps one core busy.

    python benchmarks/stacked.py [--members 1,4,16,64] [--skip-commands] [--skip-threads]
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar")
EPOCHS = 3

#: Runs in a fresh process: builds a stack of K members (or one job alone) and times its fit.
_PROBE = r"""
import json, resource, sys, tempfile, time
import pytorch_lightning as pl
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.run.components import build_datamodule, build_module
from rnnlab.run.threads import set_run_threads
from rnnlab.stack.data import StackedDataModule
from rnnlab.stack.members import MemberJob, build_member
from rnnlab.stack.module import StackedModule

members, hidden, epochs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
root = tempfile.mkdtemp()
def config(seed):
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("train", overrides=[f"seed={seed}", f"model.hidden_size={hidden}",
                                          f"paths.output_dir={root}/{seed}"])
    return OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
def trainer():
    return pl.Trainer(max_epochs=epochs, logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False,
                      num_sanity_val_steps=0, accelerator="cpu", devices=1)
if members == 0:  # one job alone, fused, as a single run trains it
    cfg = config(1)
    threads = set_run_threads(cfg)
    pl.seed_everything(1, verbose=False)
    data = build_datamodule(cfg); module = build_module(cfg, data.spec); fit = trainer()
    started = time.perf_counter(); fit.fit(module, datamodule=data)
else:
    cfgs = [config(seed) for seed in range(1, members + 1)]
    threads = set_run_threads(cfgs[0], members=members)
    stack = [build_member(MemberJob(cfg, {}, [], [])) for cfg in cfgs]
    module = StackedModule(stack)
    data = StackedDataModule([m.datamodule for m in stack]); fit = trainer()
    started = time.perf_counter(); fit.fit(module, datamodule=data)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"epoch_s": seconds / epochs, "peak_mb": peak, "threads": threads}))
"""


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return time.perf_counter() - started


def _probe(members: int, hidden: int, env: dict[str, str]) -> dict[str, float]:
    command = [sys.executable, "-c", _PROBE, str(members), str(hidden), str(EPOCHS)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def commands(env: dict[str, str]) -> None:
    train = [str(BIN / "rnnlab-train"), *QUIET]
    one = _timed(train, env)
    seeds = ",".join(str(s) for s in range(1, 17))
    stacked = _timed([train[0], "-m", *QUIET, f"seed={seeds}", "hydra/launcher=stacked"], env)
    print(f"{'whole command, default experiment':<58} {'wall s':>7}")
    print(f"{'rnnlab-train (make train)':<58} {one:7.2f}")
    print(f"{'rnnlab-train -m seed=1..16 hydra/launcher=stacked':<58} {stacked:7.2f}")
    print(f"16 stacked seeds / one run: {stacked / one:.2f}x (target <= 2x)")


def scaling(members: list[int], env: dict[str, str]) -> None:
    print(f"\nscaling: fit only, {EPOCHS} epochs, default task (majority, T=10, batch 32)")
    header = f"{'network':<10} {'members':>7} {'s / epoch':>10} {'peak MB':>8} {'threads':>8}"
    print(header + f" {'s / member-epoch':>17} {'vs one alone':>13}")
    for hidden in (8, 64):
        alone = _probe(0, hidden, env)
        name = f"GRU {hidden}"
        print(
            f"{name:<10} {'alone':>7} {alone['epoch_s']:10.3f} {alone['peak_mb']:8.0f}"
            f" {alone['threads']:8.0f} {alone['epoch_s']:17.4f} {1.0:12.2f}x"
        )
        for count in members:
            row = _probe(count, hidden, env)
            per_member = row["epoch_s"] / count
            print(
                f"{name:<10} {count:7d} {row['epoch_s']:10.3f} {row['peak_mb']:8.0f}"
                f" {row['threads']:8.0f} {per_member:17.4f} {per_member / alone['epoch_s']:12.2f}x"
            )


def threads(env: dict[str, str]) -> None:
    """The default experiment beside a process that keeps one core busy."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        train = [str(BIN / "rnnlab-train"), *QUIET]
        auto = _timed(train, env)
        cores = os.cpu_count() or 1
        default = _timed([*train, f"threads={cores}"], env)
    finally:
        busy.kill()
        busy.wait()
    print(f"\nbeside a busy process: rnnlab-train threads=auto (1) {auto:.2f} s,")
    print(f"torch's default threads={cores} {default:.2f} s ({default / auto:.1f}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="1,4,16,64")
    parser.add_argument("--skip-commands", action="store_true")
    parser.add_argument("--skip-threads", action="store_true")
    args = parser.parse_args(argv)
    with TemporaryDirectory() as scratch:
        env = {**os.environ, "RNNLAB_ROOT": scratch}
        env.pop("OMP_NUM_THREADS", None)
        if not args.skip_commands:
            commands(env)
        scaling([int(m) for m in args.members.split(",")], env)
        if not args.skip_threads:
            threads(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
