"""Running a module of the core in a Python process of its own (`python -m recommender.x`),
and cleaning up after one that was killed.

A plain subprocess, rather than multiprocessing's spawn, never re-imports the caller's main
script, so a library user's script needs no `if __name__ == "__main__"` guard.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path


def module_command(module: str, *args: str) -> list[str]:
    """The command line that runs `module` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def child_environment() -> dict[str, str]:
    """This environment, with the folder holding this `recommender` first on the path, so the
    child runs the same code as this process."""
    home = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": home + (os.pathsep + path if path else "")}


def last_words(stderr: bytes, returncode: int) -> str:
    """The last line a failed child printed, or its exit status."""
    said = stderr.decode("utf-8", "replace").strip()
    return said.splitlines()[-1] if said else f"exit status {returncode}"


TEMP_SUFFIX = ".tmp"


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete the half-written copies of an index that a killed save left beside it (named
    `<index>.<pid>.<random>.tmp`, kept while that process still runs); returns them."""
    path = Path(path)
    removed = []
    for temp in path.parent.glob(f"{glob_escape(path.name)}.*{TEMP_SUFFIX}"):
        pid = temp.name[len(path.name) + 1:].split(".", 1)[0]
        if pid.isdigit() and _running(int(pid)):  # ours too: a refit may be writing it
            continue
        temp.unlink(missing_ok=True)
        removed.append(temp)
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
