"""A sweep's jobs composed once per choice of config groups are the configs Hydra composes."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import ConfigCompositionException
from hydra.types import HydraContext, RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from rnnlab.config.job_configs import JobConfigs
from rnnlab.config.locations import CONFIG_DIR

JOBS = [
    ["seed=1"],
    ["seed=2"],
    ["seed=3", "optimizer.lr=0.01", "data.seed=9"],
    ["model=lstm", "model.hidden_size=8"],
    ["model=lstm", "model.hidden_size=16"],
    ["model.hidden_size=8", "model=rnn"],
    ["seed=4", "~callbacks.progress_bar"],
    ["data=adding", "data.seq_len=20", "seed=5"],
    ["experiment=clipping", "seed=6", "model.hidden_size=12"],
    ["seed=7", "+trainer.min_steps=3"],
    ["seed=8", "++trainer.max_epochs=3", "name=other"],
]


def _task(cfg: DictConfig) -> str:
    """The job's config and its group choices: what composition decides."""
    choices = OmegaConf.to_container(cfg.hydra.runtime.choices)
    with open_dict(cfg):
        cfg.pop("hydra")
    return OmegaConf.to_yaml(cfg) + repr(sorted(choices.items()))


def _full(overrides: list[str]) -> DictConfig:
    return compose("train", overrides=overrides, return_hydra_config=True)


def test_every_job_is_the_config_hydra_composes_for_it() -> None:
    calls: list[list[str]] = []

    def counted(overrides: list[str]) -> DictConfig:
        calls.append(overrides)
        return _full(overrides)

    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        configs = JobConfigs(counted)
        for job in JOBS:
            assert _task(configs(job)) == _task(_full(job)), job
    # the first job in full, then one merge per choice of groups, not one per job
    shared = {tuple(c) for c in calls[1:]}
    assert len(calls) == 1 + len(shared) < len(JOBS)
    assert ("model=lstm",) in shared and () in shared


def test_a_bad_value_fails_as_hydra_fails() -> None:
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        configs = JobConfigs(_full)
        configs(["seed=1"])
        for bad in (["optimizer.no_such_key=3"], ["+seed=3"], ["~model.no_such"]):
            with pytest.raises(ConfigCompositionException):
                _full(bad)
            with pytest.raises(ConfigCompositionException):
                configs(bad)


def test_the_stacked_launcher_configs_are_hydras_sweep_configs(tmp_path) -> None:
    from rnnlab.sweep.stacked_launch import StackedLaunch

    hydra_overrides = ["hydra/launcher=stacked", f"hydra.sweep.dir={tmp_path}"]
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration(
            "train", [*hydra_overrides, "seed=1,2", "model=gru,lstm"], RunMode.MULTIRUN
        )
        launch = StackedLaunch(HydraContext(loader, None), lambda cfg: None, master, 4)
        jobs = [["seed=1", "model=gru"], ["seed=2", "model=gru"], ["seed=2", "model=lstm"]]
        for number, job in enumerate(jobs * 2):
            expected = loader.load_sweep_config(master, list(job))
            with open_dict(expected):
                expected.hydra.job.id = expected.hydra.job.num = number
            derived = launch._job_config(job, number)
            assert OmegaConf.to_yaml(derived) == OmegaConf.to_yaml(expected), job
            assert derived.hydra.job.override_dirname == expected.hydra.job.override_dirname
