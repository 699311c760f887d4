"""rnnlab-eval: test a checkpoint on the test split of the run that wrote it."""

from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig

from rnnlab.config.composition import check_command_line
from rnnlab.config.guard import exit_on_user_error
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.validation import validate
from rnnlab.run import startup

# A user's mistake is caught and said in one sentence; what reaches Hydra is a bug, and a bug
# needs its whole traceback, which Hydra prints only with this set.
os.environ.setdefault("HYDRA_FULL_ERROR", "1")

#: The primary config in CONFIG_DIR; the group check also reads its hydra.searchpath.
CONFIG_NAME = "eval"
PROGRAM = "rnnlab-eval"


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name=CONFIG_NAME)
def run(cfg: DictConfig) -> None:
    with exit_on_user_error(PROGRAM):
        validate(cfg)
        startup.import_long_lived(["rnnlab.run.evaluation"])
        from rnnlab.run.evaluation import evaluate

        evaluate(cfg)


def main() -> None:
    with exit_on_user_error(PROGRAM):
        arguments = check_command_line(sys.argv[1:], CONFIG_DIR, CONFIG_NAME)
    sys.argv = [sys.argv[0], *arguments]  # paths quoted for Hydra's grammar
    run()


if __name__ == "__main__":
    main()
