"""Read a dotted key (``model.hidden_size``) from a plain nested config dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def select(config: Mapping[str, Any], dotted: str) -> Any:
    """The value at ``dotted``, or None when any part of the path is missing."""
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
