"""Which settings were swept, and the value each run had for them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rnnlab.report.runs import collect_runs
from rnnlab.report.swept import describe, is_numeric, setting_value, swept_settings

RunWriter = Callable[..., Path]
COMMON = ("trainer.max_epochs=1", "data.num_train=32", "hydra.verbose=true")


def test_only_keys_whose_values_differ_are_swept_in_command_line_order(
    make_run: RunWriter, tmp_path: Path
) -> None:
    jobs = [(4, "rnn"), (4, "gru"), (6, "rnn"), (6, "gru")]
    for number, (seq_len, model) in enumerate(jobs):
        overrides = [f"data.seq_len={seq_len}", f"model={model}", *COMMON]
        overrides[-1] = f"hydra.verbose={number}"  # Hydra's own settings are never swept
        make_run(f"{number}", overrides)

    swept = swept_settings(collect_runs(tmp_path / "sweep"))

    assert swept == {"data.seq_len": [4, 4, 6, 6], "model": ["rnn", "gru", "rnn", "gru"]}


def test_a_run_without_the_override_gets_the_value_it_ran_with(
    make_run: RunWriter, tmp_path: Path
) -> None:
    make_run("0", ["data.seq_len=20", "seed=1"], config={"seed": 1, "data": {"seq_len": 20}})
    make_run("1", [], config={"seed": 42, "data": {"seq_len": 10}})  # defaults, from metrics.json
    unfinished = make_run("2", [], status=None)  # no metrics.json: .hydra/config.yaml
    (unfinished / ".hydra" / "config.yaml").write_text("seed: 7\ndata:\n  seq_len: 30\n")

    runs = collect_runs(tmp_path / "sweep")

    assert swept_settings(runs) == {"data.seq_len": [20, 10, 30], "seed": [1, 42, 7]}


def test_an_unresolved_reference_and_a_group_choice_are_followed(make_run: RunWriter) -> None:
    run_dir = make_run("0", [], status=None)
    (run_dir / ".hydra" / "config.yaml").write_text("seed: 5\ndata:\n  seed: ${seed}\n")
    (run_dir / ".hydra" / "hydra.yaml").write_text(
        "hydra:\n  runtime:\n    choices:\n      model: lstm\n      data: adding\n"
    )
    (run,) = collect_runs(run_dir)

    assert setting_value(run, "data.seed") == 5
    assert setting_value(run, "model") == "lstm"
    assert setting_value(run, "optimizer.lr") is None


def test_numbers_and_categories() -> None:
    assert is_numeric([4, 6.5, None])
    assert not is_numeric(["gru", 4])
    assert not is_numeric([True, False])
    assert not is_numeric([None])
    assert describe({"model": "gru", "data.seq_len": 4, "x": None, "flag": True}) == (
        "model=gru, data.seq_len=4, x=null, flag=true"
    )
