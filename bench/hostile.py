"""`paperclub fetch cs.LG` against a hostile arXiv: does each run end in time, in little memory,
with exit status 1 and one sentence?

    python bench/hostile.py               # the four hostile answers at full size, and a polite baseline
    python bench/hostile.py --only bomb trickle

A local server (tests/arxiv_server.py) answers the feed request with:

- bomb:    1 MB of gzip that unpacks to 1 GiB (Content-Encoding: gzip);
- 2gb:     a 2 GB body, chunked, made as it is sent;
- trickle: the recorded feed, one byte every 2 seconds;
- 429:     HTTP 429 with `Retry-After: 86400`;
- polite:  the recorded cs.LG feed, dated today (the baseline: exit 0).

Each run is the real `paperclub` command in its own process, on a copy of one seeded database,
with nothing but the arXiv URLs set (the caps, deadline and pace are the defaults), measured by
`/usr/bin/time -v`: wall time, peak resident memory, exit status and what it printed on stderr.
The limits checked are those of issue 12: at most 120 s, under 600 MB, exit 1, one sentence and
no traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from common import use_repository_code

use_repository_code()

from recommender.timetable import latest_announcement  # noqa: E402
from tests.arxiv_server import RECORDINGS, RecordedArxiv, Stream, endless_feed, gzip_bomb, trickle  # noqa: E402

PAPERCLUB = Path(sys.executable).with_name("paperclub")
TIME = Path("/usr/bin/time")
LIMIT_SECONDS = 120
LIMIT_MB = 600
CASES = ("bomb", "2gb", "trickle", "429", "polite")


@dataclass
class Run:
    case: str
    exit: int
    seconds: float
    peak_mb: float
    stderr: list[str]

    def verdict(self) -> str:
        """What falls short of the limits, or "ok"."""
        wanted_exit = 0 if self.case == "polite" else 1
        problems = []
        if self.seconds > LIMIT_SECONDS:
            problems.append(f"took {self.seconds:.0f} s")
        if self.peak_mb >= LIMIT_MB:
            problems.append(f"{self.peak_mb:.0f} MB")
        if self.exit != wanted_exit:
            problems.append(f"exit {self.exit}")
        if any("Traceback" in line for line in self.stderr):
            problems.append("a traceback")
        if wanted_exit and len(self.stderr) != 1:
            problems.append(f"{len(self.stderr)} lines on stderr")
        return ", ".join(problems) or "ok"


def polite_feed() -> bytes:
    """The recorded cs.LG feed, dated with the announcement `paperclub fetch` expects now."""
    day = latest_announcement(datetime.now(timezone.utc))
    text = (RECORDINGS / "rss_cs_LG.xml").read_text(encoding="utf-8")
    return text.replace("Mon, 02 Jun 2025", day.strftime("%a, %d %b %Y")).encode("utf-8")


def answer(case: str) -> tuple:
    """The server's answer to the feed request for `case`."""
    if case == "bomb":
        return 200, gzip_bomb(1 << 30), {"Content-Encoding": "gzip"}
    if case == "2gb":
        return 200, Stream(endless_feed(2_000_000_000)), {}
    if case == "trickle":
        return 200, Stream(trickle(polite_feed()), pause=2.0), {}
    if case == "429":
        return 429, "Rate exceeded.", {"Retry-After": "86400", "Content-Type": "text/plain"}
    return 200, polite_feed(), {}


def seeded_database(folder: Path) -> Path:
    """A database holding the bundled seeds, made once by the real command."""
    path = folder / "seeded.db"
    subprocess.run([str(PAPERCLUB), "--db", str(path), "stats"], check=True, capture_output=True,
                   env=clean_env(), timeout=300)
    return path


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLUB_", "DISCORD_"))}


def measure(case: str, server: RecordedArxiv, seeded: Path, folder: Path) -> Run:
    db = folder / f"{case}.db"
    shutil.copy(seeded, db)
    report = folder / f"{case}.time"
    env = clean_env()
    env.update(PAPERCLUB_DB=str(db), PAPERCLUB_ARXIV_RSS_URL=server.rss_url, PAPERCLUB_ARXIV_API_URL=server.api_url)
    began = time.monotonic()
    done = subprocess.run([str(TIME), "-v", "-o", str(report), str(PAPERCLUB), "fetch", "cs.LG"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=LIMIT_SECONDS * 3,
                          check=False)
    took = time.monotonic() - began
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
    if peak is None:
        sys.exit(f"/usr/bin/time -v reported no peak memory for {case}: {report.read_text()!r}")
    return Run(case, done.returncode, took, int(peak.group(1)) / 1024, done.stderr.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=CASES, default=list(CASES))
    args = parser.parse_args()
    if not TIME.exists():
        sys.exit("bench/hostile.py needs GNU time at /usr/bin/time (apt-get install time)")
    server = RecordedArxiv().start()
    runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="paperclub-hostile-") as scratch:
            folder = Path(scratch)
            seeded = seeded_database(folder)
            for case in args.only:
                server.route("/rss/cs.LG", answer(case))
                runs.append(measure(case, server, seeded, folder))
                run = runs[-1]
                print(f"{case:8} exit {run.exit}  {run.seconds:6.1f} s  {run.peak_mb:6.0f} MB  {run.verdict()}",
                      flush=True)
                for line in run.stderr:
                    print(f"         stderr: {line}")
    finally:
        server.stop()
    print(f"\nlimits: at most {LIMIT_SECONDS} s, under {LIMIT_MB} MB, exit 1, one sentence, no traceback "
          f"(the polite baseline: exit 0)")
    failed = [run.case for run in runs if run.verdict() != "ok"]
    print("all within the limits" if not failed else f"outside the limits: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
