"""Skip a real-data test, with the install hint, when the package shipping its data is absent."""

from __future__ import annotations

import importlib.util

import pytest


def needs_package(package: str) -> pytest.MarkDecorator:
    """Found without importing the package, as the sources themselves do."""
    return pytest.mark.skipif(
        importlib.util.find_spec(package) is None,
        reason=f"{package} is not installed: pip install -e '.[data]' (or make install)",
    )
