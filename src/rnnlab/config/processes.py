"""Refuse a run that would start several processes inside a Hydra sweep.

Lightning's ``ddp`` strategy starts ranks 1.. by running the command line again with
``hydra.run.dir`` pointing at the run's folder. Inside a sweep (``-m``) that command line
still holds ``-m`` and the sweep, so every rank would run the whole sweep again, into new
folders, as rank 0 of nothing (lightning_fabric's ``_hydra_subprocess_cmd``; PL#11300).
Checked on the composed config, before torch or Lightning are imported.
"""

from __future__ import annotations

from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, ListConfig

from rnnlab.errors import ConfigError

#: Accelerators with one device per machine: ``devices: auto`` means one process there.
_ONE_DEVICE_ACCELERATORS = ("cpu", "mps")


def _several_devices(devices: Any, accelerator: Any) -> bool:
    """Whether Lightning's ``devices`` value may mean more than one process on this node."""
    if isinstance(devices, list | tuple | ListConfig):
        return len(devices) != 1  # GPU indices
    if isinstance(devices, int):
        return devices != 1  # a count; -1 is every GPU
    text = str(devices).strip()
    if text == "auto":
        return accelerator not in _ONE_DEVICE_ACCELERATORS
    indices = [part for part in text.split(",") if part.strip()]
    if "," in text:  # "0," is GPU 0 alone; "0,1" two GPUs
        return len(indices) != 1
    return text != "1"


def several_processes(cfg: DictConfig) -> bool:
    """True when the trainer config may start more than one process."""
    trainer = cfg.get("trainer") or {}
    if trainer.get("num_nodes", 1) != 1:
        return True
    return _several_devices(trainer.get("devices", "auto"), trainer.get("accelerator", "auto"))


def refuse_ddp_in_multirun(cfg: DictConfig, mode: RunMode | None = None) -> None:
    """Raise ConfigError when a sweep job would start several processes.

    ``mode`` defaults to the running Hydra job's mode (RUN outside Hydra).
    """
    if mode is None:
        mode = HydraConfig.get().mode if HydraConfig.initialized() else RunMode.RUN
    if mode != RunMode.MULTIRUN or not several_processes(cfg):
        return
    trainer = cfg.get("trainer") or {}
    raise ConfigError(
        f"trainer.devices={trainer.get('devices', 'auto')} starts several processes, which a "
        "sweep (-m) cannot run: Lightning's DDP starts each extra process by running the "
        "command line again, so each would rerun the whole sweep; sweep with "
        "trainer.devices=1 (e.g. trainer=cpu), or run each configuration on its own."
    )
