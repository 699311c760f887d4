"""One job of a sweep: whatever goes wrong in it is recorded there, and the sweep goes on.

Hydra's launchers catch a job's exceptions but not SystemExit, and the basic sweeper re-raises
the first failure with a traceback once its batch is done. A job here never raises: a config
error, a divergence or a bug becomes ``status: failed`` or ``diverged`` with its sentence in
the job's metrics.json (bugs also log their traceback to the job's log), and the sweep's
closing line counts them.
"""

from __future__ import annotations

import logging
import math
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict

from rnnlab.config.commands import shell_command
from rnnlab.config.guard import current_run_dir, exit_on_user_error
from rnnlab.errors import ConfigError, DivergedError, RnnlabError
from rnnlab.run_folder import (
    HYDRA_DIR,
    LAST_CHECKPOINT,
    METRICS_FILE,
    has_record,
    write_record,
)
from rnnlab.sweep.stopped_run import said_how_to_continue

log = logging.getLogger(__name__)


def in_multirun() -> bool:
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def _job_label() -> str:
    job = HydraConfig.get().job
    return f"job {job.num}" + (f" ({job.override_dirname})" if job.override_dirname else "")


def _record_failure(status: str, message: str) -> None:
    """metrics.json for a job that ended early, unless the run already wrote its own."""
    run_dir = current_run_dir()
    if run_dir is None or has_record(run_dir):
        return
    record: dict[str, Any] = {
        "status": status,
        "message": message,
        "metrics": {},
        "overrides": list(HydraConfig.get().overrides.task),
    }
    write_record(run_dir, record)


@contextmanager
def isolated_job(program: str) -> Iterator[None]:
    """Run a sweep job's body; record any failure in its folder instead of raising."""
    try:
        yield
    except RnnlabError as error:
        status = "diverged" if isinstance(error, DivergedError) else "failed"
        print(f"{program}: {_job_label()} {status}: {error}", file=sys.stderr)
        _record_failure(status, str(error))
    except Exception as error:
        log.exception("%s failed with a bug", _job_label())
        first = str(error).strip().splitlines()
        _record_failure("failed", f"{type(error).__name__}: {first[0] if first else ''}".strip())


def run_job(cfg: DictConfig, train: Callable[[DictConfig], float | None], program: str) -> Any:
    """Run ``train`` as a single run (a user error exits in one sentence) or as a sweep's
    job (any failure is recorded in its folder; an interrupted job continues). A single run
    stopped by Ctrl-C says how to continue it."""
    if not in_multirun():
        with exit_on_user_error(program), said_how_to_continue(cfg, program):
            return train(cfg)
    result = None
    with isolated_job(program):
        continue_interrupted_job(cfg)
        result = train(cfg)
    return search_value(result, cfg.get("optimized_metric"))


def search_value(result: float | None, optimized_metric: str | None) -> float | None:
    """What a sweep job hands its sweeper: its metric, or the worst value for the search's
    direction when the job failed, diverged or has no finite metric (Optuna 2.10 refuses NaN,
    and a search whose trials all returned None ends without its results file)."""
    if result is not None and math.isfinite(result):
        return result
    if not optimized_metric:
        return None
    direction = OmegaConf.select(HydraConfig.get().sweeper, "direction", default=None)
    if isinstance(direction, ListConfig | list):
        direction = direction[0] if direction else None
    if direction is None:
        return None
    return float("inf") if str(direction).lower().startswith("min") else float("-inf")


def continue_interrupted_job(cfg: DictConfig) -> None:
    """A sweep job whose folder already holds ``checkpoints/last.ckpt`` was interrupted in an
    earlier launch of the same sweep (a fresh job folder never has one): continue from it,
    in the same folder, so its epochs, loss history and TensorBoard curves carry on.

    TensorBoard is told to hide what the interrupted launch logged after that checkpoint
    (``purge_step``), so the resumed curves do not overlap the lost steps. A checkpoint that
    cannot be read (killed while it was written) or whose training had already ended (killed
    while testing: the final epoch's metrics went with the process) is no use: the job
    starts again in a cleared folder, which gives the same results.
    """
    if cfg.get("ckpt_path") or not cfg.get("train", True):
        return
    folder = Path(str(cfg.paths.output_dir))
    if has_record(folder):
        raise ConfigError(
            f"{folder} already holds a finished run ({METRICS_FILE}); it is left as it is: "
            "run the sweep into a new hydra.sweep.dir, or resume it with "
            f"{shell_command('rnnlab-train', ['--resume', str(folder.parent)])}."
        )
    last = folder / LAST_CHECKPOINT
    if not last.is_file():
        _clear_job_folder(folder)  # what an attempt killed before its first checkpoint left
        return
    progress = _checkpoint_progress(last, cfg)
    if progress is None or progress.ended:
        why = "cannot be read" if progress is None else "is from the end of its training"
        print(f"rnnlab: {_job_label()} starts again: {last} {why}", flush=True)
        _clear_job_folder(folder)
        return
    print(f"rnnlab: {_job_label()} continues from {last}", flush=True)
    with open_dict(cfg):
        cfg.ckpt_path = str(last)
        for entry in (cfg.get("logger") or {}).values():
            if isinstance(entry, DictConfig) and str(entry.get("_target_", "")).endswith(
                "TensorBoardLogger"
            ):
                entry.purge_step = progress.global_step + 1


@dataclass(frozen=True)
class _Progress:
    global_step: int
    #: Training had ended (epochs or steps used up, or stopped early): the checkpoint has
    #: nothing left to train, and the final epoch's metrics went with the killed process.
    ended: bool


def _checkpoint_progress(path: Path, cfg: DictConfig) -> _Progress | None:
    """How far a checkpoint got; None when it cannot be read."""
    import torch

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        epochs, step = int(checkpoint["epoch"]) + 1, int(checkpoint["global_step"])
    except Exception:
        return None
    max_epochs = cfg.trainer.get("max_epochs") or -1
    max_steps = cfg.trainer.get("max_steps") or -1
    stopped = any(
        isinstance(state, dict) and int(state.get("stopped_epoch", 0) or 0) > 0
        for state in (checkpoint.get("callbacks") or {}).values()
    )
    ended = (0 < max_epochs <= epochs) or (0 < max_steps <= step) or stopped
    return _Progress(step, ended)


def _clear_job_folder(folder: Path) -> None:
    """Remove what an interrupted attempt wrote; keep Hydra's record and the open log."""
    keep = {HYDRA_DIR, f"{HydraConfig.get().job.name}.log"}
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.name in keep:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
