"""One trial seen from inside its job: report the monitored metric each epoch, and ask
whether the study's pruner stops it.

The job finds its trial by its job number, which is the trial's number (the sweeper launches
trial N as job N), and the study by the sweeper's storage and study name.
"""

from __future__ import annotations

from typing import Any

from rnnlab.search.pruners import make_pruner
from rnnlab.search.storage import open_storage


class TrialReporter:
    """Optuna's ``Trial.report`` / ``Trial.should_prune`` for trial ``number`` of a study."""

    def __init__(
        self, storage_url: str, study_name: str, number: int, pruner: str, max_epochs: int | None
    ) -> None:
        import optuna

        storage = open_storage(storage_url)
        study = optuna.load_study(
            study_name=study_name, storage=storage, pruner=make_pruner(pruner, max_epochs)
        )
        study_id = storage.get_study_id_from_name(study_name)
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, number)
        self.trial: Any = optuna.trial.Trial(study, trial_id)

    def report(self, value: float, epoch: int) -> bool:
        """Record the value at ``epoch``; whether the pruner says to stop the trial now."""
        self.trial.report(value, epoch)
        return bool(self.trial.should_prune())
