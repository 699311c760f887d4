"""One door per library to what rnnlab uses of its private API.

Each module here is the only place rnnlab touches a private name of that library, and each
has a ``check()`` that a test calls: after an upgrade that moves or drops the name, the test
fails with a sentence that says which name, in which version, and what rnnlab used it for,
instead of a run failing somewhere deep inside.
"""

from __future__ import annotations


class CompatError(RuntimeError):
    """An installed library no longer has the private name that rnnlab relies on."""


def missing(package: str, name: str, used_for: str) -> CompatError:
    """The one sentence for a private name that an upgrade took away."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version(package)
    except PackageNotFoundError:
        installed = "not installed"
    return CompatError(
        f"{package} {installed} no longer has {name}, which rnnlab uses to {used_for}: "
        f"pin {package} to a version that has it, or update rnnlab.compat."
    )
