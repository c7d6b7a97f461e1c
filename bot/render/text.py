"""What every message the bot sends obeys: Discord's limits, and outside text made safe for them.

Everything the bot shows comes from paper listings and from people, so every piece of text is
markdown-escaped, has its mentions neutralised (a zero-width space after each `@`), and is cut
to fit Discord's limits. Lengths are counted in UTF-16 code units, which is never less than what
Discord counts, so text that fits here fits there. `check_limits` says what a message breaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
FIELD_COUNT_LIMIT = 25
MESSAGE_EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
SELECT_OPTION_LABEL_LIMIT = 100
CHOICE_NAME_LIMIT = 100  # an autocomplete choice's name
EVENT_NAME_LIMIT = 100  # a scheduled event's
EVENT_DESCRIPTION_LIMIT = 1000
EVENT_LOCATION_LIMIT = 100
THREAD_NAME_LIMIT = 100
POLL_ANSWER_LIMIT = 55  # a poll answer's text
UPLOAD_LIMIT = 10 * 1024 * 1024  # bytes a bot may upload in a server without boosts

COLOUR = discord.Colour(0x3B7EA1)  # every embed's
NO_MENTIONS = discord.AllowedMentions.none()
ELLIPSIS = "…"
WORD_BACKOFF = 30  # a cut moves back to the end of a word when one ends this close
ZWSP = "\u200b"
LINK = re.compile(r"https?://[^\s<]+[^<.,:;\"'\]\s]")
INLINE_MARKDOWN = re.compile(r"[\\*_~|`\[\]<]")
# At the start of a line: quotes, headings and subtext, lists.
LINE_MARKDOWN = re.compile(r"^(\s*)(>>>|>|#{1,3}|-#|-|\+)(?=\s)", re.MULTILINE)
NUMBERED_LIST = re.compile(r"^(\s*[0-9]+)\.(?=\s)", re.MULTILINE)


# -- making text safe ------------------------------------------------------------------------


def units(text: str) -> int:
    """The length of `text` as Discord may count it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def neutralise(text: str) -> str:
    """Make every mention inert: `@everyone`, `@here`, `<@123>`, `<@&123>` can no longer ping."""
    return text.replace("@", "@" + ZWSP)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` units with an ellipsis, at the end of a word when one is
    near, never inside a link, and never leaving a dangling escape backslash or a bare `@`."""
    if units(text) <= limit:
        return text
    if limit <= 0:
        return ""
    room = limit - 1
    used = 0
    end = 0
    for end, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            break
    for link in LINK.finditer(text):
        if link.start() >= end:
            break
        if end < link.end():
            end = link.start()  # a link cut short would lead nowhere: leave it out
            break
    cut = text[:end]
    space = cut.rfind(" ", max(0, len(cut) - WORD_BACKOFF))
    if space > 0:
        cut = cut[:space]
    cut = cut.rstrip()
    while cut and cut[-1] in "\\@" + ZWSP:
        cut = cut[:-1].rstrip()
    return cut + ELLIPSIS


def single_line(text: str) -> str:
    return " ".join(text.split())


def paragraphs(text: str) -> str:
    """Text with runs of blank lines collapsed and each line's spacing tidied."""
    lines = [single_line(line) for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


def escape_markdown(text: str) -> str:
    """Every markdown character escaped, except inside links (so they keep working).

    Stricter than `discord.utils.escape_markdown`, which leaves the inside of `[text](url)`
    alone, so `[**a**](b)` would still come out bold.
    """
    pieces: list[str] = []
    position = 0
    for match in LINK.finditer(text):
        pieces.append(INLINE_MARKDOWN.sub(r"\\\g<0>", text[position:match.start()]))
        pieces.append(match.group())
        position = match.end()
    pieces.append(INLINE_MARKDOWN.sub(r"\\\g<0>", text[position:]))
    escaped = "".join(pieces)
    escaped = LINE_MARKDOWN.sub(r"\1\\\2", escaped)
    return NUMBERED_LIST.sub(r"\1\\.", escaped)


def safe(text: str) -> str:
    """Markdown escaped and mentions neutralised: shows exactly as written, pings no one."""
    return neutralise(escape_markdown(text))


def fit(text: str, limit: int) -> str:
    """Outside text made safe and cut to `limit`. Escaping only lengthens text, so no more than
    its first `limit + 1` characters can show: only those are escaped, however long the text."""
    return clip(safe(text[: limit + 1]), limit)


def plain(text: str, limit: int) -> str:
    """One line of outside text, safe and cut to `limit`."""
    return fit(single_line(text), limit)


def message_text(text: str, limit: int = CONTENT_LIMIT) -> str:
    """Outside text (an error naming a user's query, a title list) made safe for a message."""
    return fit(paragraphs(text), limit)


# -- text with some markup kept --------------------------------------------------------------


def free_marks(text: str) -> tuple[str, str]:
    """Two private-use characters that do not occur in `text`, to stand for the start and end
    of a highlighted word while the text around them is escaped and cut."""
    free = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    return next(free), next(free)


def _marks_outside_links(text: str, on: str, off: str) -> str:
    """Text with highlight marks kept only where they pair up around something outside links
    (bold inside a link would break it); stray and empty marks dropped."""
    spans = [m.span() for m in LINK.finditer(text)]

    def in_link(index: int) -> bool:
        return any(start <= index < end for start, end in spans)

    dropped: set[int] = set()
    opened: int | None = None
    for index, ch in enumerate(text):
        if ch == on:
            if opened is not None:
                dropped.add(opened)
            opened = index
        elif ch == off:
            if opened is None:
                dropped.add(index)
            elif index == opened + 1 or in_link(opened) or in_link(index):
                dropped.update((opened, index))
            opened = None
    if opened is not None:
        dropped.add(opened)
    return "".join(ch for index, ch in enumerate(text) if index not in dropped)


def highlighted(text: str, limit: int, on: str, off: str) -> str:
    """Text whose matched words are wrapped in the marks `on` and `off` (characters it does not
    otherwise hold), made safe and cut to `limit`, with the marks turned into bold."""
    text = _marks_outside_links(text, on, off)
    marks = text.count(on) + text.count(off)
    room = max(0, limit - 2 * marks - 2)
    # Each stretch between marks is escaped on its own, so that no mark can end up inside what
    # looks like a link.
    pieces = re.split(f"([{on}{off}])", text[: room + 1])
    cut = clip("".join(p if p in (on, off) else safe(p) for p in pieces), room)
    if cut.count(on) > cut.count(off):
        cut += off
    return cut.replace(on, "**").replace(off, "**")


def reason_text(reason: str, limit: int) -> str:
    """A ranking reason from the core: its `*word*` italics kept, everything else escaped."""
    reason = reason[: limit + 1]
    pieces: list[str] = []
    position = 0
    for match in re.finditer(r"\*([^*\n]+)\*", reason):
        pieces.append(safe(reason[position:match.start()]))
        term = safe(match.group(1)).strip()
        pieces.append(f"*{term}*" if term else "")
        position = match.end()
    pieces.append(safe(reason[position:]))
    text = single_line("".join(pieces))
    if units(text) <= limit:
        return text
    return plain(reason.replace("*", ""), limit)


# -- embeds ----------------------------------------------------------------------------------


def add_field(embed: discord.Embed, name: str, value: str, inline: bool) -> None:
    """A field, unless it would be empty (Discord refuses empty fields)."""
    if value.strip():
        embed.add_field(name=name, value=value, inline=inline)


def embed_units(embed: discord.Embed) -> int:
    """How much of a message's 6,000 an embed uses."""
    total = units(embed.title or "") + units(embed.description or "")
    total += sum(units(f.name or "") + units(f.value or "") for f in embed.fields)
    total += units(embed.footer.text or "") + units(embed.author.name or "")
    return total


def check_limits(embeds: Sequence[discord.Embed], content: str | None = None) -> list[str]:
    """Every Discord limit one message breaks (an empty list when it fits)."""
    problems: list[str] = []
    if content is not None and units(content) > CONTENT_LIMIT:
        problems.append(f"content is {units(content)} > {CONTENT_LIMIT}")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    total = 0
    for number, embed in enumerate(embeds, 1):
        parts = {
            "title": (embed.title or "", TITLE_LIMIT),
            "description": (embed.description or "", DESCRIPTION_LIMIT),
            "footer": (embed.footer.text or "", FOOTER_LIMIT),
            "author": (embed.author.name or "", AUTHOR_LIMIT),
        }
        for name, (text, limit) in parts.items():
            if units(text) > limit:
                problems.append(f"embed {number} {name} is {units(text)} > {limit}")
        if len(embed.fields) > FIELD_COUNT_LIMIT:
            problems.append(f"embed {number} has {len(embed.fields)} fields > {FIELD_COUNT_LIMIT}")
        for field in embed.fields:
            name, value = field.name or "", field.value or ""
            if not name.strip() or not value.strip():
                problems.append(f"embed {number} has an empty field {name!r}")
            if units(name) > FIELD_NAME_LIMIT:
                problems.append(f"embed {number} field name is {units(name)} > {FIELD_NAME_LIMIT}")
            if units(value) > FIELD_VALUE_LIMIT:
                problems.append(f"embed {number} field {name!r} is {units(value)} > {FIELD_VALUE_LIMIT}")
        total += embed_units(embed)
    if total > MESSAGE_EMBED_TOTAL:
        problems.append(f"embeds total {total} > {MESSAGE_EMBED_TOTAL}")
    return problems


def texts_of(embeds: Sequence[discord.Embed], content: str | None = None) -> list[str]:
    """Every piece of text a message shows, for checks that nothing in it can ping."""
    texts = [content or ""]
    for embed in embeds:
        texts += [embed.title or "", embed.description or "", embed.footer.text or "", embed.author.name or ""]
        texts += [part for f in embed.fields for part in (f.name or "", f.value or "")]
    return texts
