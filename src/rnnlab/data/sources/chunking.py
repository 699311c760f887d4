"""Read ``k`` consecutive time steps as one input vector: (N, T, D) -> (N, ceil(T/k), k·D).

A recurrent network that must carry a 150-step univariate series to its last step forgets
or saturates; the same series as 15 steps of 10 values is read as easily as an image row by
row (UCR GunPoint: test accuracy about 0.65 -> 0.96 with the same GRU). A partial last
chunk is filled with the case's last real value, so no invented zero enters the inputs;
each case's length becomes the number of chunks that hold real values.
"""

from __future__ import annotations

import numpy as np

from rnnlab.errors import ConfigError


def check_chunk(chunk: int) -> None:
    """One sentence for a chunk size that is not a positive integer."""
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ConfigError(f"data.chunk={chunk} is not valid: expected an integer >= 1.")


def chunk_steps(
    values: np.ndarray, lengths: np.ndarray, chunk: int
) -> tuple[np.ndarray, np.ndarray]:
    """Chunked values (N, ceil(T/chunk), chunk·D) and lengths ceil(length/chunk)."""
    check_chunk(chunk)
    if chunk == 1:
        return values, lengths
    cases, steps, dims = values.shape
    padded_steps = -(-steps // chunk) * chunk
    # Every step from a case's length on repeats its last real value.
    positions = np.minimum(np.arange(padded_steps)[None, :], (lengths - 1)[:, None])
    filled = np.take_along_axis(values, positions[..., None], axis=1)
    chunked = filled.reshape(cases, padded_steps // chunk, chunk * dims)
    return chunked, -(-lengths // chunk)
