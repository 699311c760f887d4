"""Which jobs of a sweep can train as one stack, and what each job hands to the stack.

Jobs stack when their networks and batches have the same shapes and they train the same way:
their resolved configs may differ only in ``STACKABLE_KEYS`` (and in what names their own
folder). A job that cannot stack at all (several devices, mixed precision, a learning-rate
schedule that watches a metric, a checkpoint to start from, a callback the stack does not
run, ``train=false``) runs as a normal job, alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from rnnlab.config.dotted import select
from rnnlab.config.file_paths import with_absolute_paths
from rnnlab.config.validation import validate
from rnnlab.run.hparams import varied_overrides
from rnnlab.stack.members import MemberJob
from rnnlab.stack.schedule import STACKABLE_SCHEDULES

#: What may differ between the members of one stack.
STACKABLE_KEYS = (
    "seed",
    "data.seed",
    "optimizer.lr",
    "optimizer.weight_decay",
    "trainer.gradient_clip_val",
    "trainer.gradient_clip_algorithm",
    "model.dropout",
    "name",
)
#: The callbacks a stack does for its members (or, for the diagnostics, leaves out).
KNOWN_CALLBACKS = (
    "rnnlab.callbacks.checkpoint.RunCheckpoint",
    "rnnlab.callbacks.figures.FigureWriter",
    "rnnlab.callbacks.gradient_monitor.GradientMonitor",
    "rnnlab.callbacks.gradient_flow.GradientFlow",
    "rnnlab.callbacks.hidden_states.HiddenStates",
    "rnnlab.callbacks.forecast_figure.ForecastFigure",
    "rnnlab.callbacks.console.",
    "pytorch_lightning.callbacks.RichProgressBar",
    "pytorch_lightning.callbacks.TQDMProgressBar",
    "pytorch_lightning.callbacks.RichModelSummary",
    "pytorch_lightning.callbacks.ModelSummary",
    "pytorch_lightning.callbacks.LearningRateMonitor",
    "pytorch_lightning.callbacks.EarlyStopping",
    "pytorch_lightning.callbacks.early_stopping.EarlyStopping",
    "lightning.pytorch.callbacks.EarlyStopping",
)
_OUTPUT_DIR = "<job folder>"
#: Trainer settings a stack honours (per member: the clipping), or that change nothing it
#: computes; any other trainer setting away from its default makes a job run alone.
STACK_TRAINER_KEYS = (
    "_target_",
    "default_root_dir",
    "accelerator",
    "devices",
    "precision",
    "max_epochs",
    "min_epochs",
    "max_steps",
    "limit_train_batches",
    "limit_test_batches",
    "gradient_clip_val",
    "gradient_clip_algorithm",
    "num_sanity_val_steps",
    "log_every_n_steps",
    "enable_progress_bar",
    "enable_model_summary",
    "benchmark",
)
#: Defaults of the other trainer settings, at which they change nothing either.
_TRAINER_DEFAULTS = {
    "check_val_every_n_epoch": 1,
    "accumulate_grad_batches": 1,
    "deterministic": False,
    "limit_val_batches": None,
    "overfit_batches": 0,
    "strategy": "auto",
}


def why_alone(config: dict[str, Any]) -> str | None:
    """Why a job (its resolved config) cannot be a stack's member; None if it can."""
    trainer = config.get("trainer") or {}
    devices = trainer.get("devices", 1)
    if devices not in (1, "1", None) or ("strategy" in trainer and trainer["strategy"] != "auto"):
        return "it runs on several devices"
    if str(trainer.get("precision", "32-true")) not in ("32", "32-true"):
        return f"trainer.precision={trainer.get('precision')} (a stack trains in 32-true)"
    for key, value in trainer.items():
        if key in STACK_TRAINER_KEYS or value is None or _TRAINER_DEFAULTS.get(key) == value:
            continue
        return f"trainer.{key}={value} (a stack validates and steps every epoch and batch)"
    if config.get("scheduler"):
        schedule = str(select(config, "scheduler.scheduler._target_") or "")
        if schedule not in STACKABLE_SCHEDULES:
            return (
                f"its learning-rate schedule {schedule.rsplit('.', 1)[-1]} is not one a stack runs"
            )
    if config.get("ckpt_path"):
        return "it starts from ckpt_path"
    if not config.get("train", True):
        return "train=false"
    for name, entry in (config.get("callbacks") or {}).items():
        target = str((entry or {}).get("_target_", "")) if isinstance(entry, dict) else ""
        if target and not target.startswith(KNOWN_CALLBACKS):
            return f"the stack does not run callbacks.{name} ({target})"
    return None


def _drop(config: dict[str, Any], dotted: str) -> None:
    *parents, leaf = dotted.split(".")
    node = select(config, ".".join(parents)) if parents else config
    if isinstance(node, dict):
        node.pop(leaf, None)


def _without_own_folder(value: Any, output_dir: str) -> Any:
    if isinstance(value, dict):
        return {k: _without_own_folder(v, output_dir) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_own_folder(v, output_dir) for v in value]
    if isinstance(value, str) and output_dir and output_dir in value:
        return value.replace(output_dir, _OUTPUT_DIR)
    return value


def stack_key(config: dict[str, Any]) -> str:
    """Equal for jobs that may share a stack: their configs but for STACKABLE_KEYS and paths."""
    output_dir = str(select(config, "paths.output_dir") or "")
    shape = _without_own_folder(json.loads(json.dumps(config, default=str)), output_dir)
    shape.pop("paths", None)
    for key in STACKABLE_KEYS:
        _drop(shape, key)
    return json.dumps(shape, sort_keys=True, default=str)


@dataclass(frozen=True)
class Stack:
    """Jobs (their positions in the launch) that train together, or one that runs alone."""

    jobs: list[int]
    alone_because: str | None = None

    def line(self, numbers: Sequence[int], config: dict[str, Any]) -> str:
        """One line that says how these jobs run."""
        shown = ", ".join(str(numbers[j]) for j in self.jobs)
        if self.alone_because is not None:
            return f"job {shown} runs alone: {self.alone_because}"
        model, data = config.get("model") or {}, config.get("data") or {}
        task = str(select(config, "data.source._target_") or "data").rsplit(".", 1)[-1]
        what = (
            f"{model.get('cell')}, {model.get('num_layers', 1)} layer(s) of "
            f"{model.get('hidden_size')}, {task}, batch {data.get('batch_size')}"
        )
        return f"stack of {len(self.jobs)}: jobs {shown} ({what})"


def group(configs: Sequence[dict[str, Any]], max_members: int) -> list[Stack]:
    """The launch's jobs in stacks, in order of their first job; at most ``max_members``."""
    stacks: list[Stack] = []
    open_stacks: dict[str, Stack] = {}
    for position, config in enumerate(configs):
        reason = why_alone(config)
        if reason is not None or max_members <= 1:
            stacks.append(Stack([position], reason or "hydra.launcher.max_members <= 1"))
            continue
        key = stack_key(config)
        current = open_stacks.get(key)
        if current is None or len(current.jobs) >= max_members:
            current = Stack([])
            open_stacks[key] = current
            stacks.append(current)
        current.jobs.append(position)
    return [
        Stack(s.jobs, s.alone_because or "nothing to stack it with") if len(s.jobs) == 1 else s
        for s in stacks
    ]


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """A job's config without interpolations (they need Hydra's job state), as containers."""
    task = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    container = OmegaConf.to_container(task, resolve=True)
    assert isinstance(container, dict)
    return container


def member_job(cfg: DictConfig) -> MemberJob:
    """The task function a stacked job runs in its own folder: check it, and hand over what
    the stack needs of it while Hydra's state for the job is still set."""
    validate(cfg)
    container = resolved(cfg)
    run_config = with_absolute_paths(container)
    overrides = list(HydraConfig.get().overrides.task) if HydraConfig.initialized() else []
    return MemberJob(OmegaConf.create(container), run_config, overrides, varied_overrides())
