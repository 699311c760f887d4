"""Classes named in the file (normal, fault): numbered in sorted order, the names kept."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab.data.sources.user_file import file_source
from rnnlab.errors import ConfigError
from tests.conftest import run_command

NAMES = ("normal", "fault", "drift")


def _write_named_csv(path: Path, names: list[str], steps: int = 3) -> Path:
    """One sequence per name in ``names``; its one feature is the index of its name in NAMES,
    so each sequence's class can be told from its inputs."""
    rows = [
        f"s{i},{t},{NAMES.index(name)},{name}" for i, name in enumerate(names) for t in range(steps)
    ]
    path.write_text("id,time,x,target\n" + "\n".join(rows) + "\n")
    return path


def _names_of(splits_part: object, class_names: tuple[str, ...], mean: float, std: float) -> list:
    """Each sequence's (name from its inputs, name from its label)."""
    inputs = splits_part.inputs.numpy()[:, 0, 0] * std + mean  # type: ignore[attr-defined]
    labels = splits_part.targets.tolist()  # type: ignore[attr-defined]
    return [(NAMES[round(x)], class_names[k]) for x, k in zip(inputs, labels, strict=True)]


def test_named_classes_are_numbered_in_sorted_order(tmp_path: Path) -> None:
    names = [NAMES[i % 3] for i in range(30)]  # normal comes first in the file
    splits = file_source(str(_write_named_csv(tmp_path / "named.csv", names)))
    spec = splits.spec
    assert (spec.kind, spec.output_size) == ("classification", 3)
    assert spec.class_names == ("drift", "fault", "normal")  # sorted, not in order of appearance
    assert splits.train.targets.dtype == torch.long
    norm = splits.normalisation
    for part in (splits.train, splits.val, splits.test):
        pairs = _names_of(part, spec.class_names, norm.mean[0], norm.std[0])
        assert all(from_inputs == from_label for from_inputs, from_label in pairs)


def test_the_same_names_give_the_same_classes_in_any_file(tmp_path: Path) -> None:
    first = file_source(
        str(_write_named_csv(tmp_path / "a.csv", [NAMES[i % 3] for i in range(30)]))
    )
    other = [NAMES[(i + 2) % 3] for i in range(30)]  # drift first this time
    second = file_source(str(_write_named_csv(tmp_path / "b.csv", other)))
    assert first.spec.class_names == second.spec.class_names


def test_an_npz_may_name_its_classes(tmp_path: Path) -> None:
    labels = np.array([NAMES[i % 2] for i in range(20)])  # normal, fault, …
    inputs = np.repeat([[NAMES.index(name)] for name in labels], 4, axis=1)[..., None]
    np.savez(tmp_path / "named.npz", inputs=inputs.astype(float), targets=labels)
    splits = file_source(str(tmp_path / "named.npz"))
    spec, norm = splits.spec, splits.normalisation
    assert spec.class_names == ("fault", "normal")
    for part in (splits.train, splits.val, splits.test):
        pairs = _names_of(part, spec.class_names, norm.mean[0], norm.std[0])
        assert all(from_inputs == from_label for from_inputs, from_label in pairs)


@pytest.mark.parametrize(
    ("targets", "options", "sentence"),
    [
        (
            ["normal"] * 6,
            {},
            "column 'target' holds only the class 'normal': classification needs at least two "
            "classes.",
        ),
        (
            ["normal", "fault"] * 3,
            {"num_classes": 3},
            "column 'target' holds 2 class names ('fault', 'normal'), but data.num_classes=3: "
            "named classes are counted from the file, so leave data.num_classes null.",
        ),
        (
            ["0", "fault"] * 3,
            {},
            "column 'target' holds 'fault', which is not a number: targets are class labels "
            "(integers 0, 1, … or names, not both) or numbers to regress.",
        ),
    ],
)
def test_names_that_cannot_be_classes_are_one_sentence(
    tmp_path: Path, targets: list[str], options: dict, sentence: str
) -> None:
    path = tmp_path / "bad.csv"
    rows = [f"s{i},{t},{t},{name}" for i, name in enumerate(targets) for t in range(2)]
    path.write_text("id,time,x,target\n" + "\n".join(rows) + "\n")
    with pytest.raises(ConfigError) as raised:
        file_source(str(path), **options)
    assert str(raised.value) == f"{path}: {sentence}"


def test_with_the_task_set_numbers_and_names_are_all_names(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    rows = [f"s{i},{t},{t},{'0' if i % 2 else 'fault'}" for i in range(20) for t in range(2)]
    path.write_text("id,time,x,target\n" + "\n".join(rows) + "\n")
    splits = file_source(str(path), task="classification")
    assert splits.spec.class_names == ("0", "fault")


@pytest.mark.slow
def test_a_model_trained_on_names_predicts_names(tmp_path: Path) -> None:
    """The names reach the checkpoint (its TaskSpec), and rnnlab-predict writes them."""
    _write_named_csv(tmp_path / "named.csv", [NAMES[i % 3] for i in range(60)])
    trained = run_command(
        tmp_path,
        "rnnlab-train",
        "data=file",
        "data.path=named.csv",
        "trainer.max_epochs=1",
        "trainer.enable_progress_bar=false",
        "~callbacks.progress_bar",
    )
    assert trained.returncode == 0, trained.stderr
    (checkpoint,) = tmp_path.glob("experiments/default/*/checkpoints/last.ckpt")
    predicted = run_command(
        tmp_path, "rnnlab-predict", f"ckpt_path={checkpoint}", "input=named.csv", "output=out.csv"
    )
    assert predicted.returncode == 0, predicted.stderr
    with open(tmp_path / "out.csv", newline="") as table:
        rows = list(csv.DictReader(table))
    assert [key for key in rows[0] if key.startswith("prob_")] == [
        "prob_drift",
        "prob_fault",
        "prob_normal",
    ]
    assert {row["predicted"] for row in rows} <= {"drift", "fault", "normal"}
    assert [row["target"] for row in rows[:3]] == ["normal", "fault", "drift"]
