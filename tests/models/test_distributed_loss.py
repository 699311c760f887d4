"""The epoch loss under DDP is the exact mean over every rank's sequences.

Validation and test shares differ in size by one sequence, so a mean of the ranks' mean
losses (what ``self.log(..., sync_dist=True)`` computes) would weigh the smaller share more.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from rnnlab.models.epoch_outputs import EpochOutputs, global_mean_loss

#: (loss, weight) of each batch; ranks 0 and 1 take uneven shares, as a 5-sequence split would.
BATCHES = [(0.9, 2), (0.2, 1), (0.4, 2)]
SHARES = {0: [0], 1: [1, 2]}
EXPECTED = (0.9 * 2 + 0.2 * 1 + 0.4 * 2) / 5


def _outputs(indices: list[int]) -> EpochOutputs:
    outputs = EpochOutputs()
    for index in indices:
        loss, weight = BATCHES[index]
        outputs.add(torch.tensor(loss), weight, torch.zeros(weight), torch.zeros(weight))
    return outputs


def test_summed_loss_sums_give_the_global_mean_and_a_mean_of_means_does_not() -> None:
    per_rank = [_outputs(indices) for indices in SHARES.values()]
    summed = sum(outputs.loss_sums() for outputs in per_rank)
    assert float(summed[0] / summed[1]) == pytest.approx(EXPECTED, abs=1e-7)
    assert float(_outputs([0, 1, 2]).mean_loss()) == pytest.approx(EXPECTED, abs=1e-7)
    mean_of_means = sum(float(o.mean_loss()) for o in per_rank) / len(per_rank)
    assert abs(mean_of_means - EXPECTED) > 0.05  # what sync_dist's mean would have logged


def test_without_a_process_group_the_global_mean_is_the_local_one() -> None:
    assert not dist.is_initialized()
    outputs = _outputs([0, 2])
    assert torch.equal(global_mean_loss(outputs), outputs.mean_loss())


def _rank(rank: int, world_size: int, store: str, result_dir: str) -> None:
    """One gloo rank: its own uneven share in, the epoch loss out (to a file per rank)."""
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world_size)
    try:
        loss = global_mean_loss(_outputs(SHARES[rank]))
        Path(result_dir, f"rank{rank}.txt").write_text(repr(float(loss)))
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_with_uneven_shares_log_the_global_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # two processes share the cores
    mp.spawn(_rank, args=(2, str(tmp_path / "store"), str(tmp_path)), nprocs=2, join=True)
    losses = [float((tmp_path / f"rank{rank}.txt").read_text()) for rank in (0, 1)]
    assert losses[0] == losses[1] == pytest.approx(EXPECTED, abs=1e-7)
