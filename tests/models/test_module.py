"""SequenceModule: a step gives a differentiable loss; optimizer and scheduler are partials."""

from __future__ import annotations

from functools import partial

import torch

from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.models.module import SequenceModule
from rnnlab.models.network import RecurrentNetwork

SPEC = TaskSpec("m", 1, 2, "classification", False, ("0", "1"))


def _module(scheduler=None) -> SequenceModule:
    network = RecurrentNetwork(1, 2, per_step=False, cell="gru", hidden_size=4)
    return SequenceModule(network, SPEC, partial(torch.optim.SGD, lr=0.1), scheduler)


def test_training_step_loss_has_gradients() -> None:
    module = _module()
    batch = SequenceBatch(torch.randn(8, 5, 1), torch.randint(0, 2, (8,)), None)
    loss = module.training_step(batch, 0)
    loss.backward()
    assert loss.ndim == 0
    assert all(p.grad is not None for p in module.network.parameters())
    assert len(module.epoch_outputs["train"]) == 1  # metrics wait for the epoch end


def test_optimizer_and_scheduler_come_from_partials() -> None:
    assert isinstance(_module().configure_optimizers(), torch.optim.SGD)
    scheduler = {
        "scheduler": partial(torch.optim.lr_scheduler.StepLR, step_size=2),
        "interval": "epoch",
    }
    configured = _module(scheduler).configure_optimizers()
    assert isinstance(configured["lr_scheduler"]["scheduler"], torch.optim.lr_scheduler.StepLR)
    assert configured["lr_scheduler"]["interval"] == "epoch"
