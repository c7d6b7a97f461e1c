"""Recognising the same paper across sources, and keeping the richest fields of each.

A record is the same paper as a stored one (`match_reason`) only for one of these reasons:

- the same arXiv id, or the same DOI;
- the same normalised title (`title_norm`), unless both author lists are known and share no
  surname;
- near-identical, substantial abstracts, when the two do not both carry a real title (a title
  derived from the abstract is no title) and their author lists do not contradict each other.

Everything else stays apart: two real titles that differ, two different arXiv ids or DOIs, and
abstracts that are placeholders ("to be added later", "withdrawn") or too short to tell papers
apart. Keeping a duplicate costs a little; merging two papers loses one of them.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
import zlib
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .papers import CITATION_FIELDS, Fields, Precision, Record, stored_fields
from .people import Person
from .worktypes import WEAK, Kind, contradict
from .text import CJK_CHAR, clean_text, derive_title

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 4
SKETCH_SIZE = 8
# Abstract containment (share of the shorter abstract's 4-grams found in the other) from which
# two abstracts count as one text; the seeds' rewritten versions of one abstract reach 0.70.
SAME_ABSTRACT = 0.6
# Fewer 4-grams than this (about 25 words) cannot tell one paper from another.
MIN_ABSTRACT_SHINGLES = 22

BY_ARXIV_ID = "arxiv id"
BY_DOI = "doi"
BY_TITLE = "title"
BY_ABSTRACT = "abstract"

_WORD = re.compile(r"\w+")
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_MIX = 1_000_003
# Placeholder abstracts, looked for at the start of an abstract only.
_PLACEHOLDER = re.compile(
    r"\bwithdrawn\b|\bno abstract\b|\babstract\b.{0,30}\b(?:added later|to be added|will be added"
    r"|not available|unavailable|forthcoming|coming soon|omitted)\b"
    r"|\bsee (?:the )?(?:attached |full )?(?:paper|pdf|manuscript|text|article)\b",
    re.IGNORECASE | re.DOTALL,
)
_PLACEHOLDER_SPAN = 160
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def fields_of(record: Record) -> Fields:
    """A new paper's fields from its first record; a missing title is derived from the abstract,
    a missing kind guessed from the venue and arXiv id."""
    values = {name: getattr(record, name) for name, _ in stored_fields() if name != "title_derived"}
    fields = Fields(**values, title_derived=not record.title)
    fields.title = record.title or derive_title(record.abstract)
    fields.kind = record.work_kind
    fields.venue = record.venue or None
    for name in ("authors", "editors", "organisations", "categories"):
        setattr(fields, name, list(getattr(record, name)))
    return fields


def keys_of(fields: Fields) -> dict[str, str | None]:
    """The keys a stored paper is found by when merging: its title's (None for a title derived
    from the abstract) and its DOI's."""
    return {
        "title_key": None if fields.title_derived else title_key(fields.title),
        "doi_key": doi_norm(fields.doi),
    }


@lru_cache(maxsize=64)  # a paper's key is asked for when it is looked up and again when stored
def title_key(title: str | None) -> str | None:
    """The key a stored title is looked up by: without case, punctuation or spacing (short
    titles too: whether two papers of one short title are one is `match_reason`'s to say)."""
    if not title:
        return None
    return "".join(_WORD.findall(title.casefold())) or None


def title_norm(title: str) -> str:
    """A title folded for comparing: TeX turned into Unicode (TeX commands left over dropped),
    then accents, case, punctuation and spacing ignored."""
    return "".join(folded_words(_TEX_COMMAND.sub(" ", clean_text(title))))


def folded_words(text: str) -> list[str]:
    """The words of a text without case or accents (`Balázs` gives `balazs`)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return _WORD.findall("".join(c for c in text if not unicodedata.combining(c)))


def doi_norm(doi: str | None) -> str | None:
    """A DOI without its resolver prefix (`https://doi.org/`, `doi:`), in lower case: DOIs are
    matched without case, and stored as they were given."""
    if not doi:
        return None
    return _DOI_PREFIX.sub("", doi.strip()).lower() or None


def is_placeholder(abstract: str) -> bool:
    """Whether an abstract only stands in for one ("Abstract to be added later", "This paper
    has been withdrawn", "No abstract given", "see the paper"): judged on its opening words."""
    return _PLACEHOLDER.search(abstract[:_PLACEHOLDER_SPAN]) is not None


def shingles(abstract: str) -> set[int]:
    """Hashed word 4-grams of an abstract (character 4-grams for CJK text).

    Each word is hashed once (CRC-32, stable across runs) and four neighbours are combined
    arithmetically, so the cost is one hash per word rather than one per 4-gram string.
    """
    return set(_shingle_array(abstract).tolist())


def abstract_sketch(abstract: str) -> list[int]:
    """`sketch(shingles(abstract))`, without making the set."""
    import numpy as np

    sketch: list[int] = np.unique(_shingle_array(abstract))[:SKETCH_SIZE].tolist()
    return sketch


def _shingle_array(abstract: str) -> np.ndarray:
    """The shingles of an abstract as an array, some maybe more than once."""
    import numpy as np  # here, so that reading papers never pays for importing numpy

    text = abstract.casefold()
    units = [c for c in text if c.isalnum()] if CJK_CHAR.search(text) else _WORD.findall(text)
    if not units:
        return np.zeros(0, dtype=np.uint64)
    if len(_WORD_HASHES) > _WORD_HASHES_KEPT:
        _WORD_HASHES.clear()
    hashes = np.fromiter(map(_WORD_HASHES.__getitem__, units), dtype=np.uint64, count=len(units))
    if len(hashes) < SHINGLE:
        return np.bitwise_xor.reduce(hashes, keepdims=True)
    combined = np.zeros(len(hashes) - SHINGLE + 1, dtype=np.uint64)
    for offset in range(SHINGLE):
        combined = combined * np.uint64(_MIX) + hashes[offset:offset + len(combined)]
    return combined & np.uint64(0x7FFFFFFFFFFFFFFF)


class _WordHashes(dict[str, int]):
    """CRC-32 of each word, remembered (abstracts repeat most of their words): looked up by the
    dict's own C code, with Python run only for a word not seen before."""

    def __missing__(self, word: str) -> int:
        found = self[word] = zlib.crc32(word.encode("utf-8"))
        return found


_WORD_HASHES = _WordHashes()
_WORD_HASHES_KEPT = 500_000


def sketch(shingle_set: set[int]) -> list[int]:
    """The smallest shingle hashes: two versions of one abstract share some of them."""
    return heapq.nsmallest(SKETCH_SIZE, shingle_set)


def resemblance(a: set[int], b: set[int]) -> float:
    """How much of the shorter abstract the longer one repeats (containment of 4-grams)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def surname_words(person: Person) -> list[str]:
    """A name's family name (a corporate name's text) as folded words: `Nöther-Noether` gives
    `nother`, `noether`, so that it agrees with `Noether` and `Esteban-Pretel` with `Pretel`."""
    return folded_words(person.literal or person.family)


def authors_contradict(ours: list[Person], theirs: list[Person]) -> bool:
    """Whether two author lists name different people: both are known and they share no family
    name (so a list cut after its first names agrees with the full one, and `Esteban-Pretel`
    with `Esteban Pretel`)."""
    ours_names = [words for words in map(surname_words, ours) if words]
    theirs_names = [words for words in map(surname_words, theirs) if words]
    if not ours_names or not theirs_names:
        return False
    ours_words = {word for words in ours_names for word in words}
    theirs_words = {word for words in theirs_names for word in words}
    return not ours_words & theirs_words


def authors_agree(ours: list[Person], theirs: list[Person]) -> bool:
    """Whether both author lists are known and share a family name."""
    return bool(ours) and bool(theirs) and not authors_contradict(ours, theirs)


# Titles that many different works carry: they need agreeing authors as much as short ones.
_GENERIC_TITLES = frozenset((
    "introduction", "preface", "foreword", "editorial", "conclusion", "conclusions", "index",
    "contents", "references", "bibliography", "abstract", "appendix", "reply", "erratum",
    "corrigendum", "discussion", "comment", "commentary", "bookreview", "lettertotheeditor",
    "overview", "summary", "notes", "untitled", "acknowledgements", "acknowledgments",
))
# A title of fewer words than this may name several works ("Orientalism", "Deep learning").
SHORT_TITLE_WORDS = 4


def loose_title(title: str) -> bool:
    """Whether a title is too short or too generic to tell one work from another alone."""
    words = folded_words(title)
    return len(words) < SHORT_TITLE_WORDS or "".join(words) in _GENERIC_TITLES


def works_differ(candidate: Fields, record: Record) -> str | None:
    """Why two works that share a title are different ones, or None when nothing says so: their
    kinds contradict (a book is not an article), their years are more than a year apart (unless
    one is a preprint, published before the other), their editions or volumes differ."""
    if record.kind and candidate.kind and contradict(record.kind, candidate.kind):
        return f"a {record.kind.value} is not a {candidate.kind.value}"
    # An arXiv date is the preprint's, which may come years before the publication.
    preprint = bool(record.arxiv_id or candidate.arxiv_id) or Kind.PREPRINT in (record.work_kind, candidate.kind)
    if candidate.published and record.published and not preprint:
        if abs(candidate.published.year - record.published.year) > 1:
            return "years differ"
    for name in ("edition", "volume"):
        ours, theirs = getattr(candidate, name), getattr(record, name)
        if ours and theirs and folded_words(ours) != folded_words(theirs) and not preprint:
            return f"{name}s differ"
    return None


def match_reason(candidate: Fields, record: Record, record_shingles: set[int]) -> str | None:
    """Why a record describes a stored paper it was found near (one of `BY_ARXIV_ID`,
    `BY_DOI`, `BY_TITLE`, `BY_ABSTRACT`), or None when it is another paper."""
    if candidate.arxiv_id and record.arxiv_id:
        return BY_ARXIV_ID if candidate.arxiv_id == record.arxiv_id else None
    candidate_doi, record_doi = doi_norm(candidate.doi), doi_norm(record.doi)
    if candidate_doi and record_doi:
        return BY_DOI if candidate_doi == record_doi else None
    if authors_contradict(candidate.authors, record.authors) or works_differ(candidate, record):
        return None
    if record.title and not candidate.title_derived:
        if title_norm(record.title) != title_norm(candidate.title):
            return None
        if loose_title(record.title) and not _vouched(candidate, record):
            return None
        return BY_TITLE
    if same_abstract(candidate.abstract, record.abstract, record_shingles):
        return BY_ABSTRACT
    return None


def _vouched(candidate: Fields, record: Record) -> bool:
    """Whether something beside a short title says two entries are one work: authors in common,
    the same cite key, or (for works that name no author) the same year, kind and venue."""
    if authors_agree(candidate.authors, record.authors):
        return True
    if candidate.cite_key and candidate.cite_key == record.cite_key:
        return True
    if candidate.authors or record.authors:
        return False
    return (candidate.year, candidate.kind, candidate.venue) == (record.year, record.work_kind, record.venue)


def same_paper(candidate: Fields, record: Record, record_shingles: set[int]) -> bool:
    """Whether a record describes a stored paper it was found near by title or abstract."""
    return match_reason(candidate, record, record_shingles) is not None


def same_abstract(stored: str, new: str, new_shingles: set[int] | None = None) -> bool:
    """Whether two abstracts are one text, maybe revised: neither a placeholder, both long
    enough to tell papers apart, and most of the shorter one found in the other."""
    if is_placeholder(stored) or is_placeholder(new):
        return False
    stored_shingles = shingles(stored)
    new_shingles = shingles(new) if new_shingles is None else new_shingles
    if min(len(stored_shingles), len(new_shingles)) < MIN_ABSTRACT_SHINGLES:
        return False
    return resemblance(stored_shingles, new_shingles) >= SAME_ABSTRACT


def combine(stored: Fields, record: Record) -> Fields:
    """The stored paper enriched by a record: the richest value of each field wins.

    A newer arXiv version replaces the text fields; otherwise a real title beats a derived one,
    a full author list beats a cut one, an exact date beats one known only to the month or year,
    a named kind beats a preprint or `other`, the known DOI, venue, citation fields, category and
    code link are kept (a missing one filled in), an abstract fills a paper that had none, and
    an English abstract is preferred over a machine translation.
    """
    merged = replace(stored, authors=list(stored.authors), organisations=list(stored.organisations),
                     categories=list(stored.categories), editors=list(stored.editors))
    newer = bool(record.version and stored.version and record.version > stored.version)
    if newer:
        merged.version = record.version
        merged.abstract = record.abstract
        merged.lang = record.lang
        if record.title:
            merged.title, merged.title_derived = record.title, False
        if record.authors:
            merged.authors, merged.authors_truncated = list(record.authors), record.authors_truncated
    if record.title and stored.title_derived:
        merged.title, merged.title_derived = record.title, False
    if _richer_authors(record, merged):
        merged.authors, merged.authors_truncated = list(record.authors), record.authors_truncated
    if not merged.abstract and record.abstract:  # a reference manager's entry had none
        merged.abstract, merged.lang = record.abstract, record.lang
    elif stored.lang != "en" and record.lang == "en":
        merged.abstract, merged.lang = record.abstract, record.lang
        if merged.title_derived:
            merged.title = derive_title(record.abstract)
    for org in record.organisations:
        if org not in merged.organisations:
            merged.organisations.append(org)
    for category in record.categories:
        if category not in merged.categories:
            merged.categories.append(category)
    if _better_date(record, merged):
        merged.published, merged.date_precision = record.published, record.date_precision
    if _kind_rank(record.kind) > _kind_rank(merged.kind):
        merged.kind = record.kind
    for name in ("arxiv_id", "doi", "venue", *CITATION_FIELDS, "cite_key"):
        setattr(merged, name, getattr(merged, name) or getattr(record, name) or None)
    if not merged.editors and record.editors:
        merged.editors = list(record.editors)
    if merged.version is None:
        merged.version = record.version
    if record.has_code and not merged.has_code:
        merged.has_code = True
    return merged


def _richer_authors(record: Record, current: Fields) -> bool:
    if not record.authors:
        return False
    if not current.authors:
        return True
    if current.authors_truncated and not record.authors_truncated:
        return len(record.authors) >= len(current.authors)
    return record.authors_truncated == current.authors_truncated and len(record.authors) > len(current.authors)


def _better_date(record: Record, current: Fields) -> bool:
    """Whether the record's date should replace the current one: any date beats none, and a
    more precise date beats a less precise one (never the other way round)."""
    if record.published is None:
        return False
    if current.published is None:
        return True
    return _PRECISION_RANK[record.date_precision] > _PRECISION_RANK[current.date_precision]


_PRECISION_RANK = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


def _kind_rank(kind: Kind | None) -> int:
    """How much a kind says: none, `other`, a preprint or web page, or a kind of publication."""
    if kind is None:
        return 0
    if kind == Kind.OTHER:
        return 1
    return 2 if kind in WEAK else 3
