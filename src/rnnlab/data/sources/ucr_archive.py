"""Where a UCR/UEA set's ``.ts`` files are, found by name without importing torch or aeon.

Both ``data=ucr`` (which reads the set) and the ``experiment=ucr`` recipe (which reads its
properties while the config is checked, before torch is imported) look sets up here, so an
unknown name is refused by the same sentence wherever it is met.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.data.sources.packaged import package_dir
from rnnlab.errors import ConfigError

AEON_DATA = "datasets/data"


def archive_folder(archive_dir: str | None) -> Path:
    """aeon's data folder, found without importing aeon, or the user's own folder."""
    if archive_dir is None:
        return package_dir("aeon", "data=ucr") / AEON_DATA
    folder = Path(archive_dir).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"data.archive_dir={archive_dir!r} is not a folder.")
    return folder


def available_sets(folder: Path) -> dict[str, Path]:
    """Every ``<Name>_TRAIN.ts`` with its ``_TEST.ts``, in ``folder`` or one level below."""
    found: dict[str, Path] = {}
    for train in sorted([*folder.glob("*_TRAIN.ts"), *folder.glob("*/*_TRAIN.ts")]):
        name = train.name[: -len("_TRAIN.ts")]
        if (train.parent / f"{name}_TEST.ts").is_file():
            found.setdefault(name, train.parent)
    return found


def set_files(name: str, archive_dir: str | None) -> tuple[Path, Path]:
    """The set's ``_TRAIN.ts`` and ``_TEST.ts``; an unknown name lists the known ones."""
    folder = archive_folder(archive_dir)
    sets = available_sets(folder)
    if name not in sets:
        where = "aeon's archive" if archive_dir is None else repr(str(folder))
        near = [known for known in sets if known.lower() == name.lower()]
        hint = f" (names are case-sensitive: did you mean {near[0]!r}?)" if near else ""
        raise ConfigError(
            f"data.name={name!r} is not a UCR/UEA data set in {where}{hint}: "
            f"available are {', '.join(sorted(sets, key=str.lower)) or 'none'}."
        )
    return sets[name] / f"{name}_TRAIN.ts", sets[name] / f"{name}_TEST.ts"
