"""A large lab's requests: recommend with co-likes at 1,000, 10,000 and 130,000 likes in one
group (8,000 members at the largest), on a synthetic library of 100,000 papers.

    python bench/lab_speed.py [--papers 100000] [--members 8000] [--likes 130000] [--calls 200]

bench/speed.py (`--lab`) and bench/responsive.py (`--lab`) run the same lab; this script runs it
alone, on bench/speed.py's synthetic corpus (cached under bench/out/, with the built database
beside it).

The lab: members join 1 to 3 circles of 8 (their interests); a circle reads one category and
shares a pool of 60 of its papers, liked by 1/rank popularity; each member holds a log-normal
share of the likes (at least 2). The likes are written straight into the signals table (a
benchmark shortcut: 130,000 `like` calls would take minutes and measure the writer). The
groups of 1,000, 10,000 and 130,000 likes hold the likes of the first members (in one fixed
order) up to that many, so that a member has the same likes in every group they are in: the
people asked are members of the smallest group, asked the same in each, and only the group
around them grows.

Printed per group: the co-likes' build time and size (tracemalloc's growth while building:
Python objects and numpy arrays, which is what the structure is); the weight `learn_blend`
chooses, learned first so that no learning runs beside the measurements; recommend p50/p95 over
--calls warm calls with co-likes at weight 1 and, in the same run, text alone (weight 0) as the
baseline (each call asks one member in every group both ways, the order turning from call to
call, so that the machine's load falls alike on every case); the old per-request read of the whole
group (`store.group_signals`); a like applied to the structure (`CoLikes.add`) and through
`Library.like` (the write and the update).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import use_repository_code

use_repository_code()

CIRCLE, POOL = 8, 60
SIZES = (1_000, 10_000)


@dataclass
class Lab:
    """The lab's likes in member order, and the groups made of its first likes."""

    likes: list[tuple[str, int]]
    groups: dict[int, str]  # likes in the group -> group name
    asked: list[str]  # members of every group, with the same likes in each
    ids: list[int]  # every paper id, for likes made during a run


def draw_likes(papers_by_category: dict[str, list[int]], members: int, likes: int,
               rng: random.Random) -> list[tuple[str, int]]:
    """About `likes` distinct (member, paper) likes, member by member (see the module's docstring)."""
    categories = sorted(papers_by_category)
    weights = [len(papers_by_category[c]) for c in categories]
    circles = []
    for _ in range(max(1, members // CIRCLE)):
        papers = papers_by_category[rng.choices(categories, weights=weights)[0]]
        circles.append(rng.sample(papers, min(POOL, len(papers))))
    zipf = [1 / (rank + 1) for rank in range(POOL)]
    shares = [rng.lognormvariate(0, 0.6) for _ in range(members)]
    scale = 0.97 * likes / sum(shares)
    theirs = [rng.sample(circles, rng.choice((1, 2, 3))) for _ in range(members)]
    liked: list[set[int]] = [set() for _ in range(members)]

    def like_one(member: int) -> None:
        circle = rng.choice(theirs[member])
        liked[member].add(rng.choices(circle, weights=zipf[:len(circle)])[0])

    for member, share in enumerate(shares):
        wanted = max(2, int(round(share * scale)))
        for _ in range(wanted * 4):
            if len(liked[member]) >= wanted:
                break
            like_one(member)
    total = sum(len(mine) for mine in liked)
    while total < likes:
        member = rng.randrange(members)
        before = len(liked[member])
        like_one(member)
        total += len(liked[member]) - before
    drawn = [(f"m{member}", pid) for member, mine in enumerate(liked) for pid in sorted(mine)]
    return drawn[:likes]


def prepare(db: Path, members: int, likes: int, seed: int, prefix: str = "lab") -> Lab:
    """Draw the lab and write its groups (`prefix`-1000, -10000 and -<likes>) into `db`,
    replacing any groups of that prefix already there."""
    rng = random.Random(seed)
    with sqlite3.connect(db) as conn:
        by_category: dict[str, list[int]] = defaultdict(list)
        for pid, category in conn.execute("SELECT id, primary_category FROM papers ORDER BY id"):
            by_category[category or ""].append(pid)
        drawn = draw_likes(by_category, members, likes, rng)
        conn.execute("DELETE FROM signals WHERE grp LIKE ?", [f"{prefix}-%"])
        sizes = sorted({n for n in SIZES if n < len(drawn)} | {len(drawn)})
        for size in sizes:
            conn.executemany(
                "INSERT OR IGNORE INTO signals (user, paper_id, grp, kind, created) VALUES (?, ?, ?, 'like', ?)",
                [(user, pid, f"{prefix}-{size}", f"2026-01-01T00:00:{i:09d}") for i, (user, pid) in enumerate(drawn[:size])],
            )
        ids = [pid for papers in by_category.values() for pid in papers]
    smallest = drawn[:sizes[0]]
    last = smallest[-1][0]
    asked = sorted({user for user, _ in smallest if user != last})
    return Lab(drawn, {size: f"{prefix}-{size}" for size in sizes}, asked, ids)


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, "calls": len(ordered)}


def measure(lib: Any, lab: Lab, calls: int, seed: int) -> dict[int, dict]:
    """Every group's figures (see the module's docstring), by its likes."""
    from recommender.colikes import CoLikes

    rng = random.Random(seed)
    results: dict[int, dict] = {}
    built: dict[int, CoLikes] = {}
    for size, group in lab.groups.items():
        read = []
        for _ in range(5):
            started = time.perf_counter()
            lib.store.group_signals(group)
            read.append(time.perf_counter() - started)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        built[size] = lib._recommender.rebuild_colikes(group)
        built_s = time.perf_counter() - started
        size_mb = (tracemalloc.get_traced_memory()[0] - before) / 1e6
        tracemalloc.stop()
        started = time.perf_counter()
        learned = lib.learn_blend(group, seed=seed)
        results[size] = {
            "group": group, "members": built[size].members, "build_s": built_s, "colikes_mb": size_mb,
            "group_signals_ms": statistics.median(read) * 1000,
            "learned": {"weight": learned.weight, "recall": learned.recall, "text_recall": learned.text_recall,
                        "chosen": learned.chosen, "seconds": time.perf_counter() - started},
        }
    # Each call asks one member in every group both ways, in an order that turns, so that the
    # machine's load falls alike on every case.
    cases = [(size, weight) for size in lab.groups for weight in (0.0, 1.0)]
    timings: dict[tuple[int, float], list[float]] = {case: [] for case in cases}
    for turn in range(calls + 5):
        user = rng.choice(lab.asked)
        for size, weight in cases[turn % len(cases):] + cases[:turn % len(cases)]:
            lib.colleague_weight = weight
            started = time.perf_counter()
            lib.recommend(user, limit=10, group=lab.groups[size])
            if turn >= 5:
                timings[size, weight].append(time.perf_counter() - started)
    lib.colleague_weight = None
    for size, group in lab.groups.items():
        users = sorted({user for user, _ in lab.likes[:size]})
        added = []
        for _ in range(300):
            user, pid = rng.choice(users), rng.choice(lab.ids)
            started = time.perf_counter()
            built[size].add(user, pid)
            added.append(time.perf_counter() - started)
        liked = []
        for _ in range(30):
            user, pid = rng.choice(users), rng.choice(lab.ids)
            started = time.perf_counter()
            lib.like(user, pid, group=group)
            liked.append(time.perf_counter() - started)
        results[size].update({
            "recommend_text": percentiles(timings[size, 0.0]), "recommend_colikes": percentiles(timings[size, 1.0]),
            "colikes_add": percentiles(added), "library_like": percentiles(liked),
        })
    return results


def report(results: dict[int, dict], asked: int) -> list[str]:
    """The figures of `measure` as lines of text, with the spread of recommend's p95 across sizes."""
    lines = []
    for size, r in results.items():
        learned, add, like = r["learned"], r["colikes_add"], r["library_like"]
        lines += [
            f"group of {size:,} likes ({r['members']:,} members): co-likes built in {r['build_s']:.2f} s, "
            f"{r['colikes_mb']:.1f} MB; group_signals (read by every request before) {r['group_signals_ms']:.1f} ms",
            (f"  learned weight {learned['weight']:g} in {learned['seconds']:.1f} s (held-out recall@20 "
             f"{learned['recall']:.3f}, text alone {learned['text_recall']:.3f})") if learned.get("chosen", True) else
            f"  too few members with likes to learn a weight: the fixed {learned['weight']:g}",
            f"  recommend p50 / p95   text alone {pair(r['recommend_text'])}   with co-likes {pair(r['recommend_colikes'])}",
            f"  a like: CoLikes.add {add['p50_ms'] * 1000:.0f} / {add['p95_ms'] * 1000:.0f} µs; "
            f"Library.like (write + update) {pair(like)}",
        ]
    p95 = [r["recommend_colikes"]["p95_ms"] for r in results.values()]
    lines.append(f"recommend p95 with co-likes, largest / smallest across group sizes: {max(p95) / min(p95):.2f}x "
                 f"(the same {asked} members asked in every group)")
    return lines


def pair(stats: dict[str, float]) -> str:
    return f"{stats['p50_ms']:5.1f} / {stats['p95_ms']:5.1f} ms"


def main() -> None:
    import speed
    from recommender import Library

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=8_000)
    parser.add_argument("--likes", type=int, default=130_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    corpus, _ = speed.ensure_corpus(args.papers, args.seed)
    db = corpus.with_suffix(".lab.db")
    if not db.exists():
        started = time.perf_counter()
        with Library(db) as lib:
            lib.ingest([corpus])
        print(f"built {db.name} in {time.perf_counter() - started:.0f} s")
    lab = prepare(db, args.members, args.likes, args.seed)
    print(f"{len(lab.ids):,} papers; {args.members:,} members, {len(lab.likes):,} likes; {args.calls} calls a case; "
          f"{len(lab.asked)} members asked")
    with Library(db) as lib:
        lib.index()
        results = measure(lib, lab, args.calls, args.seed)
    print("\n".join(report(results, len(lab.asked))))


if __name__ == "__main__":
    main()
