"""The launcher side of resuming a sweep, with a stand-in launcher that records its calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra.core.utils import JobReturn, JobStatus

from rnnlab.run_folder import run_status
from rnnlab.sweep.resuming import ResumingLauncher, describe, plan_jobs

BATCH = [[f"model={model}", f"seed={seed}"] for model in ("rnn", "gru") for seed in (1, 2)]
BATCH.append(["model=lstm", "seed=1"])


class RecordingLauncher:
    def __init__(self) -> None:
        self.calls: list[tuple[int, list[list[str]]]] = []

    def launch(self, job_overrides: list[list[str]], initial_job_idx: int) -> list[JobReturn]:
        self.calls.append((initial_job_idx, [list(o) for o in job_overrides]))
        return [
            JobReturn(overrides=list(o), status=JobStatus.COMPLETED, _return_value=i)
            for i, o in enumerate(job_overrides, start=initial_job_idx)
        ]


def _job(sweep: Path, number: int, status: str | None, checkpoint: bool = False) -> Path:
    folder = sweep / f"{number}_{','.join(BATCH[number])}"
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(
        "".join(f"- {o}\n" for o in reversed(BATCH[number]))  # order within a job is free
    )
    if status is not None:
        (folder / "metrics.json").write_text(json.dumps({"status": status}))
    if checkpoint:
        (folder / "checkpoints").mkdir()
        (folder / "checkpoints" / "last.ckpt").write_bytes(b"x")
    return folder


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """Job 0 completed, 1 diverged, 2 interrupted with a checkpoint, 3 started without one,
    4 never started."""
    _job(tmp_path, 0, "completed")
    _job(tmp_path, 1, "diverged")
    _job(tmp_path, 2, None, checkpoint=True)
    _job(tmp_path, 3, None)
    return tmp_path


def test_each_state_gets_its_action(sweep: Path) -> None:
    plans = plan_jobs(sweep, BATCH, 0, retry_failed=False)
    assert [(p.state, p.action) for p in plans] == [
        ("completed", "keep"),
        ("diverged", "keep"),
        ("interrupted", "continue"),
        ("incomplete", "restart"),
        ("missing", "run"),
    ]
    assert describe(plans) == (
        "5 jobs: 1 completed (kept), 1 diverged (kept), 1 interrupted (to continue from its "
        "last checkpoint), 1 to run again, 1 to run; hydra.sweeper.retry_failed=true runs "
        "the failed ones again"
    )
    retried = plan_jobs(sweep, BATCH, 0, retry_failed=True)
    assert [p.action for p in retried] == ["keep", "restart", "continue", "restart", "run"]


def test_only_pending_jobs_are_launched_under_their_own_numbers(sweep: Path) -> None:
    inner = RecordingLauncher()
    returns = ResumingLauncher(inner, sweep, retry_failed=False).launch(BATCH, 0)
    assert inner.calls == [(2, BATCH[2:5])]
    assert [r.return_value for r in returns] == [None, None, 2, 3, 4]
    assert not list(sweep.glob("3_*"))  # cleared before it runs again
    assert run_status(next(sweep.glob("2_*"))) == "interrupted"  # kept: it continues


def test_retry_failed_reruns_a_diverged_job_from_a_cleared_folder(sweep: Path) -> None:
    inner = RecordingLauncher()
    ResumingLauncher(inner, sweep, retry_failed=True).launch(BATCH, 0)
    assert inner.calls == [(1, BATCH[1:5])]
    assert not list(sweep.glob("1_*"))
    assert run_status(next(sweep.glob("0_*"))) == "completed"


def test_a_fresh_sweep_is_handed_over_whole(tmp_path: Path) -> None:
    inner = RecordingLauncher()
    ResumingLauncher(inner, tmp_path / "new", retry_failed=False).launch(BATCH, 5)
    assert inner.calls == [(5, BATCH)]


def test_a_folder_holding_another_job_is_not_taken_for_it(sweep: Path) -> None:
    other = [list(reversed(BATCH))[i] for i in range(len(BATCH))]
    with pytest.raises(RuntimeError, match="holds a job with overrides"):
        plan_jobs(sweep, other, 0, retry_failed=False)
