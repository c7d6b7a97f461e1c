"""arXiv's bulk metadata snapshot: one JSON object per line (the Kaggle `arxiv-metadata-oai-snapshot`).

Each line has `id, submitter, authors, title, comments, journal-ref, doi, report-no, categories,
license, abstract, versions, update_date, authors_parsed`; only `title` and `abstract` are
required here. A paper is dated by its first version; without versions, by the month its arXiv
id names (marked approximate), and only without an id by `update_date`. Its `journal-ref` (`Phys.
Rev. D 76, 013009 (2007)`), where the paper was published, is kept as its venue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from email.utils import parsedate_to_datetime

from ..papers import Precision, Record, Rejection, SourceRef, split_arxiv_id
from ..people import Person
from ..text import clean_abstract, clean_title, detect_lang
from .checks import check
from .lines import Lines, lines_of, numbered
from .references import venue_of
from .table import (
    authors_cut,
    clean_categories,
    clean_doi,
    clean_person,
    month_of_arxiv_id,
    parse_iso_date,
    split_authors,
    strip_et_al,
)

FORMAT = "arxiv-json"
HEAD_LIMIT = 262144
SNIFF_LINES = 5

_KEY = re.compile(r'"(id|title|abstract|authors|categories|versions|update_date)"\s*:')
_VERSION = re.compile(r"^\s*v?(\d+)\s*$", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_SNAPSHOT_KEYS = {"id", "authors", "categories", "versions", "update_date", "authors_parsed"}


def looks_like(text: str) -> bool:
    """True when the text opens with JSON lines carrying arXiv metadata keys."""
    try:
        lines = [line.strip() for line in text[:HEAD_LIMIT].split("\n")]
        lines = [line.lstrip("\ufeff") for line in lines if line.strip("\ufeff")][:SNIFF_LINES]
        if not lines or not lines[0].startswith("{"):
            return False
        for line in lines:
            try:
                data = json.loads(line)
            except (ValueError, RecursionError):
                # A line cut by the head limit, or a broken line: judge by its keys.
                keys = set(_KEY.findall(line))
                if line.startswith("{") and "abstract" in keys and keys & _SNAPSHOT_KEYS:
                    return True
                continue
            if isinstance(data, dict) and "abstract" in data and _SNAPSHOT_KEYS & data.keys():
                return True
        return False
    except Exception:  # noqa: BLE001 - detection must never raise
        return False


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """One Record per JSON line, or a Rejection naming the line; blank lines are skipped.

    A line that is not JSON, or whose record breaks the limits of `checks` (such as a lone
    surrogate from an escape like `\\ud800`, which `json.loads` accepts but no file or database
    can hold), is a Rejection, and parsing goes on. `today` is unused: the snapshot's dates are
    absolute.
    """
    return read(lines_of(text), path, today)


def read(lines: Lines, path: str, today: date) -> Iterator[Record | Rejection]:
    """`parse` of a file's lines, streamed line by line."""
    return parse_lines(numbered(lines()), path)


def parse_lines(lines: Iterable[tuple[int, str]], path: str) -> Iterator[Record | Rejection]:
    """`parse` of some of a file's lines, given with their numbers: the snapshot holds one
    record a line, so a large file can be parsed in parts at once."""
    for number, line in lines:
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        try:
            item = _record(line, path, number)
        except Exception as exc:  # noqa: BLE001 - a last resort: one odd line must not stop the file
            yield Rejection(path, number, f"unreadable record: {exc}")
            continue
        yield check(item) if isinstance(item, Record) else item


def _record(line: str, path: str, number: int) -> Record | Rejection:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejection(path, number, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        return Rejection(path, number, f"invalid JSON: {exc}")
    if not isinstance(data, dict):
        return Rejection(path, number, "not a JSON object")

    title = data.get("title")
    abstract = data.get("abstract")
    title = clean_title(title) if isinstance(title, str) else ""
    abstract = clean_abstract(abstract) if isinstance(abstract, str) else ""
    missing = [name for name, value in (("title", title), ("abstract", abstract)) if not value]
    if missing:
        return Rejection(path, number, f"missing {' and '.join(missing)}")

    arxiv_id = None
    raw_id = data.get("id")
    if isinstance(raw_id, str) and (found := split_arxiv_id(raw_id)):
        arxiv_id = found[0]

    versions = [v for v in data.get("versions") or [] if isinstance(v, dict)]
    version = None
    if versions and isinstance(versions[-1].get("version"), str):
        match = _VERSION.match(versions[-1]["version"])
        version = int(match.group(1)) if match else None

    try:
        published, date_approx = _published(versions, data.get("update_date"), arxiv_id)
    except ValueError as exc:
        return Rejection(path, number, str(exc))

    authors, truncated = _authors(data)
    categories = data.get("categories")
    if isinstance(categories, str):
        categories = clean_categories([categories])
    elif isinstance(categories, list):
        categories = clean_categories(c for c in categories if isinstance(c, str))
    else:
        categories = []

    journal_ref = data.get("journal-ref")

    return Record(
        source=SourceRef(path, number, FORMAT),
        abstract=abstract,
        title=title,
        authors=authors,
        authors_truncated=truncated,
        categories=categories,
        published=published,
        arxiv_id=arxiv_id,
        version=version,
        has_code=None,
        lang=detect_lang(abstract),
        doi=clean_doi(data["doi"]) if isinstance(data.get("doi"), str) else None,
        date_precision=Precision.MONTH if date_approx else Precision.DAY,
        venue=venue_of(journal_ref) if isinstance(journal_ref, str) else None,
    )


def _published(versions: list[dict[str, object]], update_date: object,
               arxiv_id: str | None) -> tuple[date | None, bool]:
    """(date, approximate): the first version's submission date; else the first of the month the
    arXiv id names; else the snapshot's `update_date` (the last change, but better than none)."""
    created = versions[0].get("created") if versions else None
    if isinstance(created, str) and created.strip():
        try:
            return parsedate_to_datetime(created).date(), False
        except (TypeError, ValueError, IndexError, OverflowError):
            raise ValueError(f"malformed date {created!r} in versions") from None
    from_id = month_of_arxiv_id(arxiv_id) if arxiv_id else None
    if from_id is not None:
        return from_id, True
    if isinstance(update_date, str) and update_date.strip():
        try:
            return parse_iso_date(update_date), False
        except ValueError:
            raise ValueError(f"malformed update_date {update_date!r}") from None
    return None, False


def _authors(data: dict[str, object]) -> tuple[list[Person], bool]:
    """Authors from `authors_parsed` when usable, else split from the `authors` string.

    Both give the same people; the parsed list is preferred because it has already separated
    names from affiliations. Whether the list was cut ("et al.") is read from both.
    """
    raw = data.get("authors")
    raw = raw if isinstance(raw, str) else ""
    names: list[Person] = []
    truncated = False
    parsed = data.get("authors_parsed")
    if isinstance(parsed, list):
        for entry in parsed:
            if isinstance(entry, list) and all(isinstance(part, str) for part in entry[:3]):
                name, cut = _parsed_name(entry)
                truncated = truncated or cut
                if _LETTER.search(name.display):
                    names.append(name)
    if names:
        return names, truncated or authors_cut(raw)
    from_string, cut = split_authors(raw)
    return [Person.from_text(name) for name in from_string], truncated or cut


def _parsed_name(entry: list[str]) -> tuple[Person, bool]:
    """["Last", "First", "Suffix", affiliation…] as a name, and whether it said "et al."."""
    last, first, suffix = (clean_person(part) for part in (list(entry[:3]) + ["", "", ""])[:3])
    last = last.rstrip(",").strip()
    whole, cut = strip_et_al(" ".join(part for part in (first, last, suffix) if part))
    if cut:  # the parser split "A. Abulencia et al." as given "A. Abulencia et", family "al."
        return Person.from_text(whole), True
    return Person.from_parts(last, first, suffix=suffix), False
