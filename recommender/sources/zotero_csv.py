"""Zotero's CSV export: a header with `Key`, `Item Type` and `Title` among Zotero's columns.

Authors are `Chen, Ricky T. Q.; Rubanova, Yulia`, the abstract is `Abstract Note` (often empty:
the entry is a paper all the same), the date `Date` or `Publication Year`; an arXiv preprint's
id is found in `Url`, `Extra` (`arXiv: 1806.07366`), `Number` or `Publication Title`. The venue is
`Publication Title`, else `Proceedings Title`, else `Conference Name`. This is also the CSV that
`paperclub export --format csv` writes.

A cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is written with a `'` before it, as OWASP advises against CSV injection; a cell
read with a `'` before one of these loses it again, so an export reads back as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date

from .. import worktypes
from ..papers import Record, Rejection
from ..people import Person
from . import ris
from .references import Reference, record_of
from .lines import Lines, lines_of
from .table import csv_rows, first_line

FORMAT = "zotero-csv"
HEAD_LIMIT = 65536
REQUIRED = {"key", "item type", "title"}
MENTION_COLUMNS = ("url", "extra", "number", "publication title", "archive location",
                   "archive id", "report number")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    """A cell a spreadsheet opens as text: `'` before one that would start a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unneutralised(cell: str) -> str:
    """A cell as it was before `neutralised`."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _header(lines: Iterator[str]) -> tuple[int, list[str]] | None:
    """The line number and lower-cased column names of the first non-blank line; `lines` is
    left at the line after it."""
    first = first_line(lines)
    if first is None:
        return None
    try:
        cells = next(csv.reader([first[0].strip().lstrip("\ufeff")]), [])
    except csv.Error:
        return None
    return first[1], [cell.strip().lower() for cell in cells]


def looks_like(text: str) -> bool:
    """True when the first line is a CSV header with Zotero's `Key`, `Item Type` and `Title`."""
    header = _header(lines_of(text[:HEAD_LIMIT])())
    return header is not None and REQUIRED <= set(header[1])


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Records for the rows, each naming the physical line its row starts on. `today` is
    unused."""
    return read(lines_of(text), path, today)


def read(lines: Lines, path: str, today: date) -> Iterator[Record | Rejection]:
    """`parse` of a file's lines, streamed row by row."""
    rows = lines()
    header = _header(rows)
    if header is None:
        yield Rejection(path, 1, "no Zotero CSV header")
        return
    header_line, names = header
    for start, row in csv_rows(rows, header_line, path):
        if isinstance(row, Rejection):
            yield row
            continue
        if len(row) != len(names):
            yield Rejection(path, start, f"expected {len(names)} columns as in the header, found {len(row)}")
            continue
        yield record_of(reference_of(dict(zip(names, row)), start), path, FORMAT)


def reference_of(row: dict[str, str], line: int) -> Reference:
    def cell(name: str) -> str:
        return unneutralised((row.get(name) or "").strip()).strip()

    def people(name: str) -> list[Person]:
        return [ris.person_of(person.strip()) for person in cell(name).split(";") if person.strip()]

    return Reference(
        line=line,
        key=cell("key"),
        title=cell("title"),
        authors=people("author"),
        editors=people("editor"),
        abstract=cell("abstract note"),
        date=cell("date") or cell("publication year"),
        doi=cell("doi"),
        mentions=[cell(name) for name in MENTION_COLUMNS if cell(name)],
        venue=cell("publication title") or cell("proceedings title") or cell("conference name"),
        kind=worktypes.read(worktypes.ZOTERO, cell("item type")),
        volume=cell("volume"),
        issue=cell("issue") or cell("number"),
        pages=cell("pages"),
        publisher=cell("publisher"),
        place=cell("place"),
        edition=cell("edition"),
        isbn=cell("isbn"),
    )
