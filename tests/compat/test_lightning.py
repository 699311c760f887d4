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
