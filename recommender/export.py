"""A reading list out, for reference managers: BibTeX, BibLaTeX, RIS, CSL-JSON and Zotero's CSV.

Every entry gets a cite key made of the first author's surname, the year and the first word of
the title that is not a little word (`chen2018neural`); a key met again gets `b`, `c`… in the
order of the papers' ids, so exporting the same papers gives the same keys. An arXiv paper
carries its eprint fields (`eprint`, `archivePrefix`/`eprinttype`, `primaryClass`/`eprintclass`),
every paper its venue (journal or proceedings), DOI, link, abstract and date where known. What is
written reads back into paperclub as the same papers (and into bibtexparser and rispy without
errors): the writers are bibtexparser's and rispy's own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .papers import Paper

if TYPE_CHECKING:
    from .store import Store

FORMATS = ("bibtex", "biblatex", "ris", "csljson", "csv")
SUFFIXES = {"bibtex": ".bib", "biblatex": ".bib", "ris": ".ris", "csljson": ".json", "csv": ".csv"}
CSV_COLUMNS = ("Key", "Item Type", "Publication Year", "Author", "Title", "Publication Title", "DOI",
               "Url", "Abstract Note", "Date", "Extra")
_LITTLE_WORDS = frozenset((
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "at", "by", "from", "is",
    "are", "der", "die", "das", "zur", "zum", "le", "la", "les", "de",
))
_WORD = re.compile(r"[a-z0-9]+")
_PROCEEDINGS = re.compile(
    r"\b(?:proceedings|conference|workshop|symposium|colloquium)\b|neural information processing systems",
    re.IGNORECASE,
)
# Journals by their names, also those called "Proceedings" (PNAS, Proc. IEEE, Proc. R. Soc., Proc. AMS).
_JOURNAL = re.compile(
    r"\b(?:journal|transactions|letters|review|series)\b|national academy|royal society|proceedings of the ieee"
    r"|mathematical society",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Exported:
    """A reading list written out: the text, its format and how many papers it holds."""

    text: str
    format: str
    papers: int

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.format]


def export_library(store: Store, fmt: str, user: str | None = None,
                   group: str | None = None) -> Exported:
    """The papers a person liked (anywhere; with `group` too: only there), those liked in a
    group, or the whole library (neither), in the order of their ids, written in `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    if user is not None:
        ids = {row[0] for row in store.signals(str(user), kind="like")
               if group is None or row[2] == group}
    elif group is not None:
        ids = {paper_id for _, paper_id in store.group_signals(group, "like")}
    else:
        ids = set(store.all_ids())
    papers = sorted(store.papers(ids), key=lambda p: p.id)
    return Exported(export(papers, fmt), fmt, len(papers))


def export(papers: Iterable[Paper], fmt: str) -> str:
    """The papers written in `fmt` (one of FORMATS), in the order given."""
    writers: dict[str, Callable[[list[Paper]], str]] = {
        "bibtex": lambda ps: to_bibtex(ps, biblatex=False),
        "biblatex": lambda ps: to_bibtex(ps, biblatex=True),
        "ris": to_ris, "csljson": to_csljson, "csv": to_csv,
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    return writers[fmt](list(papers))


# ---------------------------------------------------------------------------------------------
# Cite keys and names


def cite_keys(papers: list[Paper]) -> dict[int, str]:
    """A unique key for each paper: surname + year + first title word, with `b`, `c`… for the
    later papers (by id) whose key was taken."""
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for paper in sorted(papers, key=lambda p: p.id):
        base = _base_key(paper)
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
    surname = _ascii_words(surname_of(paper.authors[0]))[-1:] if paper.authors else []
    year = str(paper.published.year) if paper.published else ""
    title = [w for w in _ascii_words(paper.title) if w not in _LITTLE_WORDS][:1]
    return "".join((surname or ["anon"]) + [year] + title) or f"paper{paper.id}"


def surname_of(name: str) -> str:
    """The last word of a name (`Ricky T. Q. Chen` → `Chen`), before a suffix such as `, Jr.`."""
    words = name.split(",")[0].split()
    return words[-1] if words else name


def given_of(name: str) -> str:
    """The words of a name before its surname."""
    words = name.split(",")[0].split()
    return " ".join(words[:-1])


def last_first(name: str) -> str:
    """`Ricky T. Q. Chen` → `Chen, Ricky T. Q.`; a one-word name as it is."""
    given = given_of(name)
    return f"{surname_of(name)}, {given}" if given else name


# ---------------------------------------------------------------------------------------------
# BibTeX and BibLaTeX


def to_bibtex(papers: list[Paper], biblatex: bool = False) -> str:
    """BibTeX (year and month) or BibLaTeX (`date`): an arXiv paper is `@misc` (BibLaTeX:
    `@online`), another paper with a venue `@inproceedings` (its `booktitle`) when the venue
    names proceedings and `@article` otherwise, any other `@misc`."""
    import bibtexparser
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field

    keys = cite_keys(papers)
    library = Library()
    for paper in papers:
        fields = [Field(name, value) for name, value in _bib_fields(paper, biblatex)]
        entry_type = _bib_type(paper, biblatex)
        library.add(Entry(entry_type, keys[paper.id], fields))
    return bibtexparser.write_string(library)


def _bib_type(paper: Paper, biblatex: bool) -> str:
    if paper.arxiv_id:
        return "online" if biblatex else "misc"
    if paper.venue:
        return "inproceedings" if in_proceedings(paper) else "article"
    return "misc"


def in_proceedings(paper: Paper) -> bool:
    """Whether the paper's venue names conference proceedings (a workshop, a symposium, NeurIPS's
    "Advances in Neural Information Processing Systems") rather than a journal."""
    venue = paper.venue or ""
    return bool(_PROCEEDINGS.search(venue)) and not _JOURNAL.search(venue)


def _bib_fields(paper: Paper, biblatex: bool) -> list[tuple[str, str]]:
    names = [_bib_name(a) for a in paper.authors] + (["others"] if paper.authors_truncated else [])
    fields = [("title", "{" + _bib_text(paper.title) + "}")]
    if names:
        fields.append(("author", " and ".join(names)))
    if paper.published:
        day = paper.published
        if biblatex:
            fields.append(("date", _iso_date(paper)))
        else:
            fields.append(("year", str(day.year)))
            if not (paper.date_approx and day.month == 1):
                fields.append(("month", str(day.month)))
            if not paper.date_approx:  # BibTeX has no day: the whole date as BibLaTeX writes it
                fields.append(("date", day.isoformat()))
    if paper.venue:
        venue_field = "booktitle" if in_proceedings(paper) else "journaltitle" if biblatex else "journal"
        fields.append((venue_field, _bib_text(paper.venue)))
    if paper.arxiv_id:
        fields.append(("eprint", paper.arxiv_id))
        fields += ([("eprinttype", "arXiv")] if biblatex else [("archivePrefix", "arXiv")])
        if paper.primary_category:
            fields.append(("eprintclass" if biblatex else "primaryClass", paper.primary_category))
    if paper.doi:
        fields.append(("doi", paper.doi))
    if paper.url:
        fields.append(("url", paper.url))
    if paper.abstract:
        fields.append(("abstract", _bib_text(paper.abstract)))
    return fields


def _bib_text(text: str) -> str:
    """Text a brace-delimited BibTeX value can hold: `&` and `%` escaped, and braces dropped
    unless they pair up."""
    text = re.sub(r"(?<!\\)([&%])", r"\\\1", text)
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "").replace("}", "")
    return text


def _bib_name(name: str) -> str:
    """A name BibTeX reads as one person: braced when it holds a comma or the word `and`."""
    name = _bib_text(name).replace("{", "").replace("}", "")
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + name + "}"
    return name


def _iso_date(paper: Paper) -> str:
    day = paper.published
    assert day is not None
    if paper.date_approx:
        return f"{day.year}" if day.month == 1 else f"{day.year}-{day.month:02d}"
    return day.isoformat()


# ---------------------------------------------------------------------------------------------
# RIS, CSL-JSON and CSV


def to_ris(papers: list[Paper]) -> str:
    """RIS as Zotero writes it (`TY  - JOUR`, `CONF` for a paper in proceedings, or `GEN` for
    arXiv preprints), the venue as `JO` (proceedings: `T2`)."""
    import rispy

    keys = cite_keys(papers)
    entries: list[dict[str, Any]] = []
    for paper in papers:
        entry: dict[str, Any] = {
            "type_of_reference": "GEN" if paper.arxiv_id else "CONF" if in_proceedings(paper) else "JOUR",
            "id": keys[paper.id],
            "title": paper.title,
            "authors": [last_first(a) for a in paper.authors],
        }
        if paper.published:
            entry["year"] = str(paper.published.year)
            entry["date"] = _ris_date(paper)
        if paper.venue:
            entry["secondary_title" if in_proceedings(paper) else "journal_name"] = paper.venue
        if paper.doi:
            entry["doi"] = paper.doi
        if paper.url:
            entry["urls"] = [paper.url]
        if paper.arxiv_id:
            entry["note"] = f"arXiv:{paper.arxiv_id}"
        if paper.abstract:
            entry["abstract"] = paper.abstract
        entries.append(entry)
    return rispy.dumps(entries, implementation=_ris_writer())


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
    if paper.date_approx:
        return f"{day.year}//" if day.month == 1 else f"{day.year}/{day.month:02d}/"
    return f"{day.year}/{day.month:02d}/{day.day:02d}/"


def to_csljson(papers: list[Paper]) -> str:
    """CSL-JSON as Zotero writes it: arXiv preprints as `article` with `number: arXiv:…`, the
    venue as `container-title`."""
    keys = cite_keys(papers)
    items: list[dict[str, Any]] = []
    for paper in papers:
        item: dict[str, Any] = {
            "id": keys[paper.id],
            "type": "article" if paper.arxiv_id else "paper-conference" if in_proceedings(paper) else "article-journal",
            "title": paper.title,
            "author": [_csl_name(a) for a in paper.authors],
        }
        if paper.published:
            parts = [paper.published.year, paper.published.month, paper.published.day]
            if paper.date_approx:
                parts = parts[:1] if paper.published.month == 1 else parts[:2]
            item["issued"] = {"date-parts": [parts]}
        if paper.venue:
            item["container-title"] = paper.venue
        if paper.arxiv_id:
            item["number"] = f"arXiv:{paper.arxiv_id}"
            item["publisher"] = "arXiv"
        if paper.doi:
            item["DOI"] = paper.doi
        if paper.url:
            item["URL"] = paper.url
        if paper.abstract:
            item["abstract"] = paper.abstract
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _csl_name(name: str) -> dict[str, str]:
    given = given_of(name)
    return {"family": surname_of(name), "given": given} if given else {"literal": name}


def to_csv(papers: list[Paper]) -> str:
    """Zotero's CSV columns (a subset), which paperclub reads back."""
    keys = cite_keys(papers)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        writer.writerow([
            keys[paper.id],
            "preprint" if paper.arxiv_id else "conferencePaper" if in_proceedings(paper) else "journalArticle",
            str(paper.published.year) if paper.published else "",
            "; ".join(last_first(a) for a in paper.authors),
            paper.title,
            paper.venue or "",
            paper.doi or "",
            paper.url or "",
            paper.abstract,
            _iso_date(paper) if paper.published else "",
            f"arXiv: {paper.arxiv_id}" if paper.arxiv_id else "",
        ])
    return out.getvalue()
