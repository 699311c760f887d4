"""``hparams_search=optuna``'s sweeper: the Optuna sweeper, with its study kept in the sweep
folder so that an interrupted search continues toward its total number of trials.

Without the sweep extra (hydra-optuna-sweeper) this module defines nothing, so Hydra's
plugin scan, which imports every module here at each start, stays quiet.
"""

from __future__ import annotations

from typing import Any

try:
    from hydra_plugins.hydra_optuna_sweeper import optuna_sweeper
except ImportError:  # the sweep extra is not installed
    optuna_sweeper = None

if optuna_sweeper is not None:
    from rnnlab.compat.optuna_sweeper import SearchSweeper
    from rnnlab.sweep.study import continue_study

    class ResumableOptunaSweeper(optuna_sweeper.OptunaSweeper):
        """OptunaSweeper that first finishes the trials an earlier launch left running."""

        def sweep(self, arguments: list[str]) -> Any:
            continue_study(SearchSweeper(self), arguments)
            return super().sweep(arguments)
