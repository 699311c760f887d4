"""Step time: rnnlab's training path against a plain PyTorch loop, same model, same batches.

For each size, an LSTM is trained in rounds; every round runs one epoch of each path
over the same batches, so all paths are measured side by side under the same load:
- raw:       the loop a person writes by hand (forward, loss, backward, clip, step);
- by-hand:   rnnlab's training_step inside that same hand-written loop (rnnlab's share);
- lightning: a minimal LightningModule (forward + cross-entropy) under Lightning's loop,
             the floor that any Lightning-based framework pays;
- rnnlab:    rnnlab's SequenceModule and SequenceDataModule under Lightning's loop.
Each path keeps its own copy of the same initial network. The first round is warm-up.
The printed ratio is rnnlab / raw of the median time per step.

    python benchmarks/step_overhead.py [--repeats 7] [--sizes tiny mid long]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from tempfile import TemporaryDirectory

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import TensorBoardLogger
from torch import nn

from rnnlab.data.datamodule import SequenceDataModule
from rnnlab.data.tasks.majority import majority_task
from rnnlab.models.module import SequenceModule
from rnnlab.models.network import RecurrentNetwork

CLIP = 1.0


@dataclass(frozen=True)
class Size:
    name: str
    hidden_size: int
    seq_len: int
    batch_size: int
    steps: int  # batches per epoch
    target: float  # the ratio this size should stay under


SIZES = {
    "tiny": Size("tiny", hidden_size=16, seq_len=10, batch_size=32, steps=200, target=1.25),
    "mid": Size("mid", hidden_size=128, seq_len=100, batch_size=128, steps=12, target=1.05),
    "long": Size("long", hidden_size=64, seq_len=500, batch_size=64, steps=6, target=1.05),
}


def _raw_epoch(network: nn.Module, optimizer: torch.optim.Optimizer, batches) -> float:
    """The plain PyTorch loop a person would write; returns seconds for the epoch."""
    start = time.perf_counter()
    for inputs, targets in batches:
        outputs = network(inputs)
        loss = nn.functional.cross_entropy(outputs, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(network.parameters(), CLIP)
        optimizer.step()
    return time.perf_counter() - start


def _module_epoch(module: SequenceModule, optimizer: torch.optim.Optimizer, loader) -> float:
    """rnnlab's training_step driven by hand: rnnlab's per-step work without Lightning."""
    start = time.perf_counter()
    for index, batch in enumerate(loader):
        loss = module.training_step(batch, index)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(module.parameters(), CLIP)
        optimizer.step()
    return time.perf_counter() - start


class EpochTimer(pl.Callback):
    """Seconds from the start to the end of each training epoch (setup excluded)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._started = 0.0

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._started = time.perf_counter()

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        self.seconds.append(time.perf_counter() - self._started)


class Batches:
    """A fixed list of batches as one iterable (a bare list would read as many loaders)."""

    def __init__(self, batches: list) -> None:
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


class MinimalModule(pl.LightningModule):
    """The least a LightningModule can be: Lightning's own per-step cost, nothing else."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def training_step(self, batch, batch_idx):
        inputs, targets = batch
        return nn.functional.cross_entropy(self.network(inputs), targets)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


def _lightning_epoch(module: pl.LightningModule, logs: str, **data) -> float:
    """One epoch of Lightning's loop; a fresh Trainer each round, its setup not timed."""
    timer = EpochTimer()
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=1,
        gradient_clip_val=CLIP,
        limit_val_batches=0,
        num_sanity_val_steps=0,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=TensorBoardLogger(logs, name="bench", version=""),
        callbacks=[timer],
    )
    trainer.fit(module, **data)
    return timer.seconds[0]


def measure(size: Size, repeats: int) -> dict[str, float]:
    """Median seconds per step for each path (the first round is warm-up, dropped)."""
    pl.seed_everything(0, verbose=False)
    datamodule = SequenceDataModule(
        partial(majority_task),
        batch_size=size.batch_size,
        shuffle=False,
        seq_len=size.seq_len,
        num_train=size.batch_size * size.steps,
        num_val=size.batch_size,
        num_test=size.batch_size,
        seed=0,
    )
    spec = datamodule.spec
    network = RecurrentNetwork(1, 2, per_step=False, cell="lstm", hidden_size=size.hidden_size)
    optimizer = partial(torch.optim.Adam, lr=1e-3)
    rnnlab = SequenceModule(copy.deepcopy(network), spec, optimizer)
    by_hand = SequenceModule(copy.deepcopy(network), spec, optimizer)
    by_hand_optimizer = torch.optim.Adam(by_hand.parameters(), lr=1e-3)
    minimal = MinimalModule(copy.deepcopy(network))
    raw_network = copy.deepcopy(network)
    raw_optimizer = torch.optim.Adam(raw_network.parameters(), lr=1e-3)
    batches = [(b.inputs, b.targets) for b in datamodule.train_dataloader()]
    times: dict[str, list[float]] = {"raw": [], "by_hand": [], "lightning": [], "rnnlab": []}
    with TemporaryDirectory() as logs:
        for _ in range(repeats + 1):
            times["raw"].append(_raw_epoch(raw_network, raw_optimizer, batches))
            loader = datamodule.train_dataloader()
            times["by_hand"].append(_module_epoch(by_hand, by_hand_optimizer, loader))
            times["lightning"].append(
                _lightning_epoch(minimal, logs, train_dataloaders=Batches(batches))
            )
            times["rnnlab"].append(_lightning_epoch(rnnlab, logs, datamodule=datamodule))
    return {path: statistics.median(seconds[1:]) / size.steps for path, seconds in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs per path")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}, {threads} threads, Lightning {pl.__version__}")
    header = (
        f"{'size':<5} {'raw ms':>8} {'by-hand ms':>11} {'lightning ms':>13} {'rnnlab ms':>10}"
        f" {'ratio':>6} {'vs lightning':>13}  target"
    )
    print(header)
    print("-" * len(header))
    for name in args.sizes:
        size = SIZES[name]
        times = measure(size, args.repeats)
        ratio = times["rnnlab"] / times["raw"]
        verdict = "ok" if ratio <= size.target else "OVER"
        print(
            f"{name:<5} {1e3 * times['raw']:8.3f} {1e3 * times['by_hand']:11.3f} "
            f"{1e3 * times['lightning']:13.3f} {1e3 * times['rnnlab']:10.3f} {ratio:6.3f} "
            f"{times['rnnlab'] / times['lightning']:13.3f}  <= {size.target:.2f} {verdict}"
        )
    print(
        "ratio = rnnlab / raw; vs lightning = rnnlab / minimal LightningModule "
        "(median time per step; see the docstring for the four paths)."
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
