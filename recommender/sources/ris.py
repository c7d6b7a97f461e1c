"""RIS files (Zotero, Mendeley, EndNote), streamed entry by entry, each read with rispy.

An entry runs from its `TY  - ` line to its `ER  - ` line; a field may go on over several lines.
Titles come from `TI`, `T1` or `CT`, authors from `AU`/`A1` (`Chen, Ricky T. Q.`), the date from
`DA`, `PY` or `Y1` (`2018/06/19/`), the abstract from `AB` or `N2`, the venue from the journal's
full name (`JF`, `JO`), the secondary title (`T2`: the journal, proceedings or book a paper or
chapter is in) or `BT`, and only failing those from an abbreviation (`JA`, `J2`). An entry rispy
cannot read, or without a title, is a Rejection naming the line of its `TY`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import rispy

from .. import worktypes
from ..papers import Record, Rejection
from ..people import Person
from .lines import Lines, lines_of, numbered
from .references import Reference, record_of

FORMAT = "ris"
HEAD_LIMIT = 65536
# An ISBN-10 or ISBN-13 (RIS keeps ISBNs and ISSNs in one tag, `SN`).
_ISBN = re.compile(r"(?:97[89])?\d{9}[\dXx]")
_OPENING = re.compile(r"TY  - [^\n]*\r?\n[A-Z][A-Z0-9]  - ")
_TY = re.compile(r"^TY  -", re.MULTILINE)
_ER = re.compile(r"^ER  -", re.MULTILINE)
# Types whose secondary title (`T2`) and `BT` name a series or the work itself, not a venue.
_WHOLE_BOOKS = frozenset({"BOOK", "EBOOK", "EDBOOK"})


def looks_like(text: str) -> bool:
    """True when the text opens with a `TY  - ` line and another tag line (however long its
    first entry), or its head has a `TY  - ` line and an `ER  - ` line."""
    head = text[:HEAD_LIMIT].lstrip("\ufeff \t\r\n")
    if _OPENING.match(head):
        return True
    return _TY.search(head) is not None and _ER.search(head) is not None


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Records for the text's entries, each naming the line of its `TY`. `today` is unused."""
    return read(lines_of(text), path, today)


def read(lines: Lines, path: str, today: date) -> Iterator[Record | Rejection]:
    """`parse` of a file's lines, streamed entry by entry."""
    for line, chunk in chunks(lines()):
        try:
            found = rispy.loads(chunk)
        except Exception as exc:  # noqa: BLE001 - rispy raises plain exceptions on odd entries
            yield Rejection(path, line, f"unreadable RIS entry: {exc}")
            continue
        if not found:
            yield Rejection(path, line, "unreadable RIS entry")
            continue
        yield record_of(reference_of(found[0], line), path, FORMAT)


def chunks(lines: Iterator[str]) -> Iterator[tuple[int, str]]:
    """Each entry's first line number and text, from its `TY` line to its `ER` line."""
    start: int | None = None
    held: list[str] = []
    for number, line in numbered(lines):
        if number == 1:
            line = line.lstrip("\ufeff")
        if line.startswith("TY  -"):
            if start is not None:  # an entry without its ER: it ends where the next begins
                yield start, "\n".join(held + ["ER  - "]) + "\n"
            start, held = number, [line]
        elif start is not None:
            held.append(line)
            if line.startswith("ER  -"):
                yield start, "\n".join(held) + "\n"
                start, held = None, []
    if start is not None:
        yield start, "\n".join(held + ["ER  - "]) + "\n"


def reference_of(entry: dict[str, Any], line: int) -> Reference:
    def first(*names: str) -> str:
        return _first(entry, *names)

    unknown = entry.get("unknown_tag")
    unknown = unknown if isinstance(unknown, dict) else {}
    people = entry.get("authors") or entry.get("first_authors") or []
    editors = entry.get("secondary_authors") or unknown.get("ED") or []
    abstract = first("abstract", "notes_abstract")
    mentions = [str(u) for u in entry.get("urls", [])]
    mentions += [first(name) for name in ("secondary_title", "journal_name", "alternate_title3",
                                          "number", "note", "notes", "publisher", "type_of_work")]
    kind = worktypes.read(worktypes.RIS, first("type_of_reference"))
    start, end = first("start_page"), first("end_page")
    return Reference(
        line=line,
        key=first("id"),
        title=first("title", "primary_title", "translated_title"),
        authors=[person_of(str(person)) for person in people],
        editors=[person_of(str(person)) for person in editors],
        abstract=abstract,
        date=first("date", "year", "publication_year"),
        doi=first("doi"),
        mentions=[m for m in mentions if m],
        venue=venue_of(entry),
        kind=kind,
        volume=first("volume"),
        issue=first("number"),
        pages=f"{start}–{end}" if start and end and start != end else start or end,
        publisher=first("publisher"),
        place=first("place_published"),
        edition=first("edition"),
        isbn=first("issn") if _ISBN.fullmatch(first("issn").replace("-", "").replace(" ", "")) else "",
    )


def person_of(name: str) -> Person:
    """A RIS name: `Last, First` or `Last, First, Suffix`. An organisation is kept whole: a name
    without a comma (as Zotero reads it) or ending in one (EndNote's mark, with `,,` for a comma
    inside the name: `Miljø- og Teknikudvalget,, Fredensborg Kommune,`)."""
    name = name.strip()
    if name.endswith(","):
        return Person.literal_of(name[:-1].replace(",,", ","))
    return Person.from_text(name) if "," in name else Person.literal_of(name)


def name_of(person: Person) -> str:
    """A name as RIS writes it: `Family, Given, Suffix`, an organisation in EndNote's way."""
    return person.literal.replace(",", ",,") + "," if person.literal else person.inverted


def venue_of(entry: dict[str, Any]) -> str:
    """The journal's full name (`JF`, `JO`); else, unless the entry is a whole book, its
    secondary title (`T2`) or `BT` (rispy keeps tags it does not know under `unknown_tag`);
    else an abbreviation (`JA`, `J2`)."""
    venue = _first(entry, "alternate_title3", "journal_name")
    if not venue and str(entry.get("type_of_reference") or "").upper() not in _WHOLE_BOOKS:
        unknown = entry.get("unknown_tag")
        venue = _first(entry, "secondary_title") or (_first(unknown, "BT") if isinstance(unknown, dict) else "")
    return venue or _first(entry, "alternate_title2", "alternate_title1")


def _first(entry: dict[str, Any], *names: str) -> str:
    """The first value among `names` that is set (of a list, its first item), as text."""
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            return str(value)
    return ""
