"""A path given to a path key works as typed: ``=`` and ``,`` (a sweep job's folder) need no
quotes; Hydra's own syntax, and ``,`` in any other value, keep their meaning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hydra.core.override_parser.overrides_parser import OverridesParser

from rnnlab.config.composition import check_command_line
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.path_values import PATH_VALUE_KEYS, as_typed, quote_path_values
from rnnlab.sweep import launch
from rnnlab.sweep.command_line import read_sweep

JOB_CHECKPOINT = "multirun/default/t/5_data.seq_len=40,model=gru/checkpoints/best.ckpt"


def _read(override: str) -> object:
    """The value Hydra's grammar reads from ``override``."""
    (parsed,) = OverridesParser.create().parse_overrides([override])
    assert not parsed.is_sweep_override()
    return parsed.value()


@pytest.mark.parametrize("key", PATH_VALUE_KEYS)
@pytest.mark.parametrize(
    "path",
    [
        JOB_CHECKPOINT,
        "runs/a,b.csv",
        "~/data/my runs.csv",
        'it\'s a "file".csv',
        "données/été#1!(2)&;.npz",
        "2024",
        "plain/file.csv",
    ],
)
def test_hydra_reads_a_path_as_typed(key: str, path: str) -> None:
    (argument,) = quote_path_values([f"{key}={path}"])
    assert _read(argument) == path
    assert as_typed([argument]) == [f"{key}={path}"]  # shown as typed, it reads the same again


@pytest.mark.parametrize(
    "argument",
    [
        "ckpt_path=null",  # no checkpoint
        "ckpt_path='a=b.ckpt'",  # quoted by the user
        'data.path="a,b.csv"',
        "data.path=a\\,b.csv",  # escaped by the user
        "data.path=choice(a.csv,b.csv)",  # a sweep over files, asked for
        "data.path=[a.csv,b.csv]",
        "output=${paths.output_dir}/p.csv",  # an interpolation
        "model=gru,rnn",  # not a path: still a sweep
        "data.seq_len=10,20",
        "+note=a=b",  # not a path key: Hydra says what is wrong
        "~ckpt_path",
    ],
)
def test_hydra_syntax_and_other_keys_are_left_as_they_are(argument: str) -> None:
    assert quote_path_values([argument]) == [argument]


def test_the_value_of_an_option_is_not_an_override() -> None:
    arguments = ["--config-dir", "ckpt_path=a=b", "-m", "+ckpt_path=x=y", "--config-name=eval"]
    assert quote_path_values(arguments) == [
        "--config-dir",
        "ckpt_path=a=b",
        "-m",
        "+ckpt_path='x=y'",
        "--config-name=eval",
    ]


def test_a_job_checkpoint_composes_for_eval_and_predict() -> None:
    arguments = check_command_line([f"ckpt_path={JOB_CHECKPOINT}"], CONFIG_DIR, "eval")
    assert arguments == [f"ckpt_path='{JOB_CHECKPOINT}'"]
    arguments = check_command_line(
        [f"ckpt_path={JOB_CHECKPOINT}", "input=new=1,2.csv", "output=out,1.csv"],
        CONFIG_DIR,
        "predict",
    )
    assert [_read(a) for a in arguments] == [JOB_CHECKPOINT, "new=1,2.csv", "out,1.csv"]


EXAMPLES_NPZ = Path(__file__).resolve().parents[2] / "examples" / "sequences.npz"


def test_in_a_sweep_a_path_is_fixed_and_other_commas_still_sweep(tmp_path: Path) -> None:
    data = tmp_path / "in=1,2" / "sequences.npz"
    data.parent.mkdir()
    shutil.copy(EXAMPLES_NPZ, data)  # the pre-flight reads each job's data file
    arguments, sweeping = launch.prepare(
        ["-m", "model=gru,rnn", "data=file", f"data.path={data}"], CONFIG_DIR, "train"
    )
    assert sweeping
    sweep = read_sweep(arguments)
    assert sweep is not None
    assert sweep.swept_keys == ("model",)
    assert f"data.path='{data}'" in arguments
