"""Job folder names: number first, swept values, nothing that nests or overflows."""

from __future__ import annotations

from rnnlab.sweep.folders import MAX_NAME, job_folder_name


def test_name_is_number_and_values() -> None:
    assert job_folder_name(3, "data.seq_len=100,model=lstm") == "3_data.seq_len=100,model=lstm"
    assert job_folder_name(0, "") == "0"


def test_separators_never_nest_folders() -> None:
    name = job_folder_name(1, "data.path=/home/me/x.npz,note=a b:c")
    assert "/" not in name and " " not in name and ":" not in name
    assert name.startswith("1_data.path=")


def test_long_names_are_cut_and_stay_unique() -> None:
    first = job_folder_name(7, "note=" + "a" * 300)
    second = job_folder_name(7, "note=" + "a" * 299 + "b")
    assert len(first) <= MAX_NAME and len(second) <= MAX_NAME
    assert first != second and first.startswith("7_note=aaa")


def test_sampled_floats_are_shown_to_four_significant_digits() -> None:
    """An Optuna trial's 17-digit values no longer push the learning rate off the name."""
    name = job_folder_name(
        0,
        "data.batch_size=16,model.dropout=0.02904180608409973,model.hidden_size=16,"
        "model.num_layers=1,optimizer.lr=0.0013292918943162175",
    )
    assert name == (
        "0_data.batch_size=16,model.dropout=0.02904,model.hidden_size=16,"
        "model.num_layers=1,optimizer.lr=0.001329"
    )
    # values no longer than that stay as Hydra wrote them
    assert job_folder_name(2, "lr=10000.0,wd=1e-05,clip=2.50,seed=3,note=v1.23456") == (
        "2_lr=10000.0,wd=1e-05,clip=2.50,seed=3,note=v1.23456"
    )
