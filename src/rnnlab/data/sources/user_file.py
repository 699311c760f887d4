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

from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.assemble import RawPart, classification_splits, regression_splits
from rnnlab.data.sources.file_targets import Targets
from rnnlab.data.sources.sequence_file import SequenceFile
from rnnlab.data.sources.user_file_reading import read_user_file
from rnnlab.data.spec import SequenceSplits, TaskSpec


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
    read = read_user_file(
        path,
        task,
        num_classes,
        id_column,
        time_column,
        feature_columns if isinstance(feature_columns, str | None) else tuple(feature_columns),
        target_column,
        split_column,
        val_fraction,
        test_fraction,
        split_seed,
        allow_pickle,
    )
    file, targets, parts = read.file, read.targets, read.parts
    whole = RawPart(file.inputs, file.lengths, targets.values)
    train, val, test = (whole.take(indices) for indices in parts)
    name = Path(file.path).stem
    if targets.task == "classification":
        return classification_splits(_spec(name, file, targets, None), train, val, test)
    return _regression(name, file, train, val, test)
