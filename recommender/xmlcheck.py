"""Strict XML for arXiv's feeds: a document is handed to the (lenient) feed parser only once a
strict parser accepts it.

feedparser recovers what it can from broken XML, so an item with an undefined entity comes out
titled `Laughs &lol9;`. Here expat, which stops at the first error, reads the document first:

- an error inside an `<item>` or `<entry>` rejects that entry, named by the line it starts on;
  the entry is blanked out (its lines kept, so every other entry keeps its line number) and the
  rest is checked again;
- an error anywhere else (the feed's header, a document cut short, more than
  `MAX_BAD_ENTRIES` broken entries) rejects the whole document;
- entity declarations are refused outright: arXiv never declares entities, and a
  declared entity is how a "billion laughs" document grows to gigabytes.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from dataclasses import dataclass, field

from .papers import Rejection

MAX_BAD_ENTRIES = 10

_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s>/])")
_ENTRY_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_ENTITY = re.compile(r"&[^\s;<&]{1,60};?")


@dataclass
class CheckedXml:
    """`text` is the document with its malformed entries blanked out, or None when the whole
    document is rejected; `rejected` says what was left out and where."""

    text: str | None
    rejected: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class _Problem:
    line: int
    column: int
    reason: str


class _Refused(Exception):
    """Raised from an expat handler to stop at something well-formed but not accepted."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_feed_xml(text: str, path: str) -> CheckedXml:
    """The document checked by a strict XML parser; see the module docstring."""
    rejected: list[Rejection] = []
    for _ in range(MAX_BAD_ENTRIES + 1):
        problem = _first_problem(text)
        if problem is None:
            return CheckedXml(text, rejected)
        offset = _offset(text, problem.line, problem.column)
        reason = _reason(text, offset, problem)
        span = _entry_around(text, offset)
        if span is None:
            return CheckedXml(None, [Rejection(path, problem.line, f"malformed feed XML: {reason}")])
        start, end = span
        line = text.count("\n", 0, start) + 1
        where = f" at line {problem.line}" if problem.line != line else ""
        rejected.append(Rejection(path, line, f"malformed entry XML: {reason}{where}"))
        text = text[:start] + "\n" * text.count("\n", start, end) + text[end:]
    problem = _first_problem(text)
    if problem is None:
        return CheckedXml(text, rejected)
    return CheckedXml(None, [Rejection(path, problem.line, f"malformed feed XML: more than {MAX_BAD_ENTRIES} "
                                                           f"broken entries, the last at line {problem.line}")])


def _first_problem(text: str) -> _Problem | None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entity(name: str, *_: object) -> None:
        raise _Refused(f"the entity {name!r} is declared (arXiv's feeds declare none)")

    def undefined(name: str, is_parameter_entity: bool) -> None:
        raise _Refused(f"undefined entity &{name};")

    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.SkippedEntityHandler = undefined
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        return _Problem(max(1, exc.lineno), max(0, exc.offset), expat.ErrorString(exc.code) or str(exc))
    except _Refused as exc:
        return _Problem(max(1, parser.CurrentLineNumber), max(0, parser.CurrentColumnNumber), exc.reason)
    return None


def _offset(text: str, line: int, column: int) -> int:
    """The index in `text` of a 1-based line and 0-based column (expat counts characters)."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    end = text.find("\n", start)
    return min(start + column, len(text) if end < 0 else end)


def _reason(text: str, offset: int, problem: _Problem) -> str:
    """expat's reason, naming the entity when it is an undefined one."""
    if problem.reason == "undefined entity":
        found = _ENTITY.match(text, offset)
        if found:
            return f"undefined entity {found.group()}"
    return problem.reason


def _entry_around(text: str, offset: int) -> tuple[int, int] | None:
    """(start, end) of the `<item>`/`<entry>` element holding `offset`, or None when the
    offset is outside every entry (or the entry never ends)."""
    start = None
    for match in _ENTRY_START.finditer(text, 0, offset + 1):
        start = match.start()
    if start is None:
        return None
    closed = _ENTRY_END.search(text, start, offset)
    if closed is not None and closed.end() <= offset:
        return None  # the last entry before the problem was closed: the problem is outside
    end = _ENTRY_END.search(text, offset)
    if end is None:
        return None
    return start, end.end()
