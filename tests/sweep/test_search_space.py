"""The search's own settings: the space read by Hydra's parser, the pruner, the storage."""

from __future__ import annotations

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from rnnlab.errors import ConfigError
from rnnlab.search.pruners import check_pruner, make_pruner
from rnnlab.search.space import search_space
from rnnlab.search.storage import check_storage, dashboard_command, journal_path

PARAMS = {
    "optimizer.lr": "tag(log, interval(0.0001, 0.1))",
    "model.hidden_size": "choice(16, 32, 64, 128)",
    "model.num_layers": "int(interval(1, 3))",
    "model.dropout": "interval(0.0, 0.5)",
    "data.seq_len": "range(10, 40, 10)",
    "model.cell": "choice(rnn, gru)",
}


def test_hydras_grammar_becomes_optunas_distributions() -> None:
    space = search_space(PARAMS, [])
    assert space.distributions == {
        "optimizer.lr": FloatDistribution(0.0001, 0.1, log=True),
        "model.hidden_size": CategoricalDistribution([16, 32, 64, 128]),
        "model.num_layers": IntDistribution(1, 3),
        "model.dropout": FloatDistribution(0.0, 0.5),
        "data.seq_len": IntDistribution(10, 30, step=10),  # range's end is exclusive
        "model.cell": CategoricalDistribution(["rnn", "gru"]),
    }
    assert space.fixed == ()


def test_the_command_line_fixes_or_searches_a_key_and_keeps_the_rest_as_typed() -> None:
    arguments = ["model.hidden_size=8", "hparams_search=optuna", "~callbacks.progress_bar"]
    arguments.append("model.dropout=choice(0.0, 0.2)")
    space = search_space(PARAMS, arguments)
    assert "model.hidden_size" not in space.distributions
    assert space.distributions["model.dropout"] == CategoricalDistribution([0.0, 0.2])
    assert space.fixed == (
        "model.hidden_size=8",
        "hparams_search=optuna",
        "~callbacks.progress_bar",
    )
    overrides = space.trial_overrides({"model.dropout": 0.2, "optimizer.lr": 0.01})
    assert overrides[:2] == ("optimizer.lr=0.01", "model.dropout=0.2")
    assert overrides[2:] == space.fixed


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"model.dropout": "interval(0.5, 0.1)"}, "model.dropout=interval(0.5, 0.1) cannot be"),
        ({"optimizer.lr": "tag(log, interval(0, 1))"}, "optimizer.lr=tag(log, interval(0, 1))"),
        ({"model.cell": "choice(rnn"}, "the search space could not be read"),
    ],
)
def test_a_bad_search_space_is_one_sentence(params: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        search_space(params, [])


def test_pruners_are_optunas_and_a_bad_name_says_which_are_valid() -> None:
    assert type(make_pruner("median")).__name__ == "MedianPruner"
    assert type(make_pruner("hyperband", 10)).__name__ == "HyperbandPruner"
    assert type(make_pruner("none")).__name__ == "NopPruner"
    with pytest.raises(ConfigError, match=r"pruner=foo is not a pruner: use one of none, median"):
        check_pruner("foo")


def test_storages_journal_files_and_the_dashboard_command() -> None:
    assert check_storage("sqlite:///runs/optuna.db") == "sqlite:///runs/optuna.db"
    assert journal_path("runs/search.log") is not None
    assert journal_path("journal:///nfs/search") is not None
    assert journal_path("postgresql://host/db") is None
    assert dashboard_command("runs/a b.log") == "optuna-dashboard 'runs/a b.log'"
    with pytest.raises(ConfigError, match=r"storage=foo://bar is not a storage Optuna can open"):
        check_storage("foo://bar")
