"""BibTeX and BibLaTeX files, as Zotero, Better BibTeX, JabRef, Mendeley and Google Scholar
write them, read with bibtexparser 2.

`@string` macros are resolved (with `#` concatenation), the commands `@preamble` blocks define
are expanded in the fields (see `preamble`), `@comment` blocks (JabRef keeps its groups in those)
are skipped, month macros (`jun`) become numbers, and the names are split the BibTeX way into
their parts (`von Last, Jr, First and First von Last and {Corporate Name} and others`: a braced
name is a corporate one, `others` marks a cut list), editors too. The venue is BibLaTeX's
`journaltitle`, else `journal`, else `booktitle`. An
entry repeating an earlier cite key is read all the same. An entry that cannot be parsed, or has
no title, is a Rejection naming the line where it starts.

A file is streamed: read once for its `@string` and `@preamble` blocks, then again in pieces of
a few hundred blocks, each parsed on its own (`read_parts`), so that memory does not grow with it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.library import Library
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Block, DuplicateBlockKeyBlock, Entry, ParsingFailedBlock, String

from .. import worktypes
from ..worktypes import Kind
from ..papers import Record, Rejection
from ..people import Person
from .lines import Lines, lines_of
from .preamble import Macros
from .references import Reference, record_of

FORMAT = "bibtex"
# bibtexparser logs each block it gives up on; those come back here as Rejections instead.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)
HEAD_LIMIT = 65536
_ENTRY_START = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
# A name that is one braced group (`{Fredensborg Kommune}`): a corporate name, never split.
_WHOLLY_BRACED = re.compile(r"\{(?:[^{}]|\{[^{}]*\})*\}")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MENTION_FIELDS = ("url", "journal", "journaltitle", "note", "howpublished", "number", "eprint",
                   "publisher", "archiveprefix")


def looks_like(text: str) -> bool:
    """True when a line of the head opens a BibTeX block (`@article{`, `@string(`...)."""
    return _ENTRY_START.search(text[:HEAD_LIMIT]) is not None


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Records for the text's entries, each naming the line its `@` is on. `today` is unused."""
    return read(lines_of(text), path, today)


def read(lines: Lines, path: str, today: date) -> Iterator[Record | Rejection]:
    """`parse` of a file's lines, streamed: its pieces parsed one after another (see `read_parts`)."""
    for piece in read_parts(lines, path, today, 0, 1):
        yield from piece


# A file is parsed in pieces of this many blocks; a large one's are dealt to the parsing processes in turn.
BLOCKS_A_PIECE = 256
# Where a block starts: an `@` opening a line, as bibtexparser's own splitter reads it (a line
# starting with `@` inside a value starts a block for it too).
_BLOCK_START = re.compile(r"[ \t]*@")
_DEFINITION = re.compile(r"[ \t]*@[ \t]*(?:string|preamble)[ \t]*[{(]", re.IGNORECASE)


def read_parts(lines: Lines, path: str, today: date, part: int,
               parts: int) -> Iterator[Iterator[Record | Rejection]]:
    """The records of part `part` (from 0) of `parts`: the file is cut before its blocks into
    pieces of BLOCKS_A_PIECE blocks, and part `part` parses pieces `part`, `part + parts`…, so
    that the parts taken in turn give the records in the file's order. The lines are read
    twice: first for the file's `@string` and `@preamble` blocks, whose macros hold in every
    piece wherever they stand, then piece by piece; no more than a piece is held at a time."""
    definitions = definitions_of("".join(_definition_blocks(lines())))
    for first_line, piece in _pieces(lines(), part, parts):
        yield _records(piece, path, first_line - 1, definitions)


def _definition_blocks(lines: Iterator[str]) -> Iterator[str]:
    """The lines of the `@string` and `@preamble` blocks, each running to the next block."""
    inside = False
    for line in lines:
        if _BLOCK_START.match(line):
            inside = _DEFINITION.match(line) is not None
        if inside:
            yield line


def _pieces(lines: Iterator[str], part: int, parts: int) -> Iterator[tuple[int, str]]:
    """The first line and the text of each piece dealt to part `part`; the first piece holds
    what comes before the first block too."""
    held: list[str] = []
    number = blocks = 0
    first_line = 1
    for line_number, line in enumerate(lines, 1):
        if _BLOCK_START.match(line):
            if blocks and blocks % BLOCKS_A_PIECE == 0:
                if number % parts == part:
                    yield first_line, "".join(held)
                    held = []
                number, first_line = number + 1, line_number
            blocks += 1
        if number % parts == part:
            held.append(line)
    if held:
        yield first_line, "".join(held)


def _records(text: str, path: str, shift: int, definitions: Definitions) -> Iterator[Record | Rejection]:
    """Records for a piece's entries, each naming the line its `@` is on, `shift` lines further down."""
    for item in entries(text, definitions):
        if isinstance(item, ParsingFailedBlock):
            yield Rejection(path, line_of(item) + shift, f"unreadable BibTeX entry: {_reason(item.error)}")
        else:
            yield record_of(reference_of(item, shift), path, FORMAT)


@dataclass(frozen=True)
class Definitions:
    """What a file's `@string` and `@preamble` blocks define: its string macros (by name in
    lower case, with `#` concatenation done, a later definition winning) and its commands."""

    strings: dict[str, str]
    macros: Macros


def definitions_of(text: str) -> Definitions:
    """The definitions of a text's `@string` and `@preamble` blocks, also of macros defined by
    earlier ones (`@string{prb = pr # { B}}`)."""
    raw = bibtexparser.parse_string(text, parse_stack=[])
    table: dict[str, str] = {}
    for block in raw.blocks:
        string = block.ignore_error_block if isinstance(block, DuplicateBlockKeyBlock) else block
        if isinstance(string, String):
            table[string.key.lower()] = _concatenated(str(string.value), table) or ""
    return Definitions(table, Macros([p.value for p in raw.preambles]))


def entries(text: str, definitions: Definitions) -> list[Entry | ParsingFailedBlock]:
    """The entries of a BibTeX text in order (those repeating a cite key too), with the
    `@string` macros of `definitions` resolved in their fields, braces around values removed,
    months as numbers and the commands of its `@preamble`s expanded; blocks that could not be
    parsed are given as they failed."""
    raw = bibtexparser.parse_string(text, parse_stack=[])
    blocks: list[Block] = []
    for block in raw.blocks:
        entry = block.ignore_error_block if isinstance(block, DuplicateBlockKeyBlock) else None
        if isinstance(entry, Entry):
            entry.key = f"{entry.key}@{line_of(entry)}"
            blocks.append(entry)
        else:
            blocks.append(block)
    library = Library(blocks)
    _resolve_strings(library, definitions.strings)
    for middleware in (mw.RemoveEnclosingMiddleware(True), mw.MonthIntMiddleware(True)):
        library = middleware.transform(library)
    found: list[Entry | ParsingFailedBlock] = [
        b for b in library.blocks
        if isinstance(b, Entry) or (isinstance(b, ParsingFailedBlock) and not isinstance(b, DuplicateBlockKeyBlock))
    ]
    _expand_preamble_macros(found, definitions.macros)
    return found


def _resolve_strings(library: Library, table: dict[str, str]) -> None:
    """The `@string` macros of `table` in the fields, with `#` concatenation. Names are matched
    without case; a name no `@string` defines is kept as written (`jun` is left for the months)."""
    for entry in library.entries:
        for field in entry.fields:
            if isinstance(field.value, str) and not _enclosed(field.value):
                joined = _concatenated(field.value, table)
                if joined is not None:
                    field.value = "{" + joined + "}"


def _concatenated(value: str, table: dict[str, str]) -> str | None:
    """A raw value's parts (`"text"`, `{text}`, numbers, macro names) joined, or None when it
    is one name that no macro defines."""
    parts = _top_level_parts(value)
    if len(parts) == 1 and not _enclosed(parts[0]) and parts[0].lower() not in table and not parts[0].isdigit():
        return None
    return "".join(_part_text(part, table) for part in parts)


def _part_text(part: str, table: dict[str, str]) -> str:
    if _enclosed(part):
        return part[1:-1]
    return table.get(part.lower(), part)


def _enclosed(value: str) -> bool:
    return len(value) >= 2 and ((value[0] == "{" and value[-1] == "}") or (value[0] == '"' and value[-1] == '"'))


def _top_level_parts(value: str) -> list[str]:
    """A raw value split at the `#` outside braces and quotes, each part stripped."""
    parts, depth, quoted, start = [], 0, False, 0
    for position, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:position].strip())
            start = position + 1
    parts.append(value[start:].strip())
    return [part for part in parts if part]


def _expand_preamble_macros(blocks: list[Entry | ParsingFailedBlock], macros: Macros) -> None:
    """The macros the file's `@preamble`s define, expanded in its entries' text fields."""
    if not macros:
        return
    for entry in blocks:
        if isinstance(entry, Entry):
            for field in entry.fields:
                if isinstance(field.value, str):
                    field.value = macros.expand(field.value)


def reference_of(entry: Entry, shift: int = 0) -> Reference:
    """An entry's fields under their common names (field names are matched in any case); its
    line `shift` lines further down."""
    fields = {f.key.lower(): f.value for f in entry.fields}

    def text(*names: str) -> str:
        for name in names:
            value = fields.get(name, "")
            if value:
                return value if isinstance(value, str) else str(value)
        return ""

    authors, truncated = people_of(text("author"))
    editors, _ = people_of(text("editor"))
    month = fields.get("month")
    prefix = (text("archiveprefix") or text("eprinttype")).lower()
    eprint = text("eprint") if prefix == "arxiv" or "arxiv" in text("eprint").lower() else ""
    eprint = eprint or text("arxivid")  # Mendeley's own field
    kind = worktypes.read(worktypes.BIBLATEX, entry.entry_type) or worktypes.read(worktypes.BIBTEX, entry.entry_type)
    return Reference(
        line=line_of(entry) + shift,
        key=entry.key.split("@")[0],
        title=text("title"),
        authors=authors,
        authors_truncated=truncated,
        editors=editors,
        abstract=text("abstract"),
        date=text("date", "year"),
        month=_month(month),
        doi=text("doi"),
        eprint=eprint,
        category=text("primaryclass", "eprintclass"),
        mentions=[text(name) for name in _MENTION_FIELDS if name in fields],
        venue=text("journaltitle", "journal", "booktitle"),
        kind=_misc_kind(text("type")) if entry.entry_type.lower() == "misc" else kind,
        volume=text("volume"),
        issue=text("number", "issue"),
        pages=text("pages"),
        publisher=text("publisher", "school", "institution", "organization"),
        place=text("location", "address"),
        edition=text("edition"),
        isbn=text("isbn"),
    )


def _misc_kind(type_field: str) -> Kind | None:
    """What a `@misc` is, by its `type` field (`Dataset`, `Web page`), when it says; else None."""
    folded = type_field.strip().casefold().replace(" ", "")
    return {"dataset": Kind.DATASET, "data": Kind.DATASET, "webpage": Kind.WEBPAGE,
            "website": Kind.WEBPAGE, "online": Kind.WEBPAGE}.get(folded)


def people_of(names: str) -> tuple[list[Person], bool]:
    """The people of an `author` or `editor` field, split the BibTeX way (`von Last, Jr,
    First`, `First von Last`; a wholly braced `{Corporate Name}` is a literal), and whether the
    list ends in `and others`."""
    people: list[Person] = []
    truncated = False
    for raw in split_multiple_persons_names(names):
        raw = raw.strip()
        if raw.lower() == "others":
            truncated = True
        elif raw:
            people.append(person_of(raw))
    return people, truncated


def person_of(name: str) -> Person:
    """One BibTeX name with its parts (braces are left for cleaning to drop)."""
    if _WHOLLY_BRACED.fullmatch(name):
        return Person(literal=name[1:-1])
    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except InvalidNameError:
        return Person.from_text(name)
    return Person(family=" ".join(parts.last), given=" ".join(parts.first),
                  particle=" ".join(parts.von), suffix=" ".join(parts.jr))


def _month(value: object) -> int | None:
    """A month field as a number: macros (`jun`) arrive as ints, `{6}` as text, and a month
    joined to a day (`jun # "~12"`) as text starting with its name."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            value = int(text)
        elif text[:3] in _MONTH_NAMES:
            value = _MONTH_NAMES.index(text[:3]) + 1
    return value if isinstance(value, int) and 1 <= value <= 12 else None


def line_of(block: Block) -> int:
    """The 1-based line a block starts on."""
    return (block.start_line or 0) + 1


def _reason(error: Exception | None) -> str:
    """Why bibtexparser gave up on a block, in a few words."""
    message = str(getattr(error, "abort_reason", "") or error or "").strip()
    return message.splitlines()[0].rstrip(".") if message else "syntax error"
