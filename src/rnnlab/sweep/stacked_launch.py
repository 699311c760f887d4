"""``hydra/launcher=stacked``: a sweep's jobs that share their shapes train as one stack.

The launch groups the jobs (rnnlab.sweep.stacking), says how in one line per stack, and runs
each stack in this process: every member's folder is set up by Hydra as for any job (its
``.hydra/`` record, its log), then the members train together (rnnlab.stack) and each folder
ends as its single run's would. A job that cannot stack runs as a normal job. A stack that
fails as a whole (a bug) records the failure in each member's folder and the sweep goes on.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus, filter_overrides, run_job
from hydra.types import HydraContext, RunMode, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict

from rnnlab.config.job_configs import JobConfigs, record_job_overrides
from rnnlab.errors import RnnlabError
from rnnlab.run_folder import has_record, write_record
from rnnlab.stack.members import MemberJob
from rnnlab.sweep.job import continue_interrupted_job, isolated_job, search_value
from rnnlab.sweep.stacking import Stack, group, member_job, resolved

log = logging.getLogger(__name__)
PROGRAM = "rnnlab-train"


def _say(line: str) -> None:
    print(f"rnnlab: {line}", flush=True)


def _prepare(cfg: DictConfig) -> MemberJob | None:
    """A stacked job's task in its own folder: None when it failed (recorded there)."""
    prepared = None
    with isolated_job(PROGRAM):
        continue_interrupted_job(cfg)  # a resumed sweep's job continues from its last.ckpt
        prepared = member_job(cfg)
    return prepared


def _record_stack_failure(jobs: Sequence[MemberJob], error: BaseException) -> None:
    """Each member of a stack that failed as a whole says so in its own folder."""
    message = f"the stack this job trained in failed: {error}".splitlines()[0]
    status = "failed"
    for job in jobs:
        if not has_record(job.run_dir):
            record = {"status": status, "message": message, "metrics": {}}
            write_record(job.run_dir, {**record, "overrides": job.overrides})


class StackedLaunch:
    """What the launcher plugin does; kept here so the plugin stays a thin Hydra class."""

    def __init__(
        self,
        hydra_context: HydraContext,
        task_function: TaskFunction,
        config: DictConfig,
        max_members: int,
    ) -> None:
        self.hydra_context = hydra_context
        self.task_function = task_function
        self.config = config
        self.max_members = max_members
        self._configs = JobConfigs(self._load)

    def _load(self, overrides: list[str]) -> DictConfig:
        return self.hydra_context.config_loader.load_configuration(
            config_name=self.config.hydra.job.config_name,
            overrides=overrides,
            run_mode=RunMode.RUN,
        )

    def _job_config(self, overrides: Sequence[str], number: int) -> DictConfig:
        """What Hydra's ``load_sweep_config`` returns for the job, composed once per choice
        of config groups (rnnlab.config.job_configs)."""
        everything = [*self.config.hydra.overrides.hydra, *overrides]
        sweep_config = self._configs(everything)
        record_job_overrides(sweep_config, everything)
        OmegaConf.copy_cache(from_config=self.config, to_config=sweep_config)
        with open_dict(sweep_config):
            sweep_config.hydra.job.id = number
            sweep_config.hydra.job.num = number
        return sweep_config

    def _run(self, config: DictConfig, task: TaskFunction) -> JobReturn:
        return run_job(
            hydra_context=self.hydra_context,
            task_function=task,
            config=config,
            job_dir_key="hydra.sweep.dir",
            job_subdir_key="hydra.sweep.subdir",
        )

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> list[JobReturn]:
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        numbers = [initial_job_idx + i for i in range(len(job_overrides))]
        configs = [self._job_config(o, n) for o, n in zip(job_overrides, numbers, strict=True)]
        plain = [_plain(config) for config in configs]
        stacks = group(plain, self.max_members)
        for stack in stacks:
            _say(stack.line(numbers, plain[stack.jobs[0]]))
        returns: dict[int, JobReturn] = {}
        for stack in stacks:
            if stack.alone_because is not None:
                position = stack.jobs[0]
                log.info(
                    f"#{numbers[position]} : {' '.join(filter_overrides(job_overrides[position]))}"
                )
                returns[position] = self._run(configs[position], self.task_function)
            else:
                returns.update(self._run_stack(stack, configs))
        return [returns[position] for position in range(len(configs))]

    def _run_stack(self, stack: Stack, configs: Sequence[DictConfig]) -> dict[int, JobReturn]:
        from rnnlab.stack.training import train_stack

        prepared = {position: self._run(configs[position], _prepare) for position in stack.jobs}
        members = {p: r.return_value for p, r in prepared.items() if _ready(r)}
        jobs = list(members.values())
        if jobs:
            try:
                trained = train_stack(jobs)
            except (RnnlabError, Exception) as error:  # a bug: every member says so; sweep on
                log.error("the stack failed:\n%s", traceback.format_exc())
                _record_stack_failure(jobs, error)
                trained = []
            for position, member in zip(members, trained, strict=False):
                metric = member.job.cfg.get("optimized_metric")
                value = member.metrics.get(metric) if metric and member.active else None
                prepared[position].return_value = search_value(value, metric)
        # a job that failed to set up, or whose stack failed: the worst value, as alone
        untrained = set(prepared) - set(list(members)[: len(trained)])
        for position in untrained:
            metric = configs[position].get("optimized_metric")
            prepared[position].return_value = search_value(None, metric)
        return prepared


def _ready(result: JobReturn) -> bool:
    return result.status == JobStatus.COMPLETED and isinstance(result._return_value, MemberJob)


def _plain(config: DictConfig) -> dict[str, Any]:
    """The job's task config as plain containers, resolved as far as it can be before its
    job runs: a key whose values need Hydra's job state (the job's folder) keeps its text."""
    try:
        return resolved(config)
    except Exception:  # resolve key by key: the others still show their values
        task = OmegaConf.masked_copy(config, [key for key in config if key != "hydra"])
        text = OmegaConf.to_container(task, resolve=False)
        assert isinstance(text, dict)
        container: dict[str, Any] = {}
        for key, unresolved in text.items():
            try:
                value = task[key]
                container[str(key)] = (
                    OmegaConf.to_container(value, resolve=True)
                    if OmegaConf.is_config(value)
                    else value
                )
            except Exception:
                container[str(key)] = unresolved
        return container
