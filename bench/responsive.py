"""Reads beside writes: search, recommend and similar while a large ingest and a refit run.

    python bench/responsive.py                      # 100,000 papers, a 20,000-paper ingest
    python bench/responsive.py --quick              # small sizes, a smoke run of a minute
    python bench/responsive.py --papers 50000 --ingest 10000 --readers 2 --json out.json
    python bench/responsive.py --ingest 5000 --no-refit --switch-interval-ms 1   # experiments

The corpus is bench/speed.py's synthetic arXiv corpus (bench/synthetic.py) of papers + ingest
papers, cached under bench/out/ and cut in two: the first --papers build the library (built once
in a process of its own and cached), the last --ingest are new papers, not yet in it. Each run
works on a fresh copy of the cached library (database and persisted index) and one `Library`
shared by every thread:

idle, 1 thread    --calls calls of each of search, recommend and similar, one after another.
idle, N readers   --readers threads calling them in turn (each pausing a random 0-2x --pause-ms
                  between calls, as people's requests arrive) for --idle-seconds, no writes.
during ingest     the same readers while one writer thread runs `lib.ingest([new papers])`:
                  parse, de-duplicate, FTS5, then the new papers added to the TF-IDF index in
                  the fitted vocabulary and the index saved;
during refit      ... and then `lib._keeper.refit()`: a new vocabulary fitted aside (in a process
                  of its own above 20,000 papers), caught up and swapped in, and saved;
during writes     both; the readers stop when the writer ends.

With --lab, a large lab is written into the copy first (bench/lab_speed.py: 8,000 members and
130,000 likes in one group, --lab-members and --lab-likes), its co-likes built and its weight
learned, and the readers' turns gain "recommend (lab)": a member of that lab asking for their
recommendations in it, with co-likes at the weight the lab learned.

Requests: people with 5-20 likes each from one category; random papers for similar; search
queries of several kinds drawn from real titles and authors (1-3 title words, a quoted phrase,
author:Name, a word with cat:, a prefix*, an OR), each kind also shown on its own line.
Figures are p50 / p95 in ms, limit=10. The machine is shared: compare the columns of one run,
measured side by side, rather than across runs; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from speed import OUT_DIR, ensure_corpus, generator_version, machine, make_query, peak_rss_mb

OPERATIONS = ("search", "recommend", "similar")
LAB_RECOMMEND = "recommend (lab)"
QUERY_POOL = 500  # search queries drawn, whatever the number of calls
TARGET_MS = 50.0
LAB_TARGET_MS = 30.0  # a large lab's recommend, idle


# -- corpus and the cached library ------------------------------------------------------------


def cache_dir(papers: int, ingest: int, seed: int) -> Path:
    """Where the corpus split and the library for these sizes are cached: a folder made for a
    larger ingest serves a smaller one too (its first new papers), so the library is built once."""
    from recommender.index import FORMAT_VERSION
    from recommender.store import SCHEMA_VERSION

    tail = f"seed{seed}-{generator_version()}-s{SCHEMA_VERSION}i{FORMAT_VERSION}"
    for folder in sorted(OUT_DIR.glob(f"responsive-{papers}+*-{tail}")):
        made_for = int(folder.name.split("+")[1].split("-")[0])
        if made_for >= ingest and (folder / "library.done").exists():
            return folder
    return OUT_DIR / f"responsive-{papers}+{ingest}-{tail}"


def split_corpus(papers: int, ingest: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """The first `papers` lines of the synthetic corpus, and the `ingest` lines after them."""
    base, new = folder / "base.jsonl", folder / "new.jsonl"
    if base.exists() and new.exists():
        return base, new
    corpus, _ = ensure_corpus(papers + ingest, seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(corpus, encoding="utf-8") as source, \
            open(base.with_suffix(".partial"), "w", encoding="utf-8") as first, \
            open(new.with_suffix(".partial"), "w", encoding="utf-8") as second:
        for number, line in enumerate(source):
            (first if number < papers else second).write(line)
    base.with_suffix(".partial").replace(base)
    new.with_suffix(".partial").replace(new)
    return base, new


def cached_library(folder: Path, base: Path) -> Path:
    """The library built from `base` (database and index), built in a process of its own once."""
    db = folder / "library.db"
    done = folder / "library.done"
    if done.exists():
        return db
    for stale in folder.glob("library.db*"):
        stale.unlink()
    print(f"building the library from {base.name} (once; cached in {folder.relative_to(OUT_DIR.parent.parent)})",
          file=sys.stderr, flush=True)
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build", str(db), str(base)], check=True)
    done.write_text("ok\n")
    return db


def build(db: Path, corpus: Path) -> None:
    from recommender import Library

    started = time.perf_counter()
    with Library(db) as lib:
        report = lib.ingest([corpus])
        if report.errors:
            raise SystemExit(f"building the library failed: {report.errors}")
        lib.index()
    print(f"  built: {report.added:,} papers added, {report.merged:,} merged in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def first_lines(source: Path, count: int, out: Path) -> Path:
    with open(source, encoding="utf-8") as lines, open(out, "w", encoding="utf-8") as first:
        for _, line in zip(range(count), lines):
            first.write(line)
    return out


def fresh_copy(db: Path, work: Path) -> Path:
    """A copy of the cached database and its index to change in this run."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in (db.name, db.name + ".index"):
        shutil.copy(db.parent / name, work / name)
    return work / db.name


# -- requests -----------------------------------------------------------------------------------


@dataclass
class Requests:
    people: list[dict] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)
    queries: list[tuple[str, str]] = field(default_factory=list)  # (kind, query)


def draw_requests(db: Path, seed: int, calls: int, users: int) -> Requests:
    """People (5-20 likes each, from one category), papers by arXiv id, and a mix of queries."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = conn.execute("SELECT max(id) FROM papers").fetchone()[0]

        def random_row() -> tuple[str, str, str, str]:
            while True:
                row = conn.execute("SELECT arxiv_id, title, primary_category, authors FROM papers WHERE id = ?",
                                   [rng.randint(1, top)]).fetchone()
                if row and row[0]:
                    return row

        requests = Requests()
        while len(requests.people) < users:
            category = random_row()[2]
            members = [r[0] for r in conn.execute(
                "SELECT arxiv_id FROM papers WHERE primary_category = ? AND arxiv_id IS NOT NULL", [category])]
            likes = rng.randint(5, 20)
            if len(members) >= likes * 2:
                requests.people.append({"user": f"reader-{len(requests.people)}", "category": category,
                                        "likes": rng.sample(members, likes)})
        requests.papers = [random_row()[0] for _ in range(calls)]
        while len(requests.queries) < max(calls, QUERY_POOL):
            query = mixed_query(rng, random_row())
            if query:
                requests.queries.append(query)
    finally:
        conn.close()
    return requests


QUERY_KINDS = {"words": 5, "phrase": 1, "author": 1, "category": 1, "prefix": 1, "or": 1}


def mixed_query(rng: random.Random, row: tuple[str, str, str, str]) -> tuple[str, str] | None:
    """One query of a kind people type (see QUERY_KINDS for how often each comes), made from a
    real paper's title, category and authors: (kind, query)."""
    _, title, category, authors_json = row
    words = make_query(rng, title)
    if not words:
        return None
    kind = rng.choices(list(QUERY_KINDS), weights=list(QUERY_KINDS.values()))[0]
    first = words.split()[0]
    if kind == "phrase":
        return kind, f'"{words}"'
    if kind == "author":
        authors = json.loads(authors_json)  # stored as names with structure (family, given, ...)
        surname = (authors[0].get("family") or "").split()[-1:] if authors else []
        surname = surname[0] if surname else ""
        return (kind, f"author:{surname}") if surname.isalpha() else None
    if kind == "category":
        return kind, f"{first} cat:{category}"
    if kind == "prefix":
        return kind, f"{first[:max(3, len(first) - 3)]}*"
    if kind == "or":
        other = make_query(rng, title) or first
        return kind, f"{first} OR {other.split()[-1]}"
    return kind, words


def add_likes(lib: Any, requests: Requests) -> None:
    for person in requests.people:
        for ref in person["likes"]:
            lib.like(person["user"], ref)


# -- measuring ------------------------------------------------------------------------------------


@dataclass
class Timings:
    """Latencies (s) of each operation, with when each call started (s since the epoch)."""

    calls: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {op: [] for op in OPERATIONS + (LAB_RECOMMEND,) + tuple(f"search {k}" for k in QUERY_KINDS)})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: str, started: float, elapsed: float) -> None:
        with self.lock:
            self.calls[op].append((started, elapsed))

    def between(self, op: str, start: float, end: float) -> list[float]:
        return [elapsed for began, elapsed in self.calls[op] if start <= began < end]


Operation = Callable[[random.Random], str | None]
"""Makes one call; returns the kind of search query it made (None for other operations)."""


def operations(lib: Any, requests: Requests, lab: Any = None) -> dict[str, Operation]:
    def search(rng: random.Random) -> str:
        kind, query = rng.choice(requests.queries)
        lib.search(query, limit=10)
        return kind

    def recommend(rng: random.Random) -> None:
        lib.recommend(rng.choice(requests.people)["user"], limit=10)

    def similar(rng: random.Random) -> None:
        lib.similar(rng.choice(requests.papers), limit=10)

    def lab_recommend(rng: random.Random) -> None:
        lib.recommend(rng.choice(lab.asked_large), limit=10, group=lab.group)

    ops: dict[str, Operation] = {"search": search, "recommend": recommend, "similar": similar}
    if lab is not None:
        ops[LAB_RECOMMEND] = lab_recommend
    return ops


def call(ops: dict[str, Operation], op: str, rng: random.Random, timings: Timings) -> None:
    started = time.time()
    clock = time.perf_counter()
    try:
        kind = ops[op](rng)
    except Exception as exc:  # reported, never silently dropped
        with timings.lock:
            timings.errors.append(f"{op}: {type(exc).__name__}: {exc}")
        return
    elapsed = time.perf_counter() - clock
    timings.add(op, started, elapsed)
    if kind:
        timings.add(f"search {kind}", started, elapsed)


def idle_one_thread(ops: dict, calls: int, seed: int) -> Timings:
    rng = random.Random(seed)
    timings = Timings()
    for _ in range(calls):
        for op in ops:
            call(ops, op, rng, timings)
    return timings


def readers(ops: dict, count: int, pause_ms: float, seed: int, stop: threading.Event,
            timings: Timings) -> list[threading.Thread]:
    """Reader threads calling the operations in turn, pausing between calls, until `stop`."""

    def read(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        turn = number
        names = list(ops)
        while not stop.is_set():
            call(ops, names[turn % len(names)], rng, timings)
            turn += 1
            time.sleep(rng.uniform(0, 2 * pause_ms) / 1000)

    threads = [threading.Thread(target=read, args=(n,), name=f"reader-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


def idle_readers(ops: dict, count: int, pause_ms: float, seconds: float, seed: int) -> Timings:
    timings, stop = Timings(), threading.Event()
    threads = readers(ops, count, pause_ms, seed, stop, timings)
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return timings


def during_writes(lib: Any, ops: dict, new: Path, count: int, pause_ms: float, seed: int,
                  refit: bool = True) -> dict:
    """Readers while one writer ingests `new` and then refits the index."""
    timings, stop = Timings(), threading.Event()
    marks: dict[str, Any] = {}

    def write() -> None:
        try:
            marks["start"] = time.time()
            marks["report"] = lib.ingest([new])
            marks["ingested"] = time.time()
            if refit:
                lib._keeper.refit()
            marks["refitted"] = time.time()
        except BaseException as exc:
            marks["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            stop.set()

    threads = readers(ops, count, pause_ms, seed + 1, stop, timings)
    time.sleep(0.5)  # readers under way before the write starts
    writer = threading.Thread(target=write, name="writer")
    writer.start()
    writer.join()
    for thread in threads:
        thread.join()
    if "error" in marks:
        raise SystemExit(f"the write failed: {marks['error']}")
    return {"timings": timings, **marks}


def summary(times_s: list[float]) -> dict[str, Any]:
    if not times_s:
        return {"calls": 0}
    ms = np.asarray(times_s) * 1000
    return {"calls": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max())}


# -- the run ----------------------------------------------------------------------------------------


@dataclass
class LargeLab:
    group: str
    asked_large: list[str]  # members of the large group asked for recommendations


def large_lab(lib: Any, db: Path, args: argparse.Namespace, result: dict) -> LargeLab:
    """bench/lab_speed.py's lab written into the run's copy, its largest group's co-likes built
    and its weight learned before any measurement."""
    import lab_speed

    lab = lab_speed.prepare(db, args.lab_members, args.lab_likes, args.seed)
    size = max(lab.groups)
    group = lab.groups[size]
    started = time.perf_counter()
    colikes = lib._recommender.rebuild_colikes(group)
    built_s = time.perf_counter() - started
    learned = lib.learn_blend(group, seed=args.seed)
    members = sorted({user for user, _ in lab.likes})
    result["lab"] = {"group": group, "likes": len(colikes), "members": colikes.members, "build_s": built_s,
                     "weight": learned.weight, "recall": learned.recall, "text_recall": learned.text_recall,
                     "chosen": learned.chosen}
    return LargeLab(group, random.Random(args.seed).sample(members, min(200, len(members))))


def run(args: argparse.Namespace) -> dict:
    from recommender import Library
    from recommender.processes import yield_to_people

    yield_to_people()  # the readers stand for the bot's: its background work runs below them

    folder = cache_dir(args.papers, args.ingest, args.seed)
    base, new = split_corpus(args.papers, args.ingest, args.seed, folder)
    db = fresh_copy(cached_library(folder, base), OUT_DIR / "responsive-run")
    new = first_lines(new, args.ingest, db.parent / "new.jsonl")
    requests = draw_requests(db, args.seed, args.calls, args.users)
    result: dict[str, Any] = {"papers": args.papers, "ingest_papers": args.ingest, "readers": args.readers,
                              "pause_ms": args.pause_ms, "refit": not args.no_refit,
                              "switch_interval_s": sys.getswitchinterval(),
                              "machine": machine()}
    lib = Library(db)
    try:
        load_started = time.perf_counter()
        lib.index()
        result["index_load_s"] = time.perf_counter() - load_started
        add_likes(lib, requests)
        lab = large_lab(lib, db, args, result) if args.lab else None
        ops = operations(lib, requests, lab)
        idle_one_thread(ops, 5, args.seed)  # warm-up
        print("measuring idle ...", file=sys.stderr, flush=True)
        idle = idle_one_thread(ops, args.calls, args.seed)
        idle_n = idle_readers(ops, args.readers, args.pause_ms, args.idle_seconds, args.seed)
        print(f"measuring during a {args.ingest:,}-paper ingest and a refit ...", file=sys.stderr, flush=True)
        busy = during_writes(lib, ops, new, args.readers, args.pause_ms, args.seed, refit=not args.no_refit)
        report, timings = busy["report"], busy["timings"]
        phases = {"ingest": (busy["start"], busy["ingested"]), "refit": (busy["ingested"], busy["refitted"]),
                  "writes": (busy["start"], busy["refitted"])}
        result["latency"] = {
            op: {
                "idle_1": summary([e for _, e in idle.calls[op]]),
                "idle_n": summary([e for _, e in idle_n.calls[op]]),
                **{name: summary(timings.between(op, start, end)) for name, (start, end) in phases.items()},
            }
            for op in idle.calls if op in ops or op.startswith("search ")
        }
        result["errors"] = idle.errors + idle_n.errors + timings.errors
        ingest_s = busy["ingested"] - busy["start"]
        result["write"] = {
            "added": report.added, "merged": report.merged, "unchanged": report.unchanged,
            "rejected": len(report.rejected), "file_errors": report.errors,
            "ingest_s": ingest_s, "ingest_papers_per_s": args.ingest / ingest_s,
            "refit_s": busy["refitted"] - busy["ingested"],
            "total_papers_per_s": args.ingest / (busy["refitted"] - busy["start"]),
        }
        index = lib.index()
        result["index_after"] = {"papers": len(index), "library": lib.store.count_papers(),
                                 "fitted_docs": index.fitted_docs}
        result["peak_rss_mb"] = peak_rss_mb()
        result["load_average_end"] = list(os.getloadavg())
    finally:
        lib.close()
    if not args.keep_db:
        shutil.rmtree(db.parent, ignore_errors=True)
    return result


# -- output -------------------------------------------------------------------------------------------

COLUMNS = (("idle_1", "idle, 1 thread"), ("idle_n", "idle, {n} readers"), ("ingest", "during ingest"),
           ("refit", "during refit"), ("writes", "during writes"))


def cell(stats: dict) -> str:
    return "n/a" if not stats.get("calls") else f"{stats['p50_ms']:.1f} / {stats['p95_ms']:.1f}"


def print_result(result: dict) -> None:
    n = result["readers"]
    heads = [title.format(n=n) for _, title in COLUMNS]
    width = max(19, *(len(h) for h in heads))
    print(f"{result['papers']:,} papers; {result['ingest_papers']:,}-paper ingest, then a refit; "
          f"{n} reader threads pausing 0-{2 * result['pause_ms']:.0f} ms between calls")
    print(f"p50 / p95 ms (limit=10){'':<1}" + "".join(h.rjust(width) for h in heads) + "  target p95")
    for op in [op for op in (*OPERATIONS, LAB_RECOMMEND) if op in result["latency"]]:
        row = result["latency"][op]
        during = row["writes"].get("p95_ms")
        verdict = "n/a" if during is None else ("ok" if during <= TARGET_MS else "MISSED")
        line = f"{op:<24}" + "".join(cell(row[key]).rjust(width) for key, _ in COLUMNS) + f"  ≤ {TARGET_MS:.0f}: {verdict}"
        if op == LAB_RECOMMEND and row["idle_1"].get("calls"):
            line += f"; idle ≤ {LAB_TARGET_MS:.0f}: {'ok' if row['idle_1']['p95_ms'] <= LAB_TARGET_MS else 'MISSED'}"
        print(line)
    for kind in QUERY_KINDS:
        row = result["latency"][f"search {kind}"]
        print(f"  search, {kind:<14}" + "".join(cell(row[key]).rjust(width) for key, _ in COLUMNS))
    operated = [op for op in (*OPERATIONS, LAB_RECOMMEND) if op in result["latency"]]
    print("calls".ljust(24) + "".join(
        str(sum(result["latency"][op][key].get("calls", 0) for op in operated)).rjust(width) for key, _ in COLUMNS))
    print("max ms".ljust(24) + "".join(
        f"{max(result['latency'][op][key].get('max_ms', 0) for op in operated):.0f}".rjust(width)
        for key, _ in COLUMNS))
    w = result["write"]
    print()
    if "lab" in result:
        lab = result["lab"]
        print(f"lab: {lab['likes']:,} likes of {lab['members']:,} members in one group; co-likes built in "
              f"{lab['build_s']:.2f} s; learned weight {lab['weight']:g} (held-out recall@20 {lab['recall']:.3f}, "
              f"text alone {lab['text_recall']:.3f})")
    print(f"ingest: {w['added']:,} added, {w['merged']:,} merged, {w['unchanged']:,} unchanged, "
          f"{w['rejected']} rejected in {w['ingest_s']:.1f} s = {w['ingest_papers_per_s']:,.0f} papers/s "
          f"(parse, de-duplicate, FTS5, index update in the fitted vocabulary)")
    if result["refit"]:
        print(f"refit: {w['refit_s']:.1f} s; ingest + refit {w['ingest_s'] + w['refit_s']:.1f} s "
              f"= {w['total_papers_per_s']:,.0f} papers/s")
    else:
        print("refit: left out (--no-refit)")
    after = result["index_after"]
    lost = after["library"] - after["papers"]
    print(f"index after: {after['papers']:,} papers of {after['library']:,} in the library "
          f"({'none lost' if lost == 0 else f'{lost} MISSING'}), fitted on {after['fitted_docs']:,}")
    print(f"reader errors: {len(result['errors'])}" + (f" (first: {result['errors'][0]})" if result["errors"] else ""))
    info = result["machine"]
    print(f"index load {result['index_load_s']:.1f} s; peak RSS {result['peak_rss_mb']:,.0f} MB; "
          f"{info['cores']} cores, load average {info['load_average'][0]:.2f} at start, "
          f"{result['load_average_end'][0]:.2f} at the end; GIL switch interval "
          f"{result['switch_interval_s'] * 1000:g} ms; Python {info['python']}, SQLite {info['sqlite']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000, help="papers in the library")
    parser.add_argument("--ingest", type=int, default=20_000, help="new papers ingested during the run")
    parser.add_argument("--quick", action="store_true", help="3,000 papers, a 1,000-paper ingest, few calls")
    parser.add_argument("--readers", type=int, default=3, help="reader threads")
    parser.add_argument("--pause-ms", type=float, default=10.0, help="mean pause of a reader between calls")
    parser.add_argument("--calls", type=int, default=200, help="idle calls of each operation on one thread")
    parser.add_argument("--idle-seconds", type=float, default=20.0, help="how long the idle readers read")
    parser.add_argument("--users", type=int, default=20, help="people with likes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lab", action="store_true", help="add a large lab and its members' recommendations")
    parser.add_argument("--lab-members", type=int, default=8_000)
    parser.add_argument("--lab-likes", type=int, default=130_000)
    parser.add_argument("--no-refit", action="store_true", help="ingest only (quicker experiments)")
    parser.add_argument("--switch-interval-ms", type=float, help="set sys.setswitchinterval (Python's is 5 ms)")
    parser.add_argument("--keep-db", action="store_true", help="keep bench/out/responsive-run afterwards")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--build", nargs=2, type=Path, metavar=("DB", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.papers, args.ingest, args.calls, args.idle_seconds = 3000, 1000, 30, 3.0
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.build:
        build(*args.build)
        return
    if args.switch_interval_ms:
        sys.setswitchinterval(args.switch_interval_ms / 1000)
    result = run(args)
    print_result(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
