"""rnnlab-predict's output: one CSV row per sequence, in the input file's order.

Columns: ``id``; for classification ``predicted`` (the class name) and ``prob_<class>``
for each class; for regression ``predicted`` (or ``predicted_0`` … for several outputs)
in the data's own units; then ``target`` (or ``target_0`` …) when the input has targets,
and ``split`` when it assigns one.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from rnnlab.data.sources.sequence_file import SequenceFile
from rnnlab.data.spec import TaskSpec
from rnnlab.errors import ConfigError


def _named(prefix: str, count: int) -> list[str]:
    return [prefix] if count == 1 else [f"{prefix}_{k}" for k in range(count)]


def _prediction_columns(spec: TaskSpec, outputs: np.ndarray) -> tuple[list[str], list[list[str]]]:
    if spec.is_classification:
        assert spec.class_names is not None
        header = ["predicted", *(f"prob_{name}" for name in spec.class_names)]
        classes = [spec.class_names[i] for i in outputs.argmax(axis=1)]
        cells = [[c, *(f"{p:.6f}" for p in row)] for c, row in zip(classes, outputs, strict=True)]
        return header, cells
    return _named("predicted", outputs.shape[1]), [[f"{v:.7g}" for v in row] for row in outputs]


def prediction_table(
    spec: TaskSpec, file: SequenceFile, outputs: np.ndarray
) -> tuple[list[str], list[list[str]]]:
    """The header and one row per sequence of ``file``; ``outputs`` (N, K) from the network
    (probabilities, or values already in the data's units)."""
    header, cells = _prediction_columns(spec, outputs)
    columns: list[list[str]] = [list(file.ids), *zip(*cells, strict=True)]
    header = ["id", *header]
    if file.targets is not None:
        targets = file.targets.reshape(len(file), -1)
        header += _named("target", targets.shape[1])
        columns += [[str(v) for v in targets[:, k]] for k in range(targets.shape[1])]
    if file.split is not None:
        header.append("split")
        columns.append(list(file.split))
    return header, [list(row) for row in zip(*columns, strict=True)]


def write_table(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write the CSV, creating its folder; one sentence when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.partial")  # a killed run leaves no half file
        with open(partial, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(partial, path)
    except OSError as error:
        raise ConfigError(
            f"output={str(path)!r} could not be written ({error.strerror or error}): give a "
            "path in a folder you can write to."
        ) from None
