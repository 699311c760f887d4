"""Shared fixtures: compose rnnlab configs with Hydra's compose API into a temporary folder."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

from rnnlab.config.locations import CONFIG_DIR

#: Overrides that make a run tiny and quiet; the runs still go through every stage.
TINY_RUN = (
    "trainer.max_epochs=2",
    "data.num_train=64",
    "data.num_val=32",
    "data.num_test=32",
    "data.batch_size=16",
    "trainer.enable_progress_bar=false",
    "~callbacks.progress_bar",
    "~callbacks.model_summary",
)

Composer = Callable[..., DictConfig]

#: Runs rnnlab-train's main() with the arguments after ``-c``, then says whether torch was
#: imported: what a check that must come before torch is imported is tested with.
TORCH_PROBE = """
import sys
from rnnlab.train import main
sys.argv = ["rnnlab-train", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code
print("TORCH_IMPORTED" if "torch" in sys.modules else "TORCH_NOT_IMPORTED")
sys.exit(code)
"""


@pytest.fixture
def compose_run(tmp_path: Path) -> Iterator[Composer]:
    """Compose a config as Hydra's command line would; each call gets its own run folder."""
    counter = itertools.count()

    def _compose(*overrides: str, config_name: str = "train") -> DictConfig:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            cfg = compose(
                config_name,
                overrides=[f"paths.root_dir={tmp_path}", *overrides],
                return_hydra_config=True,
            )
        run_dir = tmp_path / "runs" / f"run{next(counter)}"
        with open_dict(cfg):
            cfg.hydra.runtime.output_dir = str(run_dir)
        HydraConfig.instance().set_config(cfg)
        return cfg

    yield _compose
    HydraConfig.instance().cfg = None


#: The console scripts of the venv running the tests.
BIN = Path(sys.executable).parent


def sweep_dir(root: Path, name: str) -> Path:
    """The one sweep folder ``multirun/<name>/<time>`` a command left under ``root``."""
    (sweep,) = (root / "multirun" / name).iterdir()
    return sweep


def run_command(
    tmp_path: Path, program: str, *arguments: str, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run an rnnlab console script as a user would: from ``tmp_path``, writing under it."""
    return subprocess.run(
        [str(BIN / program), *arguments],
        cwd=tmp_path,
        env={**os.environ, "RNNLAB_ROOT": str(tmp_path), **env},
        text=True,
        capture_output=True,
        timeout=timeout,
    )
