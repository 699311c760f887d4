"""experiment=ucr: the recipe's settings come from a set's properties, never from its name."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

from rnnlab.data.sources.class_balance import balanced_indices
from rnnlab.data.sources.ucr import ucr_source
from rnnlab.data.sources.ucr_archive import archive_folder, available_sets
from rnnlab.data.sources.ucr_recipe import (
    EPOCHS,
    MAX_WIDTH,
    STEPS_PER_EPOCH,
    TARGET_STEPS,
    SetProperties,
    derive,
    recipe_value,
    set_properties,
)
from rnnlab.errors import ConfigError
from tests.data.sources.packages import needs_package

REPO = Path(__file__).resolve().parents[3]
SHORT = SetProperties(
    train_cases=50,
    fitted_cases=40,
    channels=1,
    classes=2,
    median_length=24,
    min_length=24,
    max_length=24,
    smallest_class=25,
    largest_class=25,
)


def _write_ts(path: Path, cases: list[tuple[list[float], str]], labels: str) -> None:
    lines = ["@problemName Synthetic", "@univariate true", f"@classLabel true {labels}", "@data"]
    lines += [",".join(f"{v:g}" for v in values) + f":{label}" for values, label in cases]
    path.write_text("\n".join(lines) + "\n")


def _synthetic_archive(folder: Path, name: str, length: int, cases: int) -> None:
    rng = np.random.default_rng(0)
    for part in ("TRAIN", "TEST"):
        rows = [(rng.normal(size=length).tolist(), "ab"[i % 2]) for i in range(cases)]
        _write_ts(folder / f"{name}_{part}.ts", rows, "a b")


def test_long_series_are_chunked_to_the_target_steps_and_short_ones_are_not() -> None:
    short = derive(SHORT)
    long = derive(replace(SHORT, median_length=600, min_length=600, max_length=600))
    assert short.chunk == 1
    assert long.chunk == 600 // TARGET_STEPS
    assert math.ceil(600 / long.chunk) <= TARGET_STEPS + 1
    assert "median length 600" in long.why["chunk"]


def test_channels_cap_the_input_width() -> None:
    one = derive(replace(SHORT, median_length=1600, min_length=1600, max_length=1600))
    six = derive(replace(SHORT, median_length=1600, min_length=1600, max_length=1600, channels=6))
    assert one.chunk == MAX_WIDTH  # 1600 // 16 = 100 would be 100 values a step
    assert six.chunk == MAX_WIDTH // 6
    assert "capped" in six.why["chunk"]


def test_a_variable_length_set_is_sized_by_its_median_case() -> None:
    ragged = derive(replace(SHORT, median_length=136, min_length=29, max_length=361))
    assert ragged.chunk == 136 // TARGET_STEPS
    assert "lengths 29-361" in ragged.why["chunk"]


def test_the_batch_size_gives_every_set_the_same_steps_per_epoch() -> None:
    for fitted in (16, 40, 216, 2000):
        recipe = derive(replace(SHORT, fitted_cases=fitted))
        assert math.ceil(fitted / recipe.batch_size) == STEPS_PER_EPOCH
        assert recipe.max_epochs == EPOCHS


def test_the_steps_the_recipe_states_are_the_steps_its_batch_size_gives() -> None:
    """8 batches per epoch from 50 fitted cases up; below, where some counts cannot be cut
    into 8 equal batches, 5 to 8, and the recipe's why says so rather than claim 800."""
    fewer = {}
    for fitted in range(8, 3000):
        recipe = derive(replace(SHORT, fitted_cases=fitted))
        batches = math.ceil(fitted / recipe.batch_size)
        why = recipe.why["batch_size"]
        assert f"-> {EPOCHS * batches} optimisation steps in {EPOCHS} epochs" in why, fitted
        if batches != STEPS_PER_EPOCH:
            fewer[fitted] = batches
            assert f"{batches} batches of {recipe.batch_size} per epoch" in why
        else:
            assert "too few cases" not in why
    assert fewer[17] == 6 and fewer[41] == 7 and max(fewer) == 49
    assert set(fewer.values()) == {5, 6, 7}


def test_many_classes_double_the_hidden_size_and_imbalance_turns_balancing_on() -> None:
    assert derive(replace(SHORT, classes=50)).hidden_size == 2 * derive(SHORT).hidden_size
    assert not derive(SHORT).balance
    assert derive(replace(SHORT, smallest_class=10, largest_class=30)).balance


def test_a_synthetic_sets_properties_decide_its_recipe(tmp_path: Path) -> None:
    _synthetic_archive(tmp_path, "Short", length=20, cases=10)
    _synthetic_archive(tmp_path, "Long", length=320, cases=30)
    short = set_properties("Short", str(tmp_path), 0.2)
    long = set_properties("Long", str(tmp_path), 0.2)
    assert (short.median_length, short.train_cases, short.fitted_cases) == (20, 10, 8)
    assert recipe_value("chunk", "Short", str(tmp_path)) == 1
    assert recipe_value("chunk", "Long", str(tmp_path)) == 320 // TARGET_STEPS
    assert recipe_value("batch_size", "Long", str(tmp_path)) == math.ceil(
        long.fitted_cases / STEPS_PER_EPOCH
    )
    assert "320" in recipe_value("properties", "Long", str(tmp_path))


def test_an_unknown_field_of_the_resolver_is_named(tmp_path: Path) -> None:
    _synthetic_archive(tmp_path, "Short", length=20, cases=10)
    with pytest.raises(ConfigError, match="ucr_recipe:lr,.*valid are chunk, batch_size"):
        recipe_value("lr", "Short", str(tmp_path))


def test_balancing_tops_up_rare_classes_only_and_is_seeded() -> None:
    labels = np.array([0] * 20 + [1] * 4 + [2] * 12)
    indices = np.arange(len(labels))
    topped = balanced_indices(indices, labels, seed=0)
    assert np.bincount(labels[topped]).tolist() == [20, 10, 12]
    assert np.array_equal(topped, balanced_indices(indices, labels, seed=0))
    assert np.array_equal(balanced_indices(indices, np.array([0, 1] * 18), 0), indices)


@needs_package("aeon")
def test_shipped_sets_the_benchmark_sweeps_are_every_shipped_classification_set() -> None:
    preset = yaml.safe_load((REPO / "conf/experiment/ucr_benchmark.yaml").read_text())
    swept = preset["hydra"]["sweeper"]["params"]["data.name"].split(",")
    classification = []
    for name in available_sets(archive_folder(None)):
        try:
            set_properties(name, None, 0.2)
        except ConfigError:  # regression
            continue
        classification.append(name)
    assert sorted(swept) == sorted(classification)


@needs_package("aeon")
def test_a_regression_set_is_refused_in_one_sentence() -> None:
    with pytest.raises(ConfigError, match="'Covid3Month' is a regression set"):
        set_properties("Covid3Month", None, 0.2)


@needs_package("aeon")
def test_balance_changes_only_the_fitted_split() -> None:
    plain = ucr_source("OSULeaf", chunk=26, seed=1)
    balanced = ucr_source("OSULeaf", chunk=26, seed=1, balance=True)
    counts = np.bincount(balanced.train.targets.numpy())
    assert counts.min() >= counts.max() / 2 > np.bincount(plain.train.targets.numpy()).min()
    assert len(balanced.val) == len(plain.val) and len(balanced.test) == len(plain.test)


@needs_package("aeon")
def test_the_composed_config_holds_the_derived_values_and_why(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "rnnlab.train", "experiment=ucr", "data.name=ACSF1"]
    done = subprocess.run(
        [*command, "--cfg", "job", "--resolve"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    assert config["data"]["chunk"] == MAX_WIDTH  # 1460 steps: capped width
    assert config["data"]["batch_size"] == math.ceil(80 / STEPS_PER_EPOCH)
    assert "1460" in config["ucr_recipe"]["properties"]
    bad = subprocess.run(
        [*command[:-1], "data.name=GunPointt"], capture_output=True, text=True, cwd=tmp_path
    )
    assert bad.returncode == 2
    assert "data.name='GunPointt' is not a UCR/UEA data set" in bad.stderr
    assert not [path for path in tmp_path.rglob("*") if not path.is_dir()]  # no run left
