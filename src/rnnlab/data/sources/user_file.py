"""``data=file data.path=<file>``: the user's own sequences, from an .npz or a long-format .csv.

The file's ``split`` (key or column) assigns each sequence to train, val or test; without
one the sequences are split by ``val_fraction`` and ``test_fraction``, stratified by class
for classification and fixed by ``split_seed`` (not by the run's seed), so runs that differ
in their seed are tested on the same sequences. Every split needs at least one sequence.
Inputs are scaled per feature with statistics of the training split alone (real steps
only); regression targets likewise. Variable lengths are kept: the network packs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rnnlab.config.schema import MAX_CLASSES
from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.assemble import RawPart, classification_splits, regression_splits
from rnnlab.data.sources.file_reading import read_sequence_file
from rnnlab.data.sources.file_targets import Targets, read_targets
from rnnlab.data.sources.sequence_file import CsvColumns, SequenceFile
from rnnlab.data.sources.splitting import check_fraction, split_indices
from rnnlab.data.spec import SequenceSplits, TaskSpec
from rnnlab.errors import ConfigError

PARTS = ("train", "val", "test")
PATH_FIELD = "data.path"


def _check_num_classes(num_classes: int | None) -> None:
    if num_classes is None:
        return
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, int)
        or not 2 <= num_classes <= MAX_CLASSES
    ):
        raise ConfigError(
            f"data.num_classes={num_classes} is not valid: expected an integer from 2 to "
            f"{MAX_CLASSES}, or null (the largest label + 1)."
        )


def _check_allow_pickle(allow_pickle: object) -> None:
    if not isinstance(allow_pickle, bool):
        raise ConfigError(f"data.allow_pickle={allow_pickle} is not valid: expected true or false.")


def _where_targets(file: SequenceFile, columns: CsvColumns) -> str:
    return "array 'targets'" if file.feature_names is None else f"column {columns.target_column!r}"


def _part_indices(
    file: SequenceFile, targets: Targets, fractions: tuple[float, float], split_seed: int
) -> list[np.ndarray]:
    """The indices of train, val and test: the file's own split, or a seeded one."""
    if file.split is not None:
        return [np.flatnonzero(file.split == part) for part in PARTS]
    labels = targets.values if targets.task == "classification" else None
    return split_indices(len(file), (0, *fractions), split_seed, labels=labels)


def _check_parts(
    file: SequenceFile, parts: list[np.ndarray], fractions: tuple[float, float]
) -> None:
    """Every split needs a sequence: training, choosing the best epoch, testing."""
    for name, indices in zip(PARTS, parts, strict=True):
        if len(indices):
            continue
        if file.split is not None:
            counts = ", ".join(f"{p} {len(i)}" for p, i in zip(PARTS, parts, strict=True))
            raise ConfigError(
                f"{file.path}: its split assigns no sequence to {name} ({counts}): every "
                "split needs at least one sequence."
            )
        raise ConfigError(
            f"{file.path}: data.val_fraction={fractions[0]} and data.test_fraction="
            f"{fractions[1]} of its {len(file)} sequences leave the {name} split empty: every "
            "split needs at least one sequence; change the fractions or add sequences."
        )


def _spec(name: str, file: SequenceFile, targets: Targets, baseline: float | None) -> TaskSpec:
    if targets.task == "classification":
        classes = targets.num_classes or 0
        return TaskSpec(
            name=name,
            input_size=file.num_features,
            output_size=classes,
            kind="classification",
            per_step=False,
            class_names=targets.class_names or tuple(str(c) for c in range(classes)),
            feature_names=file.feature_names,
        )
    return TaskSpec(
        name=name,
        input_size=file.num_features,
        output_size=targets.values.shape[1],
        kind="regression",
        per_step=False,
        baseline_loss=baseline,
        baseline_name="always predict the training mean",
        feature_names=file.feature_names,
    )


def _regression(
    name: str, file: SequenceFile, train: RawPart, val: RawPart, test: RawPart
) -> SequenceSplits:
    """Inputs and targets scaled by the training split's statistics; the mean's test MSE."""
    mean = train.targets.mean(axis=0, dtype=np.float64)
    std = train.targets.std(axis=0, dtype=np.float64)
    normalisation = Normalisation.fit(train.inputs, train.lengths).with_targets(
        tuple(mean.tolist()), tuple(std.tolist())
    )
    # The scaled training targets have mean 0: the test MSE of always answering it.
    scaled_test = (test.targets - mean) / np.asarray(normalisation.target_std)
    spec = _spec(name, file, Targets("regression", train.targets), float((scaled_test**2).mean()))
    return regression_splits(spec, train, val, test, normalisation)


def file_source(
    path: str | None = None,
    task: str | None = None,
    num_classes: int | None = None,
    id_column: str = "id",
    time_column: str = "time",
    feature_columns: Sequence[str] | None = None,
    target_column: str = "target",
    split_column: str | None = None,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    split_seed: int = 0,
    seed: int = 42,
    allow_pickle: bool = False,
) -> SequenceSplits:
    """Train/val/test splits of the sequences in ``path``, scaled on the training split.

    ``seed`` only orders the training batches (the DataModule reads it). ``allow_pickle``:
    read an .npz's object arrays (a list of ragged sequences), which pickle can make run code.
    """
    check_fraction("val_fraction", val_fraction)
    check_fraction("test_fraction", test_fraction, upper=1.0 - val_fraction)
    _check_num_classes(num_classes)
    _check_allow_pickle(allow_pickle)
    columns = CsvColumns.from_options(
        {
            "id_column": id_column,
            "time_column": time_column,
            "feature_columns": feature_columns,
            "target_column": target_column,
            "split_column": split_column,
        }
    )
    file = read_sequence_file(path, PATH_FIELD, columns, True, allow_pickle=allow_pickle)
    assert file.targets is not None  # need_targets
    targets = read_targets(
        file.path, file.targets, _where_targets(file, columns), task, num_classes
    )
    fractions = (val_fraction, test_fraction)
    parts = _part_indices(file, targets, fractions, split_seed)
    _check_parts(file, parts, fractions)
    whole = RawPart(file.inputs, file.lengths, targets.values)
    train, val, test = (whole.take(indices) for indices in parts)
    name = Path(file.path).stem
    if targets.task == "classification":
        return classification_splits(_spec(name, file, targets, None), train, val, test)
    return _regression(name, file, train, val, test)
