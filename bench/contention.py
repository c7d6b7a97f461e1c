"""Likes beside a large import: does anyone wait, does anything fail? And how much memory and time
a large import takes.

    .venv/bin/pip install -e '.[bench]'          # psutil, to watch the import's processes
    python bench/contention.py [--case likes|memory|ris ...] [--entries 30000] [--likers 4]
                               [--bib-mb 150] [--ris-entries 20000 100000 400000]

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

**memory** (`--bib-mb`, 150 by default): a `.bib` of that size in JabRef's style (a `@PREAMBLE`
and `@STRING` macros, then physicists' entries of the real snapshot sample and synthetic papers
learned from it, as in bench/reading_lists.py) is imported with `paperclub import` into a seeded
library, and the import's processes (the importing one, its parsing processes and the index's
refit process) are watched with psutil every 50 ms. Printed: the file's size; the peak of their
resident memory added up while the file is read and written (until its last parsing process
ends, before the index is brought up to date), beside the same peak for an import of 1,000 such entries (the constant: Python, the
libraries, the index of the seeded library), and their ratio to the file's size; the largest
parsing process; then the peak with the index update included (which grows with the library, not
the file) and the largest single process (`getrusage(RUSAGE_CHILDREN)` of a process that ran the
import).

**ris** (`--ris-entries`): RIS files of 20,000, 100,000 and 400,000 entries (Zotero-style, the
same synthetic papers: type, up to three authors, title, year, journal) each imported into a
fresh seeded library: seconds and entries per second, the smallest file's rate being the
baseline that the larger ones are compared with (a linear import keeps it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

IMPORTER = """
import json, sys, time
from contextlib import contextmanager
from datetime import date
from recommender import Library, ingest
from recommender.ingest import Ingester
from recommender.reading_list import Importer
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
if sys.argv[3] == "whole":  # one transaction for the file, parsing inside it: as before
    store = Store(sys.argv[1])
    with store.transaction():
        report = Importer(store, Ingester(store)).import_likes("importer", [sys.argv[2]], date(2026, 12, 6))
    store.close()
    with Library(sys.argv[1]) as lib:  # then the index follows, as `Library.import_likes` has it do
        lib.refresh_index()
else:
    with Library(sys.argv[1]) as lib:
        report = lib.import_likes("importer", [sys.argv[2]], today=date(2026, 12, 6))
print(json.dumps({"seconds": time.perf_counter() - start, "added": report.added, "holds": max(holds),
                  "steps": len(holds)}))
"""

LIKER = """
import json, sys, time
from recommender.store import Store

done, failed, waits = 0, 0, []
store = Store(sys.argv[1])  # another process's writer
ids = store.all_ids()
stop_file = sys.argv[2]
number = int(sys.argv[3])
while True:
    start = time.perf_counter()
    try:
        kind = "like" if (done // len(ids)) % 2 == 0 else "dislike"  # every call writes
        store.set_signal(f"liker{number}", ids[done % len(ids)], kind, "lab")
        done += 1
    except Exception as exc:
        failed += 1
    waits.append(time.perf_counter() - start)
    try:
        open(stop_file).close()
        break
    except FileNotFoundError:
        pass
store.close()
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


def likes_case(folder: Path, entries: int, likers: int) -> None:
    bib = folder / "library.bib"
    library_file(bib, entries)
    base = seeded(folder)
    print(f"# likes beside an import of {entries:,} entries ({bib.stat().st_size / 1e6:.1f} MB), "
          f"{likers} liking processes")
    print(f"{'case':<12}{'import s':>10}{'steps':>7}{'longest hold s':>16}{'likes':>8}{'failed':>8}"
          f"{'median like ms':>16}{'slowest like s':>16}")
    for mode in ("whole", "steps"):
        r = run_case(mode, base, bib, likers, folder)
        label = "whole file" if mode == "whole" else "steps"
        print(f"{label:<12}{r['seconds']:>10.1f}{r['steps']:>7}{r['holds']:>16.2f}{r['likes']:>8}"
              f"{r['failed']:>8}{r['median'] * 1000:>16.1f}{r['slowest']:>16.2f}")
    print(load())


# -- memory and time of large imports ------------------------------------------------------------

JABREF_HEAD = """% This file was created with JabRef 2.10.
% Encoding: UTF-8

@PREAMBLE{ "\\newcommand{\\chem}[1]{\\ensuremath{\\mathrm{#1}}} \\providecommand{\\noopsort}[1]{}" }

@STRING{aps = {American Physical Society}}

@STRING{pr = {Physical Review}}

@STRING{prb = pr # { B}}

"""


def papers() -> Iterator[dict]:
    """The real snapshot sample's papers, then synthetic ones learned from the samples."""
    import reading_lists
    import synthetic

    with reading_lists.SNAPSHOT.open(encoding="utf-8") as lines:
        yield from (json.loads(line) for line in lines if line.strip())
    yield from synthetic.generate(5_000_000, seed=7)


def write_bib(path: Path, size: int, most: int | None = None) -> int:
    """A JabRef-style `.bib` of at least `size` bytes (or `most` entries), written as it is
    made; its number of entries."""
    import reading_lists

    written = entries = 0
    rows = papers()
    with path.open("w", encoding="utf-8") as out:
        out.write(JABREF_HEAD)
        while written < size and entries != most:
            for entry in reading_lists.speed_entries(list(itertools.islice(rows, 1000))):
                out.write(entry + "\n")
                written += len(entry.encode("utf-8")) + 1
                entries += 1
                if written >= size or entries == most:
                    break
    return entries


def write_ris(paths: dict[int, Path]) -> None:
    """RIS files of the first N papers, for each N in `paths`, written in one pass."""
    largest = max(paths)
    outs = {n: path.open("w", encoding="utf-8") for n, path in paths.items()}
    try:
        for number, row in enumerate(itertools.islice(papers(), largest)):
            authors = [parts for parts in row["authors_parsed"][:3] if parts[0].strip()]
            lines = ["TY  - JOUR", *(f"AU  - {parts[0]}, {parts[1]}".rstrip(", ") for parts in authors),
                     f"TI  - {' '.join(row['title'].split())}", f"PY  - {row['update_date'][:4]}"]
            if row.get("journal-ref"):
                lines.append(f"JO  - {' '.join(row['journal-ref'].split())}")
            entry = "\n".join([*lines, "ER  - ", "", ""])
            for n, out in outs.items():
                if number < n:
                    out.write(entry)
    finally:
        for out in outs.values():
            out.close()


MAX_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@dataclass
class Watched:
    """An import's time and the resident memory of its processes (bytes)."""

    seconds: float
    file_peak: int  # all its processes together while the file was read and written (for a file
    # parsed aside: until the last parsing process ended; else the whole run)
    parser_peak: int  # the largest parsing process
    total_peak: int  # all together, the index update included
    largest: int  # the largest single process (getrusage)


def watched_import(db: Path, path: Path) -> Watched:
    """`paperclub import ada FILE` run by a process that reports its largest child, its
    processes' memory sampled meanwhile."""
    import psutil

    command = [sys.executable, "-c", MAX_RSS, sys.executable, "-c", "from bot.cli import main; main()",
               "--db", str(db), "import", "ada", str(path), "--json"]
    start = time.perf_counter()
    runner = psutil.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    file_peak = parser_peak = total_peak = 0
    parsed_aside = False  # a parsing process was seen: the file's phase ends when the last one does
    while runner.poll() is None:
        total = 0
        parsing = False
        try:
            processes = runner.children(recursive=True)
        except psutil.Error:
            continue
        for process in processes:
            try:
                rss, line = process.memory_info().rss, " ".join(process.cmdline())
            except psutil.Error:
                continue
            total += rss
            if "recommender.parsing" in line:
                parsing = True
                parser_peak = max(parser_peak, rss)
        parsed_aside = parsed_aside or parsing
        total_peak = max(total_peak, total)
        if parsing or not parsed_aside:
            file_peak = max(file_peak, total)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    status, largest = runner.communicate()[0].split()
    if status != "0":
        raise SystemExit(f"paperclub import {path.name} failed with status {status}")
    return Watched(seconds, file_peak, parser_peak, total_peak, int(largest) * 1024)


def fresh_copy(base: Path, folder: Path, name: str) -> Path:
    """A copy of the seeded library with its index, as a lab's library is found."""
    db = folder / f"{name}.db"
    shutil.copy(base, db)
    index = base.with_name(base.name + ".index")
    if index.exists():
        shutil.copy(index, db.with_name(db.name + ".index"))
    return db


def memory_case(folder: Path, megabytes: float) -> None:
    base = seeded(folder)
    small, large = folder / "small.bib", folder / "large.bib"
    small_entries = write_bib(small, 2**62, most=1000)
    entries = write_bib(large, int(megabytes * 1e6))
    constant = watched_import(fresh_copy(base, folder, "small"), small)
    big = watched_import(fresh_copy(base, folder, "large"), large)
    size = large.stat().st_size
    mb = 1e6
    print(f"\n# memory of a .bib import: {size / mb:.1f} MB, {entries:,} entries "
          f"(constant: {small_entries:,} entries, {small.stat().st_size / mb:.1f} MB)")
    print(f"{'import':<10}{'seconds':>9}{'entries/s':>11}{'file phase MB':>15}{'parser MB':>11}"
          f"{'with index MB':>15}{'largest MB':>12}")
    for label, run, count in (("constant", constant, small_entries), ("large", big, entries)):
        print(f"{label:<10}{run.seconds:>9.1f}{count / run.seconds:>11,.0f}{run.file_peak / mb:>15.0f}"
              f"{run.parser_peak / mb:>11.0f}{run.total_peak / mb:>15.0f}{run.largest / mb:>12.0f}")
    print(f"reading and writing the file: {big.file_peak / size:.2f}x its size, "
          f"{(big.file_peak - constant.file_peak) / size:.2f}x past the constant; "
          f"largest parsing process {big.parser_peak / size:.2f}x; "
          f"index update included {big.total_peak / size:.2f}x")
    print(load())


def ris_case(folder: Path, counts: list[int]) -> None:
    base = seeded(folder)
    paths = {n: folder / f"{n}.ris" for n in counts}
    write_ris(paths)
    print(f"\n# RIS imports ({', '.join(f'{n:,}' for n in sorted(counts))} entries)")
    print(f"{'entries':>9}{'MB':>8}{'seconds':>9}{'entries/s':>11}{'vs smallest':>13}{'peak MB':>9}")
    first_rate = None
    for n in sorted(counts):
        run = watched_import(fresh_copy(base, folder, f"ris{n}"), paths[n])
        rate = n / run.seconds
        first_rate = first_rate or rate
        print(f"{n:>9,}{paths[n].stat().st_size / 1e6:>8.1f}{run.seconds:>9.1f}{rate:>11,.0f}"
              f"{rate / first_rate:>12.2f}x{run.total_peak / 1e6:>9.0f}   {load()}")


def load() -> str:
    return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--case", action="append", choices=("likes", "memory", "ris"),
                        help="run only these cases (repeatable; all by default)")
    parser.add_argument("--entries", type=int, default=30_000)
    parser.add_argument("--likers", type=int, default=4)
    parser.add_argument("--bib-mb", type=float, default=150.0)
    parser.add_argument("--ris-entries", type=int, nargs="+", default=[20_000, 100_000, 400_000])
    args = parser.parse_args()
    cases = args.case or ["likes", "memory", "ris"]
    with tempfile.TemporaryDirectory(prefix="paperclub-contention-") as name:
        folder = Path(name)
        if "likes" in cases:
            likes_case(folder, args.entries, args.likers)
        if "memory" in cases:
            memory_case(folder, args.bib_mb)
        if "ris" in cases:
            ris_case(folder, args.ris_entries)


if __name__ == "__main__":
    main()
