"""CSL-JSON, as Zotero, Mendeley and citeproc tools export it: a JSON array of items.

An item's title is `title`, its authors `author` (`{"family", "given"}` or `{"literal"}` for an
organisation), its date `issued` (`{"date-parts": [[2018, 6, 19]]}` or `{"raw": "2018-06"}`), its
venue `container-title` (a string, or a list of them from some exporters).
Zotero keeps an arXiv preprint's id in `number` (`arXiv:1806.07366`) and arXiv's DOI in `DOI`.
Each item is read on its own, so a bad one is a Rejection naming the line where it starts; a file
is streamed, an item at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from .. import worktypes
from ..papers import Record, Rejection
from ..people import Person
from .lines import Lines, lines_of
from .references import Reference, record_of

FORMAT = "csl-json"
HEAD_LIMIT = 65536
_ITEM_KEYS = re.compile(r'"(?:type|issued|container-title|citation-key|author)"\s*:')
_BETWEEN_ITEMS = frozenset(" \t\r\n,")
READ_CHARS = 1024**2  # read of a file at a time
_LONGEST_ESCAPE = 6  # `\\uXXXX`: an error this near the end of the text held may be a cut


def looks_like(text: str) -> bool:
    """True when the text is a JSON array whose head holds CSL keys (`type`, `issued`...)."""
    head = text[:HEAD_LIMIT].lstrip("\ufeff \t\r\n")
    return head.startswith("[") and '"title"' in head and _ITEM_KEYS.search(head) is not None


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Records for the array's items, each naming the line its `{` is on. `today` is unused."""
    return read(lines_of(text), path, today)


def read(lines: Lines, path: str, today: date) -> Iterator[Record | Rejection]:
    """`parse` of a file's lines, streamed item by item."""
    items = _Items(lines())
    if not items.enter_array():
        return
    while items.next_item():
        line = items.line
        try:
            item = items.decode()
        except json.JSONDecodeError as exc:
            yield Rejection(path, line, f"unreadable JSON: {exc.msg}")
            return
        if not isinstance(item, dict):
            yield Rejection(path, line, "item is not a JSON object")
            continue
        yield record_of(reference_of(item, line), path, FORMAT)


class _Items:
    """A JSON array's items decoded one at a time from a file's lines, holding no more of the
    text than the item being read and about `READ_CHARS` characters after it."""

    def __init__(self, lines: Iterator[str]):
        self.lines = lines
        self.text = ""
        self.position = 0
        self.line = 1  # the line `position` is on
        self.decoder = json.JSONDecoder()

    def enter_array(self) -> bool:
        """Go past the `[` that opens the array; False when there is none."""
        while (found := self.text.find("[", self.position)) < 0:
            self._advance(len(self.text))
            if not self._more():
                return False
        self._advance(found + 1)
        return True

    def next_item(self) -> bool:
        """Go to the start of the next item; False at the end of the array or of the text."""
        while True:
            end = self.position
            while end < len(self.text) and self.text[end] in _BETWEEN_ITEMS:
                end += 1
            self._advance(end)
            if end < len(self.text):
                return self.text[end] != "]"
            if not self._more():
                return False

    def decode(self) -> Any:
        """The item that starts here, read on past the text held when it is cut there."""
        while True:
            try:
                item, end = self.decoder.raw_decode(self.text, self.position)
            except json.JSONDecodeError as exc:
                if self._cut(exc) and self._more():
                    continue
                raise
            if end == len(self.text) and self._more():  # a number may go on past the cut
                continue
            self._advance(end)
            return item

    def _cut(self, error: json.JSONDecodeError) -> bool:
        """Whether a decoding error may be the text held ending inside the item."""
        return error.msg.startswith("Unterminated string") or error.pos >= len(self.text) - _LONGEST_ESCAPE

    def _advance(self, position: int) -> None:
        self.line += self.text.count("\n", self.position, position)
        self.position = position

    def _more(self) -> bool:
        """Read about READ_CHARS more characters (dropping what was read already); False at the
        end of the lines."""
        taken: list[str] = []
        size = 0
        for line in self.lines:
            taken.append(line)
            size += len(line)
            if size >= READ_CHARS:
                break
        if not taken:
            return False
        self.text = self.text[self.position:] + "".join(taken)
        self.position = 0
        return True


def reference_of(item: dict[str, Any], line: int) -> Reference:
    def text(name: str) -> str:
        value = item.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value) if value not in (None, "") else ""

    def people(name: str) -> list[Person]:
        found = item.get(name)
        return [person for person in map(_person, found if isinstance(found, list) else []) if person]

    mentions = [text(name) for name in ("URL", "number", "container-title", "note", "publisher",
                                         "archive_location", "genre")]
    return Reference(
        line=line,
        key=text("id") or text("citation-key"),
        title=text("title"),
        authors=people("author"),
        editors=people("editor") or people("container-author"),
        abstract=text("abstract"),
        date=_date_text(item.get("issued")),
        doi=text("DOI"),
        mentions=[m for m in mentions if m],
        venue=text("container-title"),
        kind=worktypes.read(worktypes.CSL, text("type")),
        volume=text("volume"),
        issue=text("issue"),
        pages=text("page"),
        publisher=text("publisher"),
        place=text("publisher-place"),
        edition=text("edition"),
        isbn=text("ISBN"),
    )


def _person(person: Any) -> Person:
    """A CSL name: `literal`, or its parts (either particle is the particle)."""
    if not isinstance(person, dict):
        return Person.from_text(str(person or ""))

    def part(name: str) -> str:
        value = person.get(name)
        return str(value) if value not in (None, "") else ""

    if part("literal"):
        return Person.literal_of(part("literal"))
    return Person(family=part("family"), given=part("given"),
                  particle=part("non-dropping-particle") or part("dropping-particle"), suffix=part("suffix"))


def _date_text(issued: Any) -> str:
    """`{"date-parts": [[2018, 6, 19]]}` → `2018-06-19`; `{"raw": …}` as it is."""
    if not isinstance(issued, dict):
        return str(issued or "")
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            return "-".join(f"{int(p):02d}" for p in parts[0][:3])
        except (TypeError, ValueError):
            return ""
    return str(issued.get("raw") or issued.get("literal") or "")
