"""data=ucr: aeon's shipped archive read by name, the archive's split kept, validation carved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab.data.sources.splitting import split_indices
from rnnlab.data.sources.ts_format import read_ts
from rnnlab.data.sources.ucr import archive_folder, available_sets, ucr_source
from rnnlab.errors import ConfigError
from tests.data.sources.packages import needs_package

pytestmark = needs_package("aeon")


def _raw(name: str, part: str) -> np.ndarray:
    folder = available_sets(archive_folder(None))[name]
    return read_ts(folder / f"{name}_{part}.ts").values


def test_gunpoint_keeps_the_archives_split_and_carves_a_stratified_validation() -> None:
    splits = ucr_source("GunPoint", val_fraction=0.2, seed=0)
    assert splits.train.inputs.shape == (40, 150, 1)
    assert splits.val.inputs.shape == (10, 150, 1)
    assert splits.test.inputs.shape == (150, 150, 1)  # the archive's own test cases
    assert splits.val.targets.bincount().tolist() == [5, 5]  # both classes, as in train
    spec = splits.spec
    assert (spec.kind, spec.input_size, spec.output_size, spec.class_names) == (
        "classification",
        1,
        2,
        ("1", "2"),
    )


def test_train_and_validation_are_disjoint_and_together_the_training_file() -> None:
    splits = ucr_source("GunPoint", val_fraction=0.2, seed=0)
    norm = splits.normalisation
    raw = _raw("GunPoint", "TRAIN")
    scaled = norm.inputs(raw, np.full(len(raw), raw.shape[1]))
    rows = {row.tobytes() for row in scaled}
    train = {row.tobytes() for row in splits.train.inputs.numpy()}
    val = {row.tobytes() for row in splits.val.inputs.numpy()}
    assert not train & val and train | val == rows


def test_normalisation_comes_from_the_training_cases_alone() -> None:
    splits = ucr_source("BasicMotions", val_fraction=0.2, seed=0)
    raw = _raw("BasicMotions", "TRAIN")
    classes = read_ts(
        available_sets(archive_folder(None))["BasicMotions"] / "BasicMotions_TRAIN.ts"
    )
    order = {label: i for i, label in enumerate(splits.spec.class_names)}
    labels = np.array([order[label] for label in classes.labels])
    fit, _ = split_indices(len(raw), (0, 0.2), 0, labels=labels)
    used = raw[fit].reshape(-1, raw.shape[2])
    np.testing.assert_allclose(splits.normalisation.mean, used.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(splits.normalisation.std, used.std(axis=0), rtol=1e-5)
    everything = np.concatenate([raw, _raw("BasicMotions", "TEST")]).reshape(-1, raw.shape[2])
    assert not np.allclose(splits.normalisation.mean, everything.mean(axis=0), rtol=1e-3)
    train = splits.train.inputs.numpy().reshape(-1, raw.shape[2])
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(train.std(axis=0), 1, atol=1e-4)


def test_same_seed_same_tensors_other_seed_other_validation() -> None:
    first, again = ucr_source("GunPoint", seed=7), ucr_source("GunPoint", seed=7)
    assert torch.equal(first.train.inputs, again.train.inputs)
    assert torch.equal(first.val.targets, again.val.targets)
    other = ucr_source("GunPoint", seed=8)
    assert not torch.equal(first.val.inputs, other.val.inputs)
    assert torch.equal(first.test.targets, other.test.targets)  # the test split never moves


def test_multivariate_variable_length_cases_keep_their_lengths() -> None:
    splits = ucr_source("JapaneseVowels", val_fraction=0.2, seed=0)
    assert splits.spec.input_size == 12 and splits.spec.output_size == 9
    assert splits.train.variable_length and splits.test.variable_length
    test = splits.test
    assert int(test.lengths.max()) == test.inputs.shape[1]
    short = int(test.lengths.argmin())
    assert torch.all(test.inputs[short, int(test.lengths[short]) :] == 0)  # padding stays 0


def test_a_regression_set_scales_its_target_and_logs_the_mean_baseline() -> None:
    splits = ucr_source("Covid3Month", val_fraction=0.2, seed=0)
    spec = splits.spec
    assert spec.kind == "regression" and spec.output_size == 1
    assert splits.train.targets.shape == (len(splits.train), 1)
    np.testing.assert_allclose(splits.train.targets.mean(), 0, atol=1e-5)
    test = splits.test.targets.numpy()
    assert spec.baseline_loss == pytest.approx(float((test**2).mean()), rel=1e-5)


def test_chunking_reads_several_steps_as_one() -> None:
    splits = ucr_source("GunPoint", chunk=10, seed=0)
    assert splits.train.inputs.shape == (40, 15, 10) and splits.spec.input_size == 10


def test_an_unknown_name_lists_the_available_sets() -> None:
    with pytest.raises(ConfigError) as error:
        ucr_source("GunPointt")
    message = str(error.value)
    assert message.startswith("data.name='GunPointt' is not a UCR/UEA data set in aeon's archive")
    assert "GunPoint, ItalyPowerDemand" in message and "\n" not in message
    with pytest.raises(ConfigError, match="case-sensitive: did you mean 'GunPoint'"):
        ucr_source("gunpoint")


def test_an_archive_folder_of_ones_own(tmp_path: Path) -> None:
    header = "@problemName Mine\n@univariate true\n@classLabel true a b\n@data\n"
    cases = "".join(f"{i},{i + 1},{i + 2}:{'ab'[i % 2]}\n" for i in range(10))
    for part in ("TRAIN", "TEST"):
        (tmp_path / f"Mine_{part}.ts").write_text(header + cases)
    splits = ucr_source("Mine", val_fraction=0.2, seed=0, archive_dir=str(tmp_path))
    assert (len(splits.train), len(splits.val), len(splits.test)) == (8, 2, 10)
    with pytest.raises(ConfigError, match="is not a UCR/UEA data set in .*: available are Mine."):
        ucr_source("Other", archive_dir=str(tmp_path))
