"""rnnlab installed like a library: a real wheel, installed away from the checkout, trains.

The wheel is built as ``python -m build`` does it (an sdist, then a wheel from the sdist),
from a copy of the source tree so the build leaves nothing in the checkout, and installed
with ``pip install --target`` into a folder of its own; its dependencies come from the
current environment. PYTHONPATH puts the installed copy before the editable checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from rnnlab.config.locations import CONFIG_DIR

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]
#: What an sdist is built from; everything else in the checkout stays out.
SOURCE_ITEMS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "conf", "src")
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
QUIET = ["trainer.enable_progress_bar=false", "~callbacks.progress_bar"]


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _copy_source(target: Path) -> Path:
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for item in SOURCE_ITEMS:
        source = REPOSITORY / item
        if source.is_dir():
            shutil.copytree(source, target / item, ignore=ignore)
        else:
            shutil.copy2(source, target / item)
    return target


def _build_wheel(tmp_path: Path) -> Path:
    """sdist from a copy of the checkout, then a wheel from that sdist (no network)."""
    source = _copy_source(tmp_path / "source")
    build_sdist = "from setuptools import build_meta as b; print(b.build_sdist('dist'))"
    sdist = _run([sys.executable, "-c", build_sdist], cwd=source).stdout.strip().splitlines()[-1]
    build_wheel = [*PIP, "wheel", "--no-deps", "--no-index", "--no-build-isolation"]
    _run([*build_wheel, "-w", "wheels", str(source / "dist" / sdist)], cwd=tmp_path)
    (wheel,) = (tmp_path / "wheels").glob("rnnlab-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, site): the built wheel and the folder it is installed in."""
    tmp_path = tmp_path_factory.mktemp("install")
    wheel = _build_wheel(tmp_path)
    site = tmp_path / "site"
    _run([*PIP, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], tmp_path)
    return wheel, site


def test_the_wheel_carries_every_config(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    configs = {
        f"rnnlab/conf/{path.relative_to(CONFIG_DIR).as_posix()}"
        for path in Path(CONFIG_DIR).rglob("*.yaml")
    }
    assert "rnnlab/conf/train.yaml" in configs
    assert configs <= names
    assert {name for name in names if name.startswith("rnnlab/conf/")} == configs


def test_the_installed_copy_trains_from_another_directory(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, site = installed
    elsewhere, root = tmp_path / "elsewhere", tmp_path / "root"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(site), "RNNLAB_ROOT": str(root)}

    where = "import rnnlab, rnnlab.config.locations as l; print(rnnlab.__file__, l.CONFIG_DIR)"
    module, config_dir = _run([sys.executable, "-c", where], elsewhere, **env).stdout.split()
    assert Path(module) == site / "rnnlab" / "__init__.py"
    assert Path(config_dir) == site / "rnnlab" / "conf"

    _run([str(site / "bin" / "rnnlab-train"), "debug=fast", *QUIET], elsewhere, **env)
    (run,) = (root / "experiments" / "debug").iterdir()
    assert json.loads((run / "metrics.json").read_text())["status"] == "completed"
    hydra = yaml.safe_load((run / ".hydra" / "hydra.yaml").read_text())["hydra"]
    (main,) = [s for s in hydra["runtime"]["config_sources"] if s["provider"] == "main"]
    assert (main["schema"], Path(main["path"])) == ("file", site / "rnnlab" / "conf")
    assert not (elsewhere / "experiments").exists()


def test_the_installed_copy_checks_options_against_its_configs(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, site = installed
    result = subprocess.run(
        [str(site / "bin" / "rnnlab-train"), "model=transformer"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site), "RNNLAB_ROOT": str(tmp_path)},
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith("valid options are gru, lstm, rnn.")


def test_the_installed_copy_sweeps_and_resumes_with_its_own_sweeper(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """rnnlab's resumable sweeper is a Hydra plugin (hydra_plugins.rnnlab_sweep): the wheel
    must carry it where Hydra's plugin scan finds it."""
    wheel, site = installed
    assert "hydra_plugins/rnnlab_sweep/grid.py" in zipfile.ZipFile(wheel).namelist()
    env = {"PYTHONPATH": str(site), "RNNLAB_ROOT": str(tmp_path)}
    train = str(site / "bin" / "rnnlab-train")
    _run([train, "-m", "debug=fast", "seed=1,2", *QUIET], tmp_path, **env)
    (sweep,) = (tmp_path / "multirun" / "debug").iterdir()
    resumed = _run([train, "--resume", str(sweep)], tmp_path, **env)
    assert "2 jobs: 2 completed (kept)" in resumed.stdout
