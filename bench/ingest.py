"""Ingest throughput on the real arXiv samples, against baselines measured in the same run.

    python bench/ingest.py [--repeat 3]

For each sample file it times (median of --repeat runs, each into a fresh database):
  parse      the format parser alone (reading records, no database);
  baseline   parse + one plain INSERT per record into a bare table (no merging, no search index);
  ingest     `Library.ingest`: parse, de-duplicate, merge, FTS5 index, sources, one transaction.
and prints papers/second with the ratio ingest/baseline. Machines here are shared and noisy, so
compare the ratio rather than the absolute figures.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender import Library  # noqa: E402
from recommender.papers import Record  # noqa: E402
from recommender.sources import parse_text  # noqa: E402

SAMPLES = ["arxiv-math-2025-05.csv", "arxiv-ml-sample.csv", "arxiv-metadata-snapshot-sample.jsonl"]


def data_dir() -> Path:
    shared = ROOT.parent / "shared" / "data"
    return shared if shared.is_dir() else ROOT / "tests" / "data"


def time_parse(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    _, items = parse_text(path.read_text(encoding="utf-8-sig"), path.name, date.today())
    count = sum(1 for item in items if isinstance(item, Record))
    return time.perf_counter() - start, count


def time_baseline(path: Path, folder: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(folder / "baseline.db")
    conn.execute("CREATE TABLE papers (title TEXT, abstract TEXT, authors TEXT, categories TEXT)")
    _, items = parse_text(path.read_text(encoding="utf-8-sig"), path.name, date.today())
    with conn:
        for item in items:
            if isinstance(item, Record):
                conn.execute(
                    "INSERT INTO papers VALUES (?, ?, ?, ?)",
                    (item.title, item.abstract, ";".join(person.display for person in item.authors), " ".join(item.categories)),
                )
    conn.close()
    return time.perf_counter() - start


def time_ingest(path: Path, folder: Path) -> float:
    start = time.perf_counter()
    with Library(folder / "paperclub.db") as lib:
        report = lib.ingest([path])
    assert not report.rejected and not report.errors, report.to_dict()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'file':40} {'papers':>7} {'parse/s':>9} {'baseline/s':>11} {'ingest/s':>9} {'ingest÷baseline':>16}")
    for name in SAMPLES:
        path = data_dir() / name
        parse_times, base_times, ingest_times = [], [], []
        count = 0
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                elapsed, count = time_parse(path)
                parse_times.append(elapsed)
                base_times.append(time_baseline(path, Path(tmp)))
                ingest_times.append(time_ingest(path, Path(tmp)))
        parse_s, base_s, ingest_s = (statistics.median(t) for t in (parse_times, base_times, ingest_times))
        print(
            f"{name:40} {count:7d} {count / parse_s:9.0f} {count / base_s:11.0f} "
            f"{count / ingest_s:9.0f} {base_s / ingest_s:16.2f}"
        )


if __name__ == "__main__":
    main()
