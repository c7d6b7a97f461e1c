"""Reading lists in and out: names, kinds of work and citation fields, round trips, speed.

    .venv/bin/pip install -e '.[bench]'          # pybtex (and citeproc-py), bench-only
    python bench/reading_lists.py [--library NAME ...] [--keep FOLDER] [--runs 3]

The libraries are the fixtures of tests/data/reading_lists/, each written in the style of the
tool that makes such files (see bench/make_reading_lists.py): JabRef (Latin-1, `@STRING` and
`@PREAMBLE`), Zotero with Better BibLaTeX, Mendeley, EndNote (`.bib` and `.ris` of the same
papers), Zotero's CSL-JSON and CSV, and bibtex-tidy. For each one, with a fresh database,
through the real command line (`paperclub import ada FILE --json`, `paperclub export --user ada
--format F`):

- **names**: the authors as an independent reader reads the source (pybtex for BibTeX: last,
  first + middle, prelast, lineage, and a braced `{Corporate Name}` as a literal; json for
  CSL-JSON; rispy for RIS; csv for Zotero's CSV) against the names each export gives back, read
  the same way: % equal. Where a format has no particle (RIS, CSV) the particle is compared as
  part of the family name; a RIS name ending in a comma (EndNote's mark) or without a comma is a
  literal.
- **fields**: the kind of work (through one type table for every format), container, volume,
  issue, pages, publisher, place, editors, edition, ISBN, DOI and the date with its precision:
  % of the source's values found in the export, and which fields lose most.
- **re-import**: each of the five exports imported back into the same library: papers added
  (should be 0).
- **round trip**: each export imported into an empty library and exported again: entries equal
  (kind, names, fields, cite key and ids).
- **apart**: titles the source holds more than once (two works called "Deep learning", three
  editions of a map sheet): papers the library keeps of each.

Then **speed**: importing a ~5 MB BibTeX file of ~6,000 entries (the 2,000 real papers of
tests/data/arxiv-metadata-snapshot-sample.jsonl and 4,000 synthetic ones learned from them by
bench/synthetic.py) with `paperclub import`, index update included, median of `--runs` runs,
beside a baseline measured in the same run (`python -c 'import recommender'` and a fixed
pure-Python loop) and the load average. `--library speed` runs only that; `--library NAME`
(repeatable) picks libraries by name; `--keep FOLDER` keeps every file and database written.
A field the core does not carry yet is reported as not kept; the bench does not stop for it.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from recommender import EXPORT_FORMATS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "reading_lists"
SNAPSHOT = ROOT / "tests" / "data" / "arxiv-metadata-snapshot-sample.jsonl"
LIBRARIES = {
    "jabref": "jabref.bib", "zotero-bbt": "zotero-bbt.bib", "mendeley": "mendeley.bib",
    "endnote-bib": "endnote.bib", "endnote-ris": "endnote.ris", "zotero-json": "zotero.json",
    "zotero-csv": "zotero.csv", "bibtex-tidy": "bibtex-tidy.bib",
}
FORMATS = tuple(f.name for f in EXPORT_FORMATS)
SUFFIXES = {f.name: f.suffix for f in EXPORT_FORMATS}
FIELDS = ("type", "container", "volume", "issue", "pages", "publisher", "place", "editors", "edition",
          "isbn", "doi", "date")
WITH_PARTICLES = frozenset(("bib", "csl"))

# One table of kinds of work for every format; anything not named is "other".
BIB_KINDS = {
    "article": "article", "book": "book", "mvbook": "book", "collection": "book", "mvcollection": "book",
    "proceedings": "book", "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference", "thesis": "thesis",
    "phdthesis": "thesis", "mastersthesis": "thesis", "report": "report", "techreport": "report",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "dataset": "dataset",
}
CSL_KINDS = {
    "article-journal": "article", "book": "book", "chapter": "chapter", "paper-conference": "paper-conference",
    "thesis": "thesis", "report": "report", "dataset": "dataset", "webpage": "webpage", "post-weblog": "webpage",
    "article": "preprint",
}
RIS_KINDS = {
    "JOUR": "article", "JFULL": "article", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter",
    "ECHAP": "chapter", "CONF": "paper-conference", "CPAPER": "paper-conference", "THES": "thesis",
    "RPRT": "report", "ELEC": "webpage", "WEB": "webpage", "BLOG": "webpage", "DATA": "dataset",
}
ZOTERO_KINDS = {
    "journalArticle": "article", "book": "book", "bookSection": "chapter", "conferencePaper": "paper-conference",
    "thesis": "thesis", "report": "report", "webpage": "webpage", "dataset": "dataset", "preprint": "preprint",
}
PREPRINT_SHAPES = frozenset(("misc", "online", "unpublished", "GEN", "UNPB", "ELEC", "MANSCPT"))
_ARXIV_ID = re.compile(r"(?:arxiv[:/.\s]*(?:abs/)?)(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
_EDITION_WORDS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6"}
_MONTHS = {name: n for n, name in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


# ---------------------------------------------------------------------------------------------
# The model every format is read into


@dataclass(frozen=True)
class Person:
    """A name in parts; a corporate name is a literal."""

    family: str = ""
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""

    def key(self, with_particle: bool) -> tuple[str, ...]:
        """What is compared: the particle apart only when both sides can say it apart; a name
        that is only a family name is the same as that literal."""
        if self.literal or not (self.given or self.particle or self.suffix):
            return ("literal", self.literal or self.family)
        if with_particle:
            return (self.particle, self.family, self.given, self.suffix)
        return (f"{self.particle} {self.family}".strip(), self.given, self.suffix)


@dataclass
class Entry:
    """One entry of a reading list, as read from a file."""

    key: str
    title: str
    names: tuple[Person, ...]
    fields: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    editors: tuple[Person, ...] = ()

    @property
    def year(self) -> str:
        return self.fields.get("date", "")[:4]


@dataclass
class Library:
    """A file read: its entries and which name model it has (`bib`, `csl`, `ris`, `csv`)."""

    model: str
    entries: list[Entry]


# ---------------------------------------------------------------------------------------------
# Text


@lru_cache(maxsize=1)
def _latex() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


_DOTLESS = re.compile(r"(\\[`'^\"~=.uvHckrd]\s*)\\([ij])(?![a-zA-Z]{2})")


def detex(text: str) -> str:
    """TeX as the text it prints: accents (also on an unbraced `\\i`), braces gone, spaces folded."""
    if "\\" in text or "{" in text:
        text = _DOTLESS.sub(r"\1{\\\2}", text)
        try:
            text = _latex().latex_to_text(text)
        except Exception:  # noqa: BLE001 - malformed TeX compares as written
            text = text.replace("{", "").replace("}", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))


def fold(text: str) -> str:
    """Letters and digits only, case and accents gone: how titles are matched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def norm_text(value: str) -> str:
    """A field's text compared without case, TeX or extra spaces (TeX's `--` is an en dash)."""
    return detex(value).replace("--", "–").casefold()


def norm_pages(value: str) -> str:
    """`436--444`, `436–444` and `436-444` are the same pages."""
    return re.sub(r"\s*(?:-+|–|—)\s*", "-", detex(value)).casefold()


def norm_edition(value: str) -> str:
    """`3`, `3rd`, `Third`, `3rd ed.` are the same edition."""
    text = detex(value).casefold().replace("edition", "").replace("ed.", "").replace("edn", "").strip(" .")
    text = _EDITION_WORDS.get(text, text)
    return re.sub(r"^(\d+)(?:st|nd|rd|th)$", r"\1", text)


def norm_isbn(value: str) -> str:
    return re.sub(r"[\s-]", "", detex(value)).upper()


def norm_doi(value: str) -> str:
    text = detex(value).strip()
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", text, flags=re.IGNORECASE).casefold()


def iso_date(year: str, month: str = "", day: str = "") -> str:
    """`1958`, `1958-06` or `1958-06-01`: as precise as the parts given."""
    year = year.strip()[:4]
    if not year.isdigit():
        return ""
    month = month.strip().casefold()
    number = _MONTHS.get(month) or next((n for name, n in _MONTHS.items() if month and name.startswith(month[:3])), 0)
    if not number and month.isdigit():
        number = int(month)
    if not number:
        return year
    return f"{year}-{number:02d}" + (f"-{int(day):02d}" if day.strip().isdigit() else "")


def first_of(mapping: dict[str, Any], *names: str) -> str:
    """The first of the named values that is set, as text."""
    return next((str(mapping[n]).strip() for n in names if mapping.get(n)), "")


def arxiv_in(*texts: str) -> str:
    """An arXiv id found in any of the texts (a note, a link, an arXiv DOI)."""
    for text in texts:
        found = _ARXIV_ID.search(text or "")
        if found:
            return found.group(1)
    return ""


# ---------------------------------------------------------------------------------------------
# BibTeX and BibLaTeX, read by pybtex


def decode_bib(data: bytes) -> str:
    """A `.bib` file's text: UTF-8, or the encoding JabRef names on its first lines."""
    named = re.search(rb"^%\s*Encoding:\s*(\S+)", data[:400], re.MULTILINE)
    encodings = [named.group(1).decode("ascii").replace("ISO8859_", "iso8859-")] if named else []
    for encoding in encodings + ["utf-8-sig", "cp1252"]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def bib_person(person: Any) -> Person:
    """A pybtex person in parts; one wholly braced last name is a corporate literal."""
    last = " ".join(person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    prelast, lineage = " ".join(person.prelast_names), " ".join(person.lineage_names)
    if not (given or prelast or lineage) and len(person.last_names) == 1 and _wholly_braced(last):
        return Person(literal=detex(last))
    return Person(detex(last), detex(given), detex(prelast), detex(lineage))


def _wholly_braced(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and position < len(text) - 1:
            return False
    return True


def read_bib(text: str) -> Library:
    """Every entry of a BibTeX/BibLaTeX file, read by pybtex (macros and months expanded)."""
    import pybtex.errors
    from pybtex.database import parse_string

    pybtex.errors.set_strict_mode(False)
    data = parse_string(text, "bibtex")
    entries = [bib_entry(key, item) for key, item in data.entries.items()]
    return Library("bib", entries)


def bib_entry(key: str, item: Any) -> Entry:
    """One pybtex entry in the common model."""
    raw = {name.lower(): str(value) for name, value in item.fields.items()}
    def get(*names: str) -> str:
        return first_of(raw, *names)

    kind = bib_kind(item.type.lower(), raw)
    fields = {
        "type": kind,
        "container": norm_text(get("journal", "journaltitle", "booktitle")),
        "volume": norm_text(get("volume")),
        "issue": norm_text(get("number", "issue")) if kind in ("article", "paper-conference", "chapter", "report") else "",
        "pages": norm_pages(get("pages")),
        "publisher": norm_text(get("publisher", "institution", "school")),
        "place": norm_text(get("address", "location")),
        "edition": norm_edition(get("edition")),
        "isbn": norm_isbn(get("isbn")),
        "doi": norm_doi(get("doi")),
        "date": bib_date(raw),
    }
    editors = tuple(bib_person(p) for p in item.persons.get("editor", []))
    ids = {"key": key, "doi": fields["doi"],
           "arxiv": get("eprint", "arxivid") if arxiv_in("arxiv " + get("eprint", "arxivid")) else arxiv_in(get("url"))}
    return Entry(key, detex(raw.get("title", "")), tuple(bib_person(p) for p in item.persons.get("author", [])),
                 fields, ids, editors)


def bib_kind(entry_type: str, raw: dict[str, str]) -> str:
    """The kind of a BibTeX entry; an arXiv paper without a journal is a preprint."""
    arxiv = (raw.get("eprinttype", "") + raw.get("archiveprefix", "")).lower() == "arxiv" or "arxivid" in raw
    if arxiv and raw.get("eprint", raw.get("arxivid")) and not (raw.get("journal") or raw.get("journaltitle")):
        if entry_type in PREPRINT_SHAPES or entry_type == "article":
            return "preprint"
    return BIB_KINDS.get(entry_type, "other")


def bib_date(raw: dict[str, str]) -> str:
    """`date` when given (BibLaTeX, or paperclub's BibTeX), else year, month and day."""
    if raw.get("date"):
        return detex(raw["date"])[:10]
    return iso_date(raw.get("year", ""), detex(raw.get("month", "")), raw.get("day", ""))


# ---------------------------------------------------------------------------------------------
# CSL-JSON, RIS and CSV


def csl_person(item: dict[str, Any]) -> Person:
    """A CSL-JSON name; dropping and non-dropping particles are one particle here."""
    if item.get("literal"):
        return Person(literal=detex(str(item["literal"])))
    particle = " ".join(str(item.get(k, "")) for k in ("dropping-particle", "non-dropping-particle")).strip()
    return Person(detex(str(item.get("family", ""))), detex(str(item.get("given", ""))), detex(particle),
                  detex(str(item.get("suffix", ""))))


def csl_date(issued: Any) -> str:
    """`date-parts` as precise as given (the year may be a string)."""
    try:
        parts = [str(p) for p in issued["date-parts"][0] if str(p).strip()]
    except (KeyError, IndexError, TypeError):
        return str(issued.get("raw", ""))[:10] if isinstance(issued, dict) else ""
    return iso_date(*parts[:3]) if parts else ""


def read_csl(text: str) -> Library:
    """Every item of a CSL-JSON file."""
    return Library("csl", [csl_entry(item) for item in json.loads(text)])


def csl_entry(item: dict[str, Any]) -> Entry:
    """One CSL-JSON item in the common model."""
    def get(name: str) -> str:
        return first_of(item, name)

    kind = CSL_KINDS.get(get("type"), "other")
    arxiv = arxiv_in(get("number"), get("URL"), get("DOI"))
    if kind == "preprint" and not arxiv and get("container-title"):
        kind = "other"
    fields = {"type": kind, "container": norm_text(get("container-title")), "volume": norm_text(get("volume")),
              "issue": norm_text(get("issue")), "pages": norm_pages(get("page")),
              "publisher": norm_text(get("publisher")) if get("publisher") != "arXiv" else "",
              "place": norm_text(get("publisher-place")), "edition": norm_edition(get("edition")),
              "isbn": norm_isbn(get("ISBN")), "doi": norm_doi(get("DOI")), "date": csl_date(item.get("issued", {}))}
    ids = {"key": get("id"), "doi": fields["doi"], "arxiv": arxiv}
    return Entry(get("id"), detex(get("title")), tuple(csl_person(n) for n in item.get("author", [])), fields, ids,
                 tuple(csl_person(n) for n in item.get("editor", [])))


def listed_person(text: str, trailing_comma_literal: bool) -> Person:
    """`Last, First, Suffix` (RIS, Zotero's CSV); no comma, or (RIS) a final comma: a literal."""
    text = text.strip()
    if trailing_comma_literal and text.endswith(","):
        return Person(literal=detex(text.rstrip(",").replace(",,", ",")))
    if "," not in text:
        return Person(literal=detex(text))
    family, given, *rest = [part.strip() for part in text.split(",")]
    return Person(detex(family), detex(given), "", detex(", ".join(rest)))


def read_ris(text: str) -> Library:
    """Every record of a RIS file, read by rispy."""
    import rispy

    records = rispy.loads(text.lstrip("\ufeff"), skip_unknown_tags=False)
    return Library("ris", [ris_entry(record) for record in records])


def ris_entry(record: dict[str, Any]) -> Entry:
    """One RIS record in the common model."""
    def get(*names: str) -> str:
        return first_of(record, *names)

    unknown = record.get("unknown_tag", {}) or {}
    urls = " ".join(record.get("urls", []) or [])
    notes = " ".join(record.get("notes", []) or []) + " " + get("note")
    arxiv = arxiv_in(notes, urls, get("doi"))
    shape = get("type_of_reference")
    kind = "preprint" if shape in PREPRINT_SHAPES and arxiv else RIS_KINDS.get(shape, "other")
    start, end = get("start_page"), get("end_page")
    serial = get("issn")
    fields = {"type": kind, "container": norm_text(get("secondary_title", "journal_name", "alternate_title3")),
              "volume": norm_text(get("volume")), "issue": norm_text(get("number")),
              "pages": norm_pages(f"{start}-{end}" if start and end else start),
              "publisher": norm_text(get("publisher")) if get("publisher") != "arXiv" else "",
              "place": norm_text(get("place_published")), "edition": norm_edition(get("edition")),
              "isbn": "" if _ISSN.match(serial.strip()) else norm_isbn(serial), "doi": norm_doi(get("doi")),
              "date": ris_date(get("date"), get("year", "publication_year"))}
    editors = [*record.get("secondary_authors", []), *unknown.get("ED", [])]
    ids = {"key": get("id"), "doi": fields["doi"], "arxiv": arxiv}
    names = [*record.get("authors", []), *record.get("first_authors", [])]
    return Entry(get("id"), get("title", "primary_title"), tuple(listed_person(n, True) for n in names), fields,
                 ids, tuple(listed_person(n, True) for n in editors))


def ris_date(date: str, year: str) -> str:
    """RIS `DA` (`2015/05/28/`) as precise as given, else `PY`."""
    parts = (date or year).split("/")
    return iso_date(*(parts + ["", ""])[:3]) if parts[0] else ""


def read_zotero_csv(text: str) -> Library:
    """Every row of Zotero's CSV export."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return Library("csv", [csv_entry(row) for row in rows])


def csv_entry(row: dict[str, str]) -> Entry:
    """One Zotero CSV row in the common model."""
    def get(name: str) -> str:
        return first_of(row, name)

    arxiv = arxiv_in(get("Extra"), get("Url"), get("DOI"))
    fields = {"type": ZOTERO_KINDS.get(get("Item Type"), "other"), "container": norm_text(get("Publication Title")),
              "volume": norm_text(get("Volume")), "issue": norm_text(get("Issue")), "pages": norm_pages(get("Pages")),
              "publisher": norm_text(get("Publisher")) if get("Publisher") != "arXiv" else "",
              "place": norm_text(get("Place")), "edition": norm_edition(get("Edition")),
              "isbn": norm_isbn(get("ISBN")), "doi": norm_doi(get("DOI")),
              "date": iso_date(*(get("Date").split("-") + ["", ""])[:3]) or iso_date(get("Publication Year"))}
    ids = {"key": get("Key"), "doi": fields["doi"], "arxiv": arxiv}
    return Entry(get("Key"), get("Title"), tuple(listed_person(n, False) for n in semicolon_list(get("Author"))), fields, ids,
                 tuple(listed_person(n, False) for n in semicolon_list(get("Editor"))))


def semicolon_list(text: str) -> list[str]:
    """Zotero's CSV list: `A; B`."""
    return [part for part in text.split(";") if part.strip()]


def read_library(path: Path) -> Library:
    """A reading list in any of the formats, chosen by the file's suffix."""
    data = path.read_bytes()
    if path.suffix == ".bib":
        return read_bib(decode_bib(data))
    text = data.decode("utf-8-sig")
    readers = {".json": read_csl, ".ris": read_ris, ".csv": read_zotero_csv}
    return readers[path.suffix](text)


# ---------------------------------------------------------------------------------------------
# Comparing a source with an export


@dataclass
class Tally:
    """Counts of what was compared and what was equal."""

    equal: int = 0
    total: int = 0

    def add(self, equal: bool) -> None:
        self.total += 1
        self.equal += equal

    def percent(self) -> str:
        return f"{100 * self.equal / self.total:5.1f}%" if self.total else "    -"


def match(sources: list[Entry], exported: list[Entry]) -> dict[int, Entry]:
    """Each source entry's export (by index), pairing titles, years and first authors best first;
    entries without a good partner (a merged work, a lost one) stay unpaired."""
    scored = []
    for i, source in enumerate(sources):
        for j, other in enumerate(exported):
            ratio = difflib.SequenceMatcher(None, fold(source.title), fold(other.title)).ratio()
            if ratio < 0.75:
                continue
            first_same = bool(source.names and other.names and _family(source.names[0]) == _family(other.names[0]))
            scored.append((ratio + 0.1 * (source.year == other.year) + 0.1 * first_same, i, j))
    paired: dict[int, Entry] = {}
    taken: set[int] = set()
    for _, i, j in sorted(scored, reverse=True):
        if i not in paired and j not in taken:
            paired[i] = exported[j]
            taken.add(j)
    return paired


def _family(person: Person) -> str:
    return fold(person.literal or person.family)


def compare_names(sources: list[Entry], paired: dict[int, Entry], with_particle: bool) -> Tally:
    """Names equal, place by place, over every author of the source."""
    tally = Tally()
    for i, source in enumerate(sources):
        other = paired.get(i)
        theirs = [p.key(with_particle) for p in other.names] if other else []
        for position, person in enumerate(source.names):
            tally.add(position < len(theirs) and theirs[position] == person.key(with_particle))
    return tally


def compare_fields(sources: list[Entry], paired: dict[int, Entry], with_particle: bool) -> dict[str, Tally]:
    """For each field, the source values found again in the export."""
    tallies = {name: Tally() for name in FIELDS}
    for i, source in enumerate(sources):
        other = paired.get(i)
        for name in FIELDS:
            if name == "editors":
                if source.editors:
                    mine = [p.key(with_particle) for p in source.editors]
                    tallies[name].add(other is not None and [p.key(with_particle) for p in other.editors] == mine)
            elif source.fields.get(name):
                tallies[name].add(other is not None and other.fields.get(name) == source.fields[name])
    return tallies


def same_entry(a: Entry, b: Entry) -> bool:
    """Two exports of one paper are the same: kind, names, fields, key and ids."""
    return (a.fields == b.fields and a.names == b.names and a.editors == b.editors and a.ids == b.ids
            and a.title == b.title)


def round_trip_equal(first: Library, second: Library) -> Tally:
    """Entries of the first export found unchanged in the second (paired by cite key)."""
    by_key = {e.key: e for e in second.entries}
    tally = Tally()
    for entry in first.entries:
        other = by_key.get(entry.key)
        tally.add(other is not None and same_entry(entry, other))
    return tally


def same_title_groups(entries: Iterable[Entry]) -> dict[str, int]:
    """Titles the source holds more than once (folded) → how many entries."""
    counts = Counter(fold(e.title) for e in entries)
    return {title: n for title, n in counts.items() if n > 1 and title}


# ---------------------------------------------------------------------------------------------
# Driving paperclub


def paperclub_command() -> list[str]:
    """The `paperclub` of this environment, or this checkout's CLI through the interpreter."""
    script = Path(sys.executable).with_name("paperclub")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from bot.cli import main; main()"]


def paperclub(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one paperclub command against `db` (given both as `--db` and `PAPERCLUB_DB`)."""
    env = {**os.environ, "PAPERCLUB_DB": str(db)}
    return subprocess.run([*paperclub_command(), "--db", str(db), *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)


def import_file(db: Path, path: Path) -> dict[str, Any]:
    """`paperclub import ada FILE --json`, its report (empty when it failed)."""
    done = paperclub(db, "import", "ada", str(path), "--json")
    try:
        report = dict(json.loads(done.stdout))
        refused = [f["error"] for f in report.get("files", []) if f.get("error")]
        return {**report, "error": refused[0]} if refused else report
    except json.JSONDecodeError:
        first_error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"added": 0, "matched": 0, "error": first_error}


def export_file(db: Path, fmt: str, out: Path, everything: bool = False) -> Path:
    """`paperclub export` of ada's likes (or the whole library) in `fmt`, written to `out`."""
    scope = ["--all"] if everything else ["--user", "ada"]
    done = paperclub(db, "export", *scope, "--format", fmt, "-o", str(out))
    if done.returncode != 0 and not out.exists():
        out.write_text("[]" if fmt == "csljson" else "", encoding="utf-8")
    return out


def safe_read(path: Path) -> Library:
    """An export read back; an unreadable one counts as empty."""
    try:
        return read_library(path)
    except Exception as exc:  # noqa: BLE001 - an export that no reader takes is reported, not fatal
        print(f"    ! {path.name} could not be read back: {type(exc).__name__}: {exc}")
        return Library("csv", [])


# ---------------------------------------------------------------------------------------------
# One library


@dataclass
class FormatResult:
    """What one export format did to one library."""

    names: Tally
    fields: dict[str, Tally]
    again_added: int = 0
    again_matched: int = 0
    again_entries: int = 0
    round_trip: Tally = field(default_factory=Tally)

    def fields_total(self) -> Tally:
        total = Tally()
        for tally in self.fields.values():
            total.equal += tally.equal
            total.total += tally.total
        return total


def measure_library(name: str, path: Path, folder: Path) -> None:
    """Import one fixture, export it in every format, compare, re-import, round-trip; print."""
    source = read_library(path)
    db = folder / f"{name}.db"
    first = import_file(db, path)
    exports = {fmt: export_file(db, fmt, folder / f"{name}-export-{fmt}{SUFFIXES[fmt]}") for fmt in FORMATS}
    results = {fmt: compare_export(source, safe_read(exports[fmt])) for fmt in FORMATS}
    apart = kept_apart(source, db, folder / f"{name}-all.json")
    for fmt in FORMATS:
        again = import_file(db, exports[fmt])
        results[fmt].again_added, results[fmt].again_matched = again.get("added", 0), again.get("matched", 0)
        results[fmt].again_entries = len(safe_read(exports[fmt]).entries)
        results[fmt].round_trip = round_trip(name, fmt, exports[fmt], folder)
    print_library(name, path, source, first, results, apart)


def compare_export(source: Library, exported: Library) -> FormatResult:
    """Names and fields of the source found in one export."""
    with_particle = source.model in WITH_PARTICLES and exported.model in WITH_PARTICLES
    paired = match(source.entries, exported.entries)
    return FormatResult(compare_names(source.entries, paired, with_particle),
                        compare_fields(source.entries, paired, with_particle))


def round_trip(name: str, fmt: str, exported: Path, folder: Path) -> Tally:
    """Export → import into an empty library → export again: entries equal."""
    db = folder / f"{name}-roundtrip-{fmt}.db"
    import_file(db, exported)
    again = export_file(db, fmt, folder / f"{name}-roundtrip-{fmt}{SUFFIXES[fmt]}")
    return round_trip_equal(safe_read(exported), safe_read(again))


def kept_apart(source: Library, db: Path, out: Path) -> list[tuple[str, int, int]]:
    """For each title the source holds more than once: (title, works in the source, papers kept)."""
    groups = same_title_groups(source.entries)
    if not groups:
        return []
    library = safe_read(export_file(db, "csljson", out, everything=True))
    found = Counter(fold(e.title) for e in library.entries)
    titles = {fold(e.title): e.title for e in source.entries}
    return [(titles[t], n, found.get(t, 0)) for t, n in sorted(groups.items())]


def print_library(name: str, path: Path, source: Library, first: dict[str, Any],
                  results: dict[str, FormatResult], apart: list[tuple[str, int, int]]) -> None:
    """One library's table."""
    names = sum(len(e.names) for e in source.entries)
    error = f", error: {first['error']}" if first.get("error") else ""
    print(f"\n## {name} ({path.name}: {len(source.entries)} entries, {names} names) - import: "
          f"{first.get('added', 0)} added, {first.get('matched', 0)} matched, {first.get('rejected', 0)} rejected{error}")
    print(f"  {'format':9} {'names':>7} {'fields':>7}  {'again: added':>12} {'matched':>9}  {'round trip':>10}  losses")
    for fmt, result in results.items():
        matched = f"{result.again_matched}/{result.again_entries}"
        trip = f"{result.round_trip.equal}/{result.round_trip.total}"
        print(f"  {fmt:9} {result.names.percent():>7} {result.fields_total().percent():>7}  "
              f"{result.again_added:>12} {matched:>9}  {trip:>10}  {losses(result.fields)}")
    for title, works, kept in apart:
        verdict = "kept apart" if kept >= works else "MERGED"
        print(f"  same title {title[:40]!r}: {works} works, {kept} papers ({verdict})")


def losses(tallies: dict[str, Tally]) -> str:
    """The fields losing values, worst first: `volume 3/20`."""
    lost = [(t.equal / t.total, n, t) for n, t in tallies.items() if t.total and t.equal < t.total]
    return ", ".join(f"{n} {t.equal}/{t.total}" for _, n, t in sorted(lost, key=lambda x: x[0])) or "none"


# ---------------------------------------------------------------------------------------------
# Speed


def speed_entries(rows: list[dict]) -> Iterator[str]:
    """A physicist's BibTeX entry per paper: journal, DOI, eprint and most abstracts."""
    for number, row in enumerate(rows):
        authors = " and ".join(", ".join(p for p in (parts[0], parts[2], parts[1]) if p)
                               for parts in row["authors_parsed"][:12] if parts[0].strip())
        year, month = row["update_date"][:4], int(row["update_date"][5:7])
        fields = [f"  title = {{{' '.join(row['title'].split())}}}", f"  author = {{{authors}}}",
                  f"  year = {{{year}}}", f"  month = {list(_MONTHS)[month - 1][:3]}"]
        if row.get("journal-ref"):
            fields.append(f"  journal = {{{' '.join(row['journal-ref'].split())}}}")
        if row.get("doi"):
            fields.append(f"  doi = {{{row['doi'].split()[0]}}}")
        if number % 5 != 4:
            fields.append(f"  abstract = {{{' '.join(row['abstract'].split())}}}")
        if number % 2 == 0:
            fields += [f"  eprint = {{{row['id']}}}", "  archiveprefix = {arXiv}"]
        key = re.sub(r"\W", "", row["id"])
        yield f"@article{{k{key},\n" + ",\n".join(fields) + "\n}\n"


def speed_file(path: Path, count: int) -> int:
    """Write the speed library (the snapshot, then synthetic papers); its size in bytes."""
    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic

    with SNAPSHOT.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    rows += list(synthetic.generate(max(0, count - len(rows)), seed=7))
    path.write_text("% Encoding: UTF-8\n\n" + "\n".join(speed_entries(rows[:count])), encoding="utf-8")
    return path.stat().st_size


def baseline() -> tuple[float, float]:
    """Seconds for `python -c 'import recommender'` and for a fixed pure-Python loop."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import recommender"], cwd=ROOT, check=False)
    startup = time.perf_counter() - start
    start = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number * number % 7
    return startup, time.perf_counter() - start


def measure_speed(folder: Path, runs: int, count: int = 6000) -> None:
    """Median entries/s of `paperclub import` of the speed library into a seeded library."""
    path = folder / "speed.bib"
    size = speed_file(path, count)
    times, added = [], 0
    for run in range(runs):
        db = folder / f"speed-{run}.db"
        paperclub(db, "stats")
        start = time.perf_counter()
        report = import_file(db, path)
        times.append(time.perf_counter() - start)
        added = report.get("added", 0) + report.get("matched", 0)
    startup, loop = baseline()
    seconds = statistics.median(times)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n## speed: import of {path.name} ({size / 1e6:.1f} MB, {count:,} entries, {added:,} read as papers)")
    print(f"  median of {runs}: {seconds:.1f} s = {count / seconds:,.0f} entries/s "
          f"(runs: {', '.join(f'{t:.1f}' for t in times)} s)")
    print(f"  baseline: python -c 'import recommender' {startup:.2f} s; 3M-step Python loop {loop:.2f} s; "
          f"load average {load}")


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--library", action="append", choices=[*LIBRARIES, "speed"],
                        help="Only this library (repeatable); `speed` for the speed case.")
    parser.add_argument("--keep", type=Path, help="Write the exports and databases here and keep them.")
    parser.add_argument("--runs", type=int, default=3, help="Runs of the speed case (median).")
    options = parser.parse_args()
    chosen = options.library or [*LIBRARIES, "speed"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print("# reading lists: names as pybtex/json/rispy/csv read the source, found in each export; fields "
              "kept; re-import of each export; export -> empty library -> export")
        for name in chosen:
            if name != "speed":
                measure_library(name, FIXTURES / LIBRARIES[name], folder)
        if "speed" in chosen:
            measure_speed(folder, options.runs)


if __name__ == "__main__":
    main()
