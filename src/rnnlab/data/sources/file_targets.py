"""What a user's file asks the network to predict: class labels or values.

``data.task`` says it, or it is inferred from the targets: integers (an integer array in
an .npz, whole numbers written without a decimal point in a .csv) are class labels,
anything else numeric is a regression target. With ``data.task=classification`` whole
numbers written as floats (``1.0``, as pandas writes an integer column that had a NaN) are
labels too. Class labels are 0 … C-1, C being ``data.num_classes`` or, without it, the
largest label + 1, in which case every class 0 … C-1 must have a sequence (labels 1, 2 or
0, 10 are refused rather than trained with empty classes). At most MAX_CLASSES classes.

Classes may also be named (``normal``, ``fault``): text targets of which none is a number
(or, with ``data.task=classification``, of which some are not numbers) are class names. The
names are sorted (Python's order of strings: ``Fault`` < ``fault`` < ``normal``) and class k
is the k-th: the same names give the same classes in every file and every run. The names
travel with the targets (Targets.class_names), into the TaskSpec and so the checkpoint, and
rnnlab-predict writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.config.schema import MAX_CLASSES
from rnnlab.data.sources.sequence_file import not_finite_message
from rnnlab.errors import ConfigError

TASKS = ("classification", "regression")


@dataclass(frozen=True)
class Targets:
    """Targets ready for a source: int64 (N,) labels, or float32 (N, K) values."""

    task: str
    values: np.ndarray
    #: The number of classes (classification), else None.
    num_classes: int | None = None
    #: The classes' names, class 0's first, when the file names them; None: the labels are
    #: indices (classification) or there are no classes (regression).
    class_names: tuple[str, ...] | None = None


def _is_integer_text(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _texts_that_are_numbers(raw: np.ndarray) -> list[bool]:
    """For each distinct value of text targets, whether it reads as a number."""
    return [_is_number_text(str(value)) for value in np.unique(raw).tolist()]


def _is_whole_number_text(text: str) -> bool:
    """``3``, ``3.0`` or ``3e0``: what a class label may be written as in a CSV."""
    try:
        return float(text).is_integer()
    except ValueError:
        return False


def _shown_labels(present: np.ndarray, few: int = 5) -> str:
    """A few of the (sorted) labels found: "1, 2", or "0, 1, 2, 3, …, 19000000 (12 in all)"."""
    named = [str(int(label)) for label in present.tolist()]
    if len(named) <= few:
        return ", ".join(named)
    return f"{', '.join(named[: few - 1])}, …, {named[-1]} ({len(named)} in all)"


def _check_every_class_present(path: str, where: str, labels: np.ndarray) -> None:
    """Without data.num_classes the classes are 0 … the largest label: each needs a sequence.

    ``labels``: whole numbers >= 0 (as floats: one may be too large for int64)."""
    present = np.unique(labels)
    classes = int(present[-1]) + 1
    if len(present) == classes:
        return
    absent = next(c for c, label in enumerate(present.tolist()) if label != c)
    missing = classes - len(present)
    gap = (
        f"no sequence has class {absent}"
        if missing == 1
        else f"{missing} classes from class {absent} on have no sequence"
    )
    raise ConfigError(
        f"{path}: {where} holds the labels {_shown_labels(present)}, so {gap}: class labels "
        "are indices 0 … C-1: renumber them, or set data.num_classes=C if some classes are "
        "truly absent from the file."
    )


def infer_task(raw: np.ndarray) -> str:
    """Integer targets and names are class labels; other numbers are values to regress (a
    mix of names and numbers too, so that the first name is refused as not a number)."""
    if raw.dtype.kind in "biu":
        return "classification"
    if raw.dtype.kind in "US":
        distinct = np.unique(raw).tolist()
        if all(_is_integer_text(str(value)) for value in distinct):
            return "classification"
        if not any(_texts_that_are_numbers(raw)):
            return "classification"
    return "regression"


def _shown_names(names: list[str], few: int = 5) -> str:
    """A few of the (sorted) class names: "'fault', 'normal'", or the first few and a count."""
    shown = ", ".join(repr(name) for name in names[:few])
    return shown if len(names) <= few else f"{shown}, … ({len(names)} in all)"


def named_classes(path: str, raw: np.ndarray, where: str, num_classes: int | None) -> Targets:
    """Class names as labels 0 … C-1 in sorted order, the names kept for the TaskSpec."""
    names, labels = np.unique(raw.astype(str), return_inverse=True)
    listed = names.tolist()
    if any(not name.strip() for name in listed):
        raise ConfigError(
            f"{path}: {where} holds a blank class name: every sequence needs its class; fill "
            "it in or drop the sequence."
        )
    if num_classes is not None and num_classes != len(listed):
        raise ConfigError(
            f"{path}: {where} holds {len(listed)} class names ({_shown_names(listed)}), but "
            f"data.num_classes={num_classes}: named classes are counted from the file, so "
            "leave data.num_classes null."
        )
    if len(listed) < 2:
        raise ConfigError(
            f"{path}: {where} holds only the class {listed[0]!r}: classification needs at "
            "least two classes."
        )
    if len(listed) > MAX_CLASSES:
        raise ConfigError(
            f"{path}: {where} holds {len(listed)} class names, more than the {MAX_CLASSES} "
            "rnnlab trains: merge classes, or set data.task=regression if the targets are values."
        )
    return Targets("classification", labels.astype(np.int64), len(listed), tuple(listed))


def _numbers(path: str, raw: np.ndarray, where: str, wanted: str) -> np.ndarray:
    """``raw`` as finite float64, or one sentence naming the first value that is not."""
    if raw.dtype.kind in "biuf":
        values = raw.astype(np.float64)
    else:
        values = np.empty(raw.shape, np.float64)
        for index, text in np.ndenumerate(raw):
            try:
                values[index] = float(text)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"{path}: {where} holds {str(text)!r}, which is not a number: {wanted}."
                ) from None
    if not np.isfinite(values).all():
        raise ConfigError(not_finite_message(path, where))
    return values


def class_labels(path: str, raw: np.ndarray, where: str, num_classes: int | None) -> Targets:
    """Integer labels 0 … C-1, or one sentence naming the first label that is not one."""
    wanted = "class labels must be integers 0, 1, …, or set data.task=regression"
    if raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if raw.ndim != 1:
        raise ConfigError(
            f"{path}: {where} has shape {raw.shape}, but class labels are one integer per "
            "sequence, shape [N]: set data.task=regression for several values per sequence."
        )
    if raw.dtype.kind in "US" and not all(_texts_that_are_numbers(raw)):
        return named_classes(path, raw, where, num_classes)
    if raw.dtype.kind in "US":
        for text in raw.tolist():
            if not _is_whole_number_text(text):
                raise ConfigError(
                    f"{path}: {where} holds {text!r}, which is not an integer class label: "
                    f"{wanted}."
                )
    values = _numbers(path, raw, where, wanted)
    fractional = values[values % 1 != 0]
    if len(fractional):
        raise ConfigError(
            f"{path}: {where} holds {fractional[0]:g}, which is not an integer class label: "
            f"{wanted}."
        )
    # Checked as floats: a label too large for int64 is named, not wrapped around.
    classes = num_classes if num_classes is not None else int(values.max()) + 1
    above = values >= classes if num_classes is not None else np.zeros(values.shape, bool)
    outside = values[(values < 0) | above]
    if len(outside):
        count = f"data.num_classes={classes}" if num_classes is not None else "the labels"
        raise ConfigError(
            f"{path}: {where} holds class label {outside[0]:.0f}, outside the {classes} classes "
            f"of {count}: labels must be integers from 0 to {classes - 1}."
        )
    if num_classes is None:
        _check_every_class_present(path, where, values)
        if classes > MAX_CLASSES:
            raise ConfigError(
                f"{path}: {where} holds {classes} classes, more than the {MAX_CLASSES} rnnlab "
                "trains: merge classes, or set data.task=regression if the labels are values."
            )
    if classes < 2:
        raise ConfigError(
            f"{path}: {where} holds only class 0: classification needs at least two classes."
        )
    labels = values.astype(np.int64)
    return Targets("classification", labels, classes)


def regression_values(
    path: str, raw: np.ndarray, where: str, wanted: str = "regression targets must be numbers"
) -> Targets:
    """Values (N, K) as float32, or one sentence naming the first that is not a number."""
    if raw.ndim not in (1, 2):
        raise ConfigError(
            f"{path}: {where} has shape {raw.shape}: regression targets are [N] or [N, K]."
        )
    values = _numbers(path, raw, where, wanted)
    return Targets("regression", values.reshape(len(values), -1).astype(np.float32))


def read_targets(
    path: str, raw: np.ndarray, where: str, task: str | None, num_classes: int | None
) -> Targets:
    """The file's targets as ``task`` (None: inferred) asks."""
    if task is not None and task not in TASKS:
        raise ConfigError(
            f"data.task={task!r} is not valid: expected classification, regression or null "
            "(inferred from the targets)."
        )
    if (task or infer_task(raw)) == "classification":
        return class_labels(path, raw, where, num_classes)
    if task is None:
        wanted = (
            "targets are class labels (integers 0, 1, … or names, not both) or numbers to regress"
        )
        return regression_values(path, raw, where, wanted)
    return regression_values(path, raw, where)
