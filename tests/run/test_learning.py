"""The lesson's claims as outcomes: the default run masters the task; an LSTM remembers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnnlab.run.training import train

QUIET = ("trainer.enable_progress_bar=false", "~callbacks.progress_bar", "~callbacks.model_summary")


def _metrics(cfg) -> dict:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())["metrics"]


def test_default_run_masters_the_lessons_task(compose_run) -> None:
    """`make train` composes exactly this: the lesson's data, done well (lesson: 79%)."""
    cfg = compose_run(*QUIET)
    train(cfg)
    assert _metrics(cfg)["test/acc"] >= 0.99


def test_majority_preset_matches_the_default(compose_run) -> None:
    default, preset = compose_run(), compose_run("experiment=majority")
    for section in ("data", "model", "optimizer"):
        assert default[section] == preset[section], section
    assert default.trainer.max_epochs == preset.trainer.max_epochs


@pytest.mark.slow
def test_lstm_beats_the_adding_baseline(compose_run) -> None:
    cfg = compose_run(
        "data=adding",
        "model=lstm",
        "data.seq_len=20",
        "data.num_train=5000",
        "trainer.max_epochs=8",
        *QUIET,
    )
    train(cfg)
    metrics = _metrics(cfg)
    assert metrics["test/mse"] < metrics["test/loss_baseline"] / 3
