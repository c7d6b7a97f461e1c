"""Importing a large reading list: a 5 MB BibTeX file of about 6,000 entries, timed.

    python bench/import_speed.py [--runs 3] [--keep FOLDER] [--file FILE]

No real library of that size is bundled, so one is written from real arXiv metadata (the
2,000 papers of tests/data/arxiv-metadata-snapshot-sample.jsonl and 3,397 + 600 of the two CSV
samples, their TeX as arXiv has it), in the shapes `bench/reading_lists.py` writes: JabRef
entries (`@String` journal macros, month macros, a `@Preamble`, DOIs, half with abstracts, cut
author lists) and Better BibTeX / Zotero entries (BibLaTeX `date`, `{{…}}`-protected titles;
three in four with abstracts), in one file, as a person who moved from JabRef to Zotero has.

Each run copies one seeded library (made once) and times `paperclub import ada FILE --json` as
a command, start-up and the index update included. Printed: per run the seconds and entries/s,
then the median.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reading_lists import PAPERCLUB, ROOT, better_bibtex, jabref, one_line, snapshot  # noqa: E402

DATA = ROOT / "tests" / "data"


def csv_rows() -> list[dict]:
    """The CSV samples as snapshot-like rows (ids and dates made up where the CSV has none)."""
    rows = []
    with (DATA / "arxiv-math-2025-05.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append({"id": row["id"], "title": row["title"], "authors": row["authors"].replace(";", ","),
                         "abstract": row["abstract"], "categories": row["categories"],
                         "update_date": "2025-05-" + f"{1 + len(rows) % 28:02d}"})
    with (DATA / "arxiv-ml-sample.csv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if number >= 600:
                break
            rows.append({"id": f"2001.{number:05d}", "title": row["title"], "authors": "A. Nonymous",
                         "abstract": row["abstract"], "categories": row["categories"],
                         "update_date": f"2020-{1 + number % 12:02d}-15"})
    return rows


def library_text() -> str:
    """About 6,000 entries, about 5 MB."""
    physics = jabref(snapshot())
    others = csv_rows()
    zotero = better_bibtex(others)
    # Three in four Zotero entries carry their abstract, as a library filled from publishers does.
    by_key: dict[str, str] = {}
    for number, row in enumerate(others):
        if number % 4 == 3:
            continue
        by_key[f"  url = {{http://arxiv.org/abs/{row['id']}}},"] = f"  abstract = {{{one_line(row['abstract'])}}},"
    lines = []
    for line in zotero.split("\n"):
        lines.append(line)
        if line in by_key:
            lines.append(by_key[line])
    return physics + "\n" + "\n".join(lines)


def paperclub(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PAPERCLUB, "--db", str(db), *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Write the library and databases here.")
    parser.add_argument("--file", type=Path, help="Import this file instead of the written one.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = options.file
        if path is None:
            path = folder / "large-library.bib"
            path.write_text(library_text(), encoding="utf-8")
        entries = path.read_text(encoding="utf-8").count("\n@")
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, {entries} blocks")
        seeded = folder / "seeded.db"
        if not seeded.exists():
            paperclub(seeded, "stats")
        times = []
        for run in range(options.runs):
            db = folder / f"run{run}.db"
            for suffix in ("", "-wal", "-shm", ".index"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copy(seeded, db)  # the seeded library and its index, as after a first search
            shutil.copy(f"{seeded}.index", f"{db}.index")
            start = time.perf_counter()
            done = paperclub(db, "import", "ada", str(path), "--json")
            seconds = time.perf_counter() - start
            report = json.loads(done.stdout)
            read = report["added"] + report["matched"]
            times.append(seconds)
            print(f"  run {run + 1}: {seconds:.2f} s, {read} entries ({report['added']} added, "
                  f"{report['matched']} matched, {report['rejected']} rejected): {read / seconds:,.0f} entries/s")
        median = statistics.median(times)
        print(f"median {median:.2f} s: {read / median:,.0f} entries/s")


if __name__ == "__main__":
    main()
