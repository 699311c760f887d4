"""rnnlab-train: compose a run from conf/, validate it, train it, test it.

Torch and Lightning are imported only after the config has passed validation, so a bad value
is reported in well under a second. What a sweep (``-m``) adds around Hydra — pre-flight of
every job, resume, the folder lock, the exit status — is in ``rnnlab.sweep.launch``; what one
job does with a failure is in ``rnnlab.sweep.job``.
"""

from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig

from rnnlab.config.guard import exit_on_user_error
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.processes import refuse_ddp_in_multirun
from rnnlab.config.validation import validate
from rnnlab.run import startup
from rnnlab.sweep import launch
from rnnlab.sweep.folders import register_job_folder_resolver
from rnnlab.sweep.job import run_job

# A user's mistake is caught and said in one sentence; what reaches Hydra is a bug, and a bug
# needs its whole traceback, which Hydra prints only with this set.
os.environ.setdefault("HYDRA_FULL_ERROR", "1")

#: The primary config in CONFIG_DIR; the group check also reads its hydra.searchpath.
CONFIG_NAME = "train"
PROGRAM = "rnnlab-train"

# At import, so that launcher workers that unpickle ``run`` know the resolver too.
register_job_folder_resolver()


def _train(cfg: DictConfig) -> float | None:
    validate(cfg)
    refuse_ddp_in_multirun(cfg)  # a search's jobs are not known to the pre-flight
    startup.import_long_lived(["rnnlab.run.training"])
    from rnnlab.run.training import train

    return train(cfg)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name=CONFIG_NAME)
def run(cfg: DictConfig) -> float | None:
    return run_job(cfg, _train, PROGRAM)


def main() -> float | None:
    try:
        with exit_on_user_error(PROGRAM):
            arguments, sweeping = launch.prepare(sys.argv[1:], CONFIG_DIR, CONFIG_NAME, PROGRAM)
    except KeyboardInterrupt:  # Ctrl-C while checking or importing: exit 1, not a trace
        raise SystemExit(1) from None
    sys.argv = [sys.argv[0], *arguments]
    with launch.launched(sweeping, PROGRAM):
        return run()


if __name__ == "__main__":
    main()
