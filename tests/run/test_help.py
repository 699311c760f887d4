"""--help says what each command is and how to use it first, then Hydra's lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_command

FIRST_LINES = {
    "rnnlab-train": "rnnlab-train: train a recurrent network (RNN, LSTM or GRU) on a sequence "
    "task, then test it.",
    "rnnlab-eval": "rnnlab-eval: test a checkpoint again on the test split of the run that "
    "wrote it.",
    "rnnlab-predict": "rnnlab-predict: apply a trained model to the sequences of a file, one CSV "
    "row per sequence.",
}


@pytest.mark.parametrize("program", list(FIRST_LINES))
def test_help_opens_with_what_the_command_does(tmp_path: Path, program: str) -> None:
    result = run_command(tmp_path, program, "--help")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == FIRST_LINES[program]
    usage = lines.index(
        "== Configuration groups: choose an option with group=option, e.g. model=lstm =="
    )
    assert any(line.strip().startswith(f"{program} ckpt_path=") for line in lines[:usage])
    assert "model: gru, lstm, rnn" in lines[usage:]  # Hydra's list of config groups, kept
    assert "powered by Hydra" not in result.stdout
    assert lines[-1] == "More in rnnlab's README.md and docs/."
    assert list(tmp_path.iterdir()) == []  # help runs nothing and writes nothing
