"""The door to the event-file writer behind torch's SummaryWriter."""

from __future__ import annotations

import pytest

from rnnlab.compat import CompatError
from rnnlab.compat import tensorboard as door


def test_a_summary_writer_still_hands_out_its_file_writer() -> None:
    door.check()


def test_a_writer_without_it_is_said_in_one_sentence() -> None:
    with pytest.raises(
        CompatError, match=r"torch .* no longer has SummaryWriter\._get_file_writer"
    ):
        door.file_writer(object())
