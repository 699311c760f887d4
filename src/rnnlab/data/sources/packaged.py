"""Locate data files inside installed packages without importing them.

``import aeon.datasets`` costs seconds (numba), ``import sklearn`` about one; the files
themselves take milliseconds to read. ``importlib.util.find_spec`` finds a package's
folder from its metadata alone, so rnnlab never pays for an import it does not need.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rnnlab.errors import ConfigError

#: How to get the packages that ship rnnlab's real data sets.
INSTALL_HINT = "install rnnlab's data extra with pip install -e '.[data]' (or make install)"


def package_dir(package: str, wanted_by: str) -> Path:
    """The installed folder of ``package``, or ConfigError saying how to install it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ConfigError(
            f"{wanted_by} reads files that the {package} package ships, and {package} is not "
            f"installed: {INSTALL_HINT}."
        )
    return Path(locations[0])


def package_file(package: str, relative: str, wanted_by: str) -> Path:
    """A file shipped inside ``package``, or ConfigError naming what is missing."""
    path = package_dir(package, wanted_by) / relative
    if not path.is_file():
        raise ConfigError(
            f"{wanted_by} reads {relative} from the {package} package, but the installed "
            f"{package} has no such file: {INSTALL_HINT} to get a version that ships it."
        )
    return path
