"""Running a module of the core in a Python process of its own (`python -m recommender.x`),
cleaning up after one that was killed, and background work at a lower CPU priority in a
process that answers people.

A plain subprocess, rather than multiprocessing's spawn, never re-imports the caller's main
script, so a library user's script needs no `if __name__ == "__main__"` guard.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def module_command(module: str, *args: str) -> list[str]:
    """The command line that runs `module` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def child_environment(below: int = 0) -> dict[str, str]:
    """This environment, with the folder holding this `recommender` first on the path, so the
    child runs the same code as this process, and the niceness its background work takes
    (`run_in_background`): this process's background niceness, and `below` more for a child
    that is to give way to this process's own threads."""
    home = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": home + (os.pathsep + path if path else ""),
            NICENESS_VARIABLE: str(_background_niceness + below)}


def last_words(stderr: bytes, returncode: int) -> str:
    """The last line a failed child printed, or its exit status."""
    said = stderr.decode("utf-8", "replace").strip()
    return said.splitlines()[-1] if said else f"exit status {returncode}"


TEMP_SUFFIX = ".tmp"

# How much lower the CPU priority of background work is (parsing a large file, counting or
# fitting the index, transforming papers, writing a large file) in a process that answers
# people (the bot, `yield_to_people`): on a small machine the threads answering get a core back
# at once, and the background work takes what they leave.
BACKGROUND_NICENESS = 10
NICENESS_VARIABLE = "PAPERCLUB_BACKGROUND_NICENESS"
_background_niceness = 0


def yield_to_people(niceness: int = BACKGROUND_NICENESS) -> None:
    """Run this process's background work `niceness` lower than the threads answering people
    (the bot calls it as it starts; 0 undoes it). A command a person waits for, such as
    `paperclub ingest`, leaves it at 0: the parsing and counting are the very work the person
    waits for, and at a lower priority a busy machine's other work took their cores (a 100,000
    paper ingest ran at half its speed beside a load of 4). `nice paperclub ingest …` lowers
    all of such a command. Either way a child may run a little lower still than this process's
    own threads (`child_environment(below=…)`: the parsing processes, beside the writer)."""
    global _background_niceness
    _background_niceness = max(0, int(niceness))


def background_niceness() -> int:
    """How much lower than this process its background work runs (see `yield_to_people`)."""
    return _background_niceness


def usable_cores() -> int:
    """The cores this process may run on (all of them where affinity is unknown, as on macOS)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_in_background() -> None:
    """Lower this process's CPU priority by what its parent's background work takes (a child
    doing background work calls it first; see `child_environment`)."""
    try:
        niceness = int(os.environ.get(NICENESS_VARIABLE, "0"))
    except ValueError:
        niceness = 0
    if niceness > 0 and hasattr(os, "nice"):
        os.nice(niceness)


def on_background_thread(work: Callable[[], T], stop: threading.Event) -> T:
    """Run `work` on a thread of its own, whose CPU priority is lowered in a process that
    yields to people (`yield_to_people`; on Linux, where a thread has a priority of its own;
    elsewhere it runs at this one's), and wait for its result. When
    the wait is interrupted (Ctrl-C), `stop` is set, which `work` is to check, and the thread
    is waited for before the interruption goes on, so that its transaction is rolled back."""
    results: list[T] = []
    errors: list[BaseException] = []
    # The thread says itself when it is done: a `Thread.join` cut short by Ctrl-C may afterwards
    # report a thread that still runs as finished.
    finished = threading.Event()

    def run() -> None:
        niceness = _background_niceness
        if niceness and sys.platform.startswith("linux"):
            thread = threading.get_native_id()
            with suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + niceness)
        try:
            results.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            errors.append(exc)
        finally:
            finished.set()

    worker = threading.Thread(target=run, name="paperclub-background", daemon=True)
    worker.start()
    try:
        while not finished.wait(0.1):  # waking up now and then: a signal may have gone to another thread
            pass
    except BaseException:
        stop.set()
        finished.wait()
        raise
    if errors:
        raise errors[0]
    return results[0]


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete the half-written copies of an index that a killed save left beside it (named
    `<index>.<pid>.<random>.tmp`, kept while that process still runs); returns them."""
    path = Path(path)
    removed = []
    for temp in path.parent.glob(f"{glob_escape(path.name)}.*{TEMP_SUFFIX}"):
        pid = temp.name[len(path.name) + 1:].split(".", 1)[0]
        if pid.isdigit() and running(int(pid)):  # ours too: a refit may be writing it
            continue
        temp.unlink(missing_ok=True)
        removed.append(temp)
    return removed


def temporary_folder(purpose: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder in $TMPDIR named `paperclub-<purpose>-<pid>-<random>`, so that the next
    start can tell whether the process that made it still runs (`remove_dead_folders`)."""
    return tempfile.TemporaryDirectory(prefix=f"{TEMP_FOLDER_PREFIX}{purpose}-{os.getpid()}-")


def remove_dead_folders(parent: str | Path | None = None) -> list[Path]:
    """Delete the temporary folders of paperclub processes that no longer run (a refit or a
    count killed mid-way leaves its pickled texts behind); returns them."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{TEMP_FOLDER_PREFIX}*-*-*"):
        match = _TEMP_FOLDER.fullmatch(folder.name)
        if match is None or not folder.is_dir() or folder.is_symlink() or running(int(match.group("pid"))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


TEMP_FOLDER_PREFIX = "paperclub-"
_TEMP_FOLDER = re.compile(rf"{TEMP_FOLDER_PREFIX}[a-z]+-(?P<pid>[0-9]{{1,10}})-[A-Za-z0-9_]+")


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def running(pid: int) -> bool:
    """Whether a process with this id runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
