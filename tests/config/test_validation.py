"""Every bad value named in the issue gets one sentence, a non-zero exit and no run folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import DictConfig

from rnnlab.config.validation import validate
from rnnlab.errors import ConfigError
from tests.conftest import TORCH_PROBE

BAD_VALUES = {
    "model=transformer": ("model=transformer", "gru, lstm, rnn"),
    "model.hidden_size=abc": ("model.hidden_size='abc'", "an integer >= 1"),
    "model.hidden_size=0": ("model.hidden_size=0", "an integer >= 1"),
    "data.seq_len=-5": ("data.seq_len=-5", "an integer >= 1"),
    "data.batch_size=0": ("data.batch_size=0", "an integer >= 1"),
    "trainer.max_epochs=-1": ("trainer.max_epochs=-1", "an integer >= 1"),
    "model.num_layers=0": ("model.num_layers=0", "an integer >= 1"),
    "model.dropout=1.5": ("model.dropout=1.5", "0 <= value < 1"),
}

# Runs the entry point in-process and reports whether torch got imported on the way out.


def _run_cli(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RNNLAB_ROOT": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", TORCH_PROBE, *overrides],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


@pytest.mark.parametrize("override", list(BAD_VALUES))
def test_bad_value_gets_one_sentence_and_no_run(tmp_path: Path, override: str) -> None:
    result = _run_cli(tmp_path, override)
    named, valid = BAD_VALUES[override]
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rnnlab-train: error: ")
    assert named in lines[0] and valid in lines[0]
    assert "Traceback" not in result.stderr
    # rejected before torch or Lightning were imported: that is what keeps it fast
    assert "TORCH_NOT_IMPORTED" in result.stdout
    runs = tmp_path / "experiments"
    assert not runs.exists() or not any(runs.rglob("*")), list(runs.rglob("*"))


def test_missing_checkpoint_is_one_sentence(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "ckpt_path=missing.ckpt")
    assert result.returncode == 2
    assert "ckpt_path='missing.ckpt' does not exist" in result.stderr


def test_consistency_rules(compose_run) -> None:
    with pytest.raises(ConfigError, match="model.nonlinearity='relu' only applies to model=rnn"):
        validate(compose_run("model=lstm", "+model.nonlinearity=relu"))
    with pytest.raises(ConfigError, match="needs a validation split"):
        validate(compose_run("data.num_val=0"))
    with pytest.raises(ConfigError, match="also pass ~callbacks.progress_bar"):
        validate(compose_run("trainer.enable_progress_bar=false"))
    validate(compose_run("trainer.enable_progress_bar=false", "~callbacks.progress_bar"))
    with pytest.raises(ConfigError, match="min_epochs=5 is larger than trainer.max_epochs=2"):
        validate(compose_run("trainer.min_epochs=5", "trainer.max_epochs=2"))


def test_default_and_presets_are_valid(compose_run) -> None:
    for overrides in ([], ["experiment=seed"], ["experiment=majority"], ["data=copy"]):
        cfg: DictConfig = compose_run(*overrides)
        validate(cfg)
