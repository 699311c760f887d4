"""TensorBoard for comparing runs: the HPARAMS columns, and a real server read back over HTTP."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from rnnlab.run.hparams import COMPARED, hparams_of, ordered_metrics
from tests.conftest import BIN, run_command

CONFIG = {
    "seed": 1,
    "model": {"cell": "lstm", "hidden_size": 64, "num_layers": 1},
    "optimizer": {"_target_": "torch.optim.Adam", "lr": 0.01},
    "data": {"_target_": "x", "batch_size": 32, "seq_len": 100},
    "trainer": {"gradient_clip_val": None, "default_root_dir": "/somewhere"},
}


def test_columns_are_the_varied_values_then_the_compared_settings() -> None:
    params = hparams_of(CONFIG, [("model", "lstm"), ("data.seq_len", "100")])
    assert list(params)[:2] == ["model", "data.seq_len"]
    assert params["data.seq_len"] == 100  # typed from the config, not the override text
    assert set(params) == {"model", *COMPARED}
    assert params["trainer.gradient_clip_val"] == "null"
    assert not any("_target_" in key or "root_dir" in key for key in params)


def test_the_test_headline_comes_first_and_non_finite_values_are_left_out() -> None:
    metrics = {
        "train/loss": 0.3,
        "val/acc": 0.9,
        "test/loss": 0.2,
        "val/acc_best": 0.95,
        "test/acc": 0.93,
        "test/f1": None,
    }
    assert list(ordered_metrics(metrics, "acc")) == [
        "test/acc",
        "test/loss",
        "val/acc_best",
        "val/acc",
        "train/loss",
    ]


def _get(url: str, body: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"X-XSRF-Protected": "1", "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_a_sweep_reads_back_from_a_tensorboard_server(tmp_path: Path) -> None:
    sweep = run_command(
        tmp_path,
        "rnnlab-train",
        "-m",
        "name=tb",
        "model=rnn,gru",
        "trainer.max_epochs=2",
        "data.num_train=64",
        "trainer.enable_progress_bar=false",
        "~callbacks.progress_bar",
    )
    assert sweep.returncode == 0, sweep.stderr
    (sweep_dir,) = (tmp_path / "multirun" / "tb").iterdir()
    server = subprocess.Popen(
        [
            str(BIN / "tensorboard"),
            "--logdir",
            str(sweep_dir),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ],
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        port = None
        for line in server.stdout:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        assert port is not None, "TensorBoard did not start"
        base = f"http://127.0.0.1:{port}"
        runs: list = []
        for _ in range(60):  # the logdir is loaded in the background
            runs = sorted(_get(f"{base}/data/runs"))
            if len(runs) == 2:
                break
            time.sleep(0.5)
        assert runs == ["0_model=rnn", "1_model=gru"]
        tags = _get(f"{base}/data/plugin/scalars/tags")
        assert {"train/loss", "val/loss", "val/acc_best", "test/acc"} <= set(tags["1_model=gru"])
        experiment = _get(f"{base}/data/plugin/hparams/experiment", {"experimentName": ""})
        columns = {h["name"]: h for h in experiment["hparamInfos"]}
        assert set(columns) == {"model", *COMPARED}  # the swept value and the compared few
        assert columns["model"]["type"] == "DATA_TYPE_STRING"
        metrics = [m["name"]["tag"] for m in experiment["metricInfos"]]
        assert {"test/acc", "test/loss", "val/acc_best"} <= set(metrics)
    finally:
        server.terminate()
        server.wait(timeout=30)
