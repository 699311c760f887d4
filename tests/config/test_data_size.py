"""A generated task too large for the memory available is refused in one sentence, before
Hydra makes a run folder and before torch is imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from rnnlab.config import data_size
from rnnlab.config.data_size import check_fits_in_memory, human_bytes
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.errors import ConfigError
from rnnlab.sweep import launch
from tests.conftest import run_command

GIB = 1024**3


def _config(*overrides: str) -> DictConfig:
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose("train", overrides=list(overrides))


@pytest.mark.parametrize(
    ("overrides", "needed"),
    [
        # sequences × steps × features × 4 bytes
        (["data=adding", "data.seq_len=30"], 11_000 * 30 * 2 * 4),
        (["data=copy", "data.seq_len=10", "data.num_train=20000"], 21_000 * 20 * (8 + 2) * 4),
        (["data=majority", "data.num_train=100"], (100 + 200 + 200) * 10 * 1 * 4),
    ],
)
def test_a_task_fits_up_to_the_byte_and_not_one_beyond(overrides: list[str], needed: int) -> None:
    cfg = _config(*overrides)
    check_fits_in_memory(cfg, available=needed)
    with pytest.raises(ConfigError, match=r"more than the .* of memory available"):
        check_fits_in_memory(cfg, available=needed - 1)


def test_the_sentence_names_the_values_the_estimate_and_the_limit() -> None:
    cfg = _config("data=copy", "data.seq_len=1000000", "data.num_train=10000", "data.num_val=0")
    with pytest.raises(ConfigError) as raised:
        check_fits_in_memory(cfg, available=16 * GIB)
    assert str(raised.value) == (
        "data.seq_len=1000000, data.num_remember=5 and data.num_symbols=8 with "
        "data.num_train=10000, data.num_val=0 and data.num_test=500 makes the copy task's "
        "inputs at least 391.2 GiB (10500 sequences × 1000010 steps × 10 features × 4 bytes), "
        "more than the 16.0 GiB of memory available: lower data.seq_len or the number of "
        "sequences."
    )


def test_sources_read_from_files_are_not_estimated() -> None:
    check_fits_in_memory(_config("data=file", "data.path=x.csv"), available=0)


def test_the_memory_available_is_read_from_the_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (data_size.available_memory() or 0) > 0
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  16000000 kB\nMemAvailable:  2000000 kB\n")
    assert data_size._meminfo_available(meminfo) == 2_000_000 * 1024
    (tmp_path / "memory.max").write_text("max\n")
    (tmp_path / "memory.current").write_text("100\n")
    assert data_size._cgroup_available(tmp_path) is None  # no container limit
    (tmp_path / "memory.max").write_text("1000\n")
    assert data_size._cgroup_available(tmp_path) == 900
    monkeypatch.setattr(data_size, "_meminfo_available", lambda: 5000)
    monkeypatch.setattr(data_size, "_cgroup_available", lambda: 900)
    assert data_size.available_memory() == 900  # the tighter of the two


def test_sizes_read_as_people_write_them() -> None:
    assert human_bytes(512) == "512 bytes"
    assert human_bytes(8 * 1024**4) == "8.0 TiB"
    assert human_bytes(1.5 * GIB) == "1.5 GiB"


def test_a_sweep_names_the_job_too_large_before_anything_runs() -> None:
    with pytest.raises(ConfigError, match=r"^job 1 \(data.seq_len=100000000\): data.seq_len="):
        launch.prepare(["-m", "data=adding", "data.seq_len=10,100000000"], CONFIG_DIR, "train")


def test_the_issues_command_is_one_sentence_and_leaves_nothing(tmp_path: Path) -> None:
    result = run_command(tmp_path, "rnnlab-train", "data=adding", "data.seq_len=100000000")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "rnnlab-train: error: data.seq_len=100000000 with data.num_train=10000, "
        "data.num_val=500 and data.num_test=500 makes the adding task's inputs at least 8.0 TiB "
        "(11000 sequences × 100000000 steps × 2 features × 4 bytes), more than the "
    )
    assert line.endswith(" of memory available: lower data.seq_len or the number of sequences.")
    assert list(tmp_path.iterdir()) == []  # no run folder, not even experiments/


def test_validation_refuses_it_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """What rnnlab-train validates in each run (and a search's jobs, which no pre-flight
    knows) is sized as well."""
    from rnnlab.config.validation import validate

    monkeypatch.setattr(data_size, "available_memory", lambda: 1024)
    with pytest.raises(ConfigError, match="more than the 1.0 KiB of memory available"):
        validate(_config("data=adding"))
