"""Which sweep folders a command may resume: checked in-process on a real finished sweep."""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
from dataclasses import replace
from pathlib import Path

import pytest

from rnnlab.config.locations import CONFIG_DIR
from rnnlab.errors import ConfigError
from rnnlab.sweep import lock
from rnnlab.sweep.same_sweep import (
    check_same_sweep,
    expand_resume_flag,
    requested_sweep_dir,
    sweep_to_resume,
)
from rnnlab.sweep.stored import StoredSweep, read_stored_sweep, unresumable_reason
from tests.conftest import run_command

SWEEP = ("-m", "name=same", "model.hidden_size=8,16", "trainer.max_epochs=1", "data.num_train=32")
SWEEP += ("data.num_val=16", "data.num_test=16", "~callbacks.gradient_flow")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recorded")
    result = run_command(root, "rnnlab-train", *SWEEP, OMP_NUM_THREADS="1")
    assert result.returncode == 0, result.stderr[-2000:]
    (sweep,) = (root / "multirun" / "same").iterdir()
    return sweep


@pytest.fixture
def sweep(recorded: Path, tmp_path: Path) -> Path:
    """A copy of the recorded sweep that a test may change."""
    return Path(shutil.copytree(recorded, tmp_path / "sweep"))


def _check(stored: StoredSweep, *arguments: str) -> None:
    check_same_sweep(stored, list(arguments), CONFIG_DIR, "train")


def test_the_same_command_is_accepted(sweep: Path) -> None:
    _check(read_stored_sweep(sweep), *SWEEP, f"hydra.sweep.dir={sweep}")


def test_swept_keys_in_another_order_are_refused() -> None:
    stored = StoredSweep(Path("/s"), ("model=rnn,gru", "seed=1,2"), (), (), {}, {})
    with pytest.raises(ConfigError, match=r"it swept model, seed in that order, this command "):
        _check(stored, "-m", "seed=1,2", "model=rnn,gru")


def test_a_config_file_changed_since_is_named(sweep: Path) -> None:
    stored = read_stored_sweep(sweep)
    edited = copy.deepcopy(stored.task_config)
    edited["data"]["seq_len"] = 99
    message = r"its jobs were composed with data.seq_len=99, the config files now give 10"
    with pytest.raises(ConfigError, match=message):
        _check(replace(stored, task_config=edited), *SWEEP)


def test_a_folder_holding_another_job_is_refused(sweep: Path) -> None:
    (job,) = sweep.glob("1_*")
    overrides = job / ".hydra" / "overrides.yaml"
    overrides.write_text(
        overrides.read_text().replace("model.hidden_size=16", "model.hidden_size=4")
    )
    with pytest.raises(ConfigError, match=rf"its folder {job.name} does not hold job 1 "):
        _check(read_stored_sweep(sweep), *SWEEP)


def _lock_of(sweep: Path, pid: int) -> None:
    (sweep / lock.LOCK_FILE).write_text(json.dumps({"host": socket.gethostname(), "pid": pid}))


def test_a_sweep_in_progress_is_refused_and_a_dead_ones_lock_taken_over(sweep: Path) -> None:
    _lock_of(sweep, os.getppid())  # a live process other than this one
    with pytest.raises(ConfigError, match=rf"is being run by process {os.getppid()} on "):
        lock.acquire(sweep)
    lock.release(sweep)  # not ours: left alone
    assert (sweep / lock.LOCK_FILE).is_file()

    _lock_of(sweep, 999_999_999)  # no such process: a killed launch's lock
    lock.acquire(sweep)
    assert json.loads((sweep / lock.LOCK_FILE).read_text())["pid"] == os.getpid()
    lock.acquire(sweep)  # taking one's own lock again is fine
    lock.release(sweep)
    assert not (sweep / lock.LOCK_FILE).exists()
    assert sorted(p.name for p in sweep.iterdir() if p.name.startswith(".rnnlab")) == []

    (sweep / lock.LOCK_FILE).write_text("")  # another launch is writing it this instant
    with pytest.raises(ConfigError, match="is being run by another launch"):
        lock.acquire(sweep)


def test_job_folders_without_a_record_are_not_taken_over(sweep: Path) -> None:
    (sweep / "multirun.yaml").unlink()
    with pytest.raises(ConfigError, match="holds job folders but no multirun.yaml"):
        sweep_to_resume([*SWEEP, f"hydra.sweep.dir={sweep}"])


def test_a_search_whose_study_is_gone_cannot_be_resumed(sweep: Path) -> None:
    stored = read_stored_sweep(sweep)
    storage = "sqlite:///${hydra.sweep.dir}/optuna.db"
    search = replace(stored, sweeper={**stored.sweeper, "_target_": "x.Optuna", "storage": storage})
    assert unresumable_reason(search) == (
        "its Optuna study (optuna.db) is missing, so its trials cannot be continued"
    )
    (sweep / "optuna.db").write_bytes(b"")
    assert unresumable_reason(search) is None
    in_memory = replace(search, sweeper={**search.sweeper, "storage": None})
    assert "kept in memory (hydra.sweeper.storage=null)" in str(unresumable_reason(in_memory))


def test_resume_flag_is_found_anywhere_and_quotes_odd_folders(sweep: Path, tmp_path: Path) -> None:
    odd = Path(shutil.copytree(sweep, tmp_path / "lr=0.1" / "sweep"))
    for arguments in (["--resume", str(odd)], [f"--resume={odd}"], ["x=1", "--resume", str(odd)]):
        expanded = expand_resume_flag(arguments)
        assert expanded[-1 if arguments[0] != "x=1" else -2] == f"hydra.sweep.dir='{odd}'"
        assert requested_sweep_dir(expanded) == odd


def _search_sweeper(*overrides: str) -> dict[str, object]:
    """``hydra.sweeper`` of ``hparams_search=optuna`` as a launch composes it (unresolved)."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("train", ["hparams_search=optuna", *overrides], return_hydra_config=True)
    sweeper = OmegaConf.to_container(cfg.hydra.sweeper, resolve=False)
    assert isinstance(sweeper, dict)
    return sweeper


@pytest.mark.parametrize(
    ("key", "stored_value", "override"),
    [
        ("direction", "maximize", "hydra.sweeper.direction=minimize"),
        ("storage", "sqlite:///${hydra.sweep.dir}/optuna.db", "hydra.sweeper.storage=x.log"),
        ("study_name", "${name}", "hydra.sweeper.study_name=other"),
    ],
)
def test_a_search_joined_with_another_study_key_is_refused(
    key: str, stored_value: str, override: str
) -> None:
    sweeper = _search_sweeper()
    assert sweeper[key] == stored_value
    stored = StoredSweep(Path("/s"), ("hparams_search=optuna",), (), (), {}, sweeper)
    new_value = override.partition("=")[2]
    with pytest.raises(ConfigError) as refused:
        _check(stored, "-m", "hparams_search=optuna", override)
    assert (
        f"it was run with hydra.sweeper.{key}={stored_value}, this command and the config "
        f"files give hydra.sweeper.{key}={new_value};" in str(refused.value)
    )


def test_a_search_joined_with_another_sampler_is_refused() -> None:
    stored = StoredSweep(Path("/s"), ("hparams_search=optuna",), (), (), {}, _search_sweeper())
    with pytest.raises(ConfigError, match=r"it was run with hydra.sweeper.sampler=\{"):
        _check(stored, "-m", "hparams_search=optuna", "hydra.sweeper.sampler.seed=7")
