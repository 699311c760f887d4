"""Where each configured column of a long-format CSV sits, read from its header alone.

A missing column, a feature column that is also the id, time, target or split column, or a
file with no feature column is one sentence here, before a single data row is read. The
advice of each sentence names the settings of the program reading the file (SettingNames).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.data.sources.sequence_file import CsvColumns, SettingNames
from rnnlab.errors import ConfigError


@dataclass(frozen=True)
class CsvLayout:
    """Where each named column sits in a row."""

    #: The header's names, stripped of spaces: messages name columns by them.
    names: tuple[str, ...]
    id: int
    time: int
    features: tuple[int, ...]
    target: int | None
    split: int | None
    #: Appended to "column 'c' holds 'a' …, which is not a number" for each feature column.
    feature_advice: tuple[str, ...]

    @property
    def width(self) -> int:
        """The number of fields every row needs."""
        return len(self.names)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(self.names[i] for i in self.features)


def _separator_advice(names: list[str]) -> str:
    """When the header is one column holding ';' or a tab: the file uses another separator."""
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        return ", but rnnlab reads comma-separated files: write it with commas between values"
    return ""


def _feature_advice(name: str, inferred: bool, settings: SettingNames) -> str:
    """What to do when a feature column holds text: only inferred features can be wrong."""
    if not inferred:
        return ""
    if settings.features_from_model:
        return (
            ": a model trained on an .npz reads every column besides the id, time and target "
            "as an input, so remove the others from the file"
        )
    if name.strip().lower() == "split":
        return (
            f": to split by it set {settings.key('split_column')}={name}, or name the inputs "
            f"with {settings.key('feature_columns')}"
        )
    return (
        ": every column besides the id, time and target is read as an input; name the "
        f"inputs with {settings.key('feature_columns')}, or the split with "
        f"{settings.key('split_column')}"
    )


def csv_layout(
    path: str,
    header: list[str],
    columns: CsvColumns,
    need_targets: bool,
    settings: SettingNames,
) -> CsvLayout:
    """Each configured column's position, or one sentence naming the first missing one."""
    names = [name.strip() for name in header]
    listed = (
        f"its one column is {names[0]!r}{_separator_advice(names)}"
        if _separator_advice(names)
        else f"its columns are {', '.join(names)}"
    )

    def position(name: str, setting: str) -> int:
        if name in names:
            return names.index(name)
        if _separator_advice(names):
            raise ConfigError(f"{path} has no column {name!r} ({settings.key(setting)}): {listed}.")
        if setting == "feature_columns" and settings.features_from_model:
            raise ConfigError(
                f"{path} has no column {name!r}, an input the model was trained on: {listed}; "
                f"rename the column that holds it to {name!r} in the file."
            )
        key = settings.key(setting)
        raise ConfigError(
            f"{path} has no column {name!r} ({key}): {listed}; name the right one with "
            f"{key}=<column>."
        )

    id_at = position(columns.id_column, "id_column")
    time_at = position(columns.time_column, "time_column")
    has_target = columns.target_column in names
    target_at = (
        position(columns.target_column, "target_column") if need_targets or has_target else None
    )
    split_at = None
    if columns.split_column is not None and (need_targets or columns.split_column in names):
        split_at = position(columns.split_column, "split_column")
    inferred = columns.feature_columns is None
    if inferred:
        taken = {id_at, time_at, target_at, split_at}
        features = tuple(i for i in range(len(names)) if i not in taken)
    else:
        assert columns.feature_columns is not None
        features = tuple(position(name, "feature_columns") for name in columns.feature_columns)
        roles = {id_at: "id", time_at: "time", target_at: "target", split_at: "split"}
        for name, at in zip(columns.feature_columns, features, strict=True):
            if at in roles:
                key = settings.key("feature_columns")
                raise ConfigError(
                    f"{path}: column {name!r} is the {roles[at]} column, so it cannot also be an "
                    f"input ({key}): list only columns of input values."
                )
    if not features:
        raise ConfigError(
            f"{path} has no feature columns besides its id, time and target columns: "
            "add at least one column of input values."
        )
    return CsvLayout(
        tuple(names),
        id_at,
        time_at,
        features,
        target_at,
        split_at,
        tuple(_feature_advice(names[i], inferred, settings) for i in features),
    )
