"""What one record may hold, checked once for the output of every parser.

An abstract longer than `MAX_ABSTRACT_CHARS` (a scraped full text, as some libraries hold) is cut
at a sentence and marked as cut (`text.cut_abstract`), and the paper kept. A record with a field
past its limit (for an abstract, `MAX_FIELD_CHARS`: no metadata is megabytes long), or with text
that cannot be written as UTF-8 (a lone surrogate, which `json.loads` accepts from an escape such
as `"\\ud800"` but SQLite cannot store), becomes a `Rejection` with a one-line reason naming its
file and line, so that one bad record never stops an ingest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from ..papers import Record, Rejection
from ..text import MAX_VENUE_CHARS, cut_abstract

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000  # kept of a longer abstract, cut at a sentence
MAX_FIELD_CHARS = 1_000_000  # an abstract longer than this is refused with its record
MAX_AUTHORS = 2_000
MAX_NAME_CHARS = 300  # one author, organisation or category


def checked(items: Iterable[Record | Rejection]) -> Iterator[Record | Rejection]:
    """`items` with each record that breaks a limit replaced by its Rejection."""
    for item in items:
        yield check(item) if isinstance(item, Record) else item


def check(record: Record) -> Record | Rejection:
    """The record (its abstract cut to `MAX_ABSTRACT_CHARS`), or a Rejection saying what is
    wrong with it."""
    problem = problem_of(record)
    if problem is not None:
        return Rejection(record.source.path, record.source.line, problem)
    if len(record.abstract) > MAX_ABSTRACT_CHARS:
        return dataclasses.replace(record, abstract=cut_abstract(record.abstract, MAX_ABSTRACT_CHARS))
    return record


def problem_of(record: Record) -> str | None:
    """What keeps a record out of the library, in a few words; None for a good record."""
    for label, value, limit in (("title", record.title, MAX_TITLE_CHARS),
                                ("abstract", record.abstract, MAX_FIELD_CHARS)):
        if value is not None:
            problem = _text_problem(label, value, limit)
            if problem:
                return problem
    for label, values in (("author", [p.display for p in record.authors]),
                          ("editor", [p.display for p in record.editors]),
                          ("organisation", record.organisations), ("category", record.categories)):
        if len(values) > MAX_AUTHORS:
            return f"{len(values):,} {label}s (at most {MAX_AUTHORS:,})"
        for number, value in enumerate(values, 1):
            problem = _text_problem(f"{label} {number}", value, MAX_NAME_CHARS)
            if problem:
                return problem
    singles: list[tuple[str, str | None, int]] = [
        ("arXiv id", record.arxiv_id, MAX_NAME_CHARS), ("DOI", record.doi, MAX_NAME_CHARS),
        ("venue", record.venue, MAX_VENUE_CHARS),
    ]
    for label, single, limit in singles:
        if single is not None:
            problem = _text_problem(label, single, limit)
            if problem:
                return problem
    return None


def _text_problem(label: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"{label} is {len(value):,} characters long (at most {limit:,})"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(value[exc.start])
        return (f"{label} holds U+{bad:04X} at character {exc.start + 1}, which is not text "
                f"(a lone surrogate, as from a JSON escape like \\u{bad:04x})")
    return None
