"""A sweep job's folder (``0_model=gru,seed=3``) and other paths with ``=`` and ``,``, typed
without quotes into rnnlab-train, rnnlab-eval and rnnlab-predict, as a user pastes them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_command
from tests.data.sources.packages import needs_package

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
QUIET = (
    "logger=none",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
    "~callbacks.model_summary",
    "~callbacks.gradient_flow",
    "~callbacks.hidden_states",
)
#: Trained on a CSV in a folder whose name holds = and , (relative to the launch folder).
RUN = (
    "data=file",
    "data.path=in=1,2/sequences.csv",
    "data.id_column=sequence",
    "data.time_column=step",
    "data.target_column=total",
    "trainer.max_epochs=1",
    *QUIET,
)
#: Every fixed key out of the job folders' names, so they read ``0_model=gru,seed=3``.
_FIXED = ["data", *(o.lstrip("~").partition("=")[0] for o in RUN[1:])]
SWEEP = (
    "-m",
    "model=gru,rnn",
    "seed=3",
    *RUN,
    "hydra.sweep.dir=multi=1,2",
    f"hydra.job.config.override_dirname.exclude_keys=[{','.join(_FIXED)}]",
)


@pytest.mark.slow
def test_job_paths_work_unquoted_in_every_command(tmp_path: Path) -> None:
    (tmp_path / "in=1,2").mkdir()
    for name in ("sequences.csv", "new_sequences.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / "in=1,2" / name)
    swept = run_command(tmp_path, "rnnlab-train", *SWEEP)
    assert swept.returncode == 0, swept.stderr[-2000:]
    sweep = tmp_path / "multi=1,2"
    assert sorted(p.parent.name for p in sweep.glob("*/.hydra")) == [
        "0_model=gru,seed=3",
        "1_model=rnn,seed=3",
    ]
    job = "multi=1,2/0_model=gru,seed=3/checkpoints"

    evaluated = run_command(tmp_path, "rnnlab-eval", f"ckpt_path={job}/best.ckpt")
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]

    (tmp_path / "out=1,2").mkdir()
    predicted = run_command(
        tmp_path,
        "rnnlab-predict",
        f"ckpt_path={job}/best.ckpt",
        "input=in=1,2/new_sequences.csv",
        "output=out=1,2/predictions.csv",
    )
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    assert (tmp_path / "out=1,2" / "predictions.csv").read_text().startswith("id,predicted\ns100,")

    continued = run_command(
        tmp_path,
        "rnnlab-train",
        "name=continued",
        "model=gru",
        "seed=3",
        *RUN,
        f"ckpt_path={job}/last.ckpt",
        "trainer.max_epochs=2",
    )
    assert continued.returncode == 0, continued.stderr[-2000:]
    (run,) = (tmp_path / "experiments" / "continued").iterdir()
    record = json.loads((run / "metrics.json").read_text())
    assert record["resumed_from"]["run_dir"] == str(sweep / "0_model=gru,seed=3")

    resumed = run_command(tmp_path, "rnnlab-train", "--resume", "multi=1,2")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "2 jobs: 2 completed (kept)" in resumed.stdout


@needs_package("aeon")
@pytest.mark.slow
def test_an_archive_folder_with_odd_characters_works_unquoted(tmp_path: Path) -> None:
    archive = tmp_path / "ucr=1,2"
    archive.mkdir()
    header = "@problemName Mine\n@univariate true\n@classLabel true a b\n@data\n"
    cases = "".join(f"{i},{i + 1},{i + 2}:{'ab'[i % 2]}\n" for i in range(10))
    for part in ("TRAIN", "TEST"):
        (archive / f"Mine_{part}.ts").write_text(header + cases)
    tested = run_command(
        tmp_path,
        "rnnlab-train",
        "name=ucr",
        "data=ucr",
        "data.name=Mine",
        "data.archive_dir=ucr=1,2",
        "train=false",
        *QUIET,
    )
    assert tested.returncode == 0, tested.stderr[-2000:]
    (run,) = (tmp_path / "experiments" / "ucr").iterdir()
    record = json.loads((run / "metrics.json").read_text())
    assert record["config"]["data"]["archive_dir"] == str(archive)
