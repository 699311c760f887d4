"""Ctrl-C on a single run: one line says where its last checkpoint is and how to continue it."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from rnnlab.run_folder import HYDRA_DIR, LAST_CHECKPOINT, OVERRIDES_FILE
from rnnlab.sweep.stopped_run import checkpoint_to_continue, continue_hint
from tests.conftest import BIN, run_command

#: PATH without the venv's scripts: the hint names rnnlab-train by the path it was run by.
NOT_ON_PATH = os.pathsep.join(
    folder for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if folder != str(BIN)
)
#: A tiny run with far more epochs than it will get before Ctrl-C.
LONG_RUN = (
    "name=stop",
    "trainer.max_epochs=1000",
    "data.num_train=64",
    "data.num_val=32",
    "data.num_test=32",
    "data.batch_size=16",
    "logger=none",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
    "~callbacks.model_summary",
    "~callbacks.gradient_flow",
    "~callbacks.figures",
)
_STOPPED = "rnnlab: the run stopped before it ended; its last checkpoint is "


def _interrupt_once_checkpointed(
    root: Path, *arguments: str, runs: str = "experiments/stop/*"
) -> subprocess.CompletedProcess[str]:
    """Start rnnlab-train, send SIGINT once a run has a last.ckpt, wait for the end."""
    process = subprocess.Popen(
        [str(BIN / "rnnlab-train"), *arguments],
        cwd=root,
        env={**os.environ, "RNNLAB_ROOT": str(root), "PATH": NOT_ON_PATH, "OMP_NUM_THREADS": "1"},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    while not list(root.glob(f"{runs}/{LAST_CHECKPOINT}")):
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no checkpoint in 180 s"
        time.sleep(0.2)
    time.sleep(0.3)  # let Lightning finish writing the file it just named
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
def test_ctrl_c_says_how_to_continue_and_the_command_continues(tmp_path: Path) -> None:
    stopped = _interrupt_once_checkpointed(tmp_path, *LONG_RUN)
    assert stopped.returncode == 1, stopped.stderr[-2000:]
    assert "Traceback" not in stopped.stderr
    (line,) = [line for line in stopped.stderr.splitlines() if line.startswith("rnnlab")]
    assert line.startswith(_STOPPED), line
    shown, _, command = line.removeprefix(_STOPPED).partition(
        "; continue it (into a new run folder) with: "
    )
    (run,) = (tmp_path / "experiments" / "stop").iterdir()
    assert tmp_path / shown == run / LAST_CHECKPOINT  # relative to where it was launched
    assert not (run / "metrics.json").exists()

    program, *arguments = shlex.split(command)
    assert program == str(BIN / "rnnlab-train")  # as it was run, not on PATH
    assert arguments == [*LONG_RUN, f"ckpt_path={shown}"]
    import torch

    epochs_done = torch.load(tmp_path / shown, map_location="cpu", weights_only=True)["epoch"] + 1
    # the command as printed, asked for one more epoch, continues the run
    continued = run_command(
        tmp_path, "rnnlab-train", *arguments, f"trainer.max_epochs={epochs_done + 1}"
    )
    assert continued.returncode == 0, continued.stderr[-2000:]
    (new_run,) = set((tmp_path / "experiments" / "stop").iterdir()) - {run}
    record = json.loads((new_run / "metrics.json").read_text())
    assert record["resumed_from"]["run_dir"] == str(run)
    assert record["resumed_from"]["epochs_done"] == epochs_done
    assert record["epochs"] == epochs_done + 1


@pytest.mark.slow
def test_ctrl_c_on_a_sweep_says_how_to_resume_the_sweep(tmp_path: Path) -> None:
    stopped = _interrupt_once_checkpointed(
        tmp_path, "-m", *LONG_RUN, "seed=1,2", runs="multirun/stop/*/0_*"
    )
    assert stopped.returncode == 1, stopped.stderr[-2000:]
    (sweep,) = (tmp_path / "multirun" / "stop").iterdir()
    (line,) = [line for line in stopped.stderr.splitlines() if line.startswith("rnnlab")]
    assert line == (
        "rnnlab: the sweep stopped before it ended; resume it with: "
        f"{BIN / 'rnnlab-train'} --resume {sweep}"
    )


def test_the_hint_continues_from_the_last_checkpoint_and_drops_an_older_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", NOT_ON_PATH)
    monkeypatch.setattr("sys.argv", [str(BIN / "rnnlab-train")])
    run = tmp_path / "experiments" / "x" / "2"
    (run / HYDRA_DIR).mkdir(parents=True)
    (run / HYDRA_DIR / OVERRIDES_FILE).write_text("[]\n")
    (run / LAST_CHECKPOINT).parent.mkdir()
    (run / LAST_CHECKPOINT).write_bytes(b"")
    cfg = OmegaConf.create({"ckpt_path": "experiments/x/1/checkpoints/last.ckpt"})
    checkpoint = checkpoint_to_continue(cfg, run)
    assert checkpoint == run / LAST_CHECKPOINT
    hint = continue_hint("rnnlab-train", ["model=lstm", f"ckpt_path={cfg.ckpt_path}"], checkpoint)
    assert hint == (
        f"{_STOPPED}experiments/x/2/checkpoints/last.ckpt; continue it (into a new run folder) "
        f"with: {BIN / 'rnnlab-train'} model=lstm ckpt_path=experiments/x/2/checkpoints/last.ckpt"
    )


def test_before_its_first_checkpoint_a_run_continues_what_it_continued(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / HYDRA_DIR).mkdir(parents=True)
    given = OmegaConf.create({"ckpt_path": "old/last.ckpt", "train": True})
    assert checkpoint_to_continue(given, run) == Path("old/last.ckpt")
    testing_only = OmegaConf.create({"ckpt_path": "old/last.ckpt", "train": False})
    assert checkpoint_to_continue(testing_only, run) is None
    assert continue_hint("rnnlab-train", ["train=false"], None).startswith(
        "rnnlab: the run stopped before its first checkpoint; start it again with: "
    )
