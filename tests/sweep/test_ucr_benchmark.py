"""experiment=ucr_benchmark: the sweep's callback, and the whole command on two tiny sets."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from rnnlab.report.ucr_benchmark import CSV_FILE, FIGURE_FILE, MARKDOWN_FILE
from rnnlab.sweep.ucr_benchmark import UcrBenchmarkReport
from tests.data.sources.packages import needs_package
from tests.report.conftest import write_run

BIN = Path(sys.executable).parent


def test_the_callback_writes_the_benchmark_and_prints_its_tallies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for seed, accuracy in ((1, 0.96), (2, 0.94)):
        config = {"seed": seed, "data": {"name": "GunPoint"}, "ucr_recipe": {}}
        write_run(
            tmp_path / f"{seed - 1}_seed={seed}",
            [f"seed={seed}"],
            metrics={"test/acc": accuracy},
            config=config,
        )
    sweep = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}})
    UcrBenchmarkReport().on_multirun_end(sweep)
    printed = capsys.readouterr().out
    assert "UCR benchmark: 1 sets, mean test accuracy 0.9500; 1-NN ED: 1 W / 0 T / 0 L" in printed
    assert (tmp_path / MARKDOWN_FILE).is_file() and (tmp_path / FIGURE_FILE).is_file()


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
