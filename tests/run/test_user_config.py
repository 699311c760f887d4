"""A user's own config folder, given with --config-dir, works from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rnnlab.config.locations import CONFIG_DIR

BIN = Path(sys.executable).parent
QUIET = ["trainer.enable_progress_bar=false", "~callbacks.progress_bar"]


def _user_config_dir(tmp_path: Path) -> Path:
    """mine/model/mymodel.yaml: rnnlab's GRU config with 7 hidden units."""
    gru = (Path(CONFIG_DIR) / "model" / "gru.yaml").read_text()
    assert "hidden_size: 32 " in gru
    (tmp_path / "mine" / "model").mkdir(parents=True)
    (tmp_path / "mine" / "model" / "mymodel.yaml").write_text(
        gru.replace("hidden_size: 32 ", "hidden_size: 7 ")
    )
    return tmp_path / "mine"


def _train(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "rnnlab-train"), *arguments],
        cwd=tmp_path,
        env={**os.environ, "RNNLAB_ROOT": str(tmp_path)},
        text=True,
        capture_output=True,
        timeout=180,
    )


def test_a_model_from_the_users_config_dir_is_trained(tmp_path: Path) -> None:
    mine = _user_config_dir(tmp_path)
    result = _train(tmp_path, "--config-dir", str(mine), "model=mymodel", "debug=fast", *QUIET)
    assert result.returncode == 0, result.stderr
    (run,) = (tmp_path / "experiments" / "debug").iterdir()
    config = json.loads((run / "metrics.json").read_text())["config"]
    assert config["model"]["hidden_size"] == 7
    assert config["model"]["cell"] == "gru"


def test_an_unknown_option_lists_the_users_options_too(tmp_path: Path) -> None:
    mine = _user_config_dir(tmp_path)
    result = _train(tmp_path, f"--config-dir={mine}", "model=mymodle", "debug=fast", *QUIET)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rnnlab-train: error: model=mymodle is not an option of the model config group: "
        "valid options are gru, lstm, mymodel, rnn."
    )
    assert not (tmp_path / "experiments").exists()
