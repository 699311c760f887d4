"""Reading a multirun command line: what is swept, what is fixed, the jobs of the grid."""

from __future__ import annotations

import pytest

from rnnlab.config.locations import CONFIG_DIR
from rnnlab.errors import ConfigError
from rnnlab.sweep.command_line import EXCLUDE_KEYS, name_by_swept_values, read_sweep
from rnnlab.sweep.grid import grid_jobs
from rnnlab.sweep.preflight import check_grid


def test_swept_and_fixed_keys() -> None:
    sweep = read_sweep(["-m", "model=rnn,lstm", "name=x", "data.seq_len=range(2,5)", "-cn", "t"])
    assert sweep is not None
    assert sweep.swept_keys == ("model", "data.seq_len")
    assert sweep.fixed_keys == ("name",)


def test_fixed_keys_leave_the_folder_name() -> None:
    arguments = name_by_swept_values(["-m", "name=cmp", "experiment=seed,majority", "-cd", "x"])
    assert arguments == [
        "-m",
        f"{EXCLUDE_KEYS}=[hydra.verbose,name]",  # among the overrides, before the options
        "name=cmp",
        "experiment=seed,majority",
        "-cd",
        "x",
    ]


def test_a_users_own_exclude_keys_win() -> None:
    arguments = ["-m", "model=rnn,gru", f"{EXCLUDE_KEYS}=[model]"]
    assert name_by_swept_values(arguments) == arguments


def test_grid_jobs_in_hydras_order() -> None:
    assert grid_jobs(["model=rnn,gru", "data.seq_len=4,8"]) == [
        ["model=rnn", "data.seq_len=4"],
        ["model=rnn", "data.seq_len=8"],
        ["model=gru", "data.seq_len=4"],
        ["model=gru", "data.seq_len=8"],
    ]


def test_preflight_names_the_bad_job() -> None:
    arguments = ["-m", "model=rnn,gru", "model.dropout=0.1,1.5"]
    with pytest.raises(ConfigError, match=r"job 1 \(model=rnn model.dropout=1.5\): model.dropout"):
        check_grid(arguments, CONFIG_DIR, "train")
    assert check_grid(["-m", "model=rnn,gru", "seed=1,2,3"], CONFIG_DIR, "train") == 6
