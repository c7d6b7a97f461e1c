"""CSV tables of papers: a header row naming at least `title` and `abstract` columns.

Optional columns: `id` / `arxiv_id`, `authors`, `categories`, `date` / `published`, `doi`. Header names
are matched case-insensitively with surrounding spaces ignored. The delimiter (comma, tab,
semicolon or bar) is chosen by which one splits the header into cells that include both `title`
and `abstract`.

The author and category helpers here are shared with the other arXiv parsers.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from ..papers import Record, Rejection, SourceRef, split_arxiv_id
from ..people import Person
from ..text import (
    clean_abstract,
    clean_name,
    clean_text,
    clean_title,
    detect_lang,
    squash,
    untex_identifier,
)
from .checks import MAX_FIELD_CHARS
from .lines import Lines, lines_of

FORMAT = "csv"
# The longest cell read, in characters: past `checks.MAX_FIELD_CHARS`, so that a record with a
# long field is refused by `checks`, saying which field.
CSV_FIELD_LIMIT = 16 * MAX_FIELD_CHARS
DELIMITERS = (",", "\t", ";", "|")
HEAD_LIMIT = 65536

_COLUMN_ALIASES = {
    "title": "title",
    "abstract": "abstract",
    "id": "id",
    "arxiv_id": "id",
    "authors": "authors",
    "categories": "categories",
    "date": "date",
    "published": "date",
    "doi": "doi",
}

_PARENTHESISED = re.compile(r"\([^()]*\)")
_AUTHOR_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_ET_AL = re.compile(r"^(?:and\s+)?(?:et\.?\s*al\.?|others)$", re.IGNORECASE)
_TRAILING_ET_AL = re.compile(r"[\s,;]*\bet\.?\s*al\b\.?\s*$", re.IGNORECASE)
_NAME_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]*>")
_CATEGORY_SEPARATORS = re.compile(r"[\s,;]+")
_LETTER = re.compile(r"[^\W\d_]")
_SPLIT_INITIALS = re.compile(r"\.\s+-(?=\w)")
# Every author list that split_authors finds cut holds one of these, also before TeX and HTML
# entities between the words are cleaned (`et~al.`, `et&nbsp;al.`).
_MAYBE_CUT = re.compile(r"et.{0,12}al|others|shown", re.IGNORECASE | re.DOTALL)
# arXiv's listings cut long author lists: `A, B, et al. (57 additional authors not shown)`.
_NOT_SHOWN = re.compile(r"\(\s*\d[\d,]*\s+(?:additional|more|other)\s+authors?\s+not\s+shown\s*\)",
                        re.IGNORECASE)
# `CLEO Collaboration: T. K. Pedlar` is a collaboration and a person.
_COLLABORATION_HEAD = re.compile(r"^(\S.{0,80}?\bcollaborations?)\s*:\s*(\S.*)$", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_NEW_ID_MONTH = re.compile(r"(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?")
_OLD_ID_MONTH = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z]{2})?/(\d{2})(\d{2})\d{3}(?:v\d+)?")


# ---------------------------------------------------------------------------------------------
# Shared field helpers


def clean_person(name: str) -> str:
    """A person's name: `clean_name`, and hyphenated initials that arXiv's author parser splits
    (`C. -P. Yuan`) joined again (`C.-P. Yuan`)."""
    name = clean_name(name)
    return _SPLIT_INITIALS.sub(".-", name) if "-" in name else name


def strip_et_al(name: str) -> tuple[str, bool]:
    """The name without a trailing "et al." (or a name that is only that: ""), and whether
    there was one."""
    if _ET_AL.match(name.strip()):
        return "", True
    if "et" not in name.lower():  # most names, which the search from every position cannot match
        return name, False
    stripped = _TRAILING_ET_AL.sub("", name)
    return stripped, stripped != name


def split_authors(text: str) -> tuple[list[str], bool]:
    """Names in an author list, in order, and whether the list ends in "et al.".

    Names are separated by `;` when there is one, else by `,`, ` and ` or `&`. Parenthesised
    affiliation marks such as `(1,2)` are dropped, name suffixes (`Jr.`, `III`) stay with the
    name before them, and TeX accents and HTML entities are resolved. A list that says
    "(N additional authors not shown)" counts as cut, like one ending in "et al.".
    """
    text = squash(_HTML_TAG.sub(" ", clean_text(text)))
    text, not_shown = _NOT_SHOWN.subn(" ", text)
    previous = None
    while previous != text:  # innermost groups first, so nested affiliations go too
        previous, text = text, _PARENTHESISED.sub(" ", text)
    parts = text.split(";") if ";" in text else _AUTHOR_SEPARATORS.split(text)
    names: list[str] = []
    truncated = not_shown > 0
    for piece in [piece for part in parts for piece in _split_collaboration(part)]:
        name, cut = strip_et_al(clean_person(piece))
        truncated = truncated or cut
        name = name.strip(" ,;:-")
        if not name:
            continue
        if _NAME_SUFFIX.match(name) and names:
            names[-1] = f"{names[-1]} {name}"
            continue
        if _LETTER.search(name):
            names.append(name)
    return names, truncated


def authors_cut(text: str) -> bool:
    """Whether an author list ends in "et al." or says that authors were not shown: the flag
    `split_authors` returns, found without splitting a list that holds no such words."""
    return _MAYBE_CUT.search(text) is not None and split_authors(text)[1]


def _split_collaboration(part: str) -> tuple[str, ...]:
    """`CLEO Collaboration: T. K. Pedlar` → the collaboration and the person; else the part."""
    head = _COLLABORATION_HEAD.match(part.strip())
    return head.groups() if head else (part,)


def clean_doi(value: str) -> str | None:
    """The first DOI in a field (`10.1063/1.2737825`, also behind `https://doi.org/` or `doi:`),
    without TeX escapes (`\\_` reads `_`) and in the case it was given (DOIs are matched
    without case by `merge.doi_norm`); None when there is none."""
    match = _DOI.search(untex_identifier(value))
    return match.group(0).rstrip(".,;") if match else None


def clean_categories(terms: Iterable[str]) -> list[str]:
    """Subject categories in order without repeats.

    Each term may hold several categories separated by spaces, commas or semicolons. MSC and
    ACM class codes (`68T05`, `I.2.6`), which arXiv sometimes lists among the categories, are
    dropped: they always contain a digit and arXiv category names never do.
    """
    seen: list[str] = []
    for term in terms:
        for token in _CATEGORY_SEPARATORS.split(term):
            token = token.strip(".")
            if token and not any(c.isdigit() for c in token) and token not in seen:
                seen.append(token)
    return seen


def month_of_arxiv_id(arxiv_id: str) -> date | None:
    """The first day of the month an arXiv id was issued in: `2401.00867` → 2024-01-01,
    `hep-th/9901001` → 1999-01-01; None for anything else."""
    arxiv_id = arxiv_id.strip()
    if match := _NEW_ID_MONTH.fullmatch(arxiv_id):
        year, month = 2000 + int(match.group(1)), int(match.group(2))
        if (year, month) < (2007, 4):  # new-style ids began in April 2007
            return None
    elif match := _OLD_ID_MONTH.fullmatch(arxiv_id):
        year, month = int(match.group(1)), int(match.group(2))
        year += 1900 if year >= 91 else 2000  # old-style ids ran from 1991 to March 2007
    else:
        return None
    return date(year, month, 1) if 1 <= month <= 12 else None


def parse_iso_date(value: str) -> date:
    """A date written as ISO 8601 (`2025-05-30`, `2025-05-30T12:00:00Z`); ValueError otherwise."""
    value = value.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        return datetime.fromisoformat(value).date()


# ---------------------------------------------------------------------------------------------
# Detection


def _normalise_header(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip().strip("\ufeff").strip().lower())


def first_line(lines: Iterator[str]) -> tuple[str, int] | None:
    """The first non-blank line (without its line end) and its 1-based number; `lines` is left
    at the line after it."""
    for number, line in enumerate(lines, 1):
        if line.strip().strip("\ufeff").strip():
            return line.rstrip("\r\n"), number
    return None


def _header_dialect(line: str) -> tuple[str, list[str]] | None:
    """The delimiter whose cells include `title` and `abstract`, and the normalised names."""
    for delimiter in DELIMITERS:
        if delimiter not in line:
            continue
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        names = [_normalise_header(cell) for cell in cells]
        if "title" in names and "abstract" in names:
            return delimiter, names
    return None


def looks_like(text: str) -> bool:
    """True when the first non-blank line is a header with `title` and `abstract` columns."""
    try:
        first = first_line(lines_of(text[:HEAD_LIMIT])())
        return first is not None and _header_dialect(first[0]) is not None
    except Exception:  # noqa: BLE001 - detection must never raise
        return False


# ---------------------------------------------------------------------------------------------
# Parsing


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Records for the table's rows, each naming the physical line where its row starts.

    A row with the wrong number of cells, no title or abstract, or a malformed date gives a
    Rejection and parsing goes on. `today` is unused: the dates in a table are absolute.
    """
    return read(lines_of(text), path, today)


def read(lines: Lines, path: str, today: date) -> Iterator[Record | Rejection]:
    """`parse` of a file's lines, streamed row by row."""
    rows = lines()
    table = _Table.of(rows, path)
    if isinstance(table, Rejection):
        yield table
        return
    for start, row in table.rows(rows):
        yield table.record(start, row)


# A large table is read in parts (`read_parts`) of this many rows each.
ROWS_A_PIECE = 256


def read_parts(lines: Lines, path: str, today: date, part: int,
               parts: int) -> Iterator[Iterator[Record | Rejection]]:
    """The records of part `part` (from 0) of `parts`: the rows are cut into pieces of
    ROWS_A_PIECE, and part `part` makes the records of pieces `part`, `part + parts`…, so that
    the parts taken in turn give what `read` gives, in the file's order. Every part reads all
    rows (the csv module's reading, in C, is a small share of the work; a cut found without it
    could fall inside a quoted cell) and makes records of its own pieces only."""
    rows = lines()
    table = _Table.of(rows, path)
    if isinstance(table, Rejection):
        if part == 0:
            yield iter([table])
        return
    read_rows = table.rows(rows)
    for number in itertools.count():
        piece = list(itertools.islice(read_rows, ROWS_A_PIECE))
        if not piece:
            return
        if number % parts == part:
            yield iter([table.record(start, row) for start, row in piece])


@dataclass(frozen=True)
class _Table:
    """What the header of a table tells: where it is, the delimiter and the columns."""

    path: str
    header_line: int
    delimiter: str
    width: int
    columns: dict[str, int]

    @classmethod
    def of(cls, rows: Iterator[str], path: str) -> _Table | Rejection:
        """The table whose header is the first non-blank line of `rows` (which is left at the
        line after it), or the Rejection of a file without one."""
        first = first_line(rows)
        dialect = _header_dialect(first[0]) if first else None
        if first is None or dialect is None:
            return Rejection(path, first[1] if first else 1, "no CSV header with 'title' and 'abstract' columns")
        delimiter, names = dialect
        columns: dict[str, int] = {}
        for index, name in enumerate(names):
            key = _COLUMN_ALIASES.get(name)
            if key and key not in columns:
                columns[key] = index
        return cls(path, first[1], delimiter, len(names), columns)

    def rows(self, rows: Iterator[str]) -> Iterator[tuple[int, list[str] | Rejection]]:
        return csv_rows(rows, self.header_line, self.path, self.delimiter)

    def record(self, start: int, row: list[str] | Rejection) -> Record | Rejection:
        if isinstance(row, Rejection):
            return row
        try:
            return _record(row, self.width, self.columns, self.path, start)
        except Exception as exc:  # noqa: BLE001 - a last resort: one odd row must not stop the file
            return Rejection(self.path, start, f"unreadable row: {exc}")


def csv_rows(lines: Iterator[str], header_line: int, path: str,
             delimiter: str = ",") -> Iterator[tuple[int, list[str] | Rejection]]:
    """The non-blank rows of `lines`, which follow the header on line `header_line`, each with
    the physical line it starts on; a row the csv module cannot read comes as a Rejection and
    the rest go on. A cell may be longer than the csv module's default limit (128 KiB): a long
    abstract is cut by `checks`, and only a cell past `CSV_FIELD_LIMIT` makes its row unreadable."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        start = header_line + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, Rejection(path, start, f"unreadable CSV row: {exc}")
            continue
        if any(cell.strip() for cell in row):
            yield start, row


def _record(row: list[str], width: int, columns: dict[str, int], path: str,
            line: int) -> Record | Rejection:
    if len(row) != width:
        return Rejection(path, line, f"expected {width} columns as in the header, found {len(row)}")

    def cell(key: str) -> str:
        return row[columns[key]].strip() if key in columns else ""

    title, abstract = clean_title(cell("title")), clean_abstract(cell("abstract"))
    missing = [name for name, value in (("title", title), ("abstract", abstract)) if not value]
    if missing:
        return Rejection(path, line, f"missing {' and '.join(missing)}")

    published = None
    if cell("date"):
        try:
            published = parse_iso_date(cell("date"))
        except ValueError:
            return Rejection(path, line, f"malformed date {cell('date')!r} (expected YYYY-MM-DD)")

    arxiv_id = version = None
    if cell("id"):
        found = split_arxiv_id(cell("id"))
        if found:
            arxiv_id, version = found

    authors, truncated = split_authors(cell("authors"))
    return Record(
        source=SourceRef(path, line, FORMAT),
        abstract=abstract,
        title=title,
        authors=[Person.from_text(name) for name in authors],
        authors_truncated=truncated,
        categories=clean_categories([cell("categories")]),
        published=published,
        arxiv_id=arxiv_id,
        version=version,
        has_code=None,
        lang=detect_lang(abstract),
        doi=clean_doi(cell("doi")),
    )
