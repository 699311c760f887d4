"""RunCheckpoint: Lightning's ModelCheckpoint, with a "best" that survives a resume and a
``last.ckpt`` that is always the latest epoch.

Lightning 2.6 writes ``last.ckpt`` only at the steps where a top-k checkpoint was saved, so
after an epoch that did not improve the monitor, ``last.ckpt`` still holds an older epoch and
a resume would train epochs again. RunCheckpoint writes it at every checkpointing point.

rnnlab resumes a run into a new run folder. Lightning reloads ``best_model_score`` only when
the checkpoint folder is unchanged, so after a resume ``best.ckpt`` would be the best of the
resumed epochs alone, while ``val/*_best`` (module state) remembers all of them. Here the
earlier run's best checkpoint is copied into the new folder with its score, so best.ckpt,
``val/*_best`` and the tested epoch agree across any number of resumes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from lightning_fabric.utilities.rank_zero import rank_zero_only
from pytorch_lightning.callbacks import ModelCheckpoint


class RunCheckpoint(ModelCheckpoint):
    """``best.ckpt`` by the run's monitor and ``last.ckpt`` to resume from."""

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        previous_dir = state_dict.get("dirpath", self.dirpath)
        previous_best = state_dict.get("best_model_path") or ""
        score = state_dict.get("best_model_score")
        if previous_dir == self.dirpath or score is None or not Path(previous_best).is_file():
            super().load_state_dict(state_dict)
            return
        carried = Path(str(self.dirpath)) / Path(previous_best).name
        if rank_zero_only.rank == 0:
            carried.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(previous_best, carried)
        self.best_model_path = self.kth_best_model_path = str(carried)
        self.best_model_score = self.kth_value = score
        self.best_k_models = {str(carried): score}

    # last.ckpt at every epoch ------------------------------------------------------------
    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        super().on_train_epoch_end(trainer, pl_module)
        if self._should_save_on_train_epoch_end(trainer):
            self._save_last_if_behind(trainer)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        super().on_validation_end(trainer, pl_module)
        if not self._should_save_on_train_epoch_end(trainer):
            self._save_last_if_behind(trainer)

    def _save_last_if_behind(self, trainer: pl.Trainer) -> None:
        """Write last.ckpt unless this step already wrote a checkpoint (or must not)."""
        if self.save_last and not self._should_skip_saving_checkpoint(trainer):
            self._save_last_checkpoint(trainer, self._monitor_candidates(trainer))
