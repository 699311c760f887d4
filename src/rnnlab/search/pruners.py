"""``hparams_search.pruner``: which of Optuna's pruners stops hopeless trials early.

``none`` (the default) keeps every trial to its last epoch, so a search gives what it gave
before pruning existed; ``median`` stops a trial whose epoch is worse than the median of the
earlier trials at that epoch; ``hyperband`` runs trials in brackets of growing budgets.
"""

from __future__ import annotations

from typing import Any

from rnnlab.errors import ConfigError

PRUNERS = ("none", "median", "hyperband")


def check_pruner(name: Any) -> str:
    """The pruner's name, or ConfigError in one sentence."""
    text = "none" if name is None else str(name)
    if text not in PRUNERS:
        raise ConfigError(
            f"hparams_search.pruner={text} is not a pruner: use one of {', '.join(PRUNERS)}."
        )
    return text


def make_pruner(name: Any, max_epochs: int | None = None) -> Any:
    """Optuna's pruner for ``name``; hyperband's largest budget is the run's epochs."""
    import optuna

    name = check_pruner(name)
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    if name == "hyperband":
        top = max_epochs if max_epochs and max_epochs > 0 else "auto"
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=top)
    return optuna.pruners.NopPruner()
