"""The door to Hydra's BasicSweeper: present today, and a clear sentence when it goes."""

from __future__ import annotations

import importlib

import pytest

from rnnlab.compat import CompatError
from rnnlab.compat import hydra as door


def test_the_installed_hydra_has_what_rnnlab_uses() -> None:
    door.check()
    assert door.grid_batches([]) == [[]]


def test_the_grid_sweeper_subclasses_the_basic_sweeper_hydra_holds_now() -> None:
    from hydra_plugins.rnnlab_sweep.grid import ResumableGridSweeper

    assert issubclass(ResumableGridSweeper, door.basic_sweeper_class())


def test_a_missing_basic_sweeper_is_named_with_the_version(monkeypatch) -> None:
    module = importlib.import_module("hydra._internal.core_plugins.basic_sweeper")
    monkeypatch.delattr(module, "BasicSweeper")
    with pytest.raises(CompatError, match=r"hydra-core 1\.3\.\d+ no longer has .*BasicSweeper"):
        door.check()


def test_a_missing_composition_step_is_named_with_the_version(monkeypatch) -> None:
    module = importlib.import_module("hydra._internal.config_loader_impl")
    monkeypatch.delattr(module, "get_overrides_dirname")
    with pytest.raises(CompatError, match=r"hydra-core 1\.3\.\d+ no longer has .*dirname"):
        door.check()
