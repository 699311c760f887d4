"""What a report takes from the sweep's own record: an unfinished grid's every job and swept
settings, a search's best trial (and the command that runs it alone), rounded for reading."""

from __future__ import annotations

import csv
import json
import re
import shlex
from pathlib import Path

import pytest

from rnnlab.report.build import report
from rnnlab.report.plan import NOT_STARTED, BestTrial, PlannedJob, SweepPlan
from rnnlab.report.table import markdown, terminal_text
from tests.conftest import run_command, sweep_dir
from tests.report.conftest import RunWriter
from tests.sweep.test_resume_sweeps import _kill_when

GRID_PLAN = SweepPlan(
    swept=["model", "seed"],
    jobs=[
        PlannedJob(n, {"model": model, "seed": seed})
        for n, (model, seed) in enumerate([("rnn", 1), ("rnn", 2), ("gru", 1), ("gru", 2)])
    ],
)


def test_a_grid_killed_in_its_first_job_lists_all_four_and_what_they_sweep(
    make_run: RunWriter, tmp_path: Path
) -> None:
    make_run("0_model=rnn,seed=1", ["model=rnn", "seed=1"], status=None)  # killed
    result = report(tmp_path / "sweep", figures=False, plan=GRID_PLAN)
    assert list(result.swept) == ["model", "seed"]
    assert [job.run.status for job in result.jobs] == ["incomplete", *[NOT_STARTED] * 3]
    assert [job.setting for job in result.jobs][2] == {"model": "gru", "seed": 1}
    text = terminal_text(result)
    assert "4 jobs (1 incomplete, 3 not started); swept: model, seed" in text
    assert "#3: not started" not in text  # listed by the unfinished lines, not as a problem
    with (tmp_path / "sweep" / "report.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["job"], r["model"], r["seed"], r["status"]) for r in rows][1:] == [
        ("#1", "rnn", "2", NOT_STARTED),
        ("#2", "gru", "1", NOT_STARTED),
        ("#3", "gru", "2", NOT_STARTED),
    ]


def test_a_setting_the_finished_jobs_share_is_still_swept(make_run: RunWriter) -> None:
    """Killed in job 1: both jobs so far ran model=rnn, yet the grid sweeps model."""
    make_run("0_model=rnn,seed=1", ["model=rnn", "seed=1"])
    sweep = make_run("1_model=rnn,seed=2", ["model=rnn", "seed=2"], status=None).parent
    result = report(sweep, figures=False, plan=GRID_PLAN)
    assert list(result.swept) == ["model", "seed"]
    assert result.swept["model"] == ["rnn", "rnn", "gru", "gru"]


def test_a_search_report_has_its_best_trial_and_reads_rounded(make_run: RunWriter) -> None:
    lr = 0.0013292918943162175
    sweep = make_run("0_optimizer.lr=0.001329", [f"optimizer.lr={lr}"]).parent
    best = BestTrial(
        "val/acc_best",
        "maximize",
        0.65625,
        "0_optimizer.lr=0.001329",
        {"optimizer.lr": lr},
        f"rnnlab-train optimizer.lr={lr}",
    )
    result = report(sweep, figures=False, plan=SweepPlan(["optimizer.lr"], [], best))
    text = markdown(result)
    assert "## Best trial" in text and "val/acc_best **0.6562** (the search's objective" in text
    assert "| optimizer.lr | 0.001329 |" in text  # the table: rounded for reading
    assert f"rnnlab-train optimizer.lr={lr}\n" in text  # the command: exact
    assert f"| {lr} |" not in text
    assert str(lr) in (sweep / "report.csv").read_text()  # the CSV: every digit


# --- real sweeps, killed or searched --------------------------------------------------------
TINY = (
    "trainer.max_epochs=2",
    "data.num_train=64",
    "data.num_val=32",
    "data.num_test=32",
    "data.batch_size=16",
    "~callbacks.model_summary",
    "~callbacks.gradient_flow",
    "~callbacks.hidden_states",
)
#: Long enough per job to kill one part-way.
GRID = (
    "name=grid",
    "model=rnn,gru",
    "seed=1,2",
    *TINY,
    "trainer.max_epochs=3",
    "data.num_train=256",
)


def _started(number: int) -> object:
    """Ready to kill: job ``number`` is set up (it has its overrides) and has not ended."""

    def ready(sweep: Path) -> bool:
        jobs = list(sweep.glob(f"{number}_*/.hydra/overrides.yaml"))
        return bool(jobs) and not (jobs[0].parents[1] / "metrics.json").exists()

    return ready


def test_a_grid_killed_in_job_0_reports_its_whole_grid(tmp_path: Path) -> None:
    """Killed as its first job is set up (a few seconds in)."""
    _kill_when(tmp_path, list(GRID), _started(0))
    sweep = sweep_dir(tmp_path, "grid")
    result = run_command(tmp_path, "rnnlab-report", str(sweep), "--no-figures")
    assert result.returncode == 0, result.stderr
    assert "4 jobs (1 incomplete, 3 not started); swept: model, seed" in result.stdout
    with (sweep / "report.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["model"], row["seed"]) for row in rows] == [
        ("rnn", "1"),
        ("rnn", "2"),
        ("gru", "1"),
        ("gru", "2"),
    ]
    assert [row["job"] for row in rows][1:] == ["#1", "#2", "#3"]
    assert "not started (3): #1 (model=rnn,seed=2)" in result.stdout


@pytest.mark.slow
def test_a_grid_killed_in_its_second_job_still_sweeps_model(tmp_path: Path) -> None:
    def first_done_second_started(sweep: Path) -> bool:
        done = list(sweep.glob("0_*/metrics.json"))
        return bool(done) and _started(1)(sweep)

    _kill_when(tmp_path, list(GRID), first_done_second_started)
    result = run_command(
        tmp_path, "rnnlab-report", str(sweep_dir(tmp_path, "grid")), "--no-figures"
    )
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"4 jobs \(1 completed, 1 (incomplete|interrupted), 2 not started\); "
        r"swept: model, seed",
        result.stdout,
    ), result.stdout


@pytest.mark.slow
def test_a_three_trial_search_names_its_folders_and_reports_its_best(tmp_path: Path) -> None:
    search = run_command(
        tmp_path,
        "rnnlab-train",
        "-m",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=3",
        "name=search",
        *TINY,
    )
    assert search.returncode == 0, search.stderr
    sweep = sweep_dir(tmp_path, "search")
    jobs = sorted(path for path in sweep.iterdir() if (path / ".hydra").is_dir())
    assert len(jobs) == 3
    for job in jobs:  # whole names, the learning rate included, 4 significant digits
        assert "~" not in job.name and "optimizer.lr=" in job.name
        lr = float(re.search(r"optimizer\.lr=([^,]+)", job.name).group(1))
        exact = json.loads((job / "metrics.json").read_text())["config"]["optimizer"]["lr"]
        assert lr == float(f"{exact:.4g}") and len(str(exact)) > len(str(lr))
    text = (sweep / "report.md").read_text()
    best_value = re.search(r"val/acc_best \*\*([0-9.]+)\*\*", text)
    assert best_value, text
    command = text.split("Run it alone, with the exact values:")[1].split("```text\n")[1]
    command = command.split("\n```")[0]
    assert "hparams_search" not in command and "-m" not in shlex.split(command)
    alone = run_command(tmp_path, "rnnlab-train", *shlex.split(command)[1:])
    assert alone.returncode == 0, alone.stderr
    (run,) = (tmp_path / "experiments" / "search").iterdir()
    record = json.loads((run / "metrics.json").read_text())
    assert f"{record['metrics']['val/acc_best']:.4f}" == best_value.group(1)
