"""Writing the full-text index in steps: SQLite's merging of segments (4 at a time) against paperclub's.

    python bench/fts_merge.py                     # 100,000 synthetic papers, 3 rounds
    python bench/fts_merge.py --papers 20000 --step 600 --rounds 5

A large ingest writes in short transactions (`ingest.in_steps`: about a quarter of a second,
some 600 papers at 100,000), and the full-text index commits a segment at each. The papers'
titles, abstracts and authors (bench/speed.py's cached synthetic corpus) are written into the
`papers_fts` table of a new paperclub database `--step` papers a transaction, with FTS5's
`automerge` at SQLite's default (4), as paperclub sets it (`FTS_AUTOMERGE`), and at 16,
alternating, each round on fresh databases. Then the same searches run on each: bench/fts_buffer.py's
heavy ones (common words, a phrase, a prefix), and 300 of one to three words of random titles as
bench/speed.py asks them. It prints each setting's median seconds, the segments left behind and
the searches' median and p95 ms: the machine is shared, so compare the rows of one run.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from common import use_repository_code

use_repository_code()

from fts_buffer import search_ms, texts  # noqa: E402
from speed import ensure_corpus  # noqa: E402

from recommender.store import Store  # noqa: E402
from recommender.store import FTS_AUTOMERGE  # noqa: E402

SQLITE_DEFAULT = 4
MORE = 16


def write_in_steps(folder: Path, automerge: int, rows: list[tuple[int, str, str, str]],
                   step: int) -> tuple[float, int, Store]:
    """Seconds to write every row's text `step` rows a transaction, and the segments left."""
    store = Store(folder / f"fts-{automerge}.db")
    with store.transaction():
        store.db.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('automerge', ?)", [automerge])
    start = time.perf_counter()
    for at in range(0, len(rows), step):
        with store.transaction():
            store.db.conn.executemany("INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
                                      rows[at:at + step])
    seconds = time.perf_counter() - start
    segments = store.db.execute("SELECT count(DISTINCT segid) FROM papers_fts_idx").fetchone()[0]
    return seconds, segments, store


def title_queries(rows: list[tuple[int, str, str, str]], count: int, seed: int) -> list[str]:
    """`count` searches of one to three words of random titles, each word quoted."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = re.findall(r"[A-Za-z]{4,}", rng.choice(rows)[1])
        if words:
            picked = rng.sample(words, min(len(words), rng.randint(1, 3)))
            queries.append(" ".join(f'"{word}"' for word in picked))
    return queries


def title_search_ms(store: Store, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        store.search(query, limit=10)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--step", type=int, default=600, help="papers a transaction")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    corpus, _ = ensure_corpus(max(args.papers, 10_000), args.seed)
    rows = texts(corpus, args.papers)
    queries = title_queries(rows, 300, args.seed)
    settings = {f"SQLite's default ({SQLITE_DEFAULT})": SQLITE_DEFAULT, f"paperclub ({FTS_AUTOMERGE})": FTS_AUTOMERGE,
                f"more ({MORE})": MORE}
    seconds: dict[str, list[float]] = {name: [] for name in settings}
    segments: dict[str, int] = {}
    heavy: dict[str, list[float]] = {name: [] for name in settings}
    titles: dict[str, list[float]] = {name: [] for name in settings}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="paperclub-fts-") as folder:
            for name, automerge in settings.items():
                took, segments[name], store = write_in_steps(Path(folder), automerge, rows, args.step)
                seconds[name].append(took)
                heavy[name].append(search_ms(store, 3))
                titles[name] += title_search_ms(store, queries)
                store.close()
    print(f"{len(rows):,} papers' text into papers_fts, {args.step} a transaction; median of {args.rounds} rounds")
    print(f"{'automerge':<24} {'write s':>8} {'papers/s':>9} {'segments':>9} {'heavy ms':>9} "
          f"{'title words ms p50/p95':>23}")
    for name in settings:
        took = statistics.median(seconds[name])
        words = sorted(titles[name])
        print(f"{name:<24} {took:>8.2f} {len(rows) / took:>9,.0f} {segments[name]:>9} "
              f"{statistics.median(heavy[name]):>9.1f} {statistics.median(words):>14.2f}/{words[int(0.95 * len(words))]:.2f}")
    base = statistics.median(seconds[f"SQLite's default ({SQLITE_DEFAULT})"])
    ours = statistics.median(seconds[f"paperclub ({FTS_AUTOMERGE})"])
    print(f"write time, paperclub ÷ default: {ours / base:.2f}")


if __name__ == "__main__":
    main()
