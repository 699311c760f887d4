"""rnnlab-train: compose a run from conf/, validate it, train it, test it.

Torch and Lightning are imported only after the config has passed validation, so a
bad value is reported in well under a second.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from rnnlab.config.guard import exit_on_user_error
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.config.validation import validate


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="train")
def main(cfg: DictConfig) -> float | None:
    with exit_on_user_error("rnnlab-train"):
        validate(cfg)
        from rnnlab.run.training import train

        return train(cfg)


if __name__ == "__main__":
    main()
