"""rnnlab's commands as a hint names them, so that a printed command works when pasted.

A user who ran ``.venv/bin/rnnlab-train`` in a shell where the virtual environment is not
active has no ``rnnlab-train`` on PATH: a hint that says "resume it with: rnnlab-train …"
fails as pasted. Hints therefore name a command as this process was called: by its bare name
when that is the program the shell finds on PATH, else by the path it was called with.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence


def _invoked_folder() -> str:
    """The folder of the program as it was called ("" for a bare name)."""
    invoked = sys.argv[0] if sys.argv else ""
    return os.path.dirname(invoked)


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def command_name(name: str) -> str:
    """How a hint calls rnnlab's console script ``name`` (e.g. ``rnnlab-report``): beside
    the script this process was called as, by the same path, unless PATH finds it anyway.

    ``python -m rnnlab.train`` or any caller without such a sibling gets the bare name.
    """
    folder = _invoked_folder()
    if not folder:
        return name
    sibling = os.path.join(folder, name)
    if not os.path.isfile(sibling):
        return name
    found = shutil.which(name)
    if found is not None and _same_file(found, sibling):
        return name
    return shlex.quote(sibling)


def shell_command(name: str, arguments: Sequence[str]) -> str:
    """``name`` and its arguments as one line to paste into a shell."""
    return " ".join([command_name(name), *(shlex.quote(a) for a in arguments)])
