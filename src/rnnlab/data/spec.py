"""TaskSpec and SequenceSplits: the only things a data source hands to the rest of rnnlab.

One TaskSpec decides the network's input and output sizes, its head (last step or every
step), the loss and the metrics, so nothing downstream asks which dataset this is.

A source is any callable returning SequenceSplits. A source of real data also returns the
scaling it applied, fitted on its training split only, as ``SequenceSplits.normalisation``
(rnnlab.data.normalisation.Normalisation; None for the synthetic tasks, which need none):

- ``Normalisation.inputs(raw, lengths)`` scales new (N, T, F) inputs as the training
  inputs were; ``targets(raw, scaled_inputs, lengths)`` scales regression targets;
  ``restore_targets(outputs, scaled_inputs, lengths)`` turns a regression network's outputs
  back into the data's own units.
- ``SequenceDataModule.normalisation`` exposes it, and every checkpoint stores it as plain
  numbers under ``rnnlab_normalisation`` (``Normalisation.from_dict`` reads it back), so a
  trained model can be applied to new files without the training data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import torch

from rnnlab.data.normalisation import Normalisation

TaskKind = Literal["classification", "regression"]


@dataclass(frozen=True)
class TaskSpec:
    """What a task looks like to the model and its metrics."""

    name: str
    input_size: int
    output_size: int
    kind: TaskKind
    per_step: bool
    class_names: tuple[str, ...] | None = None
    #: Loss of a reference strategy that uses no memory, logged beside the model's loss.
    baseline_loss: float | None = None
    baseline_name: str | None = None
    #: Metrics look at only the last this-many steps of a per-step task (None: all steps).
    scored_last_steps: int | None = None
    #: The input features' names, where the data named them (a CSV's feature columns):
    #: new data is read by these names, so their order in a new file does not matter.
    feature_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind == "classification" and (
            self.class_names is None or len(self.class_names) != self.output_size
        ):
            raise ValueError("a classification TaskSpec needs one class name per output")

    @property
    def is_classification(self) -> bool:
        return self.kind == "classification"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> TaskSpec:
        """The spec ``to_dict`` wrote (checkpoints store it), class names back as a tuple."""
        names, features = stored.get("class_names"), stored.get("feature_names")
        return cls(
            **{
                **stored,
                "class_names": None if names is None else tuple(names),
                "feature_names": None if features is None else tuple(features),
            }
        )


@dataclass(frozen=True)
class SequenceTensors:
    """One split: inputs (N, T, input_size), targets, and each sequence's true length."""

    inputs: torch.Tensor
    targets: torch.Tensor
    lengths: torch.Tensor

    def __post_init__(self) -> None:
        n = self.inputs.shape[0]
        if self.targets.shape[0] != n or self.lengths.shape[0] != n:
            raise ValueError("inputs, targets and lengths must hold the same number of sequences")

    def __len__(self) -> int:
        return self.inputs.shape[0]

    @property
    def variable_length(self) -> bool:
        """True when some sequence is shorter than the padded length."""
        return len(self) > 0 and bool((self.lengths != self.inputs.shape[1]).any())

    def to(self, device: torch.device) -> SequenceTensors:
        return SequenceTensors(
            self.inputs.to(device), self.targets.to(device), self.lengths.to(device)
        )

    @classmethod
    def fixed_length(cls, inputs: torch.Tensor, targets: torch.Tensor) -> SequenceTensors:
        """A split whose sequences all use the full length T."""
        lengths = torch.full((inputs.shape[0],), inputs.shape[1], dtype=torch.long)
        return cls(inputs, targets, lengths)


@dataclass(frozen=True)
class SequenceSplits:
    """Everything a source produces: train, validation and test tensors plus the TaskSpec."""

    spec: TaskSpec
    train: SequenceTensors
    val: SequenceTensors
    test: SequenceTensors
    #: The scaling applied to the tensors, fitted on ``train`` (None: the data are unscaled).
    normalisation: Normalisation | None = None
