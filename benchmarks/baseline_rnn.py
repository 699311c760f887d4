"""Plain-PyTorch baseline: the lesson's protocol without rnnlab, Hydra or Lightning.

It exists so that rnnlab's numbers can be checked against something that shares none of
its code, and so that ``benchmarks/end_to_end.py`` has a floor to time ``make train``
against. It follows the protocol described in docs/lesson.md and prints exactly what
``rnnlab-train experiment=seed`` prints:

    Epoch [5/20], Loss: 0.6591
    Epoch [10/20], Loss: 0.6286
    Epoch [15/20], Loss: 0.5319
    Epoch [20/20], Loss: 0.3664
    Test Accuracy: 79.00%

Those five lines are all that goes to stdout; where the figures went is said on stderr.

    python benchmarks/baseline_rnn.py [OUTPUT_DIR]   # default: benchmarks/results/baseline_rnn
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "baseline_rnn"
SEED = 42
SEQ_LEN = 10
NUM_TRAIN = 1000
NUM_TEST = 200
HIDDEN_SIZE = 16
NUM_CLASSES = 2
LEARNING_RATE = 0.01
EPOCHS = 20
PRINT_EVERY = 5


def seed_everything(seed: int) -> None:
    """Seed both generators before anything draws: NumPy makes the data, torch the init."""
    torch.manual_seed(seed)
    np.random.seed(seed)


def draw_majority_split(count: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``count`` bit sequences one at a time from NumPy's global generator.

    One ``randint`` call per sequence, as the protocol prescribes; the label is 1 when
    more than half of the bits are ones. Calling this for the training split first and
    the test split second keeps the test set identical to the lesson's.
    """
    rows = [np.random.randint(0, 2, size=(seq_len,)) for _ in range(count)]
    bits = np.stack(rows)
    labels = (bits.sum(axis=1) > seq_len // 2).astype(np.int64)
    inputs = torch.tensor(bits, dtype=torch.float32).unsqueeze(-1)  # (count, seq_len, 1)
    return inputs, torch.from_numpy(labels)


class LastStepClassifier(nn.Module):
    """An Elman RNN whose final hidden state is mapped to class scores by a linear layer."""

    def __init__(self, hidden_size: int, num_classes: int) -> None:
        super().__init__()
        # Creation order fixes which torch draws initialise which weights: recurrent core
        # first, linear head second, or the run no longer matches the lesson's numbers.
        self.rnn = nn.RNN(1, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Run the whole sequence from a zero state and classify from its last step."""
        outputs, _ = self.rnn(inputs)
        return self.fc(outputs[:, -1, :])


def train_full_batch(
    model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor, epochs: int, lr: float
) -> list[float]:
    """One Adam step per epoch on the whole training set; returns the loss of every epoch.

    No clipping, no validation and no shuffling: the protocol has none, and each would
    change the trajectory and so the printed digits.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses: list[float] = []
    model.train()
    for epoch in range(1, epochs + 1):
        loss = loss_fn(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if epoch % PRINT_EVERY == 0:
            print(f"Epoch [{epoch}/{epochs}], Loss: {losses[-1]:.4f}")
    return losses


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Class with the highest score for every sequence, in evaluation mode."""
    model.eval()
    return model(inputs).argmax(dim=1)


def confusion_counts(truth: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts with true classes as rows and predictions as columns (no scikit-learn needed)."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def loss_curve_figure(losses: list[float]) -> Figure:
    """Training loss per epoch; built on Figure directly so no GUI backend is involved."""
    figure = Figure(figsize=(8, 4), layout="tight")
    axes = figure.add_subplot()
    axes.plot(range(1, len(losses) + 1), losses, marker="o", markersize=3, label="train loss")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("cross-entropy")
    axes.set_title("Plain-PyTorch baseline: training loss")
    axes.grid(True, alpha=0.3)
    axes.legend()
    return figure


def confusion_matrix_figure(counts: np.ndarray) -> Figure:
    """Test-set counts as a heat map, each cell labelled with its number."""
    figure = Figure(figsize=(4.5, 3.5), layout="tight")
    axes = figure.add_subplot()
    axes.imshow(counts, cmap="Blues")
    ticks = np.arange(counts.shape[0])
    axes.set_xticks(ticks, labels=[str(t) for t in ticks])
    axes.set_yticks(ticks, labels=[str(t) for t in ticks])
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    axes.set_title("Test confusion matrix")
    half = counts.max() / 2
    for (row, column), value in np.ndenumerate(counts):
        colour = "white" if value > half else "black"
        axes.text(column, row, str(value), ha="center", va="center", color=colour)
    return figure


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Only the output folder is configurable: everything else is the protocol."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where the two PNG figures go (default: {DEFAULT_OUTPUT})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Seed, draw train then test, build the model, train, test, save the figures.

    The order matters: data is drawn before the model is built and only from NumPy,
    the model only from torch. Everything runs on the CPU, as ``experiment=seed`` does,
    because the reference digits are CPU digits.
    """
    args = parse_args(argv)
    seed_everything(SEED)
    train_inputs, train_labels = draw_majority_split(NUM_TRAIN, SEQ_LEN)
    test_inputs, test_labels = draw_majority_split(NUM_TEST, SEQ_LEN)
    model = LastStepClassifier(HIDDEN_SIZE, NUM_CLASSES)

    losses = train_full_batch(model, train_inputs, train_labels, EPOCHS, LEARNING_RATE)
    predicted = predict(model, test_inputs)
    accuracy = 100 * (predicted == test_labels).sum().item() / len(test_labels)
    print(f"Test Accuracy: {accuracy:.2f}%")

    args.output_dir.mkdir(parents=True, exist_ok=True)
    counts = confusion_counts(test_labels.numpy(), predicted.numpy(), NUM_CLASSES)
    figures = {
        "loss_curve.png": loss_curve_figure(losses),
        "confusion_matrix.png": confusion_matrix_figure(counts),
    }
    for name, figure in figures.items():
        figure.savefig(args.output_dir / name)
    print(f"figures written to {args.output_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
