"""Writing the full-text index in steps: SQLite's merging of segments (4 at a time) against paperclub's.

    python bench/fts_merge.py                     # 100,000 synthetic papers, 3 rounds
    python bench/fts_merge.py --papers 20000 --step 600 --rounds 5

A large ingest writes in short transactions (`ingest.in_steps`: about a quarter of a second,
some 600 papers at 100,000), and the full-text index commits a segment at each. The papers'
titles, abstracts and authors (bench/speed.py's cached synthetic corpus) are written into the
`papers_fts` table of a new paperclub database `--step` papers a transaction, once with FTS5's
`automerge` and `crisismerge` set back to SQLite's defaults (4, 16) and once as paperclub sets
them (`FTS_AUTOMERGE`, `FTS_CRISISMERGE`), alternating, each round on fresh databases. Then the
same searches run on both. It prints each setting's median seconds, the segments left behind and
the searches' median ms: the machine is shared, so compare the two rows of one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import use_repository_code

use_repository_code()

from fts_buffer import search_ms, texts  # noqa: E402
from speed import ensure_corpus  # noqa: E402

from recommender.store import Store  # noqa: E402
from recommender.store.schema import FTS_AUTOMERGE, FTS_CRISISMERGE  # noqa: E402

SQLITE_DEFAULTS = (4, 16)


def write_in_steps(folder: Path, merging: tuple[int, int], rows: list[tuple[int, str, str, str]],
                   step: int) -> tuple[float, int, Store]:
    """Seconds to write every row's text `step` rows a transaction, and the segments left."""
    store = Store(folder / f"fts-{merging[0]}-{merging[1]}.db")
    with store.transaction():
        for name, value in zip(("automerge", "crisismerge"), merging):
            store.db.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES (?, ?)", [name, value])
    start = time.perf_counter()
    for at in range(0, len(rows), step):
        with store.transaction():
            store.db.conn.executemany("INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
                                      rows[at:at + step])
    seconds = time.perf_counter() - start
    segments = store.db.execute("SELECT count(DISTINCT segid) FROM papers_fts_idx").fetchone()[0]
    return seconds, segments, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--step", type=int, default=600, help="papers a transaction")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    corpus, _ = ensure_corpus(max(args.papers, 10_000), args.seed)
    rows = texts(corpus, args.papers)
    settings = {f"SQLite's default {SQLITE_DEFAULTS}": SQLITE_DEFAULTS,
                f"paperclub ({FTS_AUTOMERGE}, {FTS_CRISISMERGE})": (FTS_AUTOMERGE, FTS_CRISISMERGE)}
    seconds: dict[str, list[float]] = {name: [] for name in settings}
    segments: dict[str, int] = {}
    searches: dict[str, list[float]] = {name: [] for name in settings}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="paperclub-fts-") as folder:
            for name, merging in settings.items():
                took, segments[name], store = write_in_steps(Path(folder), merging, rows, args.step)
                seconds[name].append(took)
                searches[name].append(search_ms(store, 3))
                store.close()
    print(f"{len(rows):,} papers' text into papers_fts, {args.step} a transaction; median of {args.rounds} rounds")
    print(f"{'(automerge, crisismerge)':<30} {'write s':>8} {'papers/s':>9} {'segments':>9} {'search ms (median)':>19}")
    for name in settings:
        took = statistics.median(seconds[name])
        print(f"{name:<30} {took:>8.2f} {len(rows) / took:>9,.0f} {segments[name]:>9} "
              f"{statistics.median(searches[name]):>19.1f}")
    base, ours = (statistics.median(seconds[name]) for name in settings)
    print(f"write time, paperclub ÷ default: {ours / base:.2f}")


if __name__ == "__main__":
    main()
