"""Where rnnlab's Hydra config tree lives, so entry points can point Hydra at it.

An installed wheel carries the tree as package data, ``rnnlab/conf/`` (setup.py copies
it there); an editable install runs from the checkout, whose tree is ``conf/`` at the
repository root. The packaged copy wins, so an installed rnnlab never reads a checkout
that happens to sit around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: The rnnlab package folder; Hydra resolves a relative ``--config-path`` against it,
#: because the entry points (train.py, evaluate.py) live here.
PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]
#: conf/ inside an installed (non-editable) package.
PACKAGED_CONFIG_DIR: Path = PACKAGE_DIR / "conf"
#: conf/ at the root of the checkout, two levels above src/rnnlab (editable install).
CHECKOUT_CONFIG_DIR: Path = PACKAGE_DIR.parents[1] / "conf"

#: A file every rnnlab config tree has; a folder without it is not one.
_PRIMARY_CONFIG = "train.yaml"


def find_config_dir(
    candidates: Sequence[Path] = (PACKAGED_CONFIG_DIR, CHECKOUT_CONFIG_DIR),
) -> Path:
    """The first candidate holding rnnlab's config tree; fails loudly when none does."""
    for candidate in candidates:
        if (candidate / _PRIMARY_CONFIG).is_file():
            return candidate
    looked = ", ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(
        f"rnnlab's config tree (conf/{_PRIMARY_CONFIG}) was found in none of: {looked}; "
        "reinstall rnnlab (pip install .) or run it from its checkout (pip install -e .)."
    )


#: The config tree Hydra composes from (hydra.main's config_path).
CONFIG_DIR: str = str(find_config_dir())
