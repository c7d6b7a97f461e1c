"""Input formats: each module turns a file's text into `Record`s, naming file:line on errors.

A format is chosen from the file's content (its head), never its name. Each format module exposes
`looks_like(text) -> bool` and `parse(text, path, today) -> Iterator[Record | Rejection]`; those
that stream a file entry by entry (BibTeX, RIS, CSL-JSON, the CSV tables, arXiv's JSON lines) also
`read(lines, path, today)`, which takes the file's `Lines` and never holds it whole (their `parse`
is `read` of the text's lines). Whatever a parser yields goes through `checks.checked`, which
turns a record past the limits (or holding text that cannot be stored) into a Rejection for its line.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..files import TextFile
from ..papers import Record, Rejection
from . import arxiv_json, bibtex, csljson, feeds, listings, ris, table, zotero_csv
from .checks import checked
from .lines import Lines, numbered

Parser = Callable[[str, str, date], Iterator[Record | Rejection]]
Reader = Callable[[Lines, str, date], Iterator[Record | Rejection]]
LinesParser = Callable[[Iterable[tuple[int, str]], str], Iterator[Record | Rejection]]
PartsReader = Callable[[Lines, str, date, int, int], Iterator[Iterator[Record | Rejection]]]
Blocks = Iterator[Iterator[Record | Rejection]]
# What is read of a file to tell its format: past every format's own head limit (arXiv JSON lines: 256 KiB).
HEAD_CHARS = 512 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    looks_like: Callable[[str], bool]
    parse: Parser
    # For a format read as a stream of lines, entry by entry: the file is never held whole.
    read: Reader | None = None
    # For a format of one record a line: parses numbered lines, so a file can be cut in parts.
    parse_lines: LinesParser | None = None
    # For a format that cuts a file in parts itself (BibTeX, before its blocks): part `part` of
    # `parts`, as blocks of records that the parts taken in turn give in the file's order.
    read_parts: PartsReader | None = None


# Most specific first: the structured formats (reference managers' exports among them)
# announce themselves, the listing layouts are told apart by their line patterns, and the card
# layout is the loosest of those.
FORMATS: tuple[Format, ...] = (
    Format("arxiv-json", arxiv_json.looks_like, arxiv_json.parse, arxiv_json.read, arxiv_json.parse_lines),
    Format("feed", feeds.looks_like, feeds.parse),
    Format("zotero-csv", zotero_csv.looks_like, zotero_csv.parse, zotero_csv.read),
    Format("csv", table.looks_like, table.parse, table.read, read_parts=table.read_parts),
    Format("csl-json", csljson.looks_like, csljson.parse, csljson.read),
    Format("ris", ris.looks_like, ris.parse, ris.read),
    Format("bibtex", bibtex.looks_like, bibtex.parse, bibtex.read, read_parts=bibtex.read_parts),
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
    """Whether a file opening with `head` looks like a format that `read_part` cuts in parts (one
    record a line, BibTeX or a CSV table): a guess from the opening, parsing the file tells for
    sure."""
    try:
        fmt = detect(head)
    except UnknownFormat:
        return False
    return fmt.parse_lines is not None or fmt.read_parts is not None


def read_part(file: TextFile, path: str, today: date, part: int, parts: int,
              block_lines: int) -> tuple[str, int, Blocks]:
    """Detect the format of a file from its head and read part `part` (from 0) of `parts`, each
    record checked against the limits: the format's name, the number of parts, and the part's
    blocks, read from the file as they are asked for.

    A file of one record a line is cut in blocks of `block_lines` lines, dealt to the parts in
    turn: part `part` parses blocks `part`, `part + parts`, and so on, so that the parts taken
    in turn give the records in the file's order; BibTeX and CSV tables cut themselves
    (`bibtex.read_parts`, `table.read_parts`). A file in any other format is one part of one
    block: streamed when its format reads lines (`Format.read`), else read whole. Raises
    UnknownFormat."""
    fmt = detect(file.head(HEAD_CHARS))
    if fmt.read_parts is not None and parts > 1:
        return fmt.name, parts, (checked(block) for block in fmt.read_parts(file.lines, path, today, part, parts))
    if fmt.parse_lines is not None and parts > 1:
        return fmt.name, parts, _line_blocks(fmt.parse_lines, file.lines(), path, part, parts, block_lines)
    if part > 0:
        return fmt.name, 1, iter([])
    records = fmt.read(file.lines, path, today) if fmt.read else fmt.parse(file.read(), path, today)
    return fmt.name, 1, iter([checked(records)])


def _line_blocks(parse_lines: LinesParser, lines: Iterator[str], path: str, part: int, parts: int,
                 block_lines: int) -> Blocks:
    """Part `part`'s blocks of `block_lines` lines, parsed; the others' read past."""
    lines_numbered = numbered(lines)
    for number in itertools.count():
        block = list(itertools.islice(lines_numbered, block_lines))
        if not block:
            return
        if number % parts == part:
            yield checked(parse_lines(block, path))


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
