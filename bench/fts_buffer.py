"""Writing the full-text index: SQLite's pending-postings buffer (1 MiB) against paperclub's.

    python bench/fts_buffer.py                    # 100,000 synthetic papers, 3 rounds
    python bench/fts_buffer.py --papers 20000 --rounds 5

The papers' titles, abstracts and authors (bench/speed.py's cached synthetic corpus) are written
into the `papers_fts` table of a new paperclub database, in one transaction as an ingest of one
file does, once with FTS5's `hashsize` set back to SQLite's default and once as paperclub sets it
(`store.FTS_HASH_BYTES`), alternating, each round on fresh databases. Then the same searches run
on both. It prints each setting's median seconds, the number of index segments left behind and
the searches' median ms: the machine is shared, so compare the two columns of one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from common import use_repository_code

use_repository_code()

from speed import ensure_corpus  # noqa: E402

from recommender.store import FTS_HASH_BYTES, Store  # noqa: E402

SQLITE_DEFAULT = 1024 * 1024
QUERIES = ["model", "learning", "graph", "data", "neural network", '"optimal transport"', "model OR graph",
           "stoch*", "theorem"]


def texts(corpus: Path, papers: int) -> list[tuple[int, str, str, str]]:
    rows = []
    with open(corpus, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if number > papers:
                break
            item = json.loads(line)
            rows.append((number, item["title"], item["abstract"], item["authors"]))
    return rows


def write_once(folder: Path, hashsize: int, rows: list[tuple[int, str, str, str]]) -> tuple[float, int, Store]:
    """Seconds to write every row's text in one transaction, and the segments left."""
    store = Store(folder / f"fts-{hashsize}.db")
    with store.transaction():
        store.db.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('hashsize', ?)", [hashsize])
    start = time.perf_counter()
    with store.transaction():
        store.db.conn.executemany("INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
                                  rows)
    seconds = time.perf_counter() - start
    segments = store.db.execute("SELECT count(DISTINCT segid) FROM papers_fts_idx").fetchone()[0]
    return seconds, segments, store


def search_ms(store: Store, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            store.search(query, limit=10)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    corpus, _ = ensure_corpus(max(args.papers, 10_000), args.seed)
    rows = texts(corpus, args.papers)
    settings = {"SQLite's default (1 MiB)": SQLITE_DEFAULT, f"paperclub ({FTS_HASH_BYTES >> 20} MiB)": FTS_HASH_BYTES}
    seconds: dict[str, list[float]] = {name: [] for name in settings}
    segments: dict[str, int] = {}
    searches: dict[str, list[float]] = {name: [] for name in settings}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="paperclub-fts-") as folder:
            for name, hashsize in settings.items():
                took, segments[name], store = write_once(Path(folder), hashsize, rows)
                seconds[name].append(took)
                searches[name].append(search_ms(store, 3))
                store.close()
    print(f"{len(rows):,} papers' text into papers_fts in one transaction; median of {args.rounds} rounds")
    print(f"{'buffer':<26} {'write s':>8} {'papers/s':>9} {'segments':>9} {'search ms (median)':>19}")
    for name in settings:
        took = statistics.median(seconds[name])
        print(f"{name:<26} {took:>8.2f} {len(rows) / took:>9,.0f} {segments[name]:>9} "
              f"{statistics.median(searches[name]):>19.1f}")
    base, ours = (statistics.median(seconds[name]) for name in settings)
    print(f"write time, paperclub ÷ default: {ours / base:.2f}")


if __name__ == "__main__":
    main()
