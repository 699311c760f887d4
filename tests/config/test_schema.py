"""The schema rules: types are strict (a bool is no integer), bounds and choices hold."""

from __future__ import annotations

import pytest

from rnnlab.config.schema import CELL_NAMES, RULES, Rule
from rnnlab.models.network import CELLS


@pytest.mark.parametrize(
    ("rule", "value", "accepted"),
    [
        (Rule(int, minimum=1), 1, True),
        (Rule(int, minimum=1), 0, False),
        (Rule(int, minimum=1), True, False),
        (Rule(int, minimum=1), 2.0, False),
        (Rule(int, minimum=1), "3", False),
        (Rule(float, minimum=0.0, maximum=1.0, max_exclusive=True), 0, True),
        (Rule(float, minimum=0.0, maximum=1.0, max_exclusive=True), 1.0, False),
        (Rule(float, minimum=0.0), float("nan"), False),
        (Rule(bool), "true", False),
        (Rule(bool), False, True),
        (Rule(str, choices=("a", "b")), "c", False),
        (Rule(str, nullable=True), None, True),
        (Rule(str), None, False),
    ],
)
def test_rule_accepts(rule: Rule, value: object, accepted: bool) -> None:
    assert rule.accepts(value) is accepted


def test_rule_describes_bounds_and_choices() -> None:
    assert RULES["model.dropout"].describe() == "a number with 0 <= value < 1"
    assert RULES["model.cell"].describe() == "one of 'rnn', 'lstm', 'gru'"
    assert RULES["trainer.gradient_clip_val"].describe() == "a number >= 0 (or null)"


def test_schema_cells_match_the_network() -> None:
    assert set(CELL_NAMES) == set(CELLS)
