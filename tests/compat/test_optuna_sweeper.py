"""The door to the Optuna sweeper plugin's internals."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rnnlab.compat import CompatError
from rnnlab.compat import optuna_sweeper as door

pytest.importorskip("hydra_plugins.hydra_optuna_sweeper")


def test_the_installed_plugin_keeps_the_attributes_rnnlab_uses() -> None:
    door.check()


def test_the_view_reads_and_sets_only_those_attributes() -> None:
    impl = SimpleNamespace(n_trials=10, job_idx=0, sampler=None, storage="sqlite://")
    view = door.SearchSweeper(SimpleNamespace(sweeper=impl))
    view.set_trials_left(4, next_job=6)
    view.set_sampler("seeded")
    assert (impl.n_trials, impl.job_idx, impl.sampler) == (4, 6, "seeded")
    assert view.storage == "sqlite://"
    with pytest.raises(AttributeError):
        _ = view.params


def test_a_plugin_without_its_implementation_is_said_in_one_sentence() -> None:
    with pytest.raises(CompatError, match="hydra-optuna-sweeper .* no longer has OptunaSweeper"):
        door.SearchSweeper(SimpleNamespace())
