"""The typed schema of a composed run config: one rule per field a user is likely to set.

A rule applies only where its key exists, so a data source or preset that has no
``seq_len`` is not asked for one, while every config that has one gets it checked.
Checking happens on the plain composed config, before torch or Lightning are imported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The most classes a classification head may have (data.num_classes): beyond it the
#: confusion matrix and the output layer stop fitting in memory, and labels that large are
#: nearly always ids or values rather than class indices.
MAX_CLASSES = 10_000

#: The recurrent cells rnnlab builds; rnnlab.models.network maps each to its torch module.
CELL_NAMES: tuple[str, ...] = ("rnn", "lstm", "gru")


@dataclass(frozen=True)
class Rule:
    """What one field accepts: a type, optional bounds, optional choices, optionally null."""

    kind: type
    minimum: float | None = None
    maximum: float | None = None
    max_exclusive: bool = False
    choices: Sequence[Any] | None = None
    nullable: bool = False
    #: The word ``auto`` is valid too (rnnlab picks the value).
    or_auto: bool = False

    def describe(self) -> str:
        """Say in words what is valid, for the error sentence."""
        if self.choices is not None:
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        else:
            text = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}[
                self.kind
            ]
            if self.minimum is not None and self.maximum is not None:
                upper = "<" if self.max_exclusive else "<="
                text += f" with {self.minimum:g} <= value {upper} {self.maximum:g}"
            elif self.minimum is not None:
                text += f" >= {self.minimum:g}"
        text += " or 'auto'" if self.or_auto else ""
        return text + (" (or null)" if self.nullable else "")

    def accepts(self, value: Any) -> bool:
        """True when ``value`` has the right type and lies in range."""
        if value is None:
            return self.nullable
        if self.or_auto and value == "auto":
            return True
        if self.choices is not None:
            return value in self.choices
        if self.kind is bool:
            return isinstance(value, bool)
        if self.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            return False
        if self.kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if not math.isfinite(value):
                return False
        if self.kind is str and not isinstance(value, str):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        if self.maximum is not None:
            return value < self.maximum if self.max_exclusive else value <= self.maximum
        return True


POSITIVE_INT = Rule(int, minimum=1)
COUNT = Rule(int, minimum=0)
PROBABILITY = Rule(float, minimum=0.0, maximum=1.0, max_exclusive=True)

#: Field rules keyed by their dotted path in the composed config.
RULES: dict[str, Rule] = {
    "seed": Rule(int, minimum=0),
    "name": Rule(str),
    "ckpt_path": Rule(str, nullable=True),
    "threads": Rule(int, minimum=1, or_auto=True),
    # data
    "data.seq_len": POSITIVE_INT,
    "data.batch_size": POSITIVE_INT,
    "data.num_train": POSITIVE_INT,
    "data.num_val": COUNT,
    "data.num_test": POSITIVE_INT,
    "data.shuffle": Rule(bool),
    "data.allow_pickle": Rule(bool),
    "data.seed": Rule(int, minimum=0),
    "data.num_symbols": Rule(int, minimum=2),
    "data.num_remember": POSITIVE_INT,
    "data.num_classes": Rule(int, minimum=2, maximum=MAX_CLASSES, nullable=True),
    # model
    "model.cell": Rule(str, choices=CELL_NAMES),
    "model.hidden_size": POSITIVE_INT,
    "model.num_layers": POSITIVE_INT,
    "model.bidirectional": Rule(bool),
    "model.dropout": PROBABILITY,
    "model.nonlinearity": Rule(str, choices=("tanh", "relu"), nullable=True),
    "model.impl": Rule(str, choices=("fused", "unrolled")),
    # optimisation
    "optimizer.lr": Rule(float, minimum=0.0),
    "optimizer.weight_decay": Rule(float, minimum=0.0),
    "optimizer.momentum": Rule(float, minimum=0.0),
    # trainer
    "trainer.max_epochs": POSITIVE_INT,
    "trainer.min_epochs": COUNT,
    "trainer.gradient_clip_val": Rule(float, minimum=0.0, nullable=True),
    "trainer.gradient_clip_algorithm": Rule(str, choices=("norm", "value"), nullable=True),
    "trainer.accumulate_grad_batches": POSITIVE_INT,
    "trainer.check_val_every_n_epoch": Rule(int, minimum=1, nullable=True),
    "trainer.log_every_n_steps": POSITIVE_INT,
    "trainer.accelerator": Rule(str, choices=("auto", "cpu", "gpu", "cuda", "mps", "tpu")),
    # the metric that decides the best epoch
    "callbacks.model_checkpoint.monitor": Rule(str, nullable=True),
    "callbacks.model_checkpoint.mode": Rule(str, choices=("auto", "min", "max")),
}
