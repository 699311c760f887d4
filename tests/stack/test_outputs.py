"""A stack's outputs: a member whose figures fail keeps its results; a stack that fails says
so in every member's folder."""

from __future__ import annotations

import json
import logging

import numpy as np
from omegaconf import OmegaConf

from rnnlab.stack.members import MemberJob
from rnnlab.stack.outputs import FigureOrder, draw_all
from rnnlab.sweep.stacked_launch import _record_stack_failure


def _order(folder) -> FigureOrder:
    curves = {"train/loss": [[1, 0.7], [2, 0.5]], "val/loss": [[1, 0.72], [2, 0.55]]}
    return FigureOrder(
        folder, curves, 0.69, "guess", "Loss", np.eye(2, dtype=int), ("0", "1"), "Confusion"
    )


def test_a_member_whose_figures_fail_leaves_the_others_drawn(tmp_path, caplog) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the member's figures folder should be")
    good = tmp_path / "good" / "figures"
    with caplog.at_level(logging.WARNING):
        draw_all([_order(blocked / "figures"), _order(good)])
    assert (good / "loss_curve.png").is_file() and (good / "confusion_matrix.png").is_file()
    assert "could not be drawn" in caplog.text and "blocked" in caplog.text


def test_a_failed_stack_is_recorded_in_each_members_folder(tmp_path) -> None:
    jobs = []
    for seed in (1, 2):
        cfg = OmegaConf.create({"seed": seed, "paths": {"output_dir": str(tmp_path / str(seed))}})
        (tmp_path / str(seed)).mkdir()
        jobs.append(MemberJob(cfg, {}, [f"seed={seed}"], [("seed", str(seed))]))
    _record_stack_failure(jobs, RuntimeError("out of memory\nmore lines"))
    for seed in (1, 2):
        record = json.loads((tmp_path / str(seed) / "metrics.json").read_text())
        assert record["status"] == "failed"
        assert record["message"] == "the stack this job trained in failed: out of memory"
        assert record["overrides"] == [f"seed={seed}"]
