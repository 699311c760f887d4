"""What ``make tensorboard`` loads: every run below the runs root, under a short, unique
TensorBoard run name.

TensorBoard names a run by its folder's path, and its Time Series sidebar cuts a long name:
``multirun/default/2026-12-03_08-56-21_633542/3_data.seq_len=20,model=l…`` hides what the
jobs differ in. Here each sweep is named ``<name> <month-day_time>`` and each experiment
``<name>``, so the same job reads ``default 12-03_08-56-21/3_data.seq_len=20,model=lstm``.

Printed as TensorBoard's ``--logdir_spec`` (one entry per sweep and per experiment name). It
is read when TensorBoard starts: a sweep started later shows after a restart (a new job of a
sweep already shown appears at once).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rnnlab.run_folder import find_run_dirs

#: The folders of the runs root that hold runs (``paths.experiments_dir``, ``multirun_dir``).
RUN_ROOTS = ("experiments", "multirun")
#: Hydra's run and sweep folder names: ``2026-12-03_08-56-21_633542``.
_TIMESTAMP = re.compile(r"\d{4}-(\d{2}-\d{2}_\d{2}-\d{2}-\d{2})(_\d+)?")
#: Characters that separate entries (``,``) or a name from its path (``:``) in a spec.
_SPEC_SEPARATORS = re.compile(r"[,:]")


def _shortened(part: str) -> str:
    """A timestamp folder without its year and microseconds; any other folder as it is."""
    matched = _TIMESTAMP.fullmatch(part)
    return matched.group(1) if matched else part


def _label(folder: Path, base: Path) -> str:
    """``default 12-03_08-56-21`` for ``multirun/default/2026-12-03_08-56-21_633542``."""
    parts = folder.relative_to(base).parts or (base.name,)
    return _SPEC_SEPARATORS.sub("-", " ".join(_shortened(part) for part in parts))


def _full_label(folder: Path, root: Path) -> str:
    return _SPEC_SEPARATORS.sub("-", folder.relative_to(root).as_posix())


def run_groups(root: Path) -> dict[Path, str]:
    """Each folder that holds runs (a sweep, ``experiments/<name>``) and its run name in
    TensorBoard: short where it stays unique, else its path below ``root``."""
    labels: dict[Path, str] = {}
    for base in (root / name for name in RUN_ROOTS):
        if base.is_dir():
            for run in find_run_dirs(base):
                labels.setdefault(run.parent, _label(run.parent, base))
    taken = Counter(labels.values())
    return {
        folder: label if taken[label] == 1 else _full_label(folder, root)
        for folder, label in labels.items()
    }


def logdir_spec(root: Path) -> str:
    """``name:folder,…`` for ``tensorboard --logdir_spec``; the two run roots themselves
    while there are no runs yet (or a folder a spec cannot name, one with a comma)."""
    groups = run_groups(root)
    if not groups or any("," in str(folder) for folder in groups):
        return ",".join(f"{name}:{root / name}" for name in RUN_ROOTS)
    return ",".join(f"{label}:{folder}" for folder, label in groups.items())


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m rnnlab.report.tensorboard_view ROOT`` prints the spec for ROOT."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    print(logdir_spec(Path(arguments[0] if arguments else ".")))


if __name__ == "__main__":
    main()
