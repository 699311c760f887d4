"""Write the small example files of ``data=file`` and ``rnnlab-predict`` (README, "Your own files").

    python examples/make_examples.py        # rewrites the files beside this script

- ``sequences.npz``: 60 sequences of 8-16 steps × 2 features, classified by the trend of
  the first feature (0 falling, 1 flat, 2 rising); padded inputs with their lengths, and a
  split array naming train, val and test.
- ``sequences.csv``: 40 sequences of 4-8 steps in long format (sequence, step, x, y,
  total): regress the sum of x over the sequence; no split column (split by fractions).
- ``new_sequences.csv``: 5 more sequences like those of sequences.csv, without the target,
  to predict.

Everything is drawn from one seeded generator, so the files are the same on every run.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SPLITS = ("train",) * 40 + ("val",) * 10 + ("test",) * 10


def trend_sequences(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Padded [60, 16, 2] inputs, lengths, trend classes and a fixed split."""
    count, longest = len(SPLITS), 16
    lengths = rng.integers(8, longest + 1, size=count)
    labels = np.arange(count) % 3
    inputs = np.zeros((count, longest, 2), np.float32)
    for i, (length, label) in enumerate(zip(lengths, labels, strict=True)):
        slope = (label - 1) * 0.15
        steps = np.arange(length)
        inputs[i, :length, 0] = slope * steps + rng.normal(0, 0.3, length)
        inputs[i, :length, 1] = rng.normal(0, 1, length)
    return {
        "inputs": inputs.round(2),
        "lengths": lengths.astype(np.int64),
        "targets": labels.astype(np.int64),
        "split": np.array(SPLITS),
    }


def sum_rows(rng: np.random.Generator, count: int, first: int, with_target: bool) -> list[list]:
    """Long-format rows: each sequence's steps, x and y, and (optionally) the sum of x."""
    rows = []
    for number in range(first, first + count):
        length = int(rng.integers(4, 9))
        x = rng.uniform(0, 1, length).round(3)
        y = rng.normal(0, 1, length).round(3)
        total = [f"{x.sum():.3f}"] if with_target else []
        rows += [[f"s{number}", t, f"{x[t]:.3f}", f"{y[t]:.3f}", *total] for t in range(length)]
    return rows


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = np.random.default_rng(0)
    np.savez_compressed(HERE / "sequences.npz", **trend_sequences(rng))
    header = ["sequence", "step", "x", "y"]
    write_csv(HERE / "sequences.csv", [*header, "total"], sum_rows(rng, 40, 0, True))
    write_csv(HERE / "new_sequences.csv", header, sum_rows(rng, 5, 100, False))


if __name__ == "__main__":
    main()
