"""Re-draw the figures under docs/figures/ from real runs.

Run it from anywhere (``make figures`` runs it too)::

    .venv/bin/python docs/make_figures.py

It runs four presets through the installed commands, into a temporary RNNLAB_ROOT so that
the checkout's experiments/ and multirun/ stay untouched::

    rnnlab-train experiment=vanishing_gradients
    rnnlab-train experiment=clipping
    rnnlab-train -m experiment=memory_vs_length
    rnnlab-report <the memory_vs_length sweep folder>
    rnnlab-train experiment=ucr_benchmark

then copies the figures they wrote into docs/figures/ under stable names, prints what each
command printed (the measured ratios, losses and the report's table) and the wall time of
each command, and deletes the temporary folder. On a 2-core CPU the whole script takes about
4 minutes, most of it the memory_vs_length sweep (docs/benchmarks.md, "The presets"), plus
the UCR benchmark's 36 runs (docs/data.md, "One recipe for the UCR/UEA archive").

``--keep`` keeps the temporary RNNLAB_ROOT (its path is printed) so the runs can be looked at
afterwards; ``--only NAME`` (repeatable) runs only some of the presets: vanishing_gradients,
clipping, memory_vs_length, ucr_benchmark. ``OMP_NUM_THREADS`` is set to 1 unless you set it:
on a shared machine one torch thread per process is much faster (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
FIGURES = DOCS / "figures"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Preset:
    """One command to run, and which of the figures it writes to keep (sweep-relative path
    -> name under docs/figures/)."""

    name: str
    arguments: tuple[str, ...]
    figures: dict[str, str]
    report: bool = False  # also run rnnlab-report on the sweep folder
    diverges: bool = False  # some jobs diverge on purpose: the command's exit status 1 is expected


PRESETS = (
    Preset(
        "vanishing_gradients",
        ("experiment=vanishing_gradients",),
        {"gradient_flow_comparison.png": "vanishing_gradients.png"},
    ),
    Preset(
        "clipping",
        ("experiment=clipping",),
        {"clipping_comparison.png": "clipping.png"},
        diverges=True,
    ),
    Preset(
        "memory_vs_length",
        ("-m", "experiment=memory_vs_length"),
        {
            "figures/test_mse_vs_data.seq_len.png": "memory_vs_length.png",
            "figures/val_loss_curves.png": "memory_vs_length_val_loss.png",
        },
        report=True,
    ),
    Preset(
        "ucr_benchmark",
        ("experiment=ucr_benchmark",),
        {"ucr_benchmark.png": "ucr_benchmark.png"},
    ),
)


def run(command: list[str], environment: dict[str, str], diverges: bool = False) -> float:
    """Run a command from the repository root, its output shown as it comes; its wall time.
    With ``diverges``, exit status 1 (a sweep with diverged jobs) counts as done."""
    print(f"\n$ {' '.join(command)}", flush=True)
    started = time.perf_counter()
    status = subprocess.run(command, cwd=REPO, env=environment).returncode
    if status not in ((0, 1) if diverges else (0,)):
        raise subprocess.CalledProcessError(status, command)
    return time.perf_counter() - started


def sweep_folder(root: Path, name: str) -> Path:
    """The one sweep folder a preset wrote under <root>/multirun/<name>/."""
    folders = sorted(p for p in (root / "multirun" / name).iterdir() if p.is_dir())
    if len(folders) != 1:
        raise SystemExit(f"expected one sweep folder under multirun/{name}, found {folders}")
    return folders[0]


def make(preset: Preset, root: Path, environment: dict[str, str]) -> list[str]:
    """Run one preset, copy its figures into docs/figures/; lines for the closing summary."""
    seconds = run([str(BIN / "rnnlab-train"), *preset.arguments], environment, preset.diverges)
    summary = [f"rnnlab-train {' '.join(preset.arguments)}: {seconds:.0f} s"]
    sweep = sweep_folder(root, preset.name)
    if preset.report:
        seconds = run([str(BIN / "rnnlab-report"), str(sweep)], environment)
        summary.append(f"rnnlab-report <sweep folder>: {seconds:.0f} s")
    for written, kept in preset.figures.items():
        source = sweep / written
        if not source.is_file():
            raise SystemExit(f"{preset.name} wrote no {written} in {sweep}")
        FIGURES.mkdir(exist_ok=True)
        shutil.copyfile(source, FIGURES / kept)
        size = (FIGURES / kept).stat().st_size // 1024
        summary.append(f"  docs/figures/{kept} ({size} KB) <- {written}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary RNNLAB_ROOT")
    parser.add_argument(
        "--only",
        action="append",
        choices=[p.name for p in PRESETS],
        help="run only this preset (repeatable)",
    )
    arguments = parser.parse_args(argv)
    chosen = [p for p in PRESETS if not arguments.only or p.name in arguments.only]

    root = Path(tempfile.mkdtemp(prefix="rnnlab-figures-"))
    environment = {**os.environ, "RNNLAB_ROOT": str(root)}
    environment.setdefault("OMP_NUM_THREADS", "1")
    summary: list[str] = []
    try:
        for preset in chosen:
            summary += make(preset, root, environment)
    finally:
        if arguments.keep:
            print(f"\nthe runs are kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("\n" + "\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
