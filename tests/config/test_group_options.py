"""A group override naming no config file is caught before Hydra composes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnlab.config.group_options import available_options, check_group_overrides
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
