"""Build hook: ship the top-level conf/ inside the wheel as rnnlab/conf/.

The repository keeps conf/ beside src/, where an editable install reads it
(rnnlab.config.locations); a wheel has no repository around it, so a regular build
copies every YAML file of conf/ into the built package. Editable builds copy nothing.
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: The config tree at the repository (or unpacked sdist) root.
CONF_DIR = Path(__file__).resolve().parent / "conf"
#: Where it goes inside the built package, relative to build_lib.
PACKAGED_CONF = Path("rnnlab") / "conf"


class BuildPyWithConf(build_py):
    """build_py that also copies conf/**/*.yaml to <build_lib>/rnnlab/conf/."""

    def _conf_files(self) -> list[tuple[Path, Path]]:
        """(source, target) pairs, sorted so every build copies the same files in the same order."""
        target_root = Path(self.build_lib) / PACKAGED_CONF
        return [
            (source, target_root / source.relative_to(CONF_DIR))
            for source in sorted(CONF_DIR.rglob("*.yaml"))
        ]

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target_root = Path(self.build_lib) / PACKAGED_CONF
        if target_root.exists():  # a reused build/ may hold configs deleted since
            self.execute(_remove_tree, (target_root,), f"removing stale {target_root}")
        for source, target in self._conf_files():
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode=include_bytecode)
        if self.editable_mode:
            return outputs
        return outputs + [str(target) for _, target in self._conf_files()]


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


setup(cmdclass={"build_py": BuildPyWithConf})
