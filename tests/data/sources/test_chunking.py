"""Chunking k steps into one input vector: layout, lengths, and the filled last chunk."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.data.sources.chunking import chunk_steps
from rnnlab.errors import ConfigError


def test_consecutive_steps_become_one_vector_per_chunk() -> None:
    values = np.arange(12, dtype=np.float32).reshape(1, 6, 2)  # 6 steps, 2 dimensions
    chunked, lengths = chunk_steps(values, np.array([6]), 3)
    assert chunked.shape == (1, 2, 6) and lengths.tolist() == [2]
    np.testing.assert_array_equal(chunked[0, 0], [0, 1, 2, 3, 4, 5])  # steps 0-2, dims interleaved


def test_a_partial_chunk_repeats_the_last_real_value() -> None:
    values = np.zeros((2, 5, 1), dtype=np.float32)
    values[0, :, 0] = [1, 2, 3, 4, 5]
    values[1, :2, 0] = [7, 8]  # length 2, then padding
    chunked, lengths = chunk_steps(values, np.array([5, 2]), 2)
    assert chunked.shape == (2, 3, 2) and lengths.tolist() == [3, 1]
    np.testing.assert_array_equal(chunked[0, 2], [5, 5])
    np.testing.assert_array_equal(chunked[1, 0], [7, 8])
    np.testing.assert_array_equal(chunked[1, 1:].ravel(), [8, 8, 8, 8])


def test_chunk_one_changes_nothing() -> None:
    values = np.ones((1, 3, 1), dtype=np.float32)
    lengths = np.array([3])
    assert chunk_steps(values, lengths, 1) == (values, lengths)


@pytest.mark.parametrize("chunk", [0, -2, 1.5, True])
def test_a_bad_chunk_is_one_sentence(chunk: object) -> None:
    with pytest.raises(ConfigError, match=r"data.chunk=.* is not valid: expected an integer >= 1"):
        chunk_steps(np.ones((1, 2, 1)), np.array([2]), chunk)  # type: ignore[arg-type]
