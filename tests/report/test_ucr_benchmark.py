"""The UCR benchmark: the reference table, the tallies against it, the files it writes."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from rnnlab.data.sources.ucr_recipe import SetProperties, derive
from rnnlab.errors import ConfigError
from rnnlab.report.build import report
from rnnlab.report.runs import collect_runs
from rnnlab.report.ucr_benchmark import CSV_FILE, FIGURE_FILE, MARKDOWN_FILE, write_benchmark
from rnnlab.report.ucr_reference import (
    COLUMNS,
    packaged_reference_file,
    read_references,
    reference_accuracies,
)
from rnnlab.report.ucr_results import benchmark, is_recipe_run, recipe_differences
from tests.report.conftest import RunWriter

UNIVARIATE_SHIPPED = ("ACSF1", "ArrowHead", "GunPoint", "ItalyPowerDemand", "OSULeaf")


def _toy_table(path: Path) -> Path:
    rows = [
        ("A", "1-NN ED", "0.2000", "0.8000", "toy paper, table 1"),
        ("B", "1-NN ED", "0.1000", "0.9000", "toy paper, table 1"),
        ("C", "1-NN ED", "0.5000", "0.5000", "toy paper, table 1"),
        ("A", "1-NN DTW", "0.1000", "0.9000", "toy paper, table 2"),
    ]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


#: A set like GunPoint, as experiment=ucr records it.
PROPERTIES = SetProperties(
    train_cases=50,
    fitted_cases=40,
    channels=1,
    classes=2,
    median_length=150,
    min_length=150,
    max_length=150,
    smallest_class=24,
    largest_class=26,
)


def recipe_config(name: str, seed: int, **changed: Any) -> dict[str, Any]:
    """A run's config as experiment=ucr resolves it; ``changed``: ``chunk=5``, ... (data.* or
    model.hidden_size) as a user's override would leave it."""
    settings = {**derive(PROPERTIES).settings(), **changed}
    return {
        "seed": seed,
        "data": {
            "name": name,
            "chunk": settings["chunk"],
            "batch_size": settings["batch_size"],
            "balance": settings["balance"],
        },
        "model": {"hidden_size": settings["hidden_size"], "num_layers": 1},
        "trainer": {"max_epochs": settings["max_epochs"]},
        "ucr_recipe": {"properties": PROPERTIES.describe()},
    }


def _recipe_run(
    make_run: RunWriter, job: str, name: str, seed: int, accuracy: float, **changed: Any
) -> Path:
    config = recipe_config(name, seed, **changed)
    return make_run(
        job,
        [f"data.name={name}", f"seed={seed}"],
        metrics={"test/acc": accuracy},
        config=config,
        wall_time_s=2.0,
    )


def test_the_packaged_table_parses_and_every_row_names_its_source() -> None:
    rows = read_references()
    assert rows and all(row.source.strip() for row in rows)
    assert all("Dau et al. 2019" in row.source for row in rows)
    published = reference_accuracies()
    for name in UNIVARIATE_SHIPPED:
        assert name in published["1-NN ED"] and name in published["1-NN DTW"]
    assert published["1-NN ED"]["GunPoint"].accuracy == pytest.approx(1 - 0.0867)
    assert published["1-NN DTW"]["OSULeaf"].accuracy == pytest.approx(1 - 0.3884)
    assert packaged_reference_file().parent.name == "reference"


def test_a_missing_method_or_table_is_refused_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'1-NN LCSS' is not in the reference table: it holds"):
        reference_accuracies(("1-NN LCSS",))
    with pytest.raises(ConfigError, match="does not exist"):
        read_references(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("dataset,method,accuracy\nA,ED,0.5\n")
    with pytest.raises(ConfigError, match="has the columns dataset, method, accuracy"):
        read_references(bad)


def test_wins_ties_and_losses_on_a_toy_table(tmp_path: Path, make_run: RunWriter) -> None:
    table = _toy_table(tmp_path / "toy.csv")
    for seed, (a, b, c, d) in enumerate([(0.9, 0.9, 0.4, 0.7), (0.8, 0.9, 0.5, 0.7)], start=1):
        _recipe_run(make_run, f"a{seed}", "A", seed, a)  # mean 0.85: beats 0.80, loses to 0.90
        _recipe_run(make_run, f"b{seed}", "B", seed, b)  # 0.90 = 0.90: a tie
        _recipe_run(make_run, f"c{seed}", "C", seed, c)  # 0.45 < 0.50: a loss
        _recipe_run(make_run, f"d{seed}", "D", seed, d)  # no published figure
    bench = benchmark(collect_runs(tmp_path / "sweep"), ("1-NN ED", "1-NN DTW"), table)
    assert [r.dataset for r in bench.results] == ["A", "B", "C", "D"]
    a = bench.results[0]
    assert a.mean == pytest.approx(0.85) and a.std == pytest.approx(0.0707, abs=1e-4)
    assert bench.tally("1-NN ED") == {"win": 1, "tie": 1, "loss": 1}
    assert bench.tally("1-NN DTW") == {"win": 0, "tie": 0, "loss": 1}
    assert bench.unpublished("1-NN ED") == ["D"]
    assert bench.total_wall_time_s == pytest.approx(16.0)


def test_files_are_written_for_recipe_runs_only(tmp_path: Path, make_run: RunWriter) -> None:
    _recipe_run(make_run, "0_data.name=GunPoint,seed=1", "GunPoint", 1, 0.95)
    _recipe_run(make_run, "1_data.name=Other,seed=1", "Other", 1, 0.5)
    make_run("2_data.name=GunPoint,seed=2", ["seed=2"], status="failed")
    sweep = tmp_path / "sweep"
    assert write_benchmark(sweep) is not None
    table = (sweep / MARKDOWN_FILE).read_text()
    assert "| GunPoint | yes | 1 | 0.9500 ± 0.0000 | 0.9133 (win) | 0.9133 (win) |" in table
    assert "| Other | no | 1 | 0.5000 ± 0.0000 | — | — |" in table
    assert "no published figure for Other (left blank)" in table
    assert "Not counted (did not complete): 2_data.name=GunPoint,seed=2 (failed)" in table
    rows = list(csv.DictReader((sweep / CSV_FILE).open()))
    assert rows[0]["1-NN ED outcome"] == "win" and rows[1]["1-NN ED accuracy"] == ""
    assert (sweep / FIGURE_FILE).stat().st_size > 10_000
    other = tmp_path / "other"
    make_run("../other/0", ["seed=1"])
    assert write_benchmark(other) is None and not (other / MARKDOWN_FILE).exists()


def test_rnnlab_report_writes_the_benchmark_of_a_folder_of_recipe_runs(
    tmp_path: Path, make_run: RunWriter
) -> None:
    _recipe_run(make_run, "0_data.name=GunPoint,seed=1", "GunPoint", 1, 0.95)
    _recipe_run(make_run, "1_data.name=GunPoint,seed=2", "GunPoint", 2, 0.93)
    result = report(tmp_path / "sweep")
    assert tmp_path / "sweep" / MARKDOWN_FILE in result.files


def test_a_run_whose_derived_settings_were_overridden_is_not_the_recipe(
    tmp_path: Path, make_run: RunWriter
) -> None:
    recipe = derive(PROPERTIES)
    _recipe_run(make_run, "0_seed=1", "GunPoint", 1, 0.95)
    _recipe_run(make_run, "1_data.chunk=5,seed=1", "GunPoint", 1, 0.60, chunk=5)
    _recipe_run(make_run, "2_model.hidden_size=8,seed=1", "GunPoint", 1, 0.70, hidden_size=8)
    _recipe_run(make_run, "3_trainer.max_epochs=1,seed=1", "GunPoint", 2, 0.93, max_epochs=1)
    sweep = tmp_path / "sweep"
    runs = {run.job: run for run in collect_runs(sweep)}
    assert is_recipe_run(runs["0_seed=1"]) and is_recipe_run(runs["3_trainer.max_epochs=1,seed=1"])
    assert recipe_differences(runs["1_data.chunk=5,seed=1"]) == [
        f"data.chunk=5 (the recipe's {recipe.chunk})"
    ]
    assert not is_recipe_run(runs["2_model.hidden_size=8,seed=1"])
    bench = write_benchmark(sweep)
    assert bench is not None
    (gunpoint,) = bench.results
    assert sorted(gunpoint.accuracies) == [0.93, 0.95]  # the variants are not pooled in
    table = (sweep / MARKDOWN_FILE).read_text()
    assert "Not counted (a setting the recipe derives was changed): 1_data.chunk=5" in table
    assert f"model.hidden_size=8 (the recipe's {recipe.hidden_size})" in table


def test_the_recorded_properties_read_back_exactly() -> None:
    ragged = SetProperties(270, 216, 12, 9, 15, 7, 26, 30, 30)
    for properties in (PROPERTIES, ragged):
        assert SetProperties.from_description(properties.describe()) == properties
    assert SetProperties.from_description("...") is None
