"""rnnlab finds its config tree in an installed package first, in the checkout otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

import rnnlab
from rnnlab.config import locations
from rnnlab.config.locations import CONFIG_DIR, find_config_dir

REPOSITORY = Path(__file__).resolve().parents[2]


def _config_tree(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "train.yaml").write_text("name: x\n")
    return folder


def test_the_packaged_copy_wins_over_the_checkout(tmp_path: Path) -> None:
    packaged = _config_tree(tmp_path / "site" / "rnnlab" / "conf")
    checkout = _config_tree(tmp_path / "repo" / "conf")
    assert find_config_dir((packaged, checkout)) == packaged


def test_the_checkout_is_used_when_nothing_is_packaged(tmp_path: Path) -> None:
    checkout = _config_tree(tmp_path / "repo" / "conf")
    assert find_config_dir((tmp_path / "src" / "rnnlab" / "conf", checkout)) == checkout


def test_a_folder_without_train_yaml_is_not_a_config_tree(tmp_path: Path) -> None:
    (tmp_path / "empty" / "conf").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="found in none of"):
        find_config_dir((tmp_path / "empty" / "conf", tmp_path / "missing"))


def test_the_package_is_looked_in_before_the_checkout() -> None:
    (candidates,) = find_config_dir.__defaults__ or ((),)
    package_dir = Path(rnnlab.__file__).resolve().parent
    assert candidates == (package_dir / "conf", package_dir.parents[1] / "conf")


def test_an_editable_install_reads_the_repository_conf() -> None:
    if locations.PACKAGED_CONFIG_DIR.is_dir():
        pytest.skip("these tests run against an installed (non-editable) rnnlab")
    assert Path(CONFIG_DIR) == REPOSITORY / "conf"
