"""How long the commands people type most take, each as a whole process, before and after.

    python bench/startup.py [--before REF] [--runs 5] [--no-bot]

Each version gets a library of its own, seeded with the 80 bundled papers as a first command
seeds it, and ada's ten likes of the README (five continuous-time papers, five on
language-model safety: two interests). "before" is the git ref REF (default: main) checked out
into a temporary worktree and run with this environment's Python (its packages; PYTHONPATH
points at the worktree); "after" is this checkout. Every command runs `--runs` times, before
and after alternating so that both meet the same load; `import` copies the library first each
time (a 15-entry BibTeX file, tests/data/reading_lists/bibtex-tidy.bib). "bot ready" starts
the Discord bot without the gateway: its library threads, the library opened and its index
loaded, the cogs added, then closes it.

Commands run as from a person's shell: with Python's bytecode cache (a PYTHONDONTWRITEBYTECODE
in the environment is left out, since with it every command compiles paperclub's modules anew,
about 0.1 s), after one round that is not timed.

In the same run, floors: Python doing nothing, and importing numpy, scipy.sparse and
scikit-learn. Printed: per command the median and every run in seconds (wall clock of the
whole process), the median CPU time (user and system, of the process and its children: less
moved by other work on a shared machine than the wall clock), and the load average before and
after.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT  # noqa: E402

LIKES = ("43", "34", "39", "29", "25", "1", "8", "9", "16", "12")
BIB = ROOT / "tests" / "data" / "reading_lists" / "bibtex-tidy.bib"
COMMANDS: list[tuple[str, list[str]]] = [
    ("recommend ada", ["recommend", "ada"]),
    ("similar 43", ["similar", "43"]),
    ("taste ada", ["taste", "ada"]),
    ("random --for ada", ["random", "--for", "ada"]),
    ("show 43", ["show", "43"]),
    ("likes ada", ["likes", "ada"]),
    ('search "neural ode"', ["search", "neural ode"]),
    ("import (15 entries)", ["import", "bob", str(BIB)]),
]
FLOORS: list[tuple[str, str]] = [
    ("python -c pass", "pass"),
    ("import numpy", "import numpy"),
    ("import scipy.sparse", "import scipy.sparse"),
    ("import sklearn", "import sklearn"),
]
# The bot as `paperclub run` starts it, less the gateway: set up, ready, closed.
BOT = """
import asyncio, sys
from bot.client import create_bot
from bot.config import Settings

async def main():
    bot = create_bot(Settings(db_path=sys.argv[1], enrich=False), sync_commands=False, post_digests=False)
    await bot._async_setup_hook()
    await bot.setup_hook()
    assert bot.cogs and len(bot.library.index()) > 0
    await bot.close()

asyncio.run(main())
"""


class Version:
    """One version of the code: where it is, and its own seeded library."""

    def __init__(self, name: str, code: Path, folder: Path):
        self.name = name
        self.code = code
        self.folder = folder
        self.db = folder / "paperclub.db"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("PAPERCLUB_") and k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPATH"] = str(code)

    def command(self, args: list[str], db: Path | None = None) -> list[str]:
        return [sys.executable, "-m", "bot.cli", "--db", str(db or self.db), *args]

    def run(self, argv: list[str]) -> Timing:
        done, timing = timed(argv, env=self.env, cwd=self.folder)
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: {' '.join(argv[3:])} failed ({done.returncode}): {done.stderr[-500:]}")
        return timing

    def seed(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.run(self.command(["stats"]))
        self.run(self.command(["like", "ada", *LIKES]))
        self.run(self.command(["recommend", "ada"]))  # the index saved, as after any first use

    def time(self, label: str, args: list[str]) -> Timing:
        if label.startswith("import"):
            copy = self.folder / "import.db"
            for suffix in ("", ".index"):
                shutil.copy(str(self.db) + suffix, str(copy) + suffix)
            for suffix in ("-wal", "-shm"):
                Path(str(copy) + suffix).unlink(missing_ok=True)
            return self.run(self.command(args, copy))
        if label == "bot ready":
            return self.run([sys.executable, "-c", BOT, str(self.db)])
        return self.run(self.command(args))


Timing = tuple[float, float]  # (wall clock, CPU) seconds of a whole process


def timed(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], Timing]:
    """Run a process; its wall-clock time and the CPU time it and its children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def floor(code: str) -> Timing:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done, timing = timed([sys.executable, "-c", code], env=env)
    done.check_returncode()
    return timing


def shown(timings: list[Timing]) -> str:
    walls = [wall for wall, _ in timings]
    cpu = statistics.median(c for _, c in timings)
    return f"{statistics.median(walls):.2f} ({', '.join(f'{t:.2f}' for t in walls)}); CPU {cpu:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="the git ref to compare with (default: main)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-bot", action="store_true", help="leave out the bot's start-up")
    options = parser.parse_args()
    commands = COMMANDS + ([] if options.no_bot else [("bot ready", [])])
    with tempfile.TemporaryDirectory(prefix="paperclub-startup-") as temp:
        worktree = Path(temp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(worktree), options.before],
                       check=True)
        try:
            versions = [Version(f"before ({options.before})", worktree, Path(temp) / "lib-before"),
                        Version("after", ROOT, Path(temp) / "lib-after")]
            for version in versions:
                version.seed()
                for label, args in commands:
                    version.time(label, args)  # the bytecode cache written, the files in the page cache
            load_before = os.getloadavg()
            times: dict[tuple[str, str], list[Timing]] = {}
            floors: dict[str, list[Timing]] = {}
            for _ in range(options.runs):
                for label, code in FLOORS:
                    floors.setdefault(label, []).append(floor(code))
                for label, args in commands:
                    for version in versions:
                        times.setdefault((label, version.name), []).append(version.time(label, args))
            load_after = os.getloadavg()
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
    before, after = (v.name for v in versions)
    print(f"Whole processes, seconds: median wall clock (every run); median CPU; {options.runs} runs each, "
          "before and after alternating; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print()
    print(f"| command | {before} | after | after ÷ before |")
    print("|---|---|---|---|")
    for label, _ in commands:
        old, new = times[(label, before)], times[(label, after)]
        ratio = statistics.median(t for t, _ in new) / statistics.median(t for t, _ in old)
        print(f"| `{label}` | {shown(old)} | {shown(new)} | {ratio:.2f} |")
    for label, _ in FLOORS:
        print(f"| floor: `{label}` | {shown(floors[label])} | | |")


if __name__ == "__main__":
    main()
