"""The one metric that decides "best": checkpoint choice, ``val/*_best`` and the tested epoch.

``monitor: auto`` means the task's headline validation metric (``val/acc``, higher is better,
for classification; ``val/mse``, lower is better, for regression), so a run's best checkpoint,
its ``val/<metric>_best`` and its ``test/*`` numbers always come from the same epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rnnlab.data.spec import TaskSpec
from rnnlab.errors import ConfigError
from rnnlab.models.objective import Objective

AUTO = "auto"
#: Where the monitor of the run's checkpoint callback lives in the composed config.
CHECKPOINT_NODE = "callbacks.model_checkpoint"
_LOWER_IS_BETTER = ("loss", "mse", "mae")


@dataclass(frozen=True)
class Monitor:
    """A validation metric and whether higher (``max``) or lower (``min``) is better."""

    metric: str
    mode: str

    @property
    def best_name(self) -> str:
        """The running best's metric name, e.g. ``val/acc_best``."""
        return f"{self.metric}_best"


def validation_metric_names(spec: TaskSpec) -> list[str]:
    """Every metric a validation epoch logs for this task."""
    return ["val/loss", *Objective(spec).metrics("val").keys()]


def resolve_monitor(metric: str, mode: str, spec: TaskSpec, key: str) -> Monitor:
    """Turn ``auto`` into the task's headline and check the metric exists for this task."""
    headline, headline_mode = Objective(spec).headline
    if metric == AUTO:
        metric = f"val/{headline}"
    valid = validation_metric_names(spec)
    if metric not in valid:
        raise ConfigError(
            f"{key}.monitor={metric!r} is not a metric of the {spec.name} task: "
            f"valid values are auto, {', '.join(valid)} (or null for the latest epoch)."
        )
    if mode == AUTO:
        if metric == f"val/{headline}":
            mode = headline_mode
        else:
            mode = "min" if metric.rsplit("/", 1)[-1] in _LOWER_IS_BETTER else "max"
    return Monitor(metric, mode)


def run_monitor(cfg: DictConfig, spec: TaskSpec) -> Monitor | None:
    """The checkpoint callback's monitor for this run, or None when it has none."""
    node = OmegaConf.select(cfg, CHECKPOINT_NODE, default=None)
    if not node or node.get("monitor") is None:
        return None
    return resolve_monitor(str(node.monitor), str(node.get("mode", AUTO)), spec, CHECKPOINT_NODE)


def resolved_monitor_kwargs(entry: DictConfig, spec: TaskSpec | None, key: str) -> dict[str, Any]:
    """``monitor=``/``mode=`` arguments replacing ``auto`` in one callback's config."""
    metric, mode = entry.get("monitor"), entry.get("mode")
    if metric is None:  # no monitor, no "best": the mode is unused but must be valid
        return {"mode": "min"} if mode == AUTO else {}
    if AUTO not in (metric, mode):
        return {}
    if spec is None:
        raise ConfigError(f"{key}: monitor=auto and mode=auto need a task, and this run has none.")
    monitor = resolve_monitor(str(metric), str(mode or AUTO), spec, key)
    kwargs: dict[str, Any] = {}
    if metric == AUTO:
        kwargs["monitor"] = monitor.metric
    if mode == AUTO:
        kwargs["mode"] = monitor.mode
    return kwargs
