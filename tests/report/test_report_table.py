"""What report() writes and prints: report.md, report.csv, report_aggregated.csv, the table."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rnnlab.report.aggregate import Stat
from rnnlab.report.build import report
from rnnlab.report.table import format_number, format_stat, render_text, terminal_text
from rnnlab.report_cli import main

RunWriter = Callable[..., Path]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def _mixed_sweep(make_run: RunWriter) -> None:
    make_run("0_seq_len=4", ["data.seq_len=4"], metrics={"test/acc": 0.875, "test/loss": 0.25})
    make_run("1_seq_len=8", ["data.seq_len=8"], status="failed", message="a | b broke.", epochs=1)
    make_run("2_seq_len=16", ["data.seq_len=16"], status=None, val_loss=[[1, 0.7]])


def test_one_csv_row_per_job_with_full_precision_and_empty_cells(
    make_run: RunWriter, tmp_path: Path
) -> None:
    _mixed_sweep(make_run)
    result = report(tmp_path / "sweep", figures=False)

    rows = _read_csv(tmp_path / "sweep" / "report.csv")
    assert list(rows[0]) == [
        "job", "data.seq_len", "test/acc", "test/loss", "val/acc_best",
        "epochs", "wall_time_s", "status", "message",
    ]  # fmt: skip
    assert [row["job"] for row in rows] == ["0_seq_len=4", "1_seq_len=8", "2_seq_len=16"]
    assert [row["data.seq_len"] for row in rows] == ["4", "8", "16"]
    assert [row["status"] for row in rows] == ["completed", "failed", "interrupted"]
    assert rows[0]["test/acc"] == "0.875" and rows[0]["epochs"] == "3"
    assert rows[1]["test/acc"] == "" and rows[1]["epochs"] == "1"
    assert rows[1]["message"] == "a | b broke."
    assert rows[2]["wall_time_s"] == ""
    assert not (tmp_path / "sweep" / "report_aggregated.csv").exists()
    assert [path.name for path in result.files] == ["report.md", "report.csv"]


def test_report_md_has_every_job_and_names_the_ones_that_did_not_complete(
    make_run: RunWriter, tmp_path: Path
) -> None:
    _mixed_sweep(make_run)
    report(tmp_path / "sweep", figures=False)
    text = (tmp_path / "sweep" / "report.md").read_text()

    assert "3 jobs (1 completed, 1 failed, 1 interrupted); swept: data.seq_len" in text
    header = "| job | data.seq_len | test/acc | test/loss | val/acc_best | epochs | wall time (s) |"
    assert header + " status |" in text
    assert "| 0_seq_len=4 | 4 | 0.8750 | 0.2500 | 0.6000 | 3 | 1.5 | completed |" in text
    assert "| 1_seq_len=8 | 8 |  |  |  | 1 | 1.5 | failed |" in text
    assert "- 1_seq_len=8: failed: a | b broke." in text
    assert "- 2_seq_len=16: interrupted" in text
    assert "## Settings" not in text


def test_repeated_seeds_are_averaged_in_the_table_md_and_aggregated_csv(
    make_run: RunWriter, tmp_path: Path
) -> None:
    accuracies = {"rnn": [0.5, 0.7, 0.9], "gru": [1.0, 0.8, 0.9]}
    for model, values in accuracies.items():
        for seed, acc in enumerate(values):
            make_run(
                f"{model}{seed}", [f"model={model}", f"seed={seed}"], metrics={"test/acc": acc}
            )
    result = report(tmp_path / "sweep", figures=False)

    aggregated = _read_csv(tmp_path / "sweep" / "report_aggregated.csv")
    assert [row["model"] for row in aggregated] == ["gru", "rnn"]  # job folders sort gru0 first
    for row in aggregated:
        values = accuracies[row["model"]]
        assert float(row["test/acc_mean"]) == pytest.approx(np.mean(values))
        assert float(row["test/acc_std"]) == pytest.approx(np.std(values, ddof=1))
        assert (row["test/acc_n"], row["jobs"], row["status"]) == ("3", "3", "3 completed")
    assert len(_read_csv(tmp_path / "sweep" / "report.csv")) == 6  # still one row per job

    printed = terminal_text(result)
    assert "model  n         test/acc     val/acc_best  epochs" in printed
    assert "rnn    3  0.7000 ± 0.2000" in printed
    assert "6 jobs (6 completed); swept: model, seed" in printed
    markdown = (tmp_path / "sweep" / "report.md").read_text()
    assert (
        "| rnn | 3 | 0.7000 ± 0.2000 | 0.6000 ± 0.0000 | 3 | 1.5 ± 0.0 | 3 completed |" in markdown
    )
    assert "differ only in `seed`" in markdown
    assert markdown.count("| rnn |") == 1 + 3  # the settings row, then each rnn job


def test_text_table_aligns_numbers_right_and_words_left() -> None:
    table = (
        ["job", "value", "status"],
        [["1_a", "0.5", "completed"], ["10_bb", "12.25", "failed"]],
    )
    assert render_text(table).splitlines() == [
        "job    value  status",
        "-----  -----  ---------",
        "1_a      0.5  completed",
        "10_bb  12.25  failed",
    ]


@pytest.mark.parametrize(
    ("value", "column", "shown"),
    [
        (0.8125, "test/acc", "0.8125"),
        (0.00004, "test/mse", "4.00e-05"),
        (0.0, "test/mse", "0.0000"),
        (3.0, "epochs", "3"),
        (12.345, "wall_time_s", "12.3"),
        (2.5, "epochs", "2.5"),
        (None, "test/acc", ""),
    ],
)
def test_numbers_are_rounded_for_reading(value: float | None, column: str, shown: str) -> None:
    assert format_number(value, column) == shown


def test_the_command_prints_the_table_and_what_it_wrote(
    make_run: RunWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _mixed_sweep(make_run)
    main([str(tmp_path / "sweep"), "--no-figures"])
    printed = capsys.readouterr().out
    assert "0_seq_len=4              4    0.8750" in printed
    assert "1_seq_len=8: failed: a | b broke." in printed
    assert printed.rstrip().endswith(f"wrote report.md, report.csv in {tmp_path / 'sweep'}")


def test_an_empty_folder_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_status:
        main([str(tmp_path)])
    assert exit_status.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"rnnlab-report: error: {str(tmp_path)!r} holds no runs: "
        "no folder in it has .hydra/ or metrics.json.\n"
    )
    assert not (tmp_path / "report.md").exists()


def test_a_report_file_that_cannot_be_written_is_one_sentence(
    make_run: RunWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_run("0")
    (tmp_path / "sweep" / "report.md").mkdir()  # in the way of the file
    with pytest.raises(SystemExit) as exit_status:
        main([str(tmp_path / "sweep"), "--no-figures"])
    assert exit_status.value.code == 2
    assert capsys.readouterr().err == (
        f"rnnlab-report: error: could not write {str(tmp_path / 'sweep' / 'report.md')!r} "
        "(Is a directory).\n"
    )


@pytest.mark.parametrize(
    ("stat", "column", "shown"),
    [
        (Stat(0.0215, 0.000506, 3), "test/mse", "0.0215 ± 0.0005"),
        (Stat(0.00004, 0.000001, 3), "test/mse", "4.00e-05 ± 1.00e-06"),
        (Stat(12.34, 0.56, 2), "wall_time_s", "12.3 ± 0.6"),
        (Stat(3.0, 0.0, 3), "epochs", "3"),
        (Stat(0.5, None, 1), "test/acc", "0.5000"),
        (Stat(None, None, 0), "test/acc", ""),
    ],
)
def test_mean_and_spread_are_rounded_alike(stat: Stat, column: str, shown: str) -> None:
    assert format_stat(stat, column) == shown
