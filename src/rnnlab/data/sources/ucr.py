"""``data=ucr data.name=<Name>``: a UCR/UEA archive data set, as the aeon package ships it.

aeon keeps each set as ``aeon/datasets/data/<Folder>/<Name>_TRAIN.ts`` and ``_TEST.ts``;
rnnlab reads them with its own parser (ts_format), never importing aeon (seconds of numba).
The archive's own train/test split is kept, so results compare with published ones; the
validation split is carved from the training cases (stratified by class, seeded). Inputs
are scaled per dimension with statistics of the remaining training cases alone.
Regression sets (``@targetLabel true``) get their target scaled the same way, and the
loss of always predicting the training mean is logged as the baseline.

``archive_dir`` reads the same layout from a folder of your own (e.g. the full archive,
unpacked), instead of aeon's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.assemble import RawPart, classification_splits, regression_splits
from rnnlab.data.sources.chunking import check_chunk, chunk_steps
from rnnlab.data.sources.class_balance import balanced_indices
from rnnlab.data.sources.splitting import check_fraction, split_indices
from rnnlab.data.sources.ts_format import TsData, read_ts
from rnnlab.data.sources.ucr_archive import archive_folder, available_sets, set_files
from rnnlab.data.spec import SequenceSplits, TaskSpec
from rnnlab.errors import ConfigError

#: archive_folder and available_sets moved to ucr_archive; named here too for old imports.
__all__ = ["archive_folder", "available_sets", "ucr_source"]


def _class_order(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Numeric labels in numeric order (1, 2, ..., 10), others as declared."""
    try:
        return tuple(sorted(labels, key=float))
    except ValueError:
        return labels


def _check_same_shape(name: str, train: TsData, test: TsData) -> None:
    if train.num_dimensions != test.num_dimensions:
        raise ConfigError(
            f"data.name={name!r}: the training file has {train.num_dimensions} dimensions and "
            f"the test file {test.num_dimensions}."
        )
    if train.is_regression != test.is_regression:
        raise ConfigError(f"data.name={name!r}: one file is labelled by class, the other not.")


def _class_splits(
    name: str, train: TsData, test: TsData, val_fraction: float, seed: int, balance: bool
) -> SequenceSplits:
    assert train.class_labels is not None
    classes = _class_order(train.class_labels)
    index = {label: i for i, label in enumerate(classes)}
    unknown = sorted(set(test.labels.tolist()) - set(classes))
    if unknown:
        raise ConfigError(
            f"data.name={name!r}: the test file has class {unknown[0]!r}, "
            "which the training file does not declare."
        )
    train_targets = np.array([index[label] for label in train.labels], dtype=np.int64)
    test_targets = np.array([index[label] for label in test.labels], dtype=np.int64)
    whole = RawPart(train.values, train.lengths, train_targets)
    fit, val = split_indices(len(train_targets), (0, val_fraction), seed, labels=train_targets)
    if balance:
        fit = balanced_indices(fit, train_targets, seed)
    spec = TaskSpec(
        name=name,
        input_size=train.num_dimensions,
        output_size=len(classes),
        kind="classification",
        per_step=False,
        class_names=classes,
    )
    test_part = RawPart(test.values, test.lengths, test_targets)
    return classification_splits(spec, whole.take(fit), whole.take(val), test_part)


def _regression_splits(
    name: str, train: TsData, test: TsData, val_fraction: float, seed: int, balance: bool
) -> SequenceSplits:
    if balance:
        raise ConfigError(
            f"data.balance=true repeats cases of rare classes, but data.name={name!r} is a "
            "regression set: set data.balance=false."
        )
    whole = RawPart(train.values, train.lengths, train.labels.astype(np.float32))
    fit, val = split_indices(len(train.labels), (0, val_fraction), seed)
    train_part = whole.take(fit)
    mean, std = float(train_part.targets.mean()), float(train_part.targets.std())
    normalisation = Normalisation.fit(train_part.inputs, train_part.lengths).with_targets(
        (mean,), (std,)
    )
    scaled_test = (test.labels - mean) / normalisation.target_std[0]
    spec = TaskSpec(
        name=name,
        input_size=train.num_dimensions,
        output_size=1,
        kind="regression",
        per_step=False,
        # The scaled training targets have mean 0: the test MSE of always answering it.
        baseline_loss=float((scaled_test**2).mean()),
        baseline_name="always predict the training mean",
    )
    test_part = RawPart(test.values, test.lengths, test.labels.astype(np.float32))
    return regression_splits(spec, train_part, whole.take(val), test_part, normalisation)


def _chunked(data: TsData, chunk: int) -> TsData:
    values, lengths = chunk_steps(data.values, data.lengths, chunk)
    return replace(data, values=values, lengths=lengths)


def ucr_source(
    name: str = "GunPoint",
    val_fraction: float = 0.2,
    chunk: int = 1,
    seed: int = 42,
    archive_dir: str | None = None,
    balance: bool = False,
) -> SequenceSplits:
    """The archive's training cases (less a stratified validation share) and its test cases;
    ``chunk`` consecutive steps are read as one input vector (rnnlab.data.sources.chunking);
    ``balance`` tops up rare classes of the fitted split (rnnlab.data.sources.class_balance)."""
    check_fraction("val_fraction", val_fraction)
    check_chunk(chunk)
    train_file, test_file = set_files(name, archive_dir)
    train = _chunked(read_ts(train_file), chunk)
    test = _chunked(read_ts(test_file), chunk)
    _check_same_shape(name, train, test)
    build = _regression_splits if train.is_regression else _class_splits
    return build(name, train, test, val_fraction, seed, balance)
