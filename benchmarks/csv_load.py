"""How long rnnlab takes to load a 1,000,000-row long-format CSV, against pandas.read_csv.

The file: 10,000 sequences x 100 steps x 3 features and a class per sequence (columns id,
time, a, b, c, target), written to a temporary folder. rnnlab's time is that of the real
command

    rnnlab-train data=file data.path=<file> train=false +trainer.limit_test_batches=1

less the same command on a 100-sequence file: start-up, imports and building the network
cost both the same. train=false stops before fitting, but the run still tests the untrained
network on the test split, which grows with the file; limit_test_batches=1 keeps that test
to one batch for both files, so the difference is the load (read, check, split, scale, make
tensors). pandas' time is pandas.read_csv of the same file in this process, pandas imported
beforehand. Each time is the fastest of --repeats runs (a busy machine only ever adds time to
a run, and the ~9 s start-up of a command varies by a second); the two files' commands
alternate. Also printed: the difference in the runs' own wall_time_s (metrics.json: from the
start of training, so without the imports), and the in-process times of the reader and the
whole source, to show where the load goes. Target: rnnlab within 3x of pandas.read_csv; a
miss by less than the small command's own variation between runs is called inconclusive.

    python benchmarks/csv_load.py [--repeats 3] [--sequences 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

#: rnnlab's load of a CSV may take at most this many times pandas.read_csv's parse.
TARGET_RATIO = 3.0
STEPS, FEATURES, SMALL = 100, 3, 100
BIN = Path(sys.executable).parent


def write_csv(path: Path, sequences: int, seed: int = 0) -> Path:
    """sequences x STEPS rows of id, time, FEATURES values (6 digits, as float32 holds) and a
    class per sequence, sequence after sequence."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(sequences * STEPS, FEATURES)).tolist()
    lines = [
        f"s{row // STEPS},{row % STEPS},{a:.6g},{b:.6g},{c:.6g},{row // STEPS % 2}"
        for row, (a, b, c) in enumerate(values)
    ]
    path.write_text("id,time,a,b,c,target\n" + "\n".join(lines) + "\n")
    return path


def _fastest(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _command(folder: Path, csv: Path) -> tuple[float, float]:
    """Seconds for rnnlab-train to load ``csv``, test one batch of the untrained network and
    end, and the run's own wall_time_s (from the start of training, imports excluded)."""
    command = [
        str(BIN / "rnnlab-train"),
        "data=file",
        f"data.path={csv}",
        "train=false",
        "+trainer.limit_test_batches=1",
        "trainer.enable_progress_bar=false",
        "~callbacks.progress_bar",
    ]
    runs = folder / "runs"
    env = {**os.environ, "RNNLAB_ROOT": str(runs)}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    (record,) = runs.glob("experiments/*/*/metrics.json")
    in_run = float(json.loads(record.read_text())["wall_time_s"])
    record.parent.rename(folder / f"done_{time.time_ns()}")  # the next run finds only its own
    return seconds, in_run


def _command_times(
    folder: Path, csv: Path, small: Path, repeats: int
) -> dict[Path, list[tuple[float, float]]]:
    """(command, in-run) seconds of each run for ``csv`` and for ``small``, runs alternating."""
    _command(folder, small)  # a first run writes bytecode caches and warms the disk cache
    times: dict[Path, list[tuple[float, float]]] = {csv: [], small: []}
    for _ in range(repeats):
        for file in (small, csv):
            times[file].append(_command(folder, file))
    return times


def _in_process(big: Path, repeats: int) -> tuple[float, float, float]:
    """Fastest pandas.read_csv, rnnlab's reader, and the whole data=file source."""
    import pandas as pd

    from rnnlab.data.sources.file_reading import read_sequence_file
    from rnnlab.data.sources.sequence_file import CsvColumns
    from rnnlab.data.sources.user_file import file_source

    pandas = _fastest(lambda: pd.read_csv(big), repeats)
    columns = CsvColumns()
    reader = _fastest(lambda: read_sequence_file(str(big), "data.path", columns, True), repeats)
    source = _fastest(lambda: file_source(str(big)), repeats)
    return pandas, reader, source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sequences", type=int, default=10_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        big = write_csv(folder / "big.csv", args.sequences)
        small = write_csv(folder / "small.csv", SMALL)
        rows = args.sequences * STEPS
        print(
            f"CSV load: {rows:,} rows ({args.sequences:,} sequences x {STEPS} steps x "
            f"{FEATURES} features, {big.stat().st_size / 1e6:.0f} MB; written in "
            f"{time.perf_counter() - start:.1f} s), fastest of {args.repeats}"
        )
        pandas, reader, source = _in_process(big, args.repeats)
        times = _command_times(folder, big, small, args.repeats)
        (big_s, big_run), (small_s, small_run) = (
            tuple(min(column) for column in zip(*times[file], strict=True)) for file in (big, small)
        )
        spread = max(t for t, _ in times[small]) - small_s
    load = big_s - small_s
    ratio = load / pandas
    print(f"{'pandas.read_csv (in process)':52s} {pandas:7.3f} s")
    print(f"{'rnnlab reader, read_sequence_file (in process)':52s} {reader:7.3f} s")
    print(f"{'rnnlab data=file source, file_source (in process)':52s} {source:7.3f} s")
    print(f"{'rnnlab-train ... train=false: command, this file':52s} {big_s:7.3f} s")
    print(
        f"{'rnnlab-train ... train=false: command, 100 sequences':52s} {small_s:7.3f} s "
        f"(its runs varied by {spread:.3f} s: a difference below that is noise)"
    )
    print(
        f"{'  the same, wall_time_s in metrics.json':52s} {big_run:7.3f} s and "
        f"{small_run:.3f} s: {big_run - small_run:.3f} s apart, "
        f"{(big_run - small_run) / pandas:.2f}x pandas.read_csv"
    )
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    if spread > load and ratio > TARGET_RATIO:  # the start-up's noise hides the load
        verdict = "inconclusive: the 100-sequence command varied more than that; rerun when idle"
    print(
        f"rnnlab's load through rnnlab-train: {load:.3f} s = {ratio:.2f}x pandas.read_csv "
        f"(target: at most {TARGET_RATIO:g}x): {verdict}"
    )
    return 1 if verdict == "MISSED" else 0


if __name__ == "__main__":
    sys.exit(main())
