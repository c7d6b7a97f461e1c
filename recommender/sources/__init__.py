"""Input formats: each module turns a file's text into `Record`s, naming file:line on errors.

A format is chosen from the file's content, never its name. Each format module exposes
`looks_like(text) -> bool` and `parse(text, path, today) -> Iterator[Record | Rejection]`.
Whatever a parser yields goes through `checks.checked`, which turns a record past the limits
(or holding text that cannot be stored) into a Rejection for its line.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..papers import Record, Rejection
from . import arxiv_json, bibtex, csljson, feeds, listings, ris, table, zotero_csv
from .checks import checked

Parser = Callable[[str, str, date], Iterator[Record | Rejection]]
LinesParser = Callable[[Iterable[tuple[int, str]], str], Iterator[Record | Rejection]]
PartsParser = Callable[[str, str, date, int, int], Iterator[Iterator[Record | Rejection]]]


@dataclass(frozen=True)
class Format:
    name: str
    looks_like: Callable[[str], bool]
    parse: Parser
    # For a format of one record a line: parses numbered lines, so a file can be cut in parts.
    parse_lines: LinesParser | None = None
    # For a format that cuts a file in parts itself (BibTeX, before its blocks): part `part` of
    # `parts`, as blocks of records that the parts taken in turn give in the file's order.
    parse_parts: PartsParser | None = None


# Most specific first: the structured formats (reference managers' exports among them)
# announce themselves, the listing layouts are told apart by their line patterns, and the card
# layout is the loosest of those.
FORMATS: tuple[Format, ...] = (
    Format("arxiv-json", arxiv_json.looks_like, arxiv_json.parse, arxiv_json.parse_lines),
    Format("feed", feeds.looks_like, feeds.parse),
    Format("zotero-csv", zotero_csv.looks_like, zotero_csv.parse),
    Format("csv", table.looks_like, table.parse, parse_parts=table.parse_parts),
    Format("csl-json", csljson.looks_like, csljson.parse),
    Format("ris", ris.looks_like, ris.parse),
    Format("bibtex", bibtex.looks_like, bibtex.parse, parse_parts=bibtex.parse_parts),
    Format("translated-abstracts", listings.looks_like_translated, listings.parse_translated),
    Format("author-blocks", listings.looks_like_author_blocks, listings.parse_author_blocks),
    Format("listing-cards", listings.looks_like_cards, listings.parse_cards),
)

SUPPORTED = ", ".join(f.name for f in FORMATS)


class UnknownFormat(ValueError):
    """A file whose content matches none of the supported formats."""


def detect(text: str) -> Format:
    for fmt in FORMATS:
        if fmt.looks_like(text):
            return fmt
    raise UnknownFormat(f"not a supported format (expected one of: {SUPPORTED})")


def parse_text(text: str, path: str, today: date) -> tuple[str, Iterator[Record | Rejection]]:
    """Detect the format of `text` and parse it, every record checked against the limits;
    raises UnknownFormat."""
    fmt = detect(text)
    return fmt.name, checked(fmt.parse(text, path, today))


def read_by_lines(head: str) -> bool:
    """Whether a file opening with `head` looks like a format that `parse_part` cuts in parts (one
    record a line, BibTeX or a CSV table): a guess from the opening, parsing the file tells for
    sure."""
    try:
        fmt = detect(head)
    except UnknownFormat:
        return False
    return fmt.parse_lines is not None or fmt.parse_parts is not None


def parse_part(text: str, path: str, today: date, part: int, parts: int,
               block_lines: int) -> tuple[str, int, Iterator[Iterator[Record | Rejection]]]:
    """Detect the format of `text` and parse part `part` (from 0) of `parts`, each record
    checked against the limits: the format's name, the number of parts, and the part's blocks.

    A text of one record a line is cut in blocks of `block_lines` lines, dealt to the parts in
    turn: part `part` parses blocks `part`, `part + parts`, and so on, so that the parts taken
    in turn give the records in the file's order. A text in any other format is one part of
    one block, the whole text. Raises UnknownFormat."""
    fmt = detect(text)
    if fmt.parse_parts is not None and parts > 1:
        return fmt.name, parts, (checked(block) for block in fmt.parse_parts(text, path, today, part, parts))
    if fmt.parse_lines is None or parts <= 1:
        whole = [checked(fmt.parse(text, path, today))] if part == 0 else []
        return fmt.name, 1, iter(whole)
    parse_lines = fmt.parse_lines
    lines = text.split("\n")
    starts = range(part * block_lines, len(lines), parts * block_lines)
    blocks = (
        checked(parse_lines(zip(itertools.count(start + 1), lines[start:start + block_lines]), path))
        for start in starts
    )
    return fmt.name, parts, blocks


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and the files inside named folders (sorted, hidden ones skipped)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
                and p.suffix.lower() not in {".py", ".pyc", ".md"}
            )
        else:
            files.append(path)
    return files
