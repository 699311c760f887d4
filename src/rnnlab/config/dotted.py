"""Dotted keys (``model.hidden_size``) in nested configs: the one lookup and the one walk that
finds where two configs first differ.

Both work on plain dicts (a stored metrics.json or checkpoint config) and on OmegaConf's
DictConfig alike, since both are Mappings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: ``(dotted key, old value, new value)`` of the first setting two configs disagree on.
Difference = tuple[str, Any, Any]
#: Decides a key the walk should not descend into: True (the same), False (differs) or
#: None (compare as usual).
KeyRule = Callable[[str, Any, Any], bool | None]


def select(config: Any, dotted: str, default: Any = None) -> Any:
    """The value at ``dotted``, or ``default`` when any part of the path is missing."""
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def first_difference(
    old: Any, new: Any, prefix: str = "", rule: KeyRule | None = None
) -> Difference | None:
    """The first dotted key (old's keys in order, then new's own) whose values differ.

    ``prefix`` names where ``old`` and ``new`` sit (``"model"``); ``rule`` may settle a key
    before it is compared (e.g. a path stored relative then, absolute now).
    """
    if prefix and rule is not None and (same := rule(prefix, old, new)) is not None:
        return None if same else (prefix, old, new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            dotted = f"{prefix}.{key}" if prefix else str(key)
            found = first_difference(old.get(key), new.get(key), dotted, rule)
            if found:
                return found
        return None
    return None if old == new else (prefix, old, new)
