"""The kinds of values the commands take, checked as click parses them: text of a bounded
length, a finite number in a range, a Discord id."""

from __future__ import annotations

import math
from typing import Any

import click

from .output import shorten

# Longest arguments taken: a person's or group's name, a paper reference, a search, a category
# name and a list of categories. Anything longer is a mistake (a pasted file, a stuck key).
NAME_CHARS = 200
REF_CHARS = 1000
QUERY_CHARS = 2000
CATEGORY_CHARS = 100
CATEGORY_LIST_CHARS = 1000


class Text(click.ParamType[str]):
    """A text argument: valid UTF-8 (a terminal in another encoding, or bytes typed with
    `$'\\xff'`, reach Python as lone surrogates) and at most `max_chars` characters, without
    control and format characters (`recommender.text.visible`), which move a terminal's cursor
    or hide a word."""

    name = "text"

    def __init__(self, max_chars: int, blank: bool = True):
        self.max_chars = max_chars
        self.blank = blank

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        bad = first_surrogate(text)
        if bad is not None:
            code = ord(text[bad])
            byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "a lone surrogate"
            where = f"{byte} at character {bad + 1}"
            self.fail(f"is not UTF-8 text ({where}); paperclub reads arguments as UTF-8.", param, ctx)
        from recommender import visible

        text = visible(text)
        if len(text) > self.max_chars:
            self.fail(f"is {len(text):,} characters long; at most {self.max_chars:,} are taken.", param, ctx)
        if not self.blank and not text.strip():
            self.fail("is empty; give a name.", param, ctx)
        return text


def first_surrogate(text: str) -> int | None:
    """Where the first character that cannot be UTF-8 is in `text`, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


class Number(click.FloatRange):
    """A float in a range, refusing `nan` and infinities (which compare as inside any range)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number; give one in the range {self._describe_range()}.", param, ctx)
        return number


class DiscordId(click.ParamType[int]):
    """A Discord id: a channel's, a person's or a server's, the number Discord shows with
    Developer Mode on (Copy ID)."""

    name = "discord id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 20 or int(text) >= 2**64:
            self.fail(f"{shorten(text, 40)!r} is not a Discord id: an id is a number of up to 20 digits, such as "
                      "1200000000000000001 (in Discord, turn on Developer Mode and use Copy ID).", param, ctx)
        return int(text)


NAME = Text(NAME_CHARS, blank=False)
REF = Text(REF_CHARS)
QUERY = Text(QUERY_CHARS)
CATEGORY = Text(CATEGORY_CHARS)
CATEGORY_LIST = Text(CATEGORY_LIST_CHARS)
DISCORD_ID = DiscordId()
