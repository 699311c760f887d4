"""The report of a search, from its Optuna study: how its trials ended, the pruned ones,
the optimization history and the parameter importances (Optuna's own evaluator) as
figures, and the ``optuna-dashboard`` command for those who have it.

Figures are drawn on ``matplotlib.figure.Figure`` as every other report figure is (no
pyplot state); a search whose study cannot be read is reported without this section's
figures, never failed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.report.plan import SearchStudy
from rnnlab.run_folder import job_dir_by_number
from rnnlab.search.storage import dashboard_command, open_storage

HISTORY_FILE = "search_history.png"
IMPORTANCE_FILE = "search_importances.png"
FIGURES_DIR = "figures"


@dataclass(frozen=True)
class SearchSection:
    """What the search adds to report.md, to the terminal, and which figures it drew."""

    markdown: list[str] = field(default_factory=list)
    terminal: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def added_to(self, text: str) -> str:
        """report.md's text with this section at its end."""
        if not self.markdown:
            return text
        return text.rstrip("\n") + "\n\n" + "\n".join(self.markdown) + "\n"


def _finite(trial: Any) -> bool:
    return trial.value is not None and math.isfinite(trial.value)


def _history_figure(trials: list[Any], direction: str) -> Any:
    """Each complete trial's value by trial number, the best so far as a line, pruned trials
    at their last reported value."""
    from matplotlib.figure import Figure
    from optuna.trial import TrialState

    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    done = [t for t in trials if t.state == TrialState.COMPLETE and _finite(t)]
    pick = max if direction == "maximize" else min
    best, line = None, []
    for trial in done:
        best = trial.value if best is None else pick(best, trial.value)
        line.append(best)
    axes.plot([t.number for t in done], [t.value for t in done], "o", label="complete trial")
    axes.step([t.number for t in done], line, where="post", label="best so far")
    pruned = [t for t in trials if t.state == TrialState.PRUNED and t.intermediate_values]
    if pruned:
        last = [t.intermediate_values[max(t.intermediate_values)] for t in pruned]
        axes.plot([t.number for t in pruned], last, "x", label="pruned (last reported)")
    axes.set_xlabel("trial")
    axes.set_ylabel("objective")
    axes.set_title("optimization history")
    axes.legend(loc="best")
    return figure


def _importance_figure(importances: dict[str, float]) -> Any:
    from matplotlib.figure import Figure

    names = list(importances)[::-1]
    figure = Figure(figsize=(7, 0.5 * len(names) + 1.5), layout="constrained")
    axes = figure.add_subplot()
    axes.barh(names, [importances[name] for name in names])
    axes.set_xlabel("importance (sums to 1)")
    axes.set_title("parameter importances")
    return figure


def _importances(study: Any, trials: list[Any]) -> tuple[dict[str, float], str]:
    """Optuna's importances over the complete trials with a finite value (a failed trial
    is told the worst value, infinite, which no evaluator can weigh), and the name of the
    evaluator that gave them."""
    import optuna
    from optuna.trial import TrialState

    usable = [t for t in trials if t.state == TrialState.COMPLETE and _finite(t)]
    if len(usable) < 2:
        return {}, ""
    copy = optuna.create_study(direction=study.direction)
    copy.add_trials(usable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # fANOVA (Optuna's default) needs scikit-learn; PED-ANOVA does not
            evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)  # same report twice
            return optuna.importance.get_param_importances(copy, evaluator=evaluator), "fANOVA"
        except ImportError:
            try:
                evaluator = optuna.importance.PedAnovaImportanceEvaluator()
                found = optuna.importance.get_param_importances(copy, evaluator=evaluator)
            except (RuntimeError, ValueError):
                return {}, ""
            return found, "PED-ANOVA"
        except (RuntimeError, ValueError):  # e.g. every trial got the same values
            return {}, ""


def search_section(sweep_dir: Path, where: SearchStudy | None, figures: bool) -> SearchSection:
    """The search section of ``sweep_dir``'s report (empty for a grid)."""
    if where is None:
        return SearchSection()
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dashboard = dashboard_command(where.storage)
    try:
        study = optuna.load_study(study_name=where.study_name, storage=open_storage(where.storage))
    except Exception as error:  # a missing or damaged study: the rest of the report stands
        line = f"its Optuna study could not be read ({type(error).__name__})"
        return SearchSection(["## Search", "", line + "."], [f"search: {line}"])
    trials = study.get_trials(deepcopy=False)
    counts: dict[str, int] = {}
    for trial in trials:
        counts[trial.state.name.lower()] = counts.get(trial.state.name.lower(), 0) + 1
    states = ", ".join(f"{n} {state}" for state, n in counts.items())
    markdown = [
        "## Search",
        "",
        f"Study `{where.study_name}` ({len(trials)} trials: {states}); see it with `{dashboard}`.",
    ]
    terminal = [f"search: {len(trials)} trials ({states}); study: {dashboard}"]
    folders = job_dir_by_number(sweep_dir)
    pruned = [t for t in trials if t.state.name == "PRUNED"]
    if pruned:
        markdown += ["", "Pruned trials (stopped early by the pruner):", ""]
        for trial in pruned:
            epochs = len(trial.intermediate_values)
            folder = folders.get(trial.number)
            name = folder.name if folder is not None else f"trial {trial.number}"
            markdown.append(f"- `{name}`: after {epochs} epoch{'s' if epochs != 1 else ''}")
        terminal.append(f"pruned: {', '.join(f'#{t.number}' for t in pruned)}")
    importances, evaluator = _importances(study, trials)
    if importances:
        rows = " ".join(f"{name} {value:.2f}," for name, value in importances.items())
        markdown += [
            "",
            f"Parameter importances (Optuna's {evaluator} evaluator, complete trials):",
        ]
        markdown += ["", "| parameter | importance |", "| --- | --- |"]
        markdown += [f"| {name} | {value:.3f} |" for name, value in importances.items()]
        terminal.append(f"importances: {rows.rstrip(',')}")
    files: list[Path] = []
    if figures and any(t.state.name == "COMPLETE" for t in trials):
        drawn = {HISTORY_FILE: _history_figure(trials, study.direction.name.lower())}
        if importances:
            drawn[IMPORTANCE_FILE] = _importance_figure(importances)
        for name, figure in drawn.items():
            path = sweep_dir / FIGURES_DIR / name
            path.parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(path, dpi=120)
            files.append(path)
            markdown += ["", f"![{name}]({FIGURES_DIR}/{name})"]
    return SearchSection(markdown, terminal, files)
