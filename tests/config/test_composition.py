"""Composition mistakes on the command line are one sentence, before Hydra runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnlab.config.composition import check_composes
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.errors import ConfigError
from tests.conftest import run_command


@pytest.mark.parametrize(
    ("arguments", "sentence"),
    [
        (
            ["data.idcolumn=x"],
            "data.idcolumn is not a key of the config (misspelt? `--cfg job` prints the config; "
            "to add a new key, write +data.idcolumn=x).",
        ),
        (
            ["model=gru", "model.hidden_size"],
            "'model.hidden_size' is not a valid override (missing EQUAL at '<EOF>'): write "
            "key=value, quoting values with special characters ('key=\"a b\"').",
        ),
        (
            ["+model=gru"],
            "the command line could not be composed: model appears more than once in the final "
            "defaults list.",
        ),
    ],
)
def test_a_mistake_is_one_sentence(arguments: list[str], sentence: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check_composes(arguments, CONFIG_DIR, "train")
    assert str(raised.value) == sentence


def test_what_composes_passes_and_help_is_left_to_hydra() -> None:
    check_composes(["model=lstm", "model.hidden_size=8", "+note=x"], CONFIG_DIR, "train")
    check_composes(["data.idcolumn=x", "--help"], CONFIG_DIR, "train")
    check_composes(["ckpt_path=a.ckpt", "input=b.csv"], CONFIG_DIR, "predict")


def test_every_entry_point_says_it_before_any_folder(tmp_path: Path) -> None:
    for program in ("rnnlab-train", "rnnlab-eval", "rnnlab-predict"):
        result = run_command(tmp_path, program, "ckpt_path=x.ckpt", "outptu=z")
        assert result.returncode == 2, (program, result.stderr)
        assert result.stderr.strip() == (
            f"{program}: error: outptu is not a key of the config (misspelt? `--cfg job` prints "
            "the config; to add a new key, write +outptu=z)."
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_primary_config_in_the_users_folder_composes(tmp_path: Path) -> None:
    """``--config-dir mine --config-name exp`` where exp.yaml extends rnnlab's train.yaml:
    Hydra finds it, so the checks before Hydra must too."""
    (tmp_path / "exp.yaml").write_text("defaults:\n  - train\n  - _self_\nname: exp\n")
    check_composes(["--config-dir", str(tmp_path), "--config-name", "exp"], CONFIG_DIR, "train")
    with pytest.raises(ConfigError, match="nokey is not a key of the config"):
        check_composes(["-cd", str(tmp_path), "-cn", "exp", "nokey=1"], CONFIG_DIR, "train")
