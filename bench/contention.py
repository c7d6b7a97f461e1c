"""Likes beside a large import: does anyone wait, does anything fail?

    python bench/contention.py [--entries 30000] [--likers 4]

A BibTeX library of `--entries` entries (the real arXiv snapshot sample, then synthetic papers
learned from it by bench/synthetic.py) is imported with `paperclub import` into a seeded library
while `--likers` other processes like papers as fast as they can, each like a call of its own
(`Store.set_signal`, a like or a "not for me" in turn so that every call writes, through the
store's one writer and its busy timeout of 30 s). Each case runs on a fresh
copy of the same library:

- **whole file**: the file parsed and written inside one transaction, as paperclub did before
  (the baseline: the same code, called inside a transaction of the caller's);
- **steps**: paperclub's journaled steps of about 0.25 s (`ingest.STEP_SECONDS`).

Printed per case: the import's time, the likes made and failed, the median and slowest like,
and the longest the import held the write lock (each transaction of the importing process
timed from the moment `BEGIN IMMEDIATE` has the lock to the end of its commit), with the load
average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

IMPORTER = """
import json, sys, time
from contextlib import contextmanager
from datetime import date
from recommender import Library, ingest
from recommender.store import Store

holds = []
original = Store.transaction

@contextmanager
def timed(self):
    outer = not self.in_transaction()
    with original(self):  # the lock is held from here (BEGIN IMMEDIATE waited for it) ...
        start = time.perf_counter()
        yield
    if outer:  # ... to the end of its COMMIT
        holds.append(time.perf_counter() - start)

Store.transaction = timed
start = time.perf_counter()
with Library(sys.argv[1]) as lib:
    if sys.argv[3] == "whole":  # one transaction for the file, parsing inside it: as before
        with lib.store.transaction():
            report = lib.import_likes("importer", [sys.argv[2]], today=date(2026, 12, 6))
    else:
        report = lib.import_likes("importer", [sys.argv[2]], today=date(2026, 12, 6))
print(json.dumps({"seconds": time.perf_counter() - start, "added": report.added, "holds": max(holds),
                  "steps": len(holds)}))
"""

LIKER = """
import json, sys, time
from recommender import Library

done, failed, waits = 0, 0, []
with Library(sys.argv[1]) as lib:
    ids = lib.store.all_ids()
    stop_file = sys.argv[2]
    number = int(sys.argv[3])
    while True:
        start = time.perf_counter()
        try:
            kind = "like" if (done // len(ids)) % 2 == 0 else "dislike"  # every call writes
            lib.store.set_signal(f"liker{number}", ids[done % len(ids)], kind, "lab")
            done += 1
        except Exception as exc:
            failed += 1
        waits.append(time.perf_counter() - start)
        try:
            open(stop_file).close()
            break
        except FileNotFoundError:
            pass
print(json.dumps({"done": done, "failed": failed, "waits": waits}))
"""


def library_file(path: Path, entries: int) -> None:
    """The BibTeX library the bench imports (the reading-lists bench writes the same kind)."""
    import reading_lists

    reading_lists.speed_file(path, entries)


def seeded(folder: Path) -> Path:
    path = folder / "seeded.db"
    subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "--db", str(path), "stats"],
                   cwd=ROOT, check=True, capture_output=True)
    return path


def run_case(mode: str, base: Path, bib: Path, likers: int, folder: Path) -> dict:
    db = folder / f"{mode}.db"
    shutil.copy(base, db)
    stop = folder / f"{mode}.stop"
    stop.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    liking = [subprocess.Popen([sys.executable, "-c", LIKER, str(db), str(stop), str(n)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, text=True) for n in range(likers)]
    time.sleep(1.0)  # the likers are up and liking
    importer = subprocess.run([sys.executable, "-c", IMPORTER, str(db), str(bib), mode], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)
    stop.touch()
    results = [json.loads(p.communicate()[0]) for p in liking]
    waits = [w for r in results for w in r["waits"]]
    return {**json.loads(importer.stdout.strip().splitlines()[-1]),
            "likes": sum(r["done"] for r in results), "failed": sum(r["failed"] for r in results),
            "median": statistics.median(waits), "slowest": max(waits)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=30_000)
    parser.add_argument("--likers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paperclub-contention-") as name:
        folder = Path(name)
        bib = folder / "library.bib"
        library_file(bib, args.entries)
        base = seeded(folder)
        print(f"# likes beside an import of {args.entries:,} entries ({bib.stat().st_size / 1e6:.1f} MB), "
              f"{args.likers} liking processes")
        print(f"{'case':<12}{'import s':>10}{'steps':>7}{'longest hold s':>16}{'likes':>8}{'failed':>8}"
              f"{'median like ms':>16}{'slowest like s':>16}")
        for mode in ("whole", "steps"):
            r = run_case(mode, base, bib, args.likers, folder)
            label = "whole file" if mode == "whole" else "steps"
            print(f"{label:<12}{r['seconds']:>10.1f}{r['steps']:>7}{r['holds']:>16.2f}{r['likes']:>8}"
                  f"{r['failed']:>8}{r['median'] * 1000:>16.1f}{r['slowest']:>16.2f}")
        print("load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
