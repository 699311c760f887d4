"""data=file: the user's own .npz and .csv files, their splits and scaling, every bad file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

from rnnlab.config.validation import validate
from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.file_reading import read_sequence_file
from rnnlab.data.sources.sequence_file import TRAIN_SETTINGS, CsvColumns
from rnnlab.data.sources.splitting import split_indices
from rnnlab.data.sources.user_file import file_source
from rnnlab.errors import ConfigError
from tests.conftest import run_command

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CSV_COLUMNS = {"id_column": "sequence", "time_column": "step", "target_column": "total"}


def _ragged(rng: np.random.Generator, count: int = 30) -> tuple[list[np.ndarray], np.ndarray]:
    """Sequences of 3-7 steps × 2 features and alternating labels."""
    sequences = [rng.normal(size=(int(rng.integers(3, 8)), 2)) for _ in range(count)]
    return sequences, np.arange(count) % 2


def _padded(sequences: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(s) for s in sequences])
    inputs = np.zeros((len(sequences), lengths.max(), 2), np.float32)
    for i, sequence in enumerate(sequences):
        inputs[i, : len(sequence)] = sequence
    return inputs, lengths


def _write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _long_rows(sequences: list[np.ndarray], labels: np.ndarray) -> list[str]:
    return [
        f"q{i},{t},{step[0]},{step[1]},{label}"
        for i, (sequence, label) in enumerate(zip(sequences, labels, strict=True))
        for t, step in enumerate(sequence)
    ]


def test_the_npz_example_keeps_its_split_lengths_and_classes() -> None:
    raw = np.load(EXAMPLES / "sequences.npz")
    splits = file_source(str(EXAMPLES / "sequences.npz"))
    counts = {part: int((raw["split"] == part).sum()) for part in ("train", "val", "test")}
    assert (len(splits.train), len(splits.val), len(splits.test)) == tuple(counts.values())
    test = raw["split"] == "test"
    assert splits.test.lengths.tolist() == raw["lengths"][test].tolist()
    assert splits.test.targets.tolist() == raw["targets"][test].tolist()
    spec = splits.spec
    assert (spec.kind, spec.input_size, spec.class_names) == ("classification", 2, ("0", "1", "2"))


def test_a_list_of_sequences_reads_as_padding_with_lengths(tmp_path: Path) -> None:
    sequences, labels = _ragged(np.random.default_rng(0))
    inputs, lengths = _padded(sequences)
    listed = np.empty(len(sequences), dtype=object)
    listed[:] = sequences
    np.savez(tmp_path / "listed.npz", inputs=listed, targets=labels)
    np.savez(tmp_path / "padded.npz", inputs=inputs, lengths=lengths, targets=labels)
    from_list = file_source(str(tmp_path / "listed.npz"), allow_pickle=True)
    from_padding = file_source(str(tmp_path / "padded.npz"))
    for part in ("train", "val", "test"):
        a, b = getattr(from_list, part), getattr(from_padding, part)
        assert a.lengths.tolist() == b.lengths.tolist()
        assert np.array_equal(a.inputs.numpy(), b.inputs.numpy())
    assert from_list.train.variable_length


def test_csv_and_npz_of_the_same_sequences_give_the_same_tensors(tmp_path: Path) -> None:
    sequences, labels = _ragged(np.random.default_rng(1))
    inputs, lengths = _padded(sequences)
    np.savez(tmp_path / "same.npz", inputs=inputs, lengths=lengths, targets=labels)
    rows = _long_rows([s.astype(np.float32) for s in sequences], labels)
    _write_csv(tmp_path / "same.csv", "id,time,a,b,target", rows)
    from_npz = file_source(str(tmp_path / "same.npz"))
    from_csv = file_source(str(tmp_path / "same.csv"))
    assert np.array_equal(from_npz.test.inputs.numpy(), from_csv.test.inputs.numpy())
    assert from_npz.normalisation == from_csv.normalisation


def test_the_csv_example_is_regression_split_by_seeded_fractions() -> None:
    splits = file_source(str(EXAMPLES / "sequences.csv"), **CSV_COLUMNS)
    again = file_source(str(EXAMPLES / "sequences.csv"), **CSV_COLUMNS)
    other = file_source(str(EXAMPLES / "sequences.csv"), **CSV_COLUMNS, split_seed=1)
    expected = [len(part) for part in split_indices(40, (0, 0.15, 0.15), 0)]
    assert [len(splits.train), len(splits.val), len(splits.test)] == expected
    assert splits.spec.kind == "regression" and splits.train.targets.shape == (expected[0], 1)
    assert np.array_equal(splits.test.inputs.numpy(), again.test.inputs.numpy())
    assert not np.array_equal(splits.test.targets.numpy(), other.test.targets.numpy())


def test_fraction_splits_are_stratified_by_class(tmp_path: Path) -> None:
    sequences, _ = _ragged(np.random.default_rng(2), count=60)
    inputs, lengths = _padded(sequences)
    labels = np.repeat([0, 1, 2], 20)
    np.savez(tmp_path / "three.npz", inputs=inputs, lengths=lengths, targets=labels)
    splits = file_source(str(tmp_path / "three.npz"), val_fraction=0.2, test_fraction=0.2)
    assert splits.val.targets.bincount().tolist() == [4, 4, 4]
    assert splits.test.targets.bincount().tolist() == [4, 4, 4]


def test_the_task_is_inferred_from_the_targets_or_set(tmp_path: Path) -> None:
    inputs = np.random.default_rng(3).normal(size=(20, 4, 1))
    np.savez(tmp_path / "ints.npz", inputs=inputs, targets=np.arange(20) % 2)
    np.savez(tmp_path / "floats.npz", inputs=inputs, targets=(np.arange(20) % 2).astype(float))
    assert file_source(str(tmp_path / "ints.npz")).spec.kind == "classification"
    assert file_source(str(tmp_path / "floats.npz")).spec.kind == "regression"
    as_classes = file_source(str(tmp_path / "floats.npz"), task="classification", num_classes=3)
    assert (as_classes.spec.kind, as_classes.spec.output_size) == ("classification", 3)


def test_scaling_comes_from_the_training_split_alone() -> None:
    raw = np.load(EXAMPLES / "sequences.npz")
    splits = file_source(str(EXAMPLES / "sequences.npz"))
    train = raw["split"] == "train"
    fitted = Normalisation.fit(raw["inputs"][train], raw["lengths"][train])
    assert splits.normalisation == fitted
    everything = Normalisation.fit(raw["inputs"], raw["lengths"])
    assert not np.allclose(everything.mean, fitted.mean)
    # Training inputs scaled by it have mean 0 on their real steps; padding stays 0.
    real = np.arange(splits.train.inputs.shape[1]) < splits.train.lengths.numpy()[:, None]
    assert np.allclose(splits.train.inputs.numpy()[real].mean(axis=0), 0, atol=1e-5)
    assert (splits.train.inputs.numpy()[~real] == 0).all()


def test_regression_targets_are_scaled_by_the_training_targets() -> None:
    splits = file_source(str(EXAMPLES / "sequences.csv"), **CSV_COLUMNS)
    norm = splits.normalisation
    assert norm is not None and norm.target_mean is not None
    restored = norm.restore_targets(
        splits.train.targets.numpy(), splits.train.inputs.numpy(), splits.train.lengths.numpy()
    )
    assert restored.mean() == pytest.approx(norm.target_mean[0], rel=1e-5)
    assert restored.std() == pytest.approx(norm.target_std[0], rel=1e-4)


# every bad file: one sentence naming the file and what is wrong -----------------------------
Writer = Callable[[Path], Path]
ROWS = [f"s{i},{t},{0.1 * t},{i},{i % 2}" for i in range(20) for t in range(3)]
HEADER = "id,time,a,b,target"
INPUTS = np.random.default_rng(4).normal(size=(20, 5, 2))
LABELS = np.arange(20) % 2


def _npz(name: str, **arrays: np.ndarray) -> Writer:
    def write(folder: Path) -> Path:
        np.savez(folder / name, **arrays)
        return folder / name

    return write


def _csv(name: str, rows: list[str], header: str = HEADER) -> Writer:
    return lambda folder: _write_csv(folder / name, header, rows)


def _bytes(name: str, content: bytes) -> Writer:
    def write(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name

    return write


def _with_nan() -> np.ndarray:
    inputs = INPUTS.copy()
    inputs[3, 2, 1] = np.nan
    return inputs


def _nan_padded() -> np.ndarray:
    inputs = INPUTS.copy()
    inputs[4, 3:] = np.nan
    return inputs


def _replace(row: int, text: str) -> list[str]:
    return [text if i == row else r for i, r in enumerate(ROWS)]


BAD_FILES: dict[str, tuple[Writer, dict, str]] = {
    "unreadable npz": (
        _bytes("broken.npz", b"not a zip archive"),
        {},
        "broken.npz could not be read as a NumPy .npz archive (ValueError): the file is "
        "damaged or is not one; write it with numpy.savez.",
    ),
    "unreadable csv": (
        _bytes("binary.csv", b"\xff\xfe\x00\x81"),
        {},
        "binary.csv could not be read as a CSV text file (UnicodeDecodeError): the file is "
        "damaged or is not UTF-8 text with one row per time step.",
    ),
    "missing key": (
        _npz("inputs_only.npz", inputs=INPUTS),
        {},
        "inputs_only.npz has no 'targets' array (it holds inputs): a file of sequences needs "
        "targets [N] (class labels) or [N, K] (values).",
    ),
    "missing column": (
        _csv("renamed.csv", ROWS, header="id,time,a,b,label"),
        {},
        "renamed.csv has no column 'target' (data.target_column): its columns are id, time, "
        "a, b, label; name the right one with data.target_column=<column>.",
    ),
    "NaN in npz": (
        _npz("nan.npz", inputs=_with_nan(), targets=LABELS),
        {},
        "nan.npz has a NaN or infinite value in inputs (sequence 3, step 2): rnnlab does not "
        "invent values; fill or drop them before training or predicting.",
    ),
    "infinity in csv": (
        _csv("inf.csv", _replace(4, "s1,1,inf,1,1")),
        {},
        "inf.csv has a NaN or infinite value in column 'a' at line 6: rnnlab does not invent "
        "values; fill or drop them before training or predicting.",
    ),
    "ragged without lengths": (
        _npz("ragged.npz", inputs=_nan_padded(), targets=LABELS),
        {},
        "ragged.npz: inputs holds sequences of different lengths padded with NaN, but no "
        "lengths array: add lengths [N] (each sequence's number of real steps) or save inputs "
        "as a list of [T_i, F] arrays.",
    ),
    "non-integer labels": (
        _npz("halves.npz", inputs=INPUTS, targets=LABELS + 0.5),
        {"task": "classification"},
        "halves.npz: array 'targets' holds 0.5, which is not an integer class label: class "
        "labels must be integers 0, 1, …, or set data.task=regression.",
    ),
    "target changing along a sequence": (
        _csv("changing.csv", _replace(4, "s1,1,0.1,1,0")),
        {},
        "changing.csv: sequence 's1' has '1' and '0' in column 'target', but the target is one "
        "value per sequence: repeat the same value on each of its rows.",
    ),
    "label outside the classes": (
        _csv("outside.csv", [r[:-1] + "5" if r.startswith("s1,") else r for r in ROWS]),
        {"num_classes": 2},
        "outside.csv: column 'target' holds class label 5, outside the 2 classes of "
        "data.num_classes=2: labels must be integers from 0 to 1.",
    ),
    "label outside the class count": (
        _npz("three.npz", inputs=INPUTS, targets=LABELS * 3),
        {"num_classes": 2},
        "three.npz: array 'targets' holds class label 3, outside the 2 classes of "
        "data.num_classes=2: labels must be integers from 0 to 1.",
    ),
    "empty split": (
        _npz("no_val.npz", inputs=INPUTS, targets=LABELS, split=np.array(["train", "test"] * 10)),
        {},
        "no_val.npz: its split assigns no sequence to val (train 10, val 0, test 10): every "
        "split needs at least one sequence.",
    ),
    "time repeated": (
        _csv("time.csv", _replace(4, "s1,0,0.1,1,1")),
        {},
        "time.csv: sequence 's1' has time 0 twice in column 'time', at lines 5 and 6: a "
        "sequence has one row per time step.",
    ),
    "labels without class 0": (
        _npz("one_two.npz", inputs=INPUTS, targets=LABELS + 1),
        {},
        "one_two.npz: array 'targets' holds the labels 1, 2, so no sequence has class 0: class "
        "labels are indices 0 … C-1: renumber them, or set data.num_classes=C if some classes "
        "are truly absent from the file.",
    ),
    "labels with a gap": (
        _csv("gap.csv", [r[:-1] + "10" if r.endswith(",1") else r for r in ROWS]),
        {},
        "gap.csv: column 'target' holds the labels 0, 10, so 9 classes from class 1 on have no "
        "sequence: class labels are indices 0 … C-1: renumber them, or set data.num_classes=C "
        "if some classes are truly absent from the file.",
    ),
    "huge labels": (
        _npz("ids.npz", inputs=INPUTS, targets=np.arange(20) * 1_000_000),
        {},
        "ids.npz: array 'targets' holds the labels 0, 1000000, 2000000, 3000000, …, 19000000 "
        "(20 in all), so 18999981 classes from class 1 on have no sequence: class labels are "
        "indices 0 … C-1: renumber them, or set data.num_classes=C if some classes are truly "
        "absent from the file.",
    ),
    "huge labels with a class count": (
        _npz("ids_counted.npz", inputs=INPUTS, targets=np.arange(20) * 1_000_000),
        {"num_classes": 20},
        "ids_counted.npz: array 'targets' holds class label 1000000, outside the 20 classes of "
        "data.num_classes=20: labels must be integers from 0 to 19.",
    ),
    "non-whole float labels as classes": (
        _csv("halves.csv", [r + ".5" for r in ROWS]),
        {"task": "classification"},
        "halves.csv: column 'target' holds '0.5', which is not an integer class label: class "
        "labels must be integers 0, 1, …, or set data.task=regression.",
    ),
    "misspelt npz keys": (
        _npz("typo.npz", inputs=INPUTS, targets=LABELS, length=np.full(20, 5), Split=LABELS),
        {},
        "typo.npz holds arrays rnnlab does not read ('length', 'Split'): the arrays it reads "
        "are inputs, lengths, targets, split, ids; rename or remove the others.",
    ),
    "empty npz": (
        _npz("empty.npz", inputs=np.zeros((0, 5, 2)), targets=np.zeros(0, int)),
        {},
        "empty.npz: inputs holds no sequences (shape (0, 5, 2)): save at least one sequence.",
    ),
    "semicolon csv": (
        _csv("semicolons.csv", [r.replace(",", ";") for r in ROWS], header="id;time;a;b;target"),
        {},
        "semicolons.csv has no column 'id' (data.id_column): its one column is "
        "'id;time;a;b;target', but rnnlab reads comma-separated files: write it with commas "
        "between values.",
    ),
    "text in an extra column": (
        _csv("junk.csv", [r + ",a" for r in ROWS], header=HEADER + ",junk"),
        {},
        "junk.csv: column 'junk' holds 'a' at line 2, which is not a number: every column "
        "besides the id, time and target is read as an input; name the inputs with "
        "data.feature_columns, or the split with data.split_column.",
    ),
    "split column not named": (
        _csv("split.csv", [r + ",train" for r in ROWS], header=HEADER + ",split"),
        {},
        "split.csv: column 'split' holds 'train' at line 2, which is not a number: to split by "
        "it set data.split_column=split, or name the inputs with data.feature_columns.",
    ),
    "folder as the path": (
        lambda folder: (folder / "runs").mkdir() or folder / "runs",
        {},
        "data.path='runs' is a folder: give the path of an .npz or .csv file of sequences, not "
        "of the folder that holds it.",
    ),
    "a class count too large": (
        _npz("many.npz", inputs=INPUTS, targets=LABELS),
        {"num_classes": 20_000},
        "data.num_classes=20000 is not valid: expected an integer from 2 to 10000, or null "
        "(the largest label + 1).",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_every_bad_file_is_one_sentence_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    write, options, sentence = BAD_FILES[case]
    monkeypatch.chdir(tmp_path)  # the file as a user names it, relative to where they are
    name = write(tmp_path).name
    with pytest.raises(ConfigError) as raised:
        file_source(name, **options)
    assert str(raised.value) == sentence


def test_a_missing_file_is_named_with_its_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^data.path='nowhere.npz' does not exist: give"):
        file_source("nowhere.npz")
    with pytest.raises(ConfigError, match=r"^data.path is required: give the path"):
        file_source(None)


def test_a_bad_file_stops_rnnlab_train_with_exit_2_and_no_run_folder(tmp_path: Path) -> None:
    _write_csv(tmp_path / "time.csv", HEADER, _replace(4, "s1,0,0.1,1,1"))
    result = run_command(tmp_path, "rnnlab-train", "data=file", "data.path=time.csv")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "rnnlab-train: error: time.csv: sequence 's1' has time 0 twice in column 'time', at "
        "lines 5 and 6: a sequence has one row per time step."
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "experiments").exists() or not any((tmp_path / "experiments").iterdir())


def test_csv_rows_may_come_in_any_order(tmp_path: Path) -> None:
    """Rows shuffled across the file (sequences and times mixed) read as the sorted file."""
    sequences, labels = _ragged(np.random.default_rng(5))
    rows = _long_rows([s.astype(np.float32) for s in sequences], labels)
    ordered = file_source(str(_write_csv(tmp_path / "ordered.csv", "id,time,a,b,target", rows)))
    first_rows = {}  # each sequence's first row stays first: sequences keep their order
    for row in rows:
        first_rows.setdefault(row.split(",")[0], row)
    rest = [row for row in rows if row not in first_rows.values()]
    shuffled = list(first_rows.values()) + [
        rest[i] for i in np.random.default_rng(6).permutation(len(rest))
    ]
    mixed = file_source(str(_write_csv(tmp_path / "mixed.csv", "id,time,a,b,target", shuffled)))
    for part in ("train", "val", "test"):
        a, b = getattr(ordered, part), getattr(mixed, part)
        assert np.array_equal(a.inputs.numpy(), b.inputs.numpy())
        assert a.lengths.tolist() == b.lengths.tolist()


def test_a_sequence_in_reverse_time_is_sorted(tmp_path: Path) -> None:
    rows = [f"s{i},{t},{t},{i % 2}" for i in range(20) for t in (2, 0, 1)]
    splits = file_source(str(_write_csv(tmp_path / "reverse.csv", "id,time,a,target", rows)))
    norm = splits.normalisation
    raw = splits.train.inputs.numpy()[0, :, 0] * norm.std[0] + norm.mean[0]
    assert np.allclose(raw, [0, 1, 2], atol=1e-5)


def test_whole_number_float_labels_are_classes_when_the_task_says_so(tmp_path: Path) -> None:
    """pandas writes an integer column that had a NaN as 0.0, 1.0: with task=classification
    they are labels in a CSV as in an NPZ; without it, a CSV's 1.0 is still a value."""
    rows = [f"{r[: r.rindex(',')]},{i // 3 % 2}.0" for i, r in enumerate(ROWS)]
    csv_file = _write_csv(tmp_path / "floats.csv", HEADER, rows)
    np.savez(tmp_path / "floats.npz", inputs=INPUTS, targets=LABELS.astype(float))
    for path in (csv_file, tmp_path / "floats.npz"):
        splits = file_source(str(path), task="classification")
        assert (splits.spec.kind, splits.spec.output_size) == ("classification", 2)
        assert splits.train.targets.dtype == torch.long
    assert file_source(str(csv_file)).spec.kind == "regression"


def test_a_class_count_absent_from_the_file_may_be_given(tmp_path: Path) -> None:
    np.savez(tmp_path / "sparse.npz", inputs=INPUTS, targets=LABELS * 2)  # labels 0 and 2
    splits = file_source(str(tmp_path / "sparse.npz"), num_classes=3)
    assert splits.spec.output_size == 3


def test_the_config_schema_refuses_a_class_count_too_large() -> None:
    """Before torch is imported, and before a sweep's first job starts."""
    with pytest.raises(ConfigError) as raised:
        validate(OmegaConf.create({"data": {"num_classes": 20_000}}))
    assert str(raised.value) == (
        "data.num_classes=20000 is not valid: expected an integer with 2 <= value <= 10000 "
        "(or null)."
    )
    validate(OmegaConf.create({"data": {"num_classes": None}}))


def test_one_feature_column_may_be_named_bare_and_the_target_is_no_input(tmp_path: Path) -> None:
    assert CsvColumns.from_options({"feature_columns": "speed"}).feature_columns == ("speed",)
    table = tmp_path / "roles.csv"
    table.write_text("id,time,x,target\na,0,1,0\na,1,2,0\nb,0,3,1\nb,1,4,1\n")
    columns = CsvColumns(feature_columns=("x", "target"))
    with pytest.raises(ConfigError, match=r"column 'target' is the target column, so it cannot"):
        read_sequence_file(str(table), "data.path", columns, True, TRAIN_SETTINGS)


def test_messages_name_the_files_own_line_after_blank_lines(tmp_path: Path) -> None:
    table = tmp_path / "blanks.csv"
    table.write_text("id,time,x,target\na,0,1,0\n\n\na,1,oops,0\nb,0,3,1\n")
    with pytest.raises(ConfigError, match=r"column 'x' holds 'oops' at line 5,"):
        read_sequence_file(str(table), "data.path", CsvColumns(), True, TRAIN_SETTINGS)
