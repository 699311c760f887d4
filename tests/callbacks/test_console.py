"""Quiet logs: one plain line per epoch when the output is not a terminal, and
``callbacks.progress_bar=null`` leaves no bar at all (Lightning adds none of its own)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pytorch_lightning.callbacks import RichProgressBar
from rich.console import Console

from rnnlab.callbacks import console
from rnnlab.callbacks.console import EpochLines, progress_bar
from rnnlab.run.training import train
from tests.conftest import TINY_RUN, run_command

SMALL = (
    "name=quiet",
    "trainer.max_epochs=2",
    "data.num_train=64",
    "data.num_val=32",
    "data.num_test=32",
    "data.batch_size=16",
    "~callbacks.model_summary",
)
#: What a live bar leaves in a file: its elapsed • remaining times and its speed.
BAR_MARKS = (" • ", "it/s")


def test_an_interactive_output_gets_rich_s_bar_and_a_file_gets_epoch_lines(monkeypatch) -> None:
    monkeypatch.setattr(console, "get_console", lambda: Console(force_interactive=True))
    assert isinstance(progress_bar(refresh_rate=3), RichProgressBar)
    monkeypatch.setattr(console, "get_console", lambda: Console(file=io.StringIO()))
    assert isinstance(progress_bar(refresh_rate=3), EpochLines)


def _epoch_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "train/loss" in line]


def test_a_run_that_is_not_on_a_terminal_prints_one_line_per_epoch(
    compose_run, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(console, "get_console", lambda: Console(file=io.StringIO()))
    quiet = [o for o in TINY_RUN if "progress_bar" not in o]
    train(compose_run(*quiet, "trainer.max_epochs=3", "~callbacks.figures"))
    lines = _epoch_lines(capsys.readouterr().out)
    assert [line.split(":")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert all(line.endswith(" s)") and "v_num" not in line for line in lines)


@pytest.mark.slow
def test_output_to_a_pipe_is_one_plain_line_per_epoch(tmp_path: Path) -> None:
    result = run_command(tmp_path, "rnnlab-train", *SMALL)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert not any(mark in output for mark in BAR_MARKS), output
    epochs = _epoch_lines(output)
    assert [line.split(":")[0] for line in epochs] == ["Epoch 1/2", "Epoch 2/2"], output
    for line in epochs:  # every metric whole, on its epoch's line, with its value
        assert "val/loss_baseline" not in line  # the majority task has no baseline
        for name in ("train/loss", "val/acc", "val/acc_best", "val/loss"):
            assert f" {name} 0." in line, line


@pytest.mark.slow
def test_progress_bar_null_leaves_no_bar_of_lightning_s_own(tmp_path: Path) -> None:
    result = run_command(tmp_path, "rnnlab-train", *SMALL, "callbacks.progress_bar=null")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert not any(mark in output for mark in BAR_MARKS), output
    assert "Epoch 1" not in output
    assert "rnnlab: run finished" in result.stdout


@pytest.mark.slow
def test_an_interactive_output_still_draws_the_bar(tmp_path: Path) -> None:
    """TTY_INTERACTIVE=1 is Rich's own switch: the bar is drawn even into a pipe."""
    result = run_command(tmp_path, "rnnlab-train", *SMALL, TTY_INTERACTIVE="1")
    assert result.returncode == 0, result.stderr
    assert "━" in result.stdout
    assert "Epoch 1/2: " not in result.stdout
