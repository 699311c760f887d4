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
from pathlib import Path

import numpy as np

from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.assemble import RawPart, classification_splits, regression_splits
from rnnlab.data.sources.chunking import check_chunk, chunk_steps
from rnnlab.data.sources.packaged import package_dir
from rnnlab.data.sources.splitting import check_fraction, split_indices
from rnnlab.data.sources.ts_format import TsData, read_ts
from rnnlab.data.spec import SequenceSplits, TaskSpec
from rnnlab.errors import ConfigError

AEON_DATA = "datasets/data"


def archive_folder(archive_dir: str | None) -> Path:
    """aeon's data folder, found without importing aeon, or the user's own folder."""
    if archive_dir is None:
        return package_dir("aeon", "data=ucr") / AEON_DATA
    folder = Path(archive_dir).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"data.archive_dir={archive_dir!r} is not a folder.")
    return folder


def available_sets(folder: Path) -> dict[str, Path]:
    """Every ``<Name>_TRAIN.ts`` with its ``_TEST.ts``, in ``folder`` or one level below."""
    found: dict[str, Path] = {}
    for train in sorted([*folder.glob("*_TRAIN.ts"), *folder.glob("*/*_TRAIN.ts")]):
        name = train.name[: -len("_TRAIN.ts")]
        if (train.parent / f"{name}_TEST.ts").is_file():
            found.setdefault(name, train.parent)
    return found


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
    name: str, train: TsData, test: TsData, val_fraction: float, seed: int
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
    name: str, train: TsData, test: TsData, val_fraction: float, seed: int
) -> SequenceSplits:
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
) -> SequenceSplits:
    """The archive's training cases (less a stratified validation share) and its test cases;
    ``chunk`` consecutive steps are read as one input vector (rnnlab.data.sources.chunking)."""
    check_fraction("val_fraction", val_fraction)
    check_chunk(chunk)
    folder = archive_folder(archive_dir)
    sets = available_sets(folder)
    if name not in sets:
        where = "aeon's archive" if archive_dir is None else repr(str(folder))
        near = [known for known in sets if known.lower() == name.lower()]
        hint = f" (names are case-sensitive: did you mean {near[0]!r}?)" if near else ""
        raise ConfigError(
            f"data.name={name!r} is not a UCR/UEA data set in {where}{hint}: "
            f"available are {', '.join(sorted(sets, key=str.lower)) or 'none'}."
        )
    train = _chunked(read_ts(sets[name] / f"{name}_TRAIN.ts"), chunk)
    test = _chunked(read_ts(sets[name] / f"{name}_TEST.ts"), chunk)
    _check_same_shape(name, train, test)
    build = _regression_splits if train.is_regression else _class_splits
    return build(name, train, test, val_fraction, seed)
