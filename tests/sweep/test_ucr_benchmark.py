"""experiment=ucr_benchmark: the sweep's callback, and the whole command on two tiny sets."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra._internal.callbacks import Callbacks
from omegaconf import OmegaConf

from rnnlab.report.build import report
from rnnlab.report.ucr_benchmark import CSV_FILE, FIGURE_FILE, MARKDOWN_FILE
from rnnlab.report.ucr_reference import COLUMNS
from rnnlab.sweep.ucr_benchmark import UcrBenchmarkReport
from tests.data.sources.packages import needs_package
from tests.report.conftest import write_run
from tests.report.test_ucr_benchmark import recipe_config

BIN = Path(sys.executable).parent


def _write_two_gunpoint_runs(sweep: Path) -> None:
    """Two finished recipe runs of GunPoint (seeds 1 and 2, test accuracy 0.96 and 0.94)."""
    for seed, accuracy in ((1, 0.96), (2, 0.94)):
        write_run(
            sweep / f"{seed - 1}_seed={seed}",
            [f"seed={seed}"],
            metrics={"test/acc": accuracy},
            config=recipe_config("GunPoint", seed),
        )


def test_the_callback_writes_the_benchmark_and_prints_its_tallies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_two_gunpoint_runs(tmp_path)
    sweep = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}})
    UcrBenchmarkReport().on_multirun_end(sweep)
    printed = capsys.readouterr().out
    assert "UCR benchmark: 1 sets, mean test accuracy 0.9500; 1-NN ED: 1 W / 0 T / 0 L" in printed
    assert (tmp_path / MARKDOWN_FILE).is_file() and (tmp_path / FIGURE_FILE).is_file()


def _sweep_with_custom_benchmark_settings(root: Path) -> tuple[Path, Path]:
    """A sweep folder of two recipe runs whose multirun.yaml names the sweep's callbacks as
    experiment=ucr_benchmark does, with one method and a table of the user's own (given
    relative to the folder the sweep was started in)."""
    started_in, sweep = root / "project", root / "project" / "multirun" / "ucr" / "t0"
    started_in.mkdir(parents=True)
    with (started_in / "mine.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerow(["GunPoint", "1-NN DTW", "0.0300", "0.9700", "my own table"])
    _write_two_gunpoint_runs(sweep)
    record = {
        "hydra": {
            "sweep": {"dir": str(sweep)},
            "sweeper": {"_target_": "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"},
            "runtime": {"cwd": str(started_in)},
            "overrides": {"task": ["seed=1,2"], "hydra": []},
            "callbacks": {
                "sweep_summary": {"_target_": "rnnlab.sweep.callbacks.SweepSummary"},
                "ucr_benchmark": {
                    "_target_": "rnnlab.sweep.ucr_benchmark.UcrBenchmarkReport",
                    "methods": ["1-NN DTW"],
                    "reference_file": "mine.csv",
                },
            },
        },
        "seed": 1,
        "data": {"name": "GunPoint"},
    }
    OmegaConf.save(OmegaConf.create(record), sweep / "multirun.yaml")
    return sweep, started_in


def test_the_callbacks_settings_are_in_the_files_whatever_writes_them_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep, started_in = _sweep_with_custom_benchmark_settings(tmp_path)
    monkeypatch.chdir(started_in)  # where the sweep runs its callbacks
    config = OmegaConf.load(sweep / "multirun.yaml")
    # Hydra's own callback runner: the benchmark's callback, then the sweep's report.
    Callbacks(config).on_multirun_end(config=config)
    table = (sweep / MARKDOWN_FILE).read_text()
    assert "| set | tuned on | seeds | rnnlab test acc | 1-NN DTW | wall time (s) |" in table
    assert "0.9700 (loss)" in table and "- my own table" in table
    assert "1-NN ED" not in table
    rows = list(csv.DictReader((sweep / CSV_FILE).open()))
    assert rows[0]["1-NN DTW accuracy"] == "0.97" and "1-NN ED accuracy" not in rows[0]
    at_the_end = {name: (sweep / name).read_bytes() for name in (MARKDOWN_FILE, CSV_FILE)}
    # rnnlab-report run later, from elsewhere: the same files.
    monkeypatch.chdir(tmp_path)
    for name in at_the_end:
        (sweep / name).unlink()
    report(sweep)
    assert {name: (sweep / name).read_bytes() for name in at_the_end} == at_the_end


def test_a_method_the_table_lacks_stops_the_sweep_in_one_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            str(BIN / "rnnlab-train"),
            "experiment=ucr_benchmark",
            "hydra.callbacks.ucr_benchmark.methods=[1-NN LCSS]",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "RNNLAB_ROOT": str(tmp_path)},
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "rnnlab-train: error: reference method '1-NN LCSS' is not in the reference table: it "
        "holds 1-NN DTW, 1-NN DTW full window, 1-NN ED."
    ]
    assert not (tmp_path / "multirun").exists()


@pytest.mark.slow
@needs_package("aeon")
def test_the_benchmark_on_two_tiny_sets_end_to_end(tmp_path: Path) -> None:
    command = [
        str(BIN / "rnnlab-train"),
        "-m",
        "experiment=ucr_benchmark",
        "data.name=UnitTest,GunPoint",
        "seed=1",
        "trainer.max_epochs=1",
        "callbacks.gradient_flow=null",
        "callbacks.hidden_states=null",
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "RNNLAB_ROOT": str(tmp_path), "OMP_NUM_THREADS": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rnnlab: UCR benchmark: 2 sets" in done.stdout
    (sweep,) = (tmp_path / "multirun" / "ucr_benchmark").iterdir()
    rows = {row["dataset"]: row for row in csv.DictReader((sweep / CSV_FILE).open())}
    assert set(rows) == {"UnitTest", "GunPoint"}
    assert rows["GunPoint"]["1-NN ED accuracy"] == "0.9133"
    assert rows["UnitTest"]["1-NN ED accuracy"] == ""  # no published figure: left blank
    assert rows["GunPoint"]["1-NN ED outcome"] in {"win", "tie", "loss"}
    table = (sweep / MARKDOWN_FILE).read_text()
    assert "no published figure for UnitTest (left blank)" in table
    (gunpoint,) = sweep.glob("*data.name=GunPoint*/metrics.json")
    record = json.loads(gunpoint.read_text())
    recipe = record["config"]["ucr_recipe"]
    assert record["config"]["data"]["chunk"] == 9 and "150" in recipe["chunk"]
    assert (sweep / FIGURE_FILE).stat().st_size > 10_000
