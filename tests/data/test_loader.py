"""TensorBatchLoader: every sequence once per epoch, seeded shuffles, rank shards."""

from __future__ import annotations

import torch

from rnnlab.data.loader import TensorBatchLoader
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


def test_ranks_get_disjoint_equal_shares() -> None:
    shares = [
        _epoch(TensorBatchLoader(_tensors(11), 3, shuffle=True, seed=0, rank=r, world_size=2))
        for r in (0, 1)
    ]
    assert len(shares[0]) == len(shares[1]) == 5
    assert not set(shares[0]) & set(shares[1])


def test_variable_lengths_are_passed_on() -> None:
    lengths = torch.tensor([3, 1, 2, 3])
    batch = next(iter(TensorBatchLoader(_tensors(4, lengths=lengths), batch_size=4)))
    assert torch.equal(batch.lengths, lengths)
