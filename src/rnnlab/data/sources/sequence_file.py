"""A user's file of sequences, read into one padded array: what ``data=file`` and
``rnnlab-predict`` both start from.

Two formats, chosen by the file's suffix: NumPy ``.npz`` (npz_file) and long-format
``.csv``, one row per time step (csv_file). Both readers hand back a SequenceFile, whose
values are finite and whose padding is zero; every problem with the file is one
ConfigError sentence that names the file and what is wrong, so a bad file never gets as
far as a traceback or a run folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from rnnlab.errors import ConfigError

#: The three parts a file may assign its sequences to, and what each may be written as.
SPLIT_ALIASES: dict[str, str] = {
    "train": "train",
    "val": "val",
    "validation": "val",
    "test": "test",
    "0": "train",
    "1": "val",
    "2": "test",
}


@dataclass(frozen=True)
class CsvColumns:
    """Column names of a long-format CSV (one row per time step)."""

    id_column: str = "id"
    time_column: str = "time"
    #: None: every column that is not the id, time, target or split column.
    feature_columns: tuple[str, ...] | None = None
    target_column: str = "target"
    split_column: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CsvColumns:
        """The column names among ``options`` (a data=file config); others keep defaults."""
        names = {f.name for f in fields(cls)}
        given = {key: value for key, value in options.items() if key in names}
        features = given.get("feature_columns")
        if isinstance(features, str):  # data.feature_columns=speed: one column
            given["feature_columns"] = (features,)
        elif features is not None:
            given["feature_columns"] = tuple(str(c) for c in features)
        return cls(**given)


@dataclass(frozen=True)
class SettingNames:
    """How a reader's advice names the settings that choose a CSV's columns.

    rnnlab-train sets them as ``data.id_column`` …; rnnlab-predict as ``id_column`` …, and
    takes its features from the model (TaskSpec.feature_names), which no setting changes.
    """

    prefix: str = "data."
    features_from_model: bool = False

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


TRAIN_SETTINGS = SettingNames()
PREDICT_SETTINGS = SettingNames(prefix="", features_from_model=True)


@dataclass(frozen=True)
class SequenceFile:
    """One file's sequences: padded inputs, true lengths, and targets and split if given."""

    #: The path as the user gave it, for messages.
    path: str
    #: (N,) str: each sequence's id (the CSV id column, the NPZ ``ids`` array, or its index).
    ids: np.ndarray
    #: (N, T, F) float32, finite, zero after each sequence's length.
    inputs: np.ndarray
    #: (N,) int64, each sequence's number of real steps (>= 1).
    lengths: np.ndarray
    #: (N,) or (N, K) as stored (numbers, or the CSV's text), one per sequence; None: absent.
    targets: np.ndarray | None
    #: (N,) str, each "train", "val" or "test"; None: the file assigns no split.
    split: np.ndarray | None
    #: The feature names (CSV columns) or None (NPZ).
    feature_names: tuple[str, ...] | None = None

    @property
    def num_features(self) -> int:
        return int(self.inputs.shape[2])

    def __len__(self) -> int:
        return int(self.inputs.shape[0])


def split_names(path: str, values: np.ndarray, where: str) -> np.ndarray:
    """``values`` as "train"/"val"/"test", or one sentence naming the first unknown value.

    Each distinct value is looked up once: a file's split has a few values, not one per row."""
    if values.ndim != 1:
        raise ConfigError(_no_split_message(path, where, values.tolist()[0]))
    # an .npz's object array may mix types, which np.unique cannot sort: key them as str() does
    keys = values.astype(str) if values.dtype == object else values
    distinct, codes = np.unique(keys, return_inverse=True)
    named = [SPLIT_ALIASES.get(str(value).strip().lower()) for value in distinct.tolist()]
    unknown = np.array([name is None for name in named], dtype=bool)[codes]
    if unknown.any():
        raise ConfigError(_no_split_message(path, where, values.tolist()[int(unknown.argmax())]))
    return np.array(named, dtype=str)[codes]


def _no_split_message(path: str, where: str, value: object) -> str:
    return (
        f"{path}: {where} holds {value!r}, which names no split: use train, val (or "
        "validation) and test, or 0, 1 and 2."
    )


def pad(sequences: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(T_i, F) arrays -> (N, max T_i, F) float32 zero-padded, and their lengths."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    features = sequences[0].shape[1] if sequences else 0
    padded = np.zeros((len(sequences), int(lengths.max(initial=0)), features), np.float32)
    for row, sequence in enumerate(sequences):
        padded[row, : len(sequence)] = sequence
    return padded, lengths


def missing_message(path: str, where: str) -> str:
    """The sentence for a blank cell: a missing value, as NaN is, not text."""
    return (
        f"{path} has a missing value (a blank cell) in {where}: rnnlab does not invent values; "
        "fill or drop them before training or predicting."
    )


def not_finite_message(path: str, where: str) -> str:
    """The sentence for a NaN or infinite value, ``where`` saying which one."""
    return (
        f"{path} has a NaN or infinite value in {where}: rnnlab does not invent values; "
        "fill or drop them before training or predicting."
    )
