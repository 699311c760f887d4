"""The search section of a report, from a study written without training: trials by state,
the pruned ones by folder, importances and history figures, the optuna-dashboard command."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState

from rnnlab.report.plan import SearchStudy
from rnnlab.report.search import HISTORY_FILE, IMPORTANCE_FILE, search_section

SPACE = {
    "optimizer.lr": FloatDistribution(1e-4, 1e-1, log=True),
    "model.hidden_size": CategoricalDistribution([16, 32]),
}


def _study(sweep: Path) -> SearchStudy:
    where = SearchStudy(f"sqlite:///{sweep}/optuna.db", "s")
    study = optuna.create_study(
        study_name="s",
        storage=where.storage,
        direction="maximize",
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    for number in range(8):
        trial = study.ask(SPACE)
        (sweep / f"{number}_job" / ".hydra").mkdir(parents=True)
        if number in (3, 5):
            trial.report(0.2, 0)
            study.tell(trial, state=TrialState.PRUNED)
        elif number == 6:
            study.tell(trial, float("-inf"))  # a diverged trial, ranked worst
        else:
            study.tell(trial, trial.params["optimizer.lr"] * 10)
    return where


def test_the_search_section_says_what_the_study_holds(tmp_path: Path) -> None:
    section = search_section(tmp_path, _study(tmp_path), figures=True)
    text = "\n".join(section.markdown)
    assert "(8 trials: 6 complete, 2 pruned)" in text
    assert f"optuna-dashboard sqlite:///{tmp_path}/optuna.db" in text
    assert "- `3_job`: after 1 epoch" in text and "- `5_job`: after 1 epoch" in text
    assert "| optimizer.lr |" in text and "| model.hidden_size |" in text
    assert [path.name for path in section.files] == [HISTORY_FILE, IMPORTANCE_FILE]
    assert all(path.stat().st_size > 10_000 for path in section.files)
    assert section.terminal[0].startswith("search: 8 trials (6 complete, 2 pruned); study: ")
    assert section.terminal[1] == "pruned: #3, #5"
    again = search_section(tmp_path, SearchStudy(_study_url(tmp_path), "s"), figures=False)
    rows = [line for line in section.markdown if line.startswith("| ")]
    assert [line for line in again.markdown if line.startswith("| ")] == rows  # reproducible
    assert again.files == [] and not any(line.startswith("![") for line in again.markdown)


def _study_url(sweep: Path) -> str:
    return f"sqlite:///{sweep}/optuna.db"


def test_a_grid_has_no_search_section_and_a_lost_study_is_said(tmp_path: Path) -> None:
    assert search_section(tmp_path, None, figures=True).markdown == []
    lost = search_section(tmp_path, SearchStudy(_study_url(tmp_path), "gone"), figures=True)
    assert lost.terminal == ["search: its Optuna study could not be read (KeyError)"]


def test_the_importances_name_the_evaluator_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = _study(tmp_path)
    text = "\n".join(search_section(tmp_path, where, figures=False).markdown)
    default = "fANOVA" if importlib.util.find_spec("sklearn") else "PED-ANOVA"
    assert f"Parameter importances (Optuna's {default} evaluator, complete trials):" in text

    def no_scikit_learn(**_: object) -> None:
        raise ImportError("fANOVA needs scikit-learn")

    monkeypatch.setattr(optuna.importance, "FanovaImportanceEvaluator", no_scikit_learn)
    text = "\n".join(search_section(tmp_path, where, figures=False).markdown)
    assert "Parameter importances (Optuna's PED-ANOVA evaluator, complete trials):" in text
    assert "fANOVA" not in text and "| optimizer.lr |" in text
