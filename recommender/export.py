"""A reading list out, for reference managers: BibTeX, BibLaTeX, RIS, CSL-JSON and Zotero's CSV.

Every entry keeps the cite key its reference manager gave it; a paper without one gets a key
made of the first author's family name (whole: `abuzeid`, `larocca`), the year and the first
word of the title that is not a little word (`chen2018neural`). A key met again gets `b`, `c`…
in the order of the papers' ids, so exporting the same papers gives the same keys.

Each paper is written as its kind of work (`worktypes`: an article, a book, a chapter…), with
its names in their parts (family, given, particle, suffix; a corporate name whole), its editors,
container (journal, proceedings or book), volume, issue, pages, publisher, place, edition, ISBN,
DOI, link, abstract, and its date as far as it is known (`1958`, `1958-06`). An arXiv paper
carries its eprint fields (`eprint`, `archivePrefix`/`eprinttype`, `primaryClass`/`eprintclass`).
What is written reads back into paperclub as the same papers with the same fields (and into
bibtexparser, pybtex and rispy without errors): the writers are bibtexparser's and rispy's own.

A corporate name is written whole: BibTeX braces it, CSL-JSON calls it `literal`, RIS ends it with
a comma (EndNote's mark), Zotero's CSV writes it without the comma a person's name has.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import worktypes
from .formats import EXPORT_FORMATS, FORMAT_NAMES, export_format
from .kinds import SignalKind
from .papers import Paper, Precision
from .people import Person
from .text import clean_text
from .sources.ris import name_of as ris_name
from .sources.zotero_csv import neutralised
from .worktypes import Kind

if TYPE_CHECKING:
    from .store import Store

FORMATS = FORMAT_NAMES
SUFFIXES = {f.name: f.suffix for f in EXPORT_FORMATS}
CSV_COLUMNS = ("Key", "Item Type", "Publication Year", "Author", "Title", "Publication Title", "ISBN", "DOI",
               "Url", "Abstract Note", "Date", "Pages", "Issue", "Volume", "Publisher", "Place", "Edition",
               "Editor", "Extra")
_LITTLE_WORDS = frozenset((
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "at", "by", "from", "is",
    "are", "der", "die", "das", "zur", "zum", "le", "la", "les", "de",
))
_WORD = re.compile(r"[a-z0-9]+")
# A cite key a file may carry over: no spaces, braces, commas, quotes or `#`.
_CITE_KEY = re.compile(r"[^\s{}(),\\\"'#%~=]{1,100}")


@dataclass(frozen=True)
class Exported:
    """A reading list written out: the text, its format and how many papers it holds."""

    text: str
    format: str
    papers: int

    @property
    def suffix(self) -> str:
        return export_format(self.format).suffix


def export_library(store: Store, fmt: str, user: str | None = None,
                   group: str | None = None) -> Exported:
    """The papers a person liked (anywhere; with `group` too: only there), those liked in a
    group, or the whole library (neither), in the order of their ids, written in `fmt`."""
    export_format(fmt)
    if user is not None:
        ids = {row.paper_id for row in store.signals(str(user), kind=SignalKind.LIKE)
               if group is None or row.grp == group}
    elif group is not None:
        ids = {like.paper_id for like in store.group_signals(group, SignalKind.LIKE)}
    else:
        ids = set(store.all_ids())
    papers = sorted(store.papers(ids), key=lambda p: p.id)
    return Exported(export(papers, fmt), fmt, len(papers))


def export(papers: Iterable[Paper], fmt: str) -> str:
    """The papers written in `fmt` (one of `formats.EXPORT_FORMATS`), in the order given."""
    return WRITERS[export_format(fmt).name](list(papers))


# ---------------------------------------------------------------------------------------------
# Cite keys and names


def cite_keys(papers: list[Paper]) -> dict[int, str]:
    """A unique key for each paper: the one its reference manager gave it, else family name +
    year + first title word; `b`, `c`… for the later papers (by id) whose key was taken."""
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for paper in sorted(papers, key=lambda p: p.id):
        base = paper.cite_key if paper.cite_key and _CITE_KEY.fullmatch(paper.cite_key) else _base_key(paper)
        key, n = base, 0
        while key in taken:
            n += 1
            key = base + _suffix(n)
        taken.add(key)
        keys[paper.id] = key
    return keys


def _suffix(n: int) -> str:
    """1 → b, 2 → c, … 25 → z, 26 → ba…"""
    letters = ""
    while True:
        n, rest = divmod(n, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
        if n == 0:
            return letters


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("ł", "l").replace("ø", "o")
    return _WORD.findall(folded)


def _base_key(paper: Paper) -> str:
    people = paper.authors or paper.editors
    family = "".join(_ascii_words(people[0].surname))[:30] if people else ""
    year = str(paper.published.year) if paper.published else ""
    title = [w for w in _ascii_words(paper.title) if w not in _LITTLE_WORDS][:1]
    return "".join([family or "anon", year] + title) or f"paper{paper.id}"


# ---------------------------------------------------------------------------------------------
# BibTeX and BibLaTeX


def to_bibtex(papers: list[Paper], biblatex: bool = False) -> str:
    """BibTeX (year and month) or BibLaTeX (`date`), each paper as the entry type of its kind
    (`worktypes.BIBTEX`, `worktypes.BIBLATEX`): an arXiv preprint is `@misc` (BibLaTeX:
    `@online`), a book `@book`, a chapter `@incollection`, a paper in proceedings
    `@inproceedings` with its `booktitle`."""
    import bibtexparser
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field

    keys = cite_keys(papers)
    table = worktypes.BIBLATEX if biblatex else worktypes.BIBTEX
    library = Library()
    for paper in papers:
        fields = [Field(name, value) for name, value in _bib_fields(paper, biblatex)]
        library.add(Entry(worktypes.written(table, paper.work_kind), keys[paper.id], fields))
    return bibtexparser.write_string(library)


def _bib_fields(paper: Paper, biblatex: bool) -> list[tuple[str, str]]:
    kind = paper.work_kind
    fields = [("title", "{" + _bib_text(paper.title) + "}")]
    names = [_bib_name(a) for a in paper.authors] + (["others"] if paper.authors_truncated else [])
    if names:
        fields.append(("author", " and ".join(names)))
    if paper.editors:
        fields.append(("editor", " and ".join(_bib_name(e) for e in paper.editors)))
    fields += _bib_date(paper, biblatex)
    if paper.venue:
        fields.append((_bib_container(kind, biblatex), _bib_text(paper.venue)))
    for name, value in (("volume", paper.volume), ("number", paper.issue),
                        ("pages", paper.pages.replace("–", "--") if paper.pages else None),
                        (_bib_publisher(kind, biblatex), paper.publisher),
                        ("location" if biblatex else "address", paper.place),
                        ("edition", paper.edition), ("isbn", paper.isbn)):
        if value:
            fields.append((name, _bib_text(value)))
    if paper.arxiv_id:
        fields.append(("eprint", _bib_identifier(paper.arxiv_id)))
        fields += ([("eprinttype", "arXiv")] if biblatex else [("archivePrefix", "arXiv")])
        if paper.primary_category:
            fields.append(("eprintclass" if biblatex else "primaryClass", _bib_identifier(paper.primary_category)))
    if paper.doi:
        fields.append(("doi", _bib_identifier(paper.doi)))
    if paper.url:
        fields.append(("url", _bib_identifier(paper.url)))
    if paper.abstract:
        fields.append(("abstract", _bib_text(paper.abstract)))
    return fields


def _bib_date(paper: Paper, biblatex: bool) -> list[tuple[str, str]]:
    """BibLaTeX's `date` as far as it is known; BibTeX's `year`, `month` when known, and the
    whole `date` when the day is known (BibTeX has no day)."""
    day, text = paper.published, paper.date_text
    if day is None or text is None:
        return []
    if biblatex:
        return [("date", text)]
    fields = [("year", str(day.year))]
    if paper.date_precision != Precision.YEAR:
        fields.append(("month", str(day.month)))
    if paper.date_precision == Precision.DAY:
        fields.append(("date", text))
    return fields


def _bib_container(kind: Kind, biblatex: bool) -> str:
    """The field that names what holds a work: a journal, or the book or proceedings."""
    if kind in (Kind.CHAPTER, Kind.CONFERENCE_PAPER, Kind.BOOK):
        return "booktitle"
    return "journaltitle" if biblatex else "journal"


def _bib_publisher(kind: Kind, biblatex: bool) -> str:
    """Who published a work: BibTeX names a thesis's school and a report's institution."""
    if kind == Kind.THESIS:
        return "institution" if biblatex else "school"
    if kind == Kind.REPORT:
        return "institution"
    return "publisher"


def _bib_text(text: str) -> str:
    """Text as LaTeX text that compiles to itself and runs nothing: TeX's special characters
    escaped (a backslash, brace or dollar from a paper is a character, never a command or a
    group), and the Unicode paperclub decoded (accents, `Cu₂O`, `α`) as LaTeX, by pylatexenc's
    encoder, where paperclub's own reading gives the same text back; else as it is."""
    encoded = _encoded(text, _latex_run)
    if encoded != text and clean_text(encoded) != text:
        encoded = _encoded(text, _specials_run)
    return encoded


def _encoded(text: str, encode: Callable[[str], str]) -> str:
    """`text` with each run of characters an encoder changes encoded (the encoder looks at
    every character in Python, and plain ASCII is most of a text)."""
    return _TO_ENCODE.sub(lambda match: encode(match.group()), text)


def _bib_identifier(text: str) -> str:
    """A DOI, link or eprint as styles print it (verbatim, `\\url`, `\\doi`): a brace, a
    backslash or a space percent-encoded, as in a URL, so that it cannot end the value or run a
    command."""
    return _NOT_IN_IDENTIFIER.sub(lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), text)


_NOT_IN_IDENTIFIER = re.compile(r"[{}\\\s]")


def _tex_char(char: str) -> str | None:
    """A character outside ASCII as pylatexenc writes it, when paperclub reads it back as the
    same character; else None (the character is written as it is)."""
    latex = _UNICODE_ENCODER.unicode_to_latex(char)
    return latex if latex != char and clean_text(latex) == char else None


def _unicode_rule(text: str, pos: int) -> tuple[int, str] | None:
    """pylatexenc's callable conversion rule: `_tex_char` for one character outside ASCII."""
    char = text[pos]
    if ord(char) < 128:
        return None
    latex = _cached_tex_char(char)
    return (1, latex) if latex is not None else None


def _encoders() -> tuple[Any, Any, Any]:
    """pylatexenc's encoders: TeX's special characters in the forms paperclub's reading turns
    back into characters (`\\textbackslash{}`, not `\\{`), then Unicode as LaTeX."""
    from pylatexenc.latexencode import RULE_CALLABLE, RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

    specials = UnicodeToLatexConversionRule(RULE_DICT, {ord(char): latex for char, latex in _SPECIALS.items()})
    unicode = UnicodeToLatexConversionRule(RULE_CALLABLE, _unicode_rule)
    options = {"unknown_char_policy": "keep", "unknown_char_warning": False, "non_ascii_only": False}
    return (UnicodeToLatexEncoder(conversion_rules=[specials, unicode], **options),
            UnicodeToLatexEncoder(conversion_rules=[specials], **options),
            UnicodeToLatexEncoder(conversion_rules=["defaults"], replacement_latex_protection="braces",
                                  **options))


# The characters TeX reads as commands, groups, math, parameters, comments or alignment, as
# text. A tilde (a tie) and `--` (a dash) are left as they are: they run nothing.
_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "$": r"\textdollar{}", "^": r"\textasciicircum{}", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_",
}
_TO_ENCODE = re.compile("[^\x00-\x7f]+|[" + re.escape("".join(_SPECIALS)) + "]+")
_cached_tex_char = lru_cache(maxsize=4096)(_tex_char)
_LATEX_ENCODER, _SPECIALS_ENCODER, _UNICODE_ENCODER = _encoders()
# Runs recur (`é`, `–`, `%`): each is encoded once.
_latex_run = lru_cache(maxsize=8192)(_LATEX_ENCODER.unicode_to_latex)
_specials_run = lru_cache(maxsize=1024)(_SPECIALS_ENCODER.unicode_to_latex)


def _bib_name(person: Person) -> str:
    """A name in BibTeX's `von Last, Jr, First` form (each part braced when it holds a comma
    or the word `and`); a corporate name wholly braced, so that it is never split."""
    if person.literal:
        return "{" + _bib_text(person.literal) + "}"
    last = " ".join(part for part in (_bib_part(person.particle), _bib_part(person.family)) if part)
    parts = [last] + ([_bib_part(person.suffix)] if person.suffix else [])
    if person.given or person.suffix:
        parts.append(_bib_part(person.given))
    return ", ".join(parts)


def _bib_part(text: str) -> str:
    text = _bib_text(text)
    if "," in text or re.search(r"\band\b", text, re.IGNORECASE):
        return "{" + text + "}"
    return text


# ---------------------------------------------------------------------------------------------
# RIS, CSL-JSON and CSV


def to_ris(papers: list[Paper]) -> str:
    """RIS as Zotero writes it: `TY` of the paper's kind (`worktypes.RIS`), names as `Family,
    Given, Suffix`, editors as `A2`, the journal as `JO` and a book or proceedings as `T2`."""
    import rispy

    keys = cite_keys(papers)
    entries: list[dict[str, Any]] = []
    for paper in papers:
        kind = paper.work_kind
        entry: dict[str, Any] = {
            "type_of_reference": worktypes.written(worktypes.RIS, kind),
            "id": keys[paper.id],
            "title": paper.title,
            "authors": [ris_name(a) for a in paper.authors],
        }
        if paper.editors:
            entry["secondary_authors"] = [ris_name(e) for e in paper.editors]
        if paper.published:
            entry["year"] = str(paper.published.year)
            entry["date"] = _ris_date(paper)
        if paper.venue:
            entry["journal_name" if _bib_container(kind, False) == "journal" else "secondary_title"] = paper.venue
        start, _, end = (paper.pages or "").partition("–")
        for name, value in (("volume", paper.volume), ("number", paper.issue), ("start_page", start),
                            ("end_page", end), ("publisher", paper.publisher),
                            ("place_published", paper.place), ("edition", paper.edition),
                            ("issn", paper.isbn), ("doi", paper.doi)):
            if value:
                entry[name] = value
        if paper.url:
            entry["urls"] = [paper.url]
        if paper.arxiv_id:
            entry["note"] = f"arXiv:{paper.arxiv_id}"
        if paper.abstract:
            entry["abstract"] = paper.abstract
        entries.append(entry)
    written: str = rispy.dumps(entries, implementation=_ris_writer())
    return written


def _ris_writer() -> type:
    import rispy

    class PlainRisWriter(rispy.RisWriter):
        """rispy's writer without the `1.` it puts before each entry (Zotero writes none)."""

        def set_header(self, count: int) -> str:
            return ""

    return PlainRisWriter


def _ris_date(paper: Paper) -> str:
    day = paper.published
    assert day is not None
    if paper.date_precision == Precision.YEAR:
        return f"{day.year}//"
    if paper.date_precision == Precision.MONTH:
        return f"{day.year}/{day.month:02d}/"
    return f"{day.year}/{day.month:02d}/{day.day:02d}/"


def to_csljson(papers: list[Paper]) -> str:
    """CSL-JSON as Zotero writes it: the paper's kind as its CSL type (`worktypes.CSL`; an arXiv
    preprint is `article` with `number: arXiv:…`), names in their parts, `issued` as far as the
    date is known."""
    keys = cite_keys(papers)
    items: list[dict[str, Any]] = []
    for paper in papers:
        item: dict[str, Any] = {
            "id": keys[paper.id],
            "citation-key": keys[paper.id],
            "type": worktypes.written(worktypes.CSL, paper.work_kind),
            "title": paper.title,
            "author": [_csl_name(a) for a in paper.authors],
        }
        if paper.editors:
            item["editor"] = [_csl_name(e) for e in paper.editors]
        if paper.published:
            parts = [paper.published.year, paper.published.month, paper.published.day]
            item["issued"] = {"date-parts": [parts[:_PRECISION_PARTS[paper.date_precision]]]}
        for name, value in (("container-title", paper.venue), ("volume", paper.volume), ("issue", paper.issue),
                            ("page", paper.pages), ("publisher", paper.publisher),
                            ("publisher-place", paper.place), ("edition", paper.edition),
                            ("ISBN", paper.isbn)):
            if value:
                item[name] = value
        if paper.arxiv_id:
            item["number"] = f"arXiv:{paper.arxiv_id}"
            item.setdefault("publisher", "arXiv")
        if paper.doi:
            item["DOI"] = paper.doi
        if paper.url:
            item["URL"] = paper.url
        if paper.abstract:
            item["abstract"] = paper.abstract
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


_PRECISION_PARTS = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}


def _csl_name(person: Person) -> dict[str, str]:
    if person.literal:
        return {"literal": person.literal}
    name = {"family": person.family, "given": person.given}
    if person.particle:
        name["non-dropping-particle"] = person.particle
    if person.suffix:
        name["suffix"] = person.suffix
    return {key: value for key, value in name.items() if value}


def _csv_name(person: Person) -> str:
    """A name as Zotero's CSV writes it (`Family, Given`; an organisation whole), except that an
    organisation holding a comma is written in EndNote's way, so that it reads back whole."""
    return ris_name(person) if "," in person.literal else person.inverted


def to_csv(papers: list[Paper]) -> str:
    """Zotero's CSV columns (a subset), which paperclub reads back; a cell that would open as
    a formula in a spreadsheet has a `'` before it (OWASP's advice on CSV injection)."""
    keys = cite_keys(papers)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        writer.writerow(map(neutralised, [
            keys[paper.id],
            worktypes.written(worktypes.ZOTERO, paper.work_kind),
            str(paper.published.year) if paper.published else "",
            "; ".join(map(_csv_name, paper.authors)),
            paper.title,
            paper.venue or "",
            paper.isbn or "",
            paper.doi or "",
            paper.url or "",
            paper.abstract,
            paper.date_text or "",
            paper.pages or "",
            paper.issue or "",
            paper.volume or "",
            paper.publisher or "",
            paper.place or "",
            paper.edition or "",
            "; ".join(map(_csv_name, paper.editors)),
            f"arXiv: {paper.arxiv_id}" if paper.arxiv_id else "",
        ]))
    return out.getvalue()


# The writer of each format of `formats.EXPORT_FORMATS`, by its name (a test checks every format has one).
WRITERS: dict[str, Callable[[list[Paper]], str]] = {
    "bibtex": lambda papers: to_bibtex(papers, biblatex=False),
    "biblatex": lambda papers: to_bibtex(papers, biblatex=True),
    "ris": to_ris,
    "csljson": to_csljson,
    "csv": to_csv,
}
