"""What reference managers' exports have in common, turned into a `Record`.

BibTeX, RIS, CSL-JSON and Zotero's CSV describe a paper by its title, authors, date, venue and
identifiers, and often without an abstract: such an entry is still a paper (its abstract is
empty). Each format module fills a `Reference` from its own fields; `record_of` cleans the text
(TeX into Unicode, protective braces dropped), keeps the venue unless it only names arXiv (Google
Scholar's `arXiv preprint arXiv:…`, `ArXiv e-prints`, dblp's `CoRR`: a preprint has no venue),
and finds the arXiv id wherever the tools put it:
an `eprint` with an arXiv prefix, an arXiv link, a journal or note field such as
`arXiv:1806.07366` or `arXiv preprint arXiv:1806.07366`, or arXiv's own DOI
(`10.48550/arXiv.1806.07366`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..papers import (
    NEW_ARXIV_ID,
    OLD_ARXIV_ID,
    Precision,
    Record,
    Rejection,
    SourceRef,
    parse_arxiv_ref,
    split_arxiv_id,
)
from ..people import Person
from ..text import clean_abstract, clean_name, clean_title, clean_venue, detect_lang, untex_identifier
from ..worktypes import Kind
from .table import clean_categories, clean_doi, strip_et_al

# `arXiv:1806.07366`, `arXiv preprint arXiv:1806.07366v2`, `arXiv: hep-th/9901001`
_ARXIV_MENTION = re.compile(
    r"arxiv\s*(?:preprint\s*)?(?:arxiv)?\s*[:/]?\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
# arXiv category names, as `primaryClass` holds them (`cs.LG`, `hep-th`, `math.AP`).
_ARXIV_CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
# The words of a "venue" that is arXiv itself, ids and punctuation aside.
_ARXIV_ITSELF = re.compile(r"\b(?:arxiv|corr)\b", re.IGNORECASE)
_PREPRINT_WORDS = re.compile(r"\b(?:arxiv|corr|preprints?|e-?prints?|abs)\b", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_PAGE_DASH = re.compile(r"\s*(?:-+|–|—)\s*")
MAX_FIELD_CHARS = 300


@dataclass
class Reference:
    """One entry of a reference manager's export, as its format names the fields (raw text:
    `record_of` cleans it). A format that keeps names whole (`Chen, Ricky T. Q.`) gives them
    to `Person.from_text`; one that keeps their parts fills them."""

    line: int
    title: str = ""
    authors: list[Person] = field(default_factory=list)
    authors_truncated: bool = False
    editors: list[Person] = field(default_factory=list)
    abstract: str = ""
    date: str = ""  # ISO-like: `2018`, `2018-06`, `2018-06-19`, `2018/06/19/`
    month: int | None = None  # when the format keeps the month apart from the year
    doi: str = ""
    eprint: str = ""  # an arXiv id the format says is one
    category: str = ""  # arXiv's primary class
    # Fields that may mention an arXiv id or link: URLs, journal, note, number, extra.
    mentions: list[str] = field(default_factory=list)
    venue: str = ""  # the container: journal, proceedings or book the work is in
    kind: Kind | None = None  # what the format's type names (None: it names none it knows)
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    place: str = ""
    edition: str = ""
    isbn: str = ""
    key: str = ""  # the entry's cite key or id


def record_of(ref: Reference, path: str, fmt: str) -> Record | Rejection:
    """The record an entry describes, or a Rejection naming its line (an entry without a title
    is no paper: there would be nothing to show or match it by)."""
    title = clean_title(ref.title)
    if not title:
        named = f" {ref.key!r}" if ref.key else ""
        return Rejection(path, ref.line, f"entry{named} has no title")
    authors, truncated = person_names(ref.authors)
    editors, _ = person_names(ref.editors)
    abstract = clean_abstract(ref.abstract)
    arxiv = arxiv_id_of(ref)
    published, precision = date_of(ref.date, ref.month)
    category = ref.category.strip()
    categories = clean_categories([category]) if arxiv and _ARXIV_CATEGORY.match(category) else []
    venue = venue_of(ref.venue)
    kind = ref.kind
    if arxiv and not venue and kind in (None, Kind.ARTICLE, Kind.WEBPAGE, Kind.OTHER):
        kind = Kind.PREPRINT  # Google Scholar's `@article` in "arXiv preprint arXiv:…", BibLaTeX's `@online`
    return Record(
        source=SourceRef(path, ref.line, fmt),
        abstract=abstract,
        title=title,
        authors=authors,
        authors_truncated=truncated or ref.authors_truncated,
        editors=editors,
        categories=categories,
        published=published,
        date_precision=precision,
        arxiv_id=arxiv[0] if arxiv else None,
        version=arxiv[1] if arxiv else None,
        lang=detect_lang(abstract or title),
        doi=clean_doi(ref.doi) if ref.doi else None,
        venue=venue,
        kind=kind,
        volume=_field(ref.volume),
        issue=_field(ref.issue),
        pages=_pages(ref.pages),
        publisher=_field(ref.publisher),
        place=_field(ref.place),
        edition=_field(ref.edition),
        isbn=_field(ref.isbn),
        cite_key=ref.key.strip() or None,
    )


def _field(text: str) -> str | None:
    """A short citation field cleaned like a name (None when empty)."""
    return clean_name(text)[:MAX_FIELD_CHARS] or None if text else None


def _pages(text: str) -> str | None:
    """Pages with BibTeX's `--` (and a dash of any kind) written as an en dash: `12–19`."""
    found = _field(text)
    return _PAGE_DASH.sub("–", found) if found else None


def venue_of(text: str) -> str | None:
    """A venue cleaned like a title (and cut to a length), or None when there is none or it only
    names arXiv (`arXiv preprint arXiv:1806.07366`, `ArXiv e-prints`, `CoRR`)."""
    venue = clean_venue(text) if text else ""
    if not venue or only_arxiv(venue):
        return None
    return venue


def only_arxiv(venue: str) -> bool:
    """Whether a venue names arXiv and nothing else besides ids, numbers and preprint words."""
    if not _ARXIV_ITSELF.search(venue):
        return False
    rest = _ARXIV_MENTION.sub(" ", venue)
    for pattern in (NEW_ARXIV_ID, OLD_ARXIV_ID, _PREPRINT_WORDS):
        rest = pattern.sub(" ", rest)
    return _LETTER.search(rest) is None


def person_names(people: list[Person]) -> tuple[list[Person], bool]:
    """Names with each part cleaned, in order (empty ones dropped), and whether the list was cut
    (`and others`, `et al.`)."""
    cleaned: list[Person] = []
    truncated = False
    for raw in people:
        if raw.literal:
            text, cut = strip_et_al(clean_name(raw.literal))
            person = Person.literal_of(text)
        else:
            family, cut = strip_et_al(clean_name(raw.family))
            person = Person.from_parts(family, clean_name(raw.given), clean_name(raw.particle),
                                       clean_name(raw.suffix))
        truncated = truncated or cut
        if person:
            cleaned.append(person)
    return cleaned, truncated


def arxiv_id_of(ref: Reference) -> tuple[str, int | None] | None:
    """The arXiv id and version an entry names, looked for in the eprint, then the DOI, then
    the fields that mention one."""
    if ref.eprint:
        found = split_arxiv_id(ref.eprint)
        if found:
            return found
    if ref.doi:
        match = _ARXIV_DOI.search(ref.doi)
        if match:
            found = split_arxiv_id(match.group(1))
            if found:
                return found
    for text in map(untex_identifier, ref.mentions):  # `\_` in a URL is `_`
        if not text:
            continue
        whole = parse_arxiv_ref(text)
        if whole and "arxiv" in text.lower():
            return split_arxiv_id(text) or (whole, None)
        match = _ARXIV_MENTION.search(text) or _ARXIV_DOI.search(text)
        if match:
            found = split_arxiv_id(match.group(1))
            if found:
                return found
    return None


def date_of(text: str, month: int | None = None) -> tuple[date | None, Precision]:
    """The date an entry gives and how much of it is known: `2018` is 2018-01-01 known to the
    year, `2018-06` (or year 2018 with month 6) is 2018-06-01 known to the month."""
    match = _ISO_DATE.search(text or "")
    if not match:
        return None, Precision.DAY
    year = int(match.group(1))
    month_text, day_text = match.group(2), match.group(3)
    month = int(month_text) if month_text else month
    try:
        if month and day_text:
            return date(year, month, int(day_text)), Precision.DAY
        if month:
            return date(year, month, 1), Precision.MONTH
        return date(year, 1, 1), Precision.YEAR
    except ValueError:
        try:
            return date(year, 1, 1), Precision.YEAR
        except ValueError:
            return None, Precision.DAY
