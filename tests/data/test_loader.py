"""TensorBatchLoader: every sequence once per epoch, seeded shuffles, rank shares.

Under DDP, evaluation shares must cover every sequence exactly once (else the metrics
differ from a single process), while training shares must be equal (DDP syncs gradients
at every step, so a rank with an extra batch would wait forever).
"""

from __future__ import annotations

import pytest
import torch

from rnnlab.data.loader import TensorBatchLoader, rank_share
from rnnlab.data.spec import SequenceTensors


def _tensors(n: int = 10, steps: int = 3, lengths: torch.Tensor | None = None) -> SequenceTensors:
    inputs = torch.arange(n, dtype=torch.float32).view(n, 1, 1).expand(n, steps, 1).contiguous()
    targets = torch.arange(n)
    if lengths is None:
        return SequenceTensors.fixed_length(inputs, targets)
    return SequenceTensors(inputs, targets, lengths)


def _epoch(loader: TensorBatchLoader, epoch: int = 0) -> list[int]:
    loader.sampler.set_epoch(epoch)
    return [int(i) for batch in loader for i in batch.targets]


def test_stored_order_in_batches() -> None:
    loader = TensorBatchLoader(_tensors(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b.targets.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(b.lengths is None for b in batches)  # full-length data skips packing


def test_shuffle_covers_everything_and_depends_on_seed_and_epoch() -> None:
    loader = TensorBatchLoader(_tensors(50), batch_size=8, shuffle=True, seed=1)
    first = _epoch(loader, 0)
    assert sorted(first) == list(range(50)) and first != list(range(50))
    assert _epoch(loader, 0) == first  # same epoch, same order: resumable
    assert _epoch(loader, 1) != first
    other_seed = TensorBatchLoader(_tensors(50), batch_size=8, shuffle=True, seed=2)
    assert _epoch(other_seed, 0) != first


def _shares(n: int, world_size: int, batch_size: int, **options: object) -> list[list[int]]:
    """Each rank's sequences in one epoch, checking that ``len`` counts its batches."""
    shares = []
    for rank in range(world_size):
        loader = TensorBatchLoader(
            _tensors(n), batch_size, rank=rank, world_size=world_size, **options
        )
        batches = list(loader)
        assert len(loader) == len(batches)
        assert all(0 < len(b.targets) <= batch_size for b in batches)
        shares.append([int(i) for b in batches for i in b.targets])
    return shares


@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
@pytest.mark.parametrize("n", [4, 7, 10, 11, 201])
@pytest.mark.parametrize("shuffle", [False, True])
def test_evaluation_shares_cover_every_sequence_exactly_once(
    n: int, world_size: int, shuffle: bool
) -> None:
    shares = _shares(n, world_size, batch_size=3, shuffle=shuffle, seed=5)
    assert sorted(i for share in shares for i in share) == list(range(n))  # once, none dropped
    sizes = [len(share) for share in shares]
    assert max(sizes) - min(sizes) <= 1  # no rank waits long for another
    if not shuffle:  # each rank's block in stored order
        assert [i for share in shares for i in share] == list(range(n))


def test_rank_share_blocks_are_contiguous_and_uneven_when_they_must_be() -> None:
    assert [rank_share(11, r, 3) for r in range(3)] == [(0, 3), (3, 7), (7, 11)]
    assert rank_share(5, 0, 1) == (0, 5)


def test_stored_order_shares_are_views_without_copies() -> None:
    tensors = _tensors(11)
    loader = TensorBatchLoader(tensors, batch_size=4, rank=1, world_size=2)
    first = next(iter(loader))
    assert first.targets.tolist() == [5, 6, 7, 8]
    assert first.inputs.data_ptr() == tensors.inputs[5].data_ptr()


@pytest.mark.parametrize("world_size", [2, 3, 4])
@pytest.mark.parametrize("n", [8, 11, 201])
@pytest.mark.parametrize("shuffle", [False, True])
def test_training_shares_are_equal_and_disjoint(n: int, world_size: int, shuffle: bool) -> None:
    shares = _shares(n, world_size, batch_size=4, shuffle=shuffle, seed=0, equal_shares=True)
    assert all(len(share) == n // world_size for share in shares)  # the same number of steps
    seen = [i for share in shares for i in share]
    assert len(seen) == len(set(seen)) == n - n % world_size  # at most world_size - 1 left out


def test_training_shares_leave_out_different_sequences_each_epoch() -> None:
    def left_out(epoch: int) -> set[int]:
        kept = set()
        for rank in range(3):
            loader = TensorBatchLoader(
                _tensors(11), 4, shuffle=True, seed=0, rank=rank, world_size=3, equal_shares=True
            )
            kept |= set(_epoch(loader, epoch))
        return set(range(11)) - kept

    dropped = [left_out(epoch) for epoch in range(6)]
    assert all(len(d) == 2 for d in dropped)
    assert len(set().union(*dropped)) > 2  # shuffling moves the remainder around


def test_variable_lengths_are_passed_on() -> None:
    lengths = torch.tensor([3, 1, 2, 3])
    batch = next(iter(TensorBatchLoader(_tensors(4, lengths=lengths), batch_size=4)))
    assert torch.equal(batch.lengths, lengths)
