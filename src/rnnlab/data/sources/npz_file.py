"""Read sequences from a NumPy ``.npz`` archive (``numpy.savez``).

Arrays: ``inputs`` [N, T, F] (or [N, T]: one feature) with optional ``lengths`` [N], or
a list of N arrays [T_i, F] of different lengths (saved as an object array, whose lengths
are their own); ``targets`` [N] or [N, K]; optional ``split`` [N] (train/val/test or
0/1/2) and ``ids`` [N]. Any other array is refused (a misspelt ``length`` would
otherwise leave the padding to be trained on).

Object arrays are stored with pickle, and unpickling runs whatever code the file names, so
a file holding one is refused unless the user opts in (``data.allow_pickle=true``, for a
file they trust); padded ``inputs`` with ``lengths`` hold ragged sequences without pickle.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.data.sources.sequence_file import (
    TRAIN_SETTINGS,
    SequenceFile,
    SettingNames,
    not_finite_message,
    pad,
    split_names,
)
from rnnlab.errors import ConfigError

INPUTS, LENGTHS, TARGETS, SPLIT, IDS = "inputs", "lengths", "targets", "split", "ids"
#: Every array the reader reads, in the order messages list them.
KNOWN = (INPUTS, LENGTHS, TARGETS, SPLIT, IDS)


def _pickle_refused(path: str, key: str, settings: SettingNames) -> str:
    return (
        f"{path} stores {key!r} as an object array, which numpy reads with pickle, and "
        "unpickling runs any code the file holds: save ragged sequences as padded inputs "
        f"[N, T, F] with lengths [N], or, for a file you trust, set "
        f"{settings.key('allow_pickle')}=true."
    )


def _arrays(archive: Any, path: str, settings: SettingNames) -> dict[str, np.ndarray]:
    """Every array of an archive opened without pickle; an object array is refused."""
    arrays = {}
    for key in archive.files:
        try:
            arrays[key] = archive[key]
        except ValueError as error:
            if "allow_pickle" not in str(error):
                raise
            raise ConfigError(_pickle_refused(path, key, settings)) from None
    return arrays


def _load(
    file: Path, path: str, allow_pickle: bool, settings: SettingNames
) -> dict[str, np.ndarray]:
    """Every array of the archive; object arrays (a list of sequences) only with pickle allowed."""
    try:
        with np.load(file, allow_pickle=allow_pickle) as archive:
            if allow_pickle:
                return {key: archive[key] for key in archive.files}
            return _arrays(archive, path, settings)
    except (OSError, ValueError, EOFError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        raise ConfigError(
            f"{path} could not be read as a NumPy .npz archive ({type(error).__name__}): the "
            "file is damaged or is not one; write it with numpy.savez."
        ) from None


def _missing_key(path: str, key: str, arrays: dict[str, np.ndarray], wanted: str) -> str:
    held = ", ".join(sorted(arrays)) or "no arrays"
    return f"{path} has no {key!r} array (it holds {held}): a file of sequences needs {wanted}."


def _check_known(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Refuse arrays the reader would not read: most are a misspelt name."""
    unknown = [key for key in arrays if key not in KNOWN]
    if unknown:
        which = "an array" if len(unknown) == 1 else "arrays"
        raise ConfigError(
            f"{path} holds {which} rnnlab does not read ({', '.join(map(repr, unknown))}): "
            f"the arrays it reads are {', '.join(KNOWN)}; rename or remove the others."
        )


def _no_sequences(path: str, shape: tuple[int, ...]) -> str:
    return f"{path}: inputs holds no sequences (shape {shape}): save at least one sequence."


def _as_sequence(path: str, index: int, value: Any) -> np.ndarray:
    """One element of a list of sequences as a (T_i, F) float array."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim not in (1, 2) or len(array) == 0:
        raise ConfigError(
            f"{path}: sequence {index} of inputs is not a non-empty [T, F] array of numbers."
        )
    return array[:, None] if array.ndim == 1 else array


def _ragged_inputs(path: str, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A list (object array) of [T_i, F] sequences, padded; their lengths are their own."""
    if inputs.size == 0:
        raise ConfigError(_no_sequences(path, inputs.shape))
    sequences = [_as_sequence(path, i, value) for i, value in enumerate(inputs.ravel())]
    for index, sequence in enumerate(sequences):
        if sequence.shape[1] != sequences[0].shape[1]:
            raise ConfigError(
                f"{path}: sequence {index} of inputs has {sequence.shape[1]} features and "
                f"sequence 0 has {sequences[0].shape[1]}: every step needs the same features."
            )
        if not np.isfinite(sequence).all():
            step = int(np.flatnonzero(~np.isfinite(sequence).all(axis=1))[0])
            raise ConfigError(not_finite_message(path, f"inputs (sequence {index}, step {step})"))
    return pad(sequences)


def _lengths(path: str, arrays: dict[str, np.ndarray], cases: int, steps: int) -> np.ndarray:
    lengths = arrays[LENGTHS]
    whole = lengths.dtype.kind in "iu" or (
        lengths.dtype.kind == "f" and np.isfinite(lengths).all() and (lengths % 1 == 0).all()
    )
    if lengths.shape != (cases,) or not whole:
        raise ConfigError(
            f"{path}: lengths has shape {lengths.shape} and type {lengths.dtype}: expected "
            f"{cases} whole numbers, one per sequence of inputs."
        )
    lengths = lengths.astype(np.int64)
    bad = np.flatnonzero((lengths < 1) | (lengths > steps))
    if len(bad):
        raise ConfigError(
            f"{path}: lengths[{bad[0]}]={lengths[bad[0]]} is not valid: each length must lie "
            f"between 1 and the {steps} steps of inputs."
        )
    return lengths


def _padded_inputs(
    path: str, arrays: dict[str, np.ndarray], inputs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """[N, T, F] (or [N, T]) inputs with their lengths; steps past a length are zeroed."""
    if inputs.ndim in (2, 3) and inputs.shape[0] == 0:
        raise ConfigError(_no_sequences(path, inputs.shape))
    if inputs.ndim == 2:
        inputs = inputs[..., None]
    if inputs.ndim != 3 or inputs.dtype.kind not in "biuf" or 0 in inputs.shape:
        raise ConfigError(
            f"{path}: inputs has shape {inputs.shape} and type {inputs.dtype}: expected "
            "numbers shaped [N, T, F] (or a list of [T_i, F] arrays)."
        )
    values = inputs.astype(np.float32)
    cases, steps, _ = values.shape
    has_lengths = LENGTHS in arrays
    lengths = _lengths(path, arrays, cases, steps) if has_lengths else np.full(cases, steps)
    real = np.arange(steps)[None, :] < lengths[:, None]
    finite_steps = np.isfinite(values).all(axis=2)
    bad = real & ~finite_steps
    if bad.any():
        case, step = (int(i) for i in np.argwhere(bad)[0])
        if not has_lengths and _looks_padded(finite_steps):
            raise ConfigError(
                f"{path}: inputs holds sequences of different lengths padded with NaN, but no "
                "lengths array: add lengths [N] (each sequence's number of real steps) or "
                "save inputs as a list of [T_i, F] arrays."
            )
        raise ConfigError(not_finite_message(path, f"inputs (sequence {case}, step {step})"))
    values[~real] = 0
    return values, lengths.astype(np.int64)


def _looks_padded(finite_steps: np.ndarray) -> bool:
    """True when every sequence is finite up to some step and not finite after it."""
    after_first_gap = np.maximum.accumulate(~finite_steps, axis=1)
    return bool((after_first_gap == ~finite_steps).all() and finite_steps[:, 0].all())


def _per_sequence(path: str, arrays: dict[str, np.ndarray], key: str, cases: int) -> np.ndarray:
    value = arrays[key]
    if value.ndim == 0 or len(value) != cases:
        raise ConfigError(
            f"{path}: {key} has shape {value.shape}, but inputs holds {cases} sequences: "
            f"expected one {key} entry per sequence."
        )
    return value


def read_npz(
    file: Path,
    path: str,
    need_targets: bool,
    allow_pickle: bool = False,
    settings: SettingNames = TRAIN_SETTINGS,
) -> SequenceFile:
    """The sequences of an .npz archive; ``path`` as the user wrote it, for messages;
    ``allow_pickle``: read object arrays (pickle can run code: only for trusted files)."""
    arrays = _load(file, path, allow_pickle, settings)
    _check_known(path, arrays)
    if INPUTS not in arrays:
        raise ConfigError(_missing_key(path, INPUTS, arrays, "inputs [N, T, F]"))
    if need_targets and TARGETS not in arrays:
        raise ConfigError(
            _missing_key(path, TARGETS, arrays, "targets [N] (class labels) or [N, K] (values)")
        )
    raw = arrays[INPUTS]
    if raw.dtype == object:
        inputs, lengths = _ragged_inputs(path, raw)
    else:
        inputs, lengths = _padded_inputs(path, arrays, raw)
    cases = len(inputs)
    targets = _per_sequence(path, arrays, TARGETS, cases) if TARGETS in arrays else None
    split = None
    if SPLIT in arrays:
        split = split_names(path, _per_sequence(path, arrays, SPLIT, cases), "split")
    ids = _per_sequence(path, arrays, IDS, cases) if IDS in arrays else np.arange(cases)
    return SequenceFile(path, ids.astype(str), inputs, lengths, targets, split)
