"""A group override naming no config file is caught before Hydra composes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rnnlab.config.group_options import (
    available_options,
    check_group_overrides,
    group_options,
    read_command_line,
    resolve_folder,
    search_folders,
)
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.errors import ConfigError


def test_lists_the_options_of_a_group() -> None:
    assert available_options(Path(CONFIG_DIR), "model") == ["gru", "lstm", "rnn"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["model=lstm"],
        ["data=adding", "model.hidden_size=3"],
        ["+experiment=seed"],
        ["-m", "model=rnn,gru"],
        ["model=choice(rnn,gru)"],
        ["hydra.run.dir=x"],
    ],
)
def test_valid_or_foreign_overrides_pass(arguments: list[str]) -> None:
    check_group_overrides(arguments, CONFIG_DIR)


@pytest.mark.parametrize(
    ("arguments", "bad"),
    [
        (["model=transformer"], "model=transformer"),
        (["-m", "model=rnn,lstmx"], "model=lstmx"),
        (["+experiment=nope"], "experiment=nope"),
    ],
)
def test_unknown_option_is_named(arguments: list[str], bad: str) -> None:
    with pytest.raises(ConfigError, match=f"{bad} is not an option"):
        check_group_overrides(arguments, CONFIG_DIR)


# --- the folders Hydra searches: --config-dir, hydra.searchpath, --config-path ----------


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    """A user's config folder that adds model=mymodel and a new group, task=parity."""
    (tmp_path / "mine" / "model").mkdir(parents=True)
    (tmp_path / "mine" / "model" / "mymodel.yaml").write_text("hidden_size: 7\n")
    (tmp_path / "mine" / "task").mkdir()
    (tmp_path / "mine" / "task" / "parity.yaml").write_text("seq_len: 3\n")
    return tmp_path / "mine"


@pytest.fixture
def user_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An importable package holding configs, as ``pkg://`` names one."""
    name = "rnnlab_test_user_configs"
    package = tmp_path / "packages" / name
    (package / "model").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "model" / "pkgmodel.yaml").write_text("hidden_size: 5\n")
    monkeypatch.syspath_prepend(str(tmp_path / "packages"))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return name


def _folders(*arguments: str) -> list[Path]:
    return [Path(str(f)) for f in search_folders(read_command_line(arguments), CONFIG_DIR)]


def test_options_of_the_config_name_are_not_overrides() -> None:
    command_line = read_command_line(
        ["--config-name", "x=y", "-cn=eval", "--cfg", "job", "-m", "model=rnn", "--info"]
    )
    assert command_line.overrides == ("model=rnn",)
    assert command_line.config_name == "eval"


@pytest.mark.parametrize(
    "form",
    [("--config-dir", "{}"), ("--config-dir={}",), ("-cd", "{}"), ("-cd={}",)],
)
def test_every_form_of_config_dir_is_searched(mine: Path, form: tuple[str, ...]) -> None:
    arguments = [part.format(mine) for part in form]
    assert _folders(*arguments) == [Path(CONFIG_DIR), mine]
    check_group_overrides([*arguments, "model=mymodel", "+task=parity"], CONFIG_DIR)


def test_a_relative_config_dir_is_taken_from_the_working_directory(
    mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mine.parent)
    check_group_overrides(["-cd", "mine", "model=mymodel"], CONFIG_DIR)


def test_an_option_no_folder_has_lists_the_union(mine: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        check_group_overrides(["--config-dir", str(mine), "model=transformer"], CONFIG_DIR)
    assert str(caught.value) == (
        "model=transformer is not an option of the model config group: "
        "valid options are gru, lstm, mymodel, rnn."
    )


def test_without_config_dir_a_user_option_is_refused(mine: Path) -> None:
    with pytest.raises(ConfigError, match="model=mymodel is not an option"):
        check_group_overrides(["model=mymodel"], CONFIG_DIR)


def test_a_config_dir_that_is_not_a_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--config-dir .* is not a folder"):
        check_group_overrides(["--config-dir", str(tmp_path / "nope"), "model=gru"], CONFIG_DIR)


@pytest.mark.parametrize("scheme", ["file://", ""])
def test_searchpath_folders_are_searched(mine: Path, scheme: str) -> None:
    arguments = [f"hydra.searchpath=[{scheme}{mine}]", "model=mymodel"]
    assert _folders(*arguments) == [Path(CONFIG_DIR), mine]
    check_group_overrides(arguments, CONFIG_DIR)


def test_searchpath_entries_may_be_quoted_and_several(mine: Path, tmp_path: Path) -> None:
    arguments = [f"hydra.searchpath=['{tmp_path / 'absent'}', \"file://{mine}\"]"]
    assert _folders(*arguments) == [Path(CONFIG_DIR), mine]


def test_a_relative_searchpath_entry_is_taken_from_the_working_directory(
    mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mine.parent)
    check_group_overrides(["hydra.searchpath=[file://mine]", "model=mymodel"], CONFIG_DIR)


@pytest.mark.parametrize("form", ["pkg://{}", "pkg://{}/"])
def test_pkg_searchpath_entries_are_found_with_importlib(user_package: str, form: str) -> None:
    arguments = [f"hydra.searchpath=[{form.format(user_package)}]", "model=pkgmodel"]
    check_group_overrides(arguments, CONFIG_DIR)
    with pytest.raises(ConfigError, match="valid options are gru, lstm, pkgmodel, rnn"):
        check_group_overrides([*arguments, "model=nope"], CONFIG_DIR)


def test_an_unimportable_pkg_entry_is_left_to_hydra() -> None:
    assert _folders("hydra.searchpath=[pkg://no_such_module_here]") == [Path(CONFIG_DIR)]


def test_the_primary_configs_searchpath_is_searched(mine: Path, user_package: str) -> None:
    (mine / "myexp.yaml").write_text(
        f"defaults:\n  - train\n  - _self_\nhydra:\n  searchpath:\n    - pkg://{user_package}\n"
    )
    arguments = ["-cd", str(mine), "-cn", "myexp", "model=pkgmodel"]
    check_group_overrides(arguments, CONFIG_DIR)
    # a command-line hydra.searchpath replaces the primary config's, as in Hydra
    with pytest.raises(ConfigError, match="model=pkgmodel is not an option"):
        check_group_overrides([*arguments, "hydra.searchpath=[]"], CONFIG_DIR)


def test_an_absolute_config_path_replaces_the_main_folder(mine: Path) -> None:
    assert _folders("--config-path", str(mine)) == [mine]
    with pytest.raises(ConfigError, match="valid options are mymodel\\."):
        check_group_overrides(["-cp", str(mine), "model=gru"], CONFIG_DIR)


def test_a_relative_folder_resolves_against_the_given_base(mine: Path) -> None:
    assert resolve_folder("mine", base=mine.parent) == mine
    assert resolve_folder("file://mine", base=mine.parent) == mine
    assert resolve_folder("absent", base=mine.parent) is None


@pytest.mark.parametrize(
    "arguments",
    [["model='gru'"], ["model=sub/deeper"], ["model=\\gru"], ["~model"], ["model@x=gru"]],
)
def test_quoting_nesting_and_deletion_are_left_to_hydra_or_accepted(
    mine: Path, arguments: list[str]
) -> None:
    (mine / "model" / "sub").mkdir()
    (mine / "model" / "sub" / "deeper.yaml").write_text("hidden_size: 9\n")
    check_group_overrides(["-cd", str(mine), *arguments], CONFIG_DIR)


def test_the_options_of_a_group_are_the_union_over_folders(mine: Path) -> None:
    folders = [Path(CONFIG_DIR), mine]
    assert group_options(folders, "model") == ["gru", "lstm", "mymodel", "rnn"]
    assert group_options(folders, "task") == ["parity"]
    assert available_options(str(mine), "data") == []
