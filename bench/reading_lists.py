"""Reading lists in and out at the size of a real person's library.

    python bench/reading_lists.py [--keep FOLDER]

No real library is bundled, so two are written from real arXiv metadata (the 2,000 papers of
tests/data/arxiv-metadata-snapshot-sample.jsonl, with their TeX as arXiv has it):

- a physicist's JabRef database of 900 BibTeX entries: `@String` journal macros, month macros,
  journal, volume, DOI, half of them with their abstracts, long author lists cut with
  `and others`, eprint fields on every other one, and 10 entries without a title;
- a Zotero / Better BibTeX export of 1,200 BibLaTeX entries without abstracts: `date`,
  `eprint`/`eprinttype`, `{{…}}`-protected titles, `journaltitle`.

Each is imported as `ada`'s likes into a fresh copy of the seeded library with
`paperclub import`, then imported again; `paperclub export --user ada --format bibtex` is read
back with bibtexparser; and `paperclub show` is asked for a DOI taken from the file. Printed:
entries liked of the titled entries, papers, seconds, what the second import changed, the
export's entry count, and the DOI's paper.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "arxiv-metadata-snapshot-sample.jsonl"
PAPERCLUB = [sys.executable, "-c", "from bot.cli import main; main()"]
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_JOURNAL = re.compile(r"^\s*([A-Za-z. ]+?)\s*([A-Z]?\d+)")


def snapshot() -> list[dict]:
    with SNAPSHOT.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def authors_of(row: dict, cut: int | None = None) -> str:
    names = [n.strip() for n in re.split(r",\s*|\s+and\s+", " ".join(row["authors"].split())) if n.strip()]
    if cut is not None and len(names) > cut:
        return " and ".join(names[:cut] + ["others"])
    return " and ".join(names)


def one_line(text: str) -> str:
    return " ".join(text.split())


def jabref(rows: list[dict]) -> str:
    """A JabRef database, as a physicist keeps one."""
    out = ["% Encoding: UTF-8", "",
           '@Preamble{"\\providecommand{\\noopsort}[1]{}"}', "",
           "@String{prd = {Physical Review D}}", "@String{prl = {Physical Review Letters}}", ""]
    for number, row in enumerate(rows):
        key = f"{row['id'].replace('/', '_')}"
        year, month = row["update_date"][:4], int(row["update_date"][5:7])
        fields = []
        if number % 90 != 89:  # 10 entries without a title, as a database collects them
            fields.append(f"  title     = {{{one_line(row['title'])}}},")
        fields.append(f"  author    = {{{authors_of(row, cut=10)}}},")
        journal_ref = row.get("journal-ref") or ""
        if journal_ref.startswith("Phys.Rev.D"):
            fields.append("  journal   = prd,")
        elif journal_ref.startswith("Phys.Rev.Lett"):
            fields.append("  journal   = prl,")
        elif journal_ref:
            fields.append(f"  journal   = {{{one_line(journal_ref)}}},")
        fields.append(f"  year      = {year},")
        fields.append(f"  month     = {MONTHS[month - 1]},")
        if row.get("doi"):
            fields.append(f"  doi       = {{{row['doi'].split()[0]}}},")
        if number % 2 == 0:
            fields.append(f"  abstract  = {{{one_line(row['abstract'])}}},")
        if number % 4 < 2:
            fields += [f"  eprint    = {{{row['id']}}},", "  archiveprefix = {arXiv},"]
        out += [f"@Article{{{key},", *fields, "}", ""]
    out += ["@Comment{jabref-meta: databaseType:bibtex;}", ""]
    return "\n".join(out)


def better_bibtex(rows: list[dict]) -> str:
    """A Better BibTeX export of a Zotero library: BibLaTeX, no abstracts."""
    out = []
    for row in rows:
        surname = re.sub(r"\W", "", authors_of(row).split(" and ")[0].split()[-1]) or "anon"
        key = f"{surname.lower()}{row['update_date'][:4]}{row['id'][-5:].replace('/', '')}"
        fields = [f"  title = {{{{{one_line(row['title'])}}}}},", f"  author = {{{authors_of(row)}}},",
                  f"  date = {{{row['update_date']}}},",
                  f"  eprint = {{{row['id']}}},", "  eprinttype = {arXiv},",
                  f"  eprintclass = {{{row['categories'].split()[0]}}},"]
        if row.get("journal-ref"):
            fields.append(f"  journaltitle = {{{one_line(row['journal-ref'])}}},")
        if row.get("doi"):
            fields.append(f"  doi = {{{row['doi'].split()[0]}}},")
        fields.append(f"  url = {{http://arxiv.org/abs/{row['id']}}},")
        out += [f"@online{{{key},", *fields, "}", ""]
    return "\n".join(out)


def paperclub(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PAPERCLUB, "--db", str(db), *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)


def measure(name: str, path: Path, titled: int, folder: Path) -> None:
    import bibtexparser

    db = folder / f"{name}.db"
    paperclub(db, "stats")  # the seeded library
    start = time.perf_counter()
    first = json.loads(paperclub(db, "import", "ada", str(path), "--json").stdout)
    seconds = time.perf_counter() - start
    again = json.loads(paperclub(db, "import", "ada", str(path), "--json").stdout)
    exported = paperclub(db, "export", "--user", "ada", "--format", "bibtex").stdout
    entries = len(bibtexparser.parse_string(exported).entries)
    liked_entries = first["added"] + first["matched"]
    doi = re.search(r"doi\s*=\s*\{([^}]+)\}", path.read_text(encoding="utf-8"))
    shown = paperclub(db, "show", doi.group(1)).stdout.splitlines()[0] if doi else ""
    print(f"{name}: {liked_entries}/{titled} titled entries liked ({100 * liked_entries / titled:.1f}%), "
          f"{first['papers']} papers ({first['added']} added, {first['matched']} matched), "
          f"{first['rejected']} rejected, {seconds:.1f} s")
    print(f"  again: {again['added']} added, {again['liked']} liked, {again['already_liked']} already liked")
    print(f"  export --user ada --format bibtex: {entries} entries in bibtexparser "
          f"(ada likes {first['papers']} papers)")
    print(f"  show {doi.group(1) if doi else '-'}: {shown!r} (braces: {'{' in shown or '}' in shown})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Write the libraries and databases here.")
    options = parser.parse_args()
    rows = snapshot()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        physics = folder / "physicist-jabref.bib"
        physics.write_text(jabref(rows[:900]), encoding="utf-8")
        zotero = folder / "zotero-better-bibtex.bib"
        zotero.write_text(better_bibtex(rows[800:2000]), encoding="utf-8")
        measure("jabref", physics, 900 - 10, folder)
        measure("better-bibtex", zotero, 1200, folder)


if __name__ == "__main__":
    main()
