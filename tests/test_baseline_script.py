"""The plain-PyTorch baseline prints the lesson's numbers, as rnnlab's ``experiment=seed`` does.

Two independent implementations of one protocol (docs/lesson.md) agreeing digit for digit
is the evidence that rnnlab reproduces the lesson rather than merely matching a number.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "benchmarks" / "baseline_rnn.py"

#: What the RNN lesson rnnlab grew from printed, digit for digit.
LESSON_LINES = [
    "Epoch [5/20], Loss: 0.6591",
    "Epoch [10/20], Loss: 0.6286",
    "Epoch [15/20], Loss: 0.5319",
    "Epoch [20/20], Loss: 0.3664",
    "Test Accuracy: 79.00%",
]


@pytest.mark.slow  # 8 s; tests/run/test_training.py checks rnnlab's own run of the same numbers
def test_baseline_prints_the_lessons_numbers_and_draws_both_figures(tmp_path: Path) -> None:
    """Its stdout is exactly the lesson's five lines, and both PNGs are real pictures."""
    output = tmp_path / "figures"
    result = subprocess.run(
        [sys.executable, str(BASELINE), str(output)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == LESSON_LINES, result.stdout
    for name in ("loss_curve.png", "confusion_matrix.png"):
        path = output / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        pixels = imread(path)
        height, width = pixels.shape[:2]
        assert height >= 200 and width >= 200, (name, pixels.shape)
        assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 10, name


def test_rnnlab_asserts_the_same_lines_for_experiment_seed() -> None:
    """tests/run/test_training.py runs ``experiment=seed``; it must expect these very lines."""
    source = (ROOT / "tests" / "run" / "test_training.py").read_text()
    (function,) = (
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "test_lesson_is_reproduced_exactly"
    )
    literals = {
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert set(LESSON_LINES) <= literals
