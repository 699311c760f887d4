"""Job folder names: ``<job number>_<the values that vary>``, safe on any filesystem.

Registered as the OmegaConf resolver ``rnnlab_job_dir``, used by ``hydra.sweep.subdir``. The
job number alone already keeps folders apart; the values make TensorBoard's run list and the
report read like the experiment grid. A sampled float (an Optuna trial's learning rate, 17
digits) is shown to SIGNIFICANT digits, so every value fits; the exact one is in the job's
config.
"""

from __future__ import annotations

import hashlib
import re

from omegaconf import OmegaConf

RESOLVER = "rnnlab_job_dir"
#: Longest folder name kept whole; longer ones are cut and end with a hash of the full name.
MAX_NAME = 120
#: Significant digits of a float in a folder name.
SIGNIFICANT = 4
_UNSAFE = re.compile(r"[^A-Za-z0-9._,=+@%-]")
#: A ``key=value`` whose value is a float literal (a decimal point or an exponent).
_FLOAT_VALUE = re.compile(
    r"(?<==)([-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+)(?=,|$)"
)


def _rounded(text: str) -> str:
    """A float literal to SIGNIFICANT digits, unless it has no more than that already
    (``10000.0`` stays as Hydra wrote it, not ``1e+04``)."""
    value = float(text)
    shorter = f"{value:.{SIGNIFICANT}g}"
    return text if float(shorter) == value else shorter


def rounded_floats(override_dirname: str) -> str:
    """``optimizer.lr=0.0008541234567890123`` → ``optimizer.lr=0.0008541``."""
    return _FLOAT_VALUE.sub(lambda found: _rounded(found.group(1)), override_dirname)


def job_folder_name(number: int | str, override_dirname: str) -> str:
    """``3_data.seq_len=100,model=lstm``: no ``/`` or other separators, at most MAX_NAME long."""
    values = _UNSAFE.sub("-", rounded_floats(str(override_dirname)))
    name = f"{number}_{values}" if values else str(number)
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}~{digest}"


def register_job_folder_resolver() -> None:
    """Make ``${rnnlab_job_dir:num,dirname}`` available (again, harmlessly, in each worker)."""
    OmegaConf.register_new_resolver(RESOLVER, job_folder_name, replace=True)
