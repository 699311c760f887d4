"""make tensorboard's run names: short enough for the sidebar, and still one per folder."""

from __future__ import annotations

from pathlib import Path

from rnnlab.report.tensorboard_view import logdir_spec, run_groups
from tests.report.conftest import write_run

SWEEP = "multirun/memory/2026-12-03_08-56-21_633542"


def test_a_sweep_is_named_by_its_name_and_time_and_an_experiment_by_its_name(
    tmp_path: Path,
) -> None:
    write_run(tmp_path / SWEEP / "0_model=rnn")
    write_run(tmp_path / SWEEP / "1_model=lstm")
    write_run(tmp_path / "experiments/default/2026-12-03_08-56-10_414565")
    write_run(tmp_path / "experiments/default/2026-12-03_09-00-00_000001")
    assert run_groups(tmp_path) == {
        tmp_path / "experiments/default": "default",
        tmp_path / SWEEP: "memory 12-03_08-56-21",
    }
    assert logdir_spec(tmp_path) == (
        f"default:{tmp_path}/experiments/default,memory 12-03_08-56-21:{tmp_path}/{SWEEP}"
    )


def test_names_that_would_clash_keep_their_whole_path(tmp_path: Path) -> None:
    """Two sweeps started in the same second differ only in their microseconds."""
    first, second = "multirun/x/2026-12-03_08-56-21_1", "multirun/x/2026-12-03_08-56-21_2"
    write_run(tmp_path / first / "0_seed=1")
    write_run(tmp_path / second / "0_seed=1")
    assert sorted(run_groups(tmp_path).values()) == [first, second]


def test_separators_of_a_spec_are_left_out_of_names(tmp_path: Path) -> None:
    write_run(tmp_path / "multirun/a:b/2026-12-03_08-56-21_1/0_seed=1")
    assert list(run_groups(tmp_path).values()) == ["a-b 12-03_08-56-21"]


def test_without_runs_the_spec_watches_both_run_roots(tmp_path: Path) -> None:
    """TensorBoard then shows runs as they are written, as before any run existed."""
    assert logdir_spec(tmp_path) == (
        f"experiments:{tmp_path}/experiments,multirun:{tmp_path}/multirun"
    )
