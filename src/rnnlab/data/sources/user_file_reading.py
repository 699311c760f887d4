"""``data=file``'s file read and checked without torch: every bad-file sentence comes before
torch is imported (rnnlab-train's checks call ``check_data_file``), in well under a second.

``read_user_file`` is what ``file_source`` reads: the sequences, their targets and the
train/val/test indices. The last reading is kept, so a run that was checked before torch was
imported does not read its file twice.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rnnlab.config.schema import MAX_CLASSES
from rnnlab.data.sources.file_reading import read_sequence_file
from rnnlab.data.sources.file_targets import Targets, read_targets
from rnnlab.data.sources.sequence_file import CsvColumns, SequenceFile
from rnnlab.data.sources.splitting import check_fraction, split_indices
from rnnlab.errors import ConfigError

#: The source that reads the user's own file (``conf/data/file.yaml``).
FILE_SOURCE = "rnnlab.data.sources.user_file.file_source"
#: Its options besides the DataModule's own (batch_size, shuffle).
_OPTIONS = (
    "path",
    "task",
    "num_classes",
    "id_column",
    "time_column",
    "feature_columns",
    "target_column",
    "split_column",
    "val_fraction",
    "test_fraction",
    "split_seed",
    "allow_pickle",
)

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


@dataclass(frozen=True)
class UserFile:
    """A read and checked file: its sequences, targets and split indices."""

    file: SequenceFile
    targets: Targets
    parts: list[np.ndarray]


_last: tuple[tuple[Any, ...], UserFile] | None = None


def _stamp(path: str | None) -> tuple[Any, ...]:
    try:
        status = os.stat(str(path))
    except (OSError, TypeError, ValueError):
        return ()
    return (status.st_mtime_ns, status.st_size)


def read_user_file(
    path: str | None = None,
    task: str | None = None,
    num_classes: int | None = None,
    id_column: str = "id",
    time_column: str = "time",
    feature_columns: str | tuple[str, ...] | None = None,
    target_column: str = "target",
    split_column: str | None = None,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    split_seed: int = 0,
    allow_pickle: bool = False,
) -> UserFile:
    """Read ``path`` and check it as ``file_source`` does; ConfigError in one sentence."""
    global _last
    key = (
        path,
        task,
        num_classes,
        id_column,
        time_column,
        feature_columns,
        target_column,
        split_column,
        val_fraction,
        test_fraction,
        split_seed,
        allow_pickle,
        _stamp(path),
    )
    if _last is not None and _last[0] == key:
        return _last[1]
    check_fraction("val_fraction", val_fraction)
    check_fraction("test_fraction", test_fraction, upper=1.0 - val_fraction)
    _check_num_classes(num_classes)
    _check_allow_pickle(allow_pickle)
    columns = CsvColumns.from_options(
        {
            "id_column": id_column,
            "time_column": time_column,
            "feature_columns": feature_columns
            if isinstance(feature_columns, str | None)
            else list(feature_columns),
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
    _last = (key, UserFile(file, targets, parts))
    return _last[1]


def check_data_file(data: Mapping[str, Any]) -> None:
    """For ``data=file``: read and check its file now (a resolved ``data`` config)."""
    source = data.get("source")
    target = source.get("_target_") if isinstance(source, Mapping) else None
    if target != FILE_SOURCE:
        return
    options = {key: data[key] for key in _OPTIONS if key in data}
    columns = options.get("feature_columns")
    if columns is not None and not isinstance(columns, str):
        options["feature_columns"] = tuple(columns)  # hashable: the last reading is kept
    read_user_file(**options)


def check_data_file_of(cfg: DictConfig) -> None:
    """``data=file``'s file read and checked now, before torch is imported: a bad file is one
    sentence in well under a second rather than after torch's seconds of import."""
    try:
        data = OmegaConf.to_container(cfg.data, resolve=True) if "data" in cfg else None
    except OmegaConfBaseException:
        return  # the run's own validation says what is wrong
    if isinstance(data, dict):
        check_data_file(data)
