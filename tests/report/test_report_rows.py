"""Rows per job, and per setting when seeds repeat: the numbers the tables show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rnnlab.report.aggregate import summarise
from rnnlab.report.rows import job_rows, setting_rows, value_columns
from rnnlab.report.runs import collect_runs
from rnnlab.report.swept import swept_settings

RunWriter = Callable[..., Path]

#: test/acc of seeds 1, 2, 3 for each model; the third gru seed failed.
ACC = {"rnn": [0.70, 0.75, 0.90], "gru": [0.95, 0.99, None]}


def _seed_sweep(make_run: RunWriter) -> None:
    number = 0
    for model, accuracies in ACC.items():
        for seed, acc in enumerate(accuracies, start=1):
            fields = {"metrics": {"test/acc": acc, "test/loss": 1 - (acc or 0)}}
            if acc is None:
                fields = {"status": "failed", "message": "out of memory.", "metrics": {}}
            best = {"monitor": "val/acc", "mode": "max", "value": (acc or 0) - 0.01}
            wall = 10.0 + seed
            make_run(
                f"{number}",
                [f"model={model}", f"seed={seed}"],
                best=best,
                wall_time_s=wall,
                **fields,
            )
            number += 1


def test_jobs_differing_only_in_seed_become_one_row_with_mean_std_and_n(
    make_run: RunWriter, tmp_path: Path
) -> None:
    _seed_sweep(make_run)
    runs = collect_runs(tmp_path / "sweep")
    swept = swept_settings(runs)
    settings = setting_rows(job_rows(runs, swept), swept)

    assert [row.setting for row in settings] == [{"model": "rnn"}, {"model": "gru"}]
    rnn, gru = settings
    assert rnn.values["test/acc"].mean == pytest.approx(np.mean(ACC["rnn"]))
    assert rnn.values["test/acc"].std == pytest.approx(np.std(ACC["rnn"], ddof=1))
    assert rnn.values["test/acc"].n == 3
    assert rnn.values["val/acc_best"].mean == pytest.approx(np.mean(ACC["rnn"]) - 0.01)
    assert rnn.values["wall_time_s"].std == pytest.approx(np.std([11, 12, 13], ddof=1))
    # the failed job counts in the status but not in the statistics, wall time included
    assert gru.values["test/acc"].mean == pytest.approx(np.mean([0.95, 0.99]))
    assert gru.values["test/acc"].std == pytest.approx(np.std([0.95, 0.99], ddof=1))
    assert gru.values["wall_time_s"].n == 2
    assert (gru.completed, gru.status, len(gru.jobs)) == (2, "2 completed, 1 failed", 3)


def test_no_setting_rows_without_repeated_seeds(make_run: RunWriter, tmp_path: Path) -> None:
    make_run("0", ["model=rnn", "seed=1"])
    make_run("1", ["model=gru", "seed=2"])  # seeds differ, but every setting ran once
    make_run("2", ["model=lstm", "seed=2"])
    runs = collect_runs(tmp_path / "sweep")
    swept = swept_settings(runs)

    assert list(swept) == ["model", "seed"]
    assert setting_rows(job_rows(runs, swept), swept) == []


def test_unfinished_jobs_keep_their_row_with_empty_metric_cells(
    make_run: RunWriter, tmp_path: Path
) -> None:
    make_run(
        "0", ["data.seq_len=4"], kind="regression", metrics={"test/mse": 0.01, "test/loss": 0.01}
    )
    make_run(
        "1",
        ["data.seq_len=8"],
        kind="regression",
        status="diverged",
        epochs=2,
        metrics={"test/mse": 5.0, "test/loss": "nan"},
        message="loss became nan.",
    )
    make_run("2", ["data.seq_len=16"], status=None)
    runs = collect_runs(tmp_path / "sweep")
    jobs = job_rows(runs, swept_settings(runs))

    assert value_columns(runs) == ["test/mse", "test/loss", "val/mse_best", "epochs", "wall_time_s"]
    assert [job.setting for job in jobs] == [{"data.seq_len": n} for n in (4, 8, 16)]
    assert jobs[0].values["test/mse"] == 0.01 and jobs[0].values["val/mse_best"] == 0.6
    diverged = jobs[1].values
    assert diverged["test/mse"] is None and diverged["val/mse_best"] is None
    assert diverged["epochs"] == 2  # how far it got is still shown
    assert set(jobs[2].values.values()) == {None}


def test_summarise_matches_numpy_and_handles_few_values() -> None:
    values = [0.1, 0.4, None, 0.35, 0.2]
    stat = summarise(values)
    known = [v for v in values if v is not None]
    assert (stat.mean, stat.std, stat.n) == pytest.approx(
        (np.mean(known), np.std(known, ddof=1), 4)
    )
    assert summarise([0.3]) == summarise([0.3, None])
    assert summarise([0.3]).std is None and summarise([0.3]).n == 1
    assert summarise([None]).mean is None and summarise([]).n == 0
