"""TensorBoard for comparing runs: the HPARAMS columns, runs of two tasks read together by
TensorBoard's own hparams plugin code, and a real server read back over HTTP."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.context import RequestContext
from tensorboard.plugins.base_plugin import TBContext
from tensorboard.plugins.hparams import (
    api_pb2,
    backend_context,
    get_experiment,
    list_session_groups,
)

from rnnlab.report.tensorboard_view import logdir_spec
from rnnlab.run.hparams import COMPARED, hparams_of, ordered_metrics, trial_id
from rnnlab.run.training import train
from tests.conftest import BIN, TINY_RUN, run_command

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


def test_a_trial_id_starts_with_what_sets_the_run_apart() -> None:
    job = {
        "name": "memory",
        "paths": {"output_dir": "/r/multirun/memory/2026-01-02_03-04-05_6/3_model=lstm"},
    }
    assert trial_id(job, sweep_job=True) == "3_model=lstm · memory 2026-01-02_03-04-05_6"
    single = {"name": "default", "paths": {"output_dir": "/r/experiments/default/2026-01-02_03"}}
    assert trial_id(single, sweep_job=False) == "default 2026-01-02_03"


def _plugin_context(logdir: Path) -> backend_context.Context:
    """TensorBoard's hparams plugin over ``logdir``, as its server builds it."""
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(logdir))
    return backend_context.Context(TBContext(data_provider=provider, logdir=str(logdir)))


def _session_groups(context: backend_context.Context, experiment) -> dict[str, dict]:
    """``{trial ID: {"hparams": …, "metrics": …}}`` as the HPARAMS table lists them."""
    request = api_pb2.ListSessionGroupsRequest(
        allowed_statuses=[api_pb2.STATUS_UNKNOWN, api_pb2.STATUS_SUCCESS],
        col_params=[api_pb2.ColParams(hparam=h.name) for h in experiment.hparam_infos]
        + [api_pb2.ColParams(metric=m.name) for m in experiment.metric_infos],
        start_index=0,
        slice_size=100,
    )
    response = list_session_groups.Handler(RequestContext(), context, "", request).run()
    return {
        group.name: {
            "hparams": dict(group.hparams),
            "metrics": {m.name.tag: m.value for m in group.metric_values},
        }
        for group in response.session_groups
    }


def test_runs_of_two_tasks_show_both_metrics_and_the_swept_column(compose_run, tmp_path) -> None:
    """A classification run and a regression run with ``model`` set, read together by
    TensorBoard's own hparams plugin: each task's metrics and the ``model`` column are
    declared, and each row has its own values (no run's summary hides the other's)."""
    for overrides in ((), ("data=adding", "model=lstm")):
        train(compose_run(*TINY_RUN, *overrides, "~callbacks.figures", "~callbacks.gradient_flow"))
    context = _plugin_context(tmp_path / "runs")
    experiment = get_experiment.Handler(
        RequestContext(), context, "", api_pb2.GetExperimentRequest()
    ).run()
    columns = {info.name for info in experiment.hparam_infos}
    assert {"model", *COMPARED} <= columns
    metrics = {info.name.tag for info in experiment.metric_infos}
    assert {"test/acc", "test/f1", "val/acc_best"} <= metrics  # classification
    assert {"test/mse", "test/mae", "val/mse_best", "test/loss_baseline"} <= metrics  # regression
    groups = _session_groups(context, experiment)
    assert sorted(groups) == ["default run0", "default run1"]
    classified, regressed = groups["default run0"], groups["default run1"]
    assert "test/acc" in classified["metrics"] and "test/mse" not in classified["metrics"]
    assert "test/mse" in regressed["metrics"] and "test/acc" not in regressed["metrics"]
    assert regressed["hparams"]["model"].string_value == "lstm"
    assert "model" not in classified["hparams"]


def _get(url: str, body: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"X-XSRF-Protected": "1", "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _server(logdir_arguments: list[str], cwd: Path) -> tuple[subprocess.Popen, str]:
    """A real TensorBoard server and its address, once it listens."""
    server = subprocess.Popen(
        [str(BIN / "tensorboard"), *logdir_arguments, "--host", "127.0.0.1", "--port", "0"],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    for line in server.stdout:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            return server, f"http://127.0.0.1:{found.group(1)}"
    server.terminate()
    raise AssertionError("TensorBoard did not start")


def _runs(base: str, expected: int) -> list[str]:
    runs: list = []
    for _ in range(60):  # the logdir is loaded in the background
        runs = sorted(_get(f"{base}/data/runs"))
        if len(runs) == expected:
            break
        time.sleep(0.5)
    return runs


QUIET = ("trainer.max_epochs=2", "data.num_train=64", "~callbacks.model_summary")


@pytest.mark.slow
def test_a_sweep_reads_back_from_a_tensorboard_server(tmp_path: Path) -> None:
    sweep = run_command(tmp_path, "rnnlab-train", "-m", "name=tb", "model=rnn,gru", *QUIET)
    assert sweep.returncode == 0, sweep.stderr
    (sweep_dir,) = (tmp_path / "multirun" / "tb").iterdir()
    server, base = _server(["--logdir", str(sweep_dir)], tmp_path)  # make tensorboard DIR=…
    try:
        assert _runs(base, 2) == ["0_model=rnn", "1_model=gru"]
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


@pytest.mark.slow
def test_a_run_and_a_regression_sweep_read_together_from_a_server(tmp_path: Path) -> None:
    """``make tensorboard`` over a classification run and a regression sweep: short run
    names, both tasks' metric columns, the swept column, one row per job with its trial ID."""
    single = run_command(tmp_path, "rnnlab-train", *QUIET)
    assert single.returncode == 0, single.stderr
    sweep = run_command(tmp_path, "rnnlab-train", "-m", "data=adding", "model=rnn,lstm", *QUIET)
    assert sweep.returncode == 0, sweep.stderr
    server, base = _server(["--logdir_spec", logdir_spec(tmp_path)], tmp_path)
    try:
        runs = _runs(base, 3)
        jobs = [run.split("/")[-1] for run in runs if "model=" in run]
        assert jobs == ["0_model=rnn", "1_model=lstm"]
        assert all(len(run) <= 45 for run in runs), runs  # not cut in the sidebar
        experiment = _get(f"{base}/data/plugin/hparams/experiment", {"experimentName": ""})
        assert "model" in {h["name"] for h in experiment["hparamInfos"]}
        metrics = {m["name"]["tag"] for m in experiment["metricInfos"]}
        assert {"test/acc", "val/acc_best", "test/mse", "test/mae", "val/mse_best"} <= metrics
        body = {
            "experimentName": "",
            "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS"],
            "colParams": [{"hparam": "model"}, {"metric": {"tag": "test/mse"}}],
            "startIndex": 0,
            "sliceSize": 100,
        }
        groups = _get(f"{base}/data/plugin/hparams/session_groups", body)["sessionGroups"]
        names = sorted(group["name"] for group in groups)
        assert names[0].startswith("0_model=rnn · default ")
        assert names[1].startswith("1_model=lstm · default ")
        assert names[2].startswith("default ")
    finally:
        server.terminate()
        server.wait(timeout=30)
