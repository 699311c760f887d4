"""rnnlab-eval: test a checkpoint on the test split of the run that wrote it."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from rnnlab.config.guard import exit_on_user_error
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.validation import validate


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="eval")
def main(cfg: DictConfig) -> None:
    with exit_on_user_error("rnnlab-eval"):
        validate(cfg)
        from rnnlab.run.evaluation import evaluate

        evaluate(cfg)


if __name__ == "__main__":
    main()
