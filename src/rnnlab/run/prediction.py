"""Apply a trained model to new sequences: what rnnlab-predict does.

Everything comes from the checkpoint: the network and its weights, its task (the stored
TaskSpec) and the scaling fitted on its training split (``rnnlab_normalisation``), so the
new file is scaled exactly as the training data were and the training data are not read.
A .csv is read with the column names of the checkpoint's data=file config (or the
defaults: id, time, target), unless ``id_column``, ``time_column`` or ``target_column``
name others; its features by the names the model was trained on. Lightning's predict
loop runs the module's ``predict_step``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
from omegaconf import DictConfig, OmegaConf

from rnnlab.callbacks.run_config import CHECKPOINT_KEY, NORMALISATION_KEY, TASK_SPEC_KEY
from rnnlab.config.commands import command_name
from rnnlab.data.loader import TensorBatchLoader
from rnnlab.data.normalisation import Normalisation
from rnnlab.data.sources.chunking import chunk_steps
from rnnlab.data.sources.file_reading import read_sequence_file
from rnnlab.data.sources.sequence_file import PREDICT_SETTINGS, CsvColumns, SequenceFile
from rnnlab.data.spec import SequenceTensors, TaskSpec
from rnnlab.errors import CheckpointError, ConfigError
from rnnlab.models.module import SequenceModule
from rnnlab.run.checkpoints import load_run_checkpoint, load_weights
from rnnlab.run.components import build_datamodule, build_module
from rnnlab.run.prediction_table import prediction_table, write_table
from rnnlab.run.quiet import quiet_known_warnings


@dataclass(frozen=True)
class TrainedModel:
    """A checkpoint's network with what it needs to read new sequences."""

    path: str
    module: SequenceModule
    spec: TaskSpec
    #: None for the synthetic tasks, which are not scaled.
    normalisation: Normalisation | None
    #: Consecutive steps read as one input (data=ucr's data.chunk).
    chunk: int
    columns: CsvColumns

    @property
    def raw_features(self) -> int:
        """Features per time step of the data the model was trained on, before chunking."""
        return self.spec.input_size // self.chunk


def _stored_spec(checkpoint: dict[str, Any], run_cfg: DictConfig) -> TaskSpec:
    """The stored TaskSpec; an older checkpoint's is rebuilt from its config's data."""
    if TASK_SPEC_KEY in checkpoint:
        return TaskSpec.from_dict(checkpoint[TASK_SPEC_KEY])
    return build_datamodule(run_cfg).spec


def load_trained_model(path: str) -> TrainedModel:
    """The checkpoint at ``path`` ready to predict, or one sentence saying why it is not."""
    checkpoint = load_run_checkpoint(path)
    run_cfg = OmegaConf.create(checkpoint[CHECKPOINT_KEY])
    spec = _stored_spec(checkpoint, run_cfg)
    if spec.per_step:
        raise CheckpointError(
            f"ckpt_path={path!r} was trained on {spec.name}, which answers at every time step: "
            "rnnlab-predict writes one answer per sequence, for tasks trained that way."
        )
    module = build_module(run_cfg, spec)
    load_weights(module, checkpoint, path)
    stored = checkpoint.get(NORMALISATION_KEY)
    data = OmegaConf.to_container(run_cfg.data)
    assert isinstance(data, dict)
    return TrainedModel(
        path=path,
        module=module,
        spec=spec,
        normalisation=None if stored is None else Normalisation.from_dict(stored),
        chunk=int(data.get("chunk", 1)),
        columns=_columns(data, spec),
    )


def _columns(data: dict[str, Any], spec: TaskSpec) -> CsvColumns:
    """The training data's CSV columns; its features by the names it was trained on, so a
    new file with the same columns in another order is read right (and a missing one named)."""
    columns = CsvColumns.from_options(data)
    if spec.feature_names is None:
        return columns
    return replace(columns, feature_columns=spec.feature_names)


#: rnnlab-predict's keys that rename the input file's columns (null: the training data's).
COLUMN_KEYS = ("id_column", "time_column", "target_column")


def input_columns(model: TrainedModel, cfg: DictConfig) -> CsvColumns:
    """The columns to read ``cfg.input`` by: the model's, renamed by the keys that are set."""
    renamed = {key: str(cfg[key]) for key in COLUMN_KEYS if cfg.get(key) is not None}
    return replace(model.columns, **renamed)


def _features_named(file: SequenceFile) -> str:
    return f" ({', '.join(file.feature_names)})" if file.feature_names else ""


def scaled_inputs(model: TrainedModel, file: SequenceFile) -> SequenceTensors:
    """The file's inputs chunked and scaled as the training inputs were."""
    if file.num_features != model.raw_features:
        raise ConfigError(
            f"{file.path} has {file.num_features} features per time step"
            f"{_features_named(file)}, but the model in ckpt_path={model.path!r} was trained "
            f"on {model.raw_features}: give the same features, in the same order, as its "
            "training data."
        )
    inputs, lengths = chunk_steps(file.inputs, file.lengths, model.chunk)
    if model.normalisation is not None:
        inputs = model.normalisation.inputs(inputs, lengths)
    return SequenceTensors(
        torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32)),
        torch.zeros(len(lengths), dtype=torch.long),  # unused: predict_step reads no target
        torch.from_numpy(lengths.astype(np.int64)),
    )


def run_predict_loop(
    model: TrainedModel, tensors: SequenceTensors, batch_size: int, accelerator: str
) -> np.ndarray:
    """(N, outputs): class probabilities, or regression outputs in the network's units."""
    trainer = pl.Trainer(
        accelerator=accelerator,
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    loader = TensorBatchLoader(tensors, batch_size=batch_size)
    batches = trainer.predict(model.module, dataloaders=loader, return_predictions=True)
    return torch.cat([b.float().cpu() for b in batches or []]).numpy()


def in_data_units(model: TrainedModel, tensors: SequenceTensors, outputs: np.ndarray) -> np.ndarray:
    """Regression outputs turned back into the data's own units (classification: as is)."""
    if model.spec.is_classification or model.normalisation is None:
        return outputs
    return model.normalisation.restore_targets(
        outputs, tensors.inputs.numpy(), tensors.lengths.numpy()
    )


#: Where rnnlab-predict can run the network.
ACCELERATORS = ("cpu", "gpu", "auto")


def _check_settings(cfg: DictConfig) -> None:
    for key in ("ckpt_path", "input", "output"):
        if OmegaConf.is_missing(cfg, key) or not cfg.get(key):
            raise ConfigError(
                f"{key} is required: {command_name('rnnlab-predict')} ckpt_path=<.ckpt> "
                "input=<.npz or .csv> output=<.csv>."
            )
    size = cfg.get("batch_size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError(f"batch_size={size} is not valid: expected an integer >= 1.")
    if Path(str(cfg.output)).is_dir():
        raise ConfigError(f"output={cfg.output!r} is a folder: give the path of a .csv file.")
    if Path(str(cfg.output)).resolve() == Path(str(cfg.input)).resolve():
        raise ConfigError(
            f"output={cfg.output!r} is the input file: writing there would overwrite the "
            "sequences; give another path."
        )
    accelerator = str(cfg.get("accelerator"))
    if accelerator not in ACCELERATORS:
        raise ConfigError(
            f"accelerator={accelerator} is not valid: expected one of {', '.join(ACCELERATORS)}."
        )
    if accelerator == "gpu" and not torch.cuda.is_available():
        raise ConfigError(
            "accelerator=gpu, but torch finds no GPU here: use accelerator=cpu (or auto)."
        )


def predict(cfg: DictConfig) -> Path:
    """Predict every sequence of ``cfg.input`` with ``cfg.ckpt_path``; write ``cfg.output``."""
    quiet_known_warnings()
    _check_settings(cfg)
    model = load_trained_model(str(cfg.ckpt_path))
    columns = input_columns(model, cfg)
    file = read_sequence_file(
        cfg.input,
        "input",
        columns,
        False,
        PREDICT_SETTINGS,
        allow_pickle=bool(cfg.get("allow_pickle", False)),
    )
    tensors = scaled_inputs(model, file)
    outputs = run_predict_loop(model, tensors, int(cfg.batch_size), str(cfg.accelerator))
    header, rows = prediction_table(model.spec, file, in_data_units(model, tensors, outputs))
    output = Path(str(cfg.output))
    write_table(output, header, rows)
    return output
