"""Recognising the same paper across sources, and keeping the richest fields of each."""

from __future__ import annotations

import heapq
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from .papers import Record
from .text import CJK_CHAR, derive_title

SHINGLE = 4
SKETCH_SIZE = 8
SAME_ABSTRACT = 0.5
SAME_ABSTRACT_WITH_AUTHORS = 0.3

_WORD = re.compile(r"\w+")
_MIX = 1_000_003


@dataclass
class Fields:
    """The mergeable fields of a stored paper (what `combine` reads and writes)."""

    title: str
    title_derived: bool
    abstract: str
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    organisations: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: date | None = None
    arxiv_id: str | None = None
    version: int | None = None
    has_code: bool | None = None
    lang: str = "en"
    doi: str | None = None
    date_approx: bool = False


def fields_of(record: Record) -> Fields:
    """A new paper's fields from its first record; a missing title is derived from the abstract."""
    title = record.title or derive_title(record.abstract)
    return Fields(
        title=title,
        title_derived=not record.title,
        abstract=record.abstract,
        authors=list(record.authors),
        authors_truncated=record.authors_truncated,
        organisations=list(record.organisations),
        categories=list(record.categories),
        published=record.published,
        arxiv_id=record.arxiv_id,
        version=record.version,
        has_code=record.has_code,
        lang=record.lang,
        doi=record.doi,
        date_approx=record.date_approx,
    )


def title_key(title: str | None) -> str | None:
    """Titles compared without case, punctuation or spacing; None for titles too short to trust."""
    if not title:
        return None
    key = "".join(_WORD.findall(title.casefold()))
    return key if len(key) >= 12 else None


def shingles(abstract: str) -> set[int]:
    """Hashed word 4-grams of an abstract (character 4-grams for CJK text).

    Each word is hashed once (CRC-32, stable across runs) and four neighbours are combined
    arithmetically, so the cost is one hash per word rather than one per 4-gram string.
    """
    text = abstract.casefold()
    units = [c for c in text if c.isalnum()] if CJK_CHAR.search(text) else _WORD.findall(text)
    if not units:
        return set()
    hashes = np.fromiter((_word_hash(u) for u in units), dtype=np.uint64, count=len(units))
    if len(hashes) < SHINGLE:
        return {int(np.bitwise_xor.reduce(hashes))}
    combined = np.zeros(len(hashes) - SHINGLE + 1, dtype=np.uint64)
    for offset in range(SHINGLE):
        combined = combined * np.uint64(_MIX) + hashes[offset:offset + len(combined)]
    return set((combined & np.uint64(0x7FFFFFFFFFFFFFFF)).tolist())


_WORD_HASHES: dict[str, int] = {}


def _word_hash(word: str) -> int:
    """CRC-32 of a word, remembered: abstracts repeat most of their words."""
    found = _WORD_HASHES.get(word)
    if found is None:
        if len(_WORD_HASHES) > 500_000:
            _WORD_HASHES.clear()
        found = _WORD_HASHES[word] = zlib.crc32(word.encode("utf-8"))
    return found


def sketch(shingle_set: set[int]) -> list[int]:
    """The smallest shingle hashes: two versions of one abstract share some of them."""
    return heapq.nsmallest(SKETCH_SIZE, shingle_set)


def resemblance(a: set[int], b: set[int]) -> float:
    """How much of the shorter abstract the longer one repeats (containment of 4-grams)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _surnames(authors: list[str]) -> set[str]:
    return {name.split()[-1].casefold() for name in authors if name.split()}


def same_paper(candidate: Fields, record: Record, record_shingles: set[int]) -> bool:
    """Whether a record describes a stored paper it was found near by title or abstract."""
    if candidate.arxiv_id and record.arxiv_id and candidate.arxiv_id != record.arxiv_id:
        return False
    if record.title and not candidate.title_derived:
        if title_key(record.title) == title_key(candidate.title):
            return True
    score = resemblance(shingles(candidate.abstract), record_shingles)
    if score >= SAME_ABSTRACT:
        return True
    shared_authors = _surnames(candidate.authors) & _surnames(record.authors)
    return score >= SAME_ABSTRACT_WITH_AUTHORS and len(shared_authors) >= 2


def combine(stored: Fields, record: Record) -> Fields:
    """The stored paper enriched by a record: the richest value of each field wins.

    A newer arXiv version replaces the text fields; otherwise a real title beats a derived one,
    a full author list beats a cut one, the known date, category and code link are kept, and an
    English abstract is preferred over a machine translation.
    """
    merged = replace(stored, authors=list(stored.authors), organisations=list(stored.organisations),
                     categories=list(stored.categories))
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
    if stored.lang != "en" and record.lang == "en":
        merged.abstract, merged.lang = record.abstract, record.lang
        if merged.title_derived:
            merged.title = derive_title(record.abstract)
    for org in record.organisations:
        if org not in merged.organisations:
            merged.organisations.append(org)
    for category in record.categories:
        if category not in merged.categories:
            merged.categories.append(category)
    if merged.published is None:
        merged.published = record.published
    merged.arxiv_id = merged.arxiv_id or record.arxiv_id
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
