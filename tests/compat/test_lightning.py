"""The door to Lightning's running-hook attribute."""

from __future__ import annotations

import pytest

from rnnlab.compat import CompatError
from rnnlab.compat import lightning as door


def test_lightning_still_records_the_running_hook_there() -> None:
    door.check()


def test_a_renamed_attribute_is_said_in_one_sentence(monkeypatch) -> None:
    monkeypatch.setattr(door, "HOOK_NAME_ATTRIBUTE", "_renamed_in_a_future_lightning")
    with pytest.raises(CompatError, match="pytorch-lightning .* no longer has LightningModule"):
        door.check()


def test_early_stopping_gives_its_verdict_and_a_missing_one_is_named(monkeypatch) -> None:
    import pytorch_lightning as pl

    stopping = pl.callbacks.EarlyStopping(monitor="val/loss", patience=1)
    assert not door.early_stopping_verdict(stopping, 1.0)[0]
    assert not door.early_stopping_verdict(stopping, 0.5)[0]  # better: waits again
    stop, reason = door.early_stopping_verdict(stopping, 0.9)  # not better, patience 1
    assert stop and "did not improve" in str(reason)
    monkeypatch.delattr(pl.callbacks.EarlyStopping, "_evaluate_stopping_criteria")
    with pytest.raises(CompatError, match="no longer has EarlyStopping"):
        door.check()
