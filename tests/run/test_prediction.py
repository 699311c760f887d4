"""rnnlab-predict: a trained model on new files gives the test step's answers, row by row."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

from rnnlab.callbacks.run_config import CHECKPOINT_KEY, TASK_SPEC_KEY
from rnnlab.config.locations import CONFIG_DIR
from rnnlab.data.sources.splitting import split_indices
from rnnlab.data.spec import TaskSpec
from rnnlab.errors import CheckpointError, ConfigError
from rnnlab.run.checkpoints import check_same_run, load_run_checkpoint, load_weights
from rnnlab.run.components import build_datamodule, build_module
from rnnlab.run.evaluation import evaluate
from rnnlab.run.prediction import predict
from rnnlab.run.training import train
from tests.conftest import TINY_RUN, run_command

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: TINY_RUN without the synthetic tasks' sizes, and without a logger.
QUICK = [o for o in TINY_RUN if not o.startswith("data.num_")] + ["logger=none"]
CSV_DATA = (
    "data=file",
    f"data.path={EXAMPLES / 'sequences.csv'}",
    "data.id_column=sequence",
    "data.time_column=step",
    "data.target_column=total",
)


def _compose(root: Path, name: str, *overrides: str) -> DictConfig:
    """A config as the command line composes it, its run folder ``root/name``."""
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(
            "train" if name.startswith("train") else "predict",
            overrides=[f"paths.root_dir={root}", *overrides],
            return_hydra_config=True,
        )
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(root / name)
        cfg.paths.output_dir = str(root / name)  # not read back from whichever run is current
    HydraConfig.instance().set_config(cfg)
    return cfg


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DictConfig]]:
    """One tiny run on each example file: npz classification, csv regression."""
    root = tmp_path_factory.mktemp("prediction")
    runs = {
        "npz": _compose(
            root, "train_npz", "data=file", f"data.path={EXAMPLES / 'sequences.npz'}", *QUICK
        ),
        "csv": _compose(root, "train_csv", *CSV_DATA, *QUICK),
    }
    for cfg in runs.values():
        HydraConfig.instance().set_config(cfg)
        train(cfg)
    yield runs
    HydraConfig.instance().cfg = None


def _best(cfg: DictConfig) -> Path:
    return Path(cfg.paths.output_dir) / "checkpoints" / "best.ckpt"


def _test_metrics(cfg: DictConfig) -> dict[str, float]:
    return json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())["metrics"]


def _predict(run: DictConfig, source: Path, output: Path, *overrides: str) -> list[dict[str, str]]:
    cfg = _compose(
        output.parent, "predict", f"ckpt_path={_best(run)}", f"input={source}", *overrides
    )
    with open_dict(cfg):
        cfg.output = str(output)
    predict(cfg)
    with open(output, newline="") as file:
        return list(csv.DictReader(file))


def _module_outputs(run: DictConfig) -> torch.Tensor:
    """What the test step's network computes on the run's test split."""
    HydraConfig.instance().set_config(run)
    datamodule = build_datamodule(run)
    module = build_module(run, datamodule.spec)
    load_weights(module, load_run_checkpoint(str(_best(run))), str(_best(run)))
    test = datamodule.splits.test
    with torch.no_grad():
        return module.eval()(test.inputs, test.lengths)


def test_predicted_classes_score_the_test_split_as_the_test_step(trained, tmp_path) -> None:
    run = trained["npz"]
    rows = _predict(run, EXAMPLES / "sequences.npz", tmp_path / "out" / "classes.csv")
    assert list(rows[0]) == ["id", "predicted", "prob_0", "prob_1", "prob_2", "target", "split"]
    test_rows = [row for row in rows if row["split"] == "test"]
    accuracy = np.mean([row["predicted"] == row["target"] for row in test_rows])
    assert accuracy == pytest.approx(_test_metrics(run)["test/acc"], abs=1e-6)
    probabilities = np.array([[float(row[f"prob_{c}"]) for c in "012"] for row in test_rows])
    expected = _module_outputs(run).softmax(dim=-1).numpy()
    assert np.allclose(probabilities, expected, atol=1e-6)
    assert [row["predicted"] for row in test_rows] == [str(c) for c in expected.argmax(axis=1)]


def test_checkpoints_store_the_task_spec(trained) -> None:
    run = trained["npz"]
    stored = load_run_checkpoint(str(_best(run)))[TASK_SPEC_KEY]
    HydraConfig.instance().set_config(run)
    assert TaskSpec.from_dict(stored) == build_datamodule(run).spec


def test_predicted_values_are_in_the_datas_units_and_score_as_tested(trained, tmp_path) -> None:
    run = trained["csv"]
    rows = _predict(run, EXAMPLES / "sequences.csv", tmp_path / "values.csv")
    assert list(rows[0]) == ["id", "predicted", "target"]
    _, _, test = split_indices(len(rows), (0, 0.15, 0.15), 0)  # the source's split of its 40
    norm = build_datamodule(run).normalisation
    predicted = np.array([float(rows[i]["predicted"]) for i in test])
    target = np.array([float(rows[i]["target"]) for i in test])
    scaled_mse = np.mean(((predicted - target) / norm.target_std[0]) ** 2)
    assert scaled_mse == pytest.approx(_test_metrics(run)["test/mse"], rel=1e-4)
    outputs = _module_outputs(run).numpy()[:, 0]
    assert np.allclose(predicted, outputs * norm.target_std[0] + norm.target_mean[0], rtol=1e-5)


def test_new_sequences_without_targets_get_one_row_each(trained, tmp_path) -> None:
    rows = _predict(trained["csv"], EXAMPLES / "new_sequences.csv", tmp_path / "new.csv")
    assert [row["id"] for row in rows] == [f"s{n}" for n in range(100, 105)]
    assert list(rows[0]) == ["id", "predicted"]
    assert all(np.isfinite(float(row["predicted"])) for row in rows)


def test_features_are_read_by_the_names_the_model_was_trained_on(trained, tmp_path) -> None:
    """The model was trained on columns x, y; a file listing y before x gives the same answers,
    and a file without y names it."""
    run = trained["csv"]
    assert build_datamodule(run).spec.feature_names == ("x", "y")
    with open(EXAMPLES / "new_sequences.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    swapped = tmp_path / "swapped.csv"
    with open(swapped, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["y", "step", "sequence", "x"])
        writer.writeheader()
        writer.writerows(rows)
    original = _predict(run, EXAMPLES / "new_sequences.csv", tmp_path / "a" / "original.csv")
    reordered = _predict(run, swapped, tmp_path / "b" / "reordered.csv")
    assert reordered == original
    without_y = tmp_path / "without_y.csv"
    without_y.write_text("".join(f"{r['sequence']},{r['step']},{r['x']}\n" for r in rows[:3]))
    without_y.write_text("sequence,step,x\n" + without_y.read_text())
    with pytest.raises(ConfigError) as raised:
        _predict(run, without_y, tmp_path / "c" / "none.csv")
    assert str(raised.value) == (
        f"{without_y} has no column 'y', an input the model was trained on: its columns are "
        "sequence, step, x; rename the column that holds it to 'y' in the file."
    )


def test_bad_inputs_and_checkpoints_are_one_sentence(trained, tmp_path) -> None:
    run = trained["npz"]
    broken = tmp_path / "broken.csv"
    broken.write_text("sequence,step,x,y\ns1,0,1,1\ns1,0,2,2\n")
    with pytest.raises(ConfigError, match=r"broken.csv: sequence 's1' has time 0 twice"):
        _predict(trained["csv"], broken, tmp_path / "out.csv")
    with pytest.raises(ConfigError, match=r"^input='.*nowhere.npz' does not exist"):
        _predict(run, tmp_path / "nowhere.npz", tmp_path / "out.csv")
    damaged = tmp_path / "damaged.ckpt"
    damaged.write_bytes(b"not a checkpoint")
    cfg = _compose(tmp_path, "predict", f"ckpt_path={damaged}", f"input={broken}")
    with pytest.raises(CheckpointError, match=r"could not be read as a PyTorch checkpoint"):
        predict(cfg)
    assert not (tmp_path / "out.csv").exists()


def test_bad_settings_are_one_sentence(trained, tmp_path) -> None:
    best, data = f"ckpt_path={_best(trained['npz'])}", EXAMPLES / "sequences.npz"
    cases = {
        (f"input={data}",): r"^ckpt_path is required: \S*rnnlab-predict ckpt_path=<\.ckpt>",
        (best, f"input={data}", "accelerator=tpu"): (
            r"^accelerator=tpu is not valid: expected one of cpu, gpu, auto\.$"
        ),
        (best, f"input={data}", f"output={data}"): r"is the input file: writing there would",
    }
    for overrides, message in cases.items():
        cfg = _compose(tmp_path, "predict", *overrides)
        with pytest.raises(ConfigError, match=message):
            predict(cfg)


def test_a_wrong_feature_count_stops_rnnlab_predict_in_one_sentence(trained, tmp_path) -> None:
    np.savez(tmp_path / "three.npz", inputs=np.zeros((4, 5, 3)))
    result = run_command(
        tmp_path,
        "rnnlab-predict",
        f"ckpt_path={_best(trained['npz'])}",
        "input=three.npz",
        "output=predictions.csv",
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"rnnlab-predict: error: three.npz has 3 features per time step, but the model in "
        f"ckpt_path='{_best(trained['npz'])}' was trained on 2: give the same features, in the "
        "same order, as its training data."
    )
    assert not (tmp_path / "predictions.csv").exists()
    assert not (tmp_path / "experiments").exists() or not any((tmp_path / "experiments").iterdir())


def test_a_checkpoint_without_a_stored_spec_rebuilds_it_from_its_data(trained, tmp_path) -> None:
    run = trained["npz"]
    checkpoint = torch.load(_best(run), weights_only=True)
    del checkpoint[TASK_SPEC_KEY]  # as written before checkpoints stored the TaskSpec
    older = tmp_path / "older.ckpt"
    torch.save(checkpoint, older)
    cfg = _compose(tmp_path, "predict", f"ckpt_path={older}", f"input={EXAMPLES / 'sequences.npz'}")
    with open_dict(cfg):
        cfg.output = str(tmp_path / "older.csv")
    predict(cfg)
    newer = _predict(run, EXAMPLES / "sequences.npz", tmp_path / "newer.csv")
    assert (tmp_path / "older.csv").read_text() == (tmp_path / "newer.csv").read_text()
    assert len(newer) == 60


def test_a_model_that_answers_at_every_step_is_refused(tmp_path) -> None:
    run = _compose(tmp_path, "train_copy", "data=copy", *TINY_RUN, "logger=none")
    train(run)
    cfg = _compose(tmp_path, "predict", f"ckpt_path={_best(run)}", f"input={EXAMPLES / 'x.npz'}")
    with pytest.raises(CheckpointError, match=r"was trained on copy, which answers at every time"):
        predict(cfg)


def test_predict_renames_the_id_time_and_target_columns_it_advises(trained, tmp_path) -> None:
    """A missing id column names rnnlab-predict's own key, and that key works."""
    run = trained["csv"]
    with open(EXAMPLES / "sequences.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    renamed = tmp_path / "renamed.csv"
    with open(renamed, "w", newline="") as file:
        names = {"sequence": "key", "step": "t", "total": "y_true"}
        writer = csv.DictWriter(file, fieldnames=[names.get(c, c) for c in rows[0]])
        writer.writeheader()
        writer.writerows({names.get(c, c): v for c, v in row.items()} for row in rows)
    with pytest.raises(ConfigError) as raised:
        _predict(run, renamed, tmp_path / "a" / "out.csv")
    assert str(raised.value) == (
        f"{renamed} has no column 'sequence' (id_column): its columns are key, t, x, y, y_true; "
        "name the right one with id_column=<column>."
    )
    keys = ("id_column=key", "time_column=t", "target_column=y_true")
    answers = _predict(run, renamed, tmp_path / "b" / "out.csv", *keys)
    original = _predict(run, EXAMPLES / "sequences.csv", tmp_path / "c" / "out.csv")
    assert answers == original and list(answers[0]) == ["id", "predicted", "target"]


# a relative data.path is stored absolute: checkpoints work from any directory ---------------
def _compose_in(folder: Path, config: str, run_dir: Path, *overrides: str) -> DictConfig:
    """Compose as a command launched in ``folder`` does (Hydra records it as runtime.cwd)."""
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(
            config,
            overrides=[f"paths.root_dir={run_dir.parent}", *overrides],
            return_hydra_config=True,
        )
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(run_dir)
        cfg.paths.output_dir = str(run_dir)
    HydraConfig.instance().set_config(cfg)
    return cfg


def test_a_relative_data_path_is_stored_absolute_and_resumes(tmp_path, monkeypatch) -> None:
    launch, elsewhere = tmp_path / "launch", tmp_path / "elsewhere"
    (launch / "data").mkdir(parents=True)
    elsewhere.mkdir()
    shutil.copy(EXAMPLES / "sequences.npz", launch / "data" / "runs.npz")
    quick = [o for o in QUICK if not o.startswith("trainer.max_epochs")]
    monkeypatch.chdir(launch)
    first = _compose_in(
        launch,
        "train",
        tmp_path / "first",
        "data=file",
        "data.path=data/runs.npz",
        *quick,
        "trainer.max_epochs=1",
    )
    train(first)
    last = tmp_path / "first" / "checkpoints" / "last.ckpt"
    stored = load_run_checkpoint(str(last))[CHECKPOINT_KEY]["data"]["path"]
    assert stored == str(launch / "data" / "runs.npz")
    # Resumed with the same relative path from the same folder: the same data.
    resumed = _compose_in(
        launch,
        "train",
        tmp_path / "resumed",
        "data=file",
        "data.path=data/runs.npz",
        *quick,
        "trainer.max_epochs=2",
        f"ckpt_path={last}",
    )
    train(resumed)
    assert json.loads((tmp_path / "resumed" / "metrics.json").read_text())["epochs"] == 2
    # rnnlab-eval from another folder reads the file by its stored absolute path.
    monkeypatch.chdir(elsewhere)
    evaluated = _compose_in(
        elsewhere, "eval", tmp_path / "eval", f"ckpt_path={last}", "logger=none"
    )
    assert "test/acc" in evaluate(evaluated)["metrics"]
    HydraConfig.instance().cfg = None


def test_a_checkpoint_that_stored_a_relative_path_still_resumes(tmp_path) -> None:
    """Checkpoints written before paths were stored absolute hold the path as typed."""
    checkpoint = {CHECKPOINT_KEY: {"data": {"path": "data/runs.npz", "task": None}}}
    same = {"data": {"path": str(Path.cwd() / "data" / "runs.npz"), "task": None}}
    check_same_run("old.ckpt", checkpoint, same, ("data",))
    other = {"data": {"path": str(tmp_path / "other.npz"), "task": None}}
    with pytest.raises(CheckpointError, match=r"was trained with data.path='data/runs.npz'"):
        check_same_run("old.ckpt", checkpoint, other, ("data",))


def test_ragged_npz_input_needs_allow_pickle(trained, tmp_path) -> None:
    """An object-array input is read with pickle only when rnnlab-predict is told to."""
    stored = np.load(EXAMPLES / "sequences.npz")
    ragged = np.empty(3, dtype=object)
    for index in range(3):
        ragged[index] = stored["inputs"][index][: 5 + index]
    source = tmp_path / "ragged.npz"
    np.savez(source, inputs=ragged)
    with pytest.raises(ConfigError, match="set allow_pickle=true"):
        _predict(trained["npz"], source, tmp_path / "refused.csv")
    rows = _predict(trained["npz"], source, tmp_path / "ragged.csv", "allow_pickle=true")
    assert len(rows) == 3
