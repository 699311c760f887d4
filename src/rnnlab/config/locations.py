"""Where rnnlab's Hydra config tree lives, so entry points can point Hydra at it."""

from pathlib import Path

#: conf/ at the repository root (rnnlab is installed in editable mode from the repo).
CONFIG_DIR: str = str(Path(__file__).resolve().parents[3] / "conf")
