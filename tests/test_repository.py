"""The repository holds only its own source: nothing a run wrote, nothing outside it."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What runs, tests and builds write; none of it is ever committed.
GENERATED = (
    "*.ckpt",
    "*events.out.tfevents*",
    "*/checkpoints/*",
    "checkpoints/*",
    "outputs/*",
    "lightning_logs/*",
    "*/lightning_logs/*",
    "experiments/*",
    "multirun/*",
    "*.partial",
    "*/figures/*.png",
)
ALLOWED = ("experiments/.gitkeep", "multirun/.gitkeep")
#: The curated figures the docs show (``make figures`` regenerates them): the only images kept.
CURATED = "docs/figures/*.png"


def _tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return listed.splitlines()


def test_no_generated_file_is_tracked() -> None:
    generated = [
        path
        for path in _tracked_files()
        if path not in ALLOWED
        and not fnmatch.fnmatch(path, CURATED)
        and any(fnmatch.fnmatch(path, p) for p in GENERATED)
    ]
    assert generated == []


def test_nothing_points_outside_the_repository() -> None:
    outside = "../" + "shared"  # spelled in two parts so this file does not match itself
    pointing = [
        path
        for path in _tracked_files()
        if (ROOT / path).is_file() and outside in (ROOT / path).read_text(errors="ignore")
    ]
    assert pointing == []


def test_gitignore_covers_what_runs_write() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(
            (
                "checkpoints/epoch=3-step=16.ckpt",
                "somewhere/best.ckpt",
                "experiments/x/run/metrics.json",
                "multirun/x/0/tensorboard/events.out.tfevents.1.host",
                "outputs/2026-01-01/run.log",
                "lightning_logs/version_0/hparams.yaml",
            )
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if ignored.returncode not in (0, 1):
        pytest.skip("git check-ignore is unavailable")
    assert len(ignored.stdout.splitlines()) == 6, ignored.stdout
