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
