"""A large lab's requests: recommend with co-likes at 1,000, 10,000 and 130,000 likes in one
group (8,000 members at the largest), on a synthetic library of 100,000 papers.

    python bench/lab_speed.py [--papers 100000] [--members 8000] [--likes 130000] [--calls 200]

The library is bench/speed.py's synthetic corpus (cached under bench/out/, with the built
database beside it). Likes are drawn in circles of 8 members sharing a pool of 60 papers with
1/rank popularity, 1 to 3 circles a member, and written straight into the signals table (a
benchmark shortcut: 130,000 `like` calls would take minutes and measure the writer). Three groups
hold the first 1,000, 10,000 and all of the likes.

Printed: the co-likes' build time and size (tracemalloc's growth while building: Python objects
only, which is what the structure is); the weight `learn_blend` chooses, learned first so that
no learning runs beside the measurements; recommend p50/p95 over --calls warm calls of random
members at each group size, with co-likes at weight 1 and, in the same run, text alone (weight
0) as the baseline (each member asked both ways, in turn first, since the second call reuses
the first one's grouping of likes into interests); `store.group_signals` of the whole group (what every request read before
co-likes); and a like applied to the structure (`CoLikes.add`) and through `Library.like`.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import time
import tracemalloc

from common import use_repository_code

use_repository_code()

import speed  # noqa: E402

from recommender import Library  # noqa: E402

CIRCLE, POOL = 8, 60


def percentiles(times: list[float], unit: str = "ms") -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    scale = 1000 if unit == "ms" else 1e6
    return f"{statistics.median(ordered) * scale:6.1f} / {p95 * scale:6.1f} {unit}"


def draw_likes(ids: list[int], members: int, likes: int, rng: random.Random) -> list[tuple[str, int]]:
    """`likes` distinct (member, paper) likes: each member a log-normal share of them (at least
    2), drawn from their circles' pools by popularity."""
    circles = [rng.sample(ids, POOL) for _ in range(members // CIRCLE)]
    zipf = [1 / (rank + 1) for rank in range(POOL)]
    mine = {f"m{member}": rng.sample(circles, rng.choice((1, 2, 3))) for member in range(members)}
    shares = {user: rng.lognormvariate(0, 0.6) for user in mine}
    scale = likes / sum(shares.values())
    drawn: set[tuple[str, int]] = set()
    users = list(mine)
    for user in users:
        for _ in range(max(2, int(round(shares[user] * scale)))):
            drawn.add((user, rng.choices(rng.choice(mine[user]), weights=zipf)[0]))
    while len(drawn) < likes:
        user = rng.choice(users)
        drawn.add((user, rng.choices(rng.choice(mine[user]), weights=zipf)[0]))
    ordered = sorted(drawn)
    rng.shuffle(ordered)
    return ordered[:likes]


def main() -> None:
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
    rng = random.Random(args.seed)
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
        conn.execute("DELETE FROM signals WHERE grp LIKE 'lab-%'")
        likes = draw_likes(ids, args.members, args.likes, rng)
        sizes = [n for n in (1_000, 10_000, args.likes) if n <= len(likes)]
        for size in sizes:
            conn.executemany(
                "INSERT OR IGNORE INTO signals (user, paper_id, grp, kind, created) VALUES (?, ?, ?, 'like', ?)",
                [(user, pid, f"lab-{size}", f"2026-01-01T00:00:{i:09d}") for i, (user, pid) in enumerate(likes[:size])],
            )
    print(f"{len(ids):,} papers; {args.members:,} members, {len(likes):,} likes; {args.calls} calls a case")
    with Library(db) as lib:
        lib.index()
        recommender = lib.recommender
        for size in sizes:
            group = f"lab-{size}"
            users = sorted({user for user, _ in likes[:size]})
            read = []
            for _ in range(5):
                started = time.perf_counter()
                lib.store.group_signals(group)
                read.append(time.perf_counter() - started)
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            started = time.perf_counter()
            colikes = recommender.rebuild_colikes(group)
            built_s = time.perf_counter() - started
            size_mb = (tracemalloc.get_traced_memory()[0] - before) / 1e6
            tracemalloc.stop()
            started = time.perf_counter()
            learned = lib.learn_blend(group, seed=args.seed)
            learn_s = time.perf_counter() - started
            asked = [rng.choice(users) for _ in range(args.calls)]
            timings: dict[float, list[float]] = {0.0: [], 1.0: []}
            for turn, user in enumerate(asked):
                for weight in ((0.0, 1.0) if turn % 2 else (1.0, 0.0)):
                    lib.colleague_weight = weight
                    started = time.perf_counter()
                    lib.recommend(user, limit=10, group=group)
                    timings[weight].append(time.perf_counter() - started)
            added = []
            for _ in range(300):
                user, pid = rng.choice(users), rng.choice(ids)
                started = time.perf_counter()
                colikes.add(user, pid)
                added.append(time.perf_counter() - started)
            liked = []
            for _ in range(30):
                user, pid = rng.choice(users), rng.choice(ids)
                started = time.perf_counter()
                lib.like(user, pid, group=group)
                liked.append(time.perf_counter() - started)
            print(f"\ngroup of {size:,} likes ({len(users):,} members): co-likes built in {built_s:.2f} s, "
                  f"{size_mb:.1f} MB; group_signals (read by every request before) {statistics.median(read) * 1000:.1f} ms")
            print(f"  learned weight {learned.weight:g} in {learn_s:.1f} s (held-out recall@20 {learned.recall:.3f}, "
                  f"text alone {learned.text_recall:.3f})")
            print(f"  recommend p50 / p95   text alone {percentiles(timings[0.0])}   with co-likes {percentiles(timings[1.0])}")
            print(f"  a like: CoLikes.add {percentiles(added, 'µs')}; Library.like (write + update) {percentiles(liked)}")


if __name__ == "__main__":
    main()
