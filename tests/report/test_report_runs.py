"""Finding run folders by their content and reading how each run ended."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from rnnlab.report.runs import (
    ReportError,
    collect_runs,
    find_run_dirs,
    parse_overrides,
    read_run,
)

RunWriter = Callable[..., Path]


def test_runs_are_found_by_content_at_any_depth_in_launch_order(tmp_path: Path) -> None:
    root = tmp_path / "experiments"
    for job in ("10_model=gru", "2_model=rnn"):
        (root / "sweep" / job / ".hydra").mkdir(parents=True)
    (root / "single" / "2026-01-01").mkdir(parents=True)
    (root / "single" / "2026-01-01" / "metrics.json").write_text("{}")
    (root / "notes" / "figures").mkdir(parents=True)  # no .hydra/, no metrics.json
    # a run's own sub-folders are not searched, even if one looks like a run
    (root / "sweep" / "2_model=rnn" / "tensorboard" / ".hydra").mkdir(parents=True)

    found = [path.relative_to(root).as_posix() for path in find_run_dirs(root)]

    assert found == ["single/2026-01-01", "sweep/2_model=rnn", "sweep/10_model=gru"]


def test_a_run_folder_given_directly_is_its_own_single_run(make_run: RunWriter) -> None:
    (run,) = collect_runs(make_run("job"))
    assert run.job == "." and run.status == "completed"


def test_each_status_is_read_from_metrics_json_or_from_what_the_folder_holds(
    make_run: RunWriter, tmp_path: Path
) -> None:
    make_run("a_completed")
    make_run("b_failed", status="failed", message="CUDA ran out of memory.", metrics={})
    make_run("c_diverged", status="diverged", message="val/loss became nan at epoch 3.")
    make_run("d_interrupted", status=None, val_loss=[[1, 0.7]])
    make_run("e_incomplete", status=None)
    broken = make_run("f_unreadable", status=None)
    (broken / "metrics.json").write_text("{not json")

    runs = {run.job: run for run in collect_runs(tmp_path / "sweep")}

    assert {job: run.status for job, run in runs.items()} == {
        "a_completed": "completed",
        "b_failed": "failed",
        "c_diverged": "diverged",
        "d_interrupted": "interrupted",
        "e_incomplete": "incomplete",
        "f_unreadable": "unreadable",
    }
    assert runs["c_diverged"].message == "val/loss became nan at epoch 3."
    assert runs["f_unreadable"].message == "metrics.json could not be read (JSONDecodeError)."
    assert runs["a_completed"].completed and not runs["d_interrupted"].completed


def test_null_and_nan_metrics_read_as_missing(make_run: RunWriter, tmp_path: Path) -> None:
    make_run(
        "job",
        metrics={"test/acc": None, "test/loss": "nan", "val/acc_best": 0.9, "test/f1": "inf"},
        best={"monitor": "val/acc", "mode": "max", "value": None},
    )
    (run,) = collect_runs(tmp_path / "sweep")
    assert run.metrics == {
        "test/acc": None,
        "test/loss": None,
        "val/acc_best": 0.9,
        "test/f1": None,
    }
    assert run.best == ("val/acc_best", 0.9)  # a null best value falls back to the metric


def test_the_task_kind_picks_the_headline_metric(make_run: RunWriter) -> None:
    classification = make_run("c")
    assert read_run(classification, classification.parent).headline == "test/acc"
    regression = read_run(make_run("r", kind="regression"), classification.parent)
    assert regression.headline == "test/mse"
    assert regression.best == ("val/mse_best", 0.6)
    assert regression.job == "r"


def test_overrides_are_parsed_as_hydra_reads_them() -> None:
    parsed = parse_overrides(
        [
            "data.seq_len=4",
            "model=gru",
            "+extra=1",
            "++forced=x",
            "optimizer.lr=1e-3",
            "trainer.enable_progress_bar=False",
            "~callbacks.progress_bar=null",
            "~callbacks.model_summary",
            "tags=[a,b]",
            "data.seed=null",
        ]
    )
    assert parsed == {
        "data.seq_len": 4,
        "model": "gru",
        "extra": 1,
        "forced": "x",
        "optimizer.lr": 0.001,
        "trainer.enable_progress_bar": False,
        "tags": "[a,b]",
        "data.seed": None,
    }
    assert parse_overrides(None) == {} and parse_overrides("model=gru") == {}


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("missing", "does not exist: give a sweep or experiments folder."),
        ("file.txt", "is not a folder: give a sweep or experiments folder."),
        ("empty", "holds no runs: no folder in it has .hydra/ or metrics.json."),
    ],
)
def test_nothing_to_report_on_is_one_sentence(tmp_path: Path, name: str, sentence: str) -> None:
    (tmp_path / "file.txt").write_text("")
    (tmp_path / "empty" / "figures").mkdir(parents=True)
    with pytest.raises(ReportError) as error:
        collect_runs(tmp_path / name)
    assert str(error.value) == f"{str(tmp_path / name)!r} {sentence}"


def test_overrides_come_from_metrics_json_when_hydra_is_missing(make_run: RunWriter) -> None:
    run_dir = make_run("job", hydra=False)
    record = json.loads((run_dir / "metrics.json").read_text())
    (run_dir / "metrics.json").write_text(json.dumps({**record, "overrides": ["model=lstm"]}))
    (run,) = collect_runs(run_dir)
    assert run.overrides == {"model": "lstm"}
