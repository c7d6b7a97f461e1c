"""Paper cards: pure functions from the core's data types to Discord embeds and message text.

Everything shown here comes from paper listings and from people, so every piece of text is
markdown-escaped, has its mentions neutralised (a zero-width space after each `@`), and is cut
to fit Discord's limits. Lengths are counted in UTF-16 code units, which is never less than what
Discord counts, so a card that fits here fits there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import discord

from recommender import (
    ClubError,
    CoLikeWeight,
    Follow,
    FollowError,
    FollowKind,
    Interest,
    InterestNotFound,
    Paper,
    PaperNotFound,
    QueryError,
    Recommendation,
    SearchResult,
    Signal,
    SubscriptionError,
    database_problem,
    parse_arxiv_ref,
)

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

CARDS_PER_MESSAGE = 5
COLOUR = discord.Colour(0x3B7EA1)
ELLIPSIS = "…"
WORD_BACKOFF = 30  # a cut moves back to the end of a word when one ends this close
ZWSP = "\u200b"
FOOTER_PREFIX = "paperclub #"
FOOTER_ID = re.compile(r"\bpaperclub #([0-9]{1,18})\b")
# A card in a message of several gets an equal share of the 6,000, less some room to spare.
LIST_CARD_BUDGET = (MESSAGE_EMBED_TOTAL - 40) // CARDS_PER_MESSAGE
FULL_ABSTRACT = 1500
LIST_BODY = 350
VENUE_SHOWN = 200  # of a venue (up to 300 characters), on a paper's own card
VENUE_IN_LIST = 60  # on a compact card's date line
NO_MENTIONS = discord.AllowedMentions.none()
LINK = re.compile(r"https?://[^\s<]+[^<.,:;\"'\]\s]")
INLINE_MARKDOWN = re.compile(r"[\\*_~|`\[\]<]")
# At the start of a line: quotes, headings and subtext, lists.
LINE_MARKDOWN = re.compile(r"^(\s*)(>>>|>|#{1,3}|-#|-|\+)(?=\s)", re.MULTILINE)
NUMBERED_LIST = re.compile(r"^(\s*[0-9]+)\.(?=\s)", re.MULTILINE)
# A paper's link as a masked link target: nothing that could end the link early or hide it.
LINK_TARGET = re.compile(r"https?://[^\s()<>\[\]]+")
INTERESTS_SHOWN = 10
FOLLOWS_SHOWN = 50


# -- text ------------------------------------------------------------------------------------


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


def inline_title(paper: Paper, limit: int = 150) -> str:
    """A paper's title for running text, e.g. inside `*…*`."""
    return plain(paper.title, limit) or f"paper #{paper.id}"


def message_text(text: str, limit: int = CONTENT_LIMIT) -> str:
    """Outside text (an error naming a user's query, a title list) made safe for a message."""
    return fit(paragraphs(text), limit)


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


# -- pieces of a card ------------------------------------------------------------------------


def authors_text(paper: Paper, most: int, limit: int) -> str:
    """The first `most` authors, then "et al. (N authors)"; as many names as fit in `limit`."""
    names = [plain(person.display, 80) for person in paper.authors if person]
    if not names:
        return ""
    total = len(names)

    def suffix(shown: int) -> str:
        hidden = total - shown
        if hidden <= 0:
            return " et al." if paper.authors_truncated else ""
        count = f"{total}+" if paper.authors_truncated else str(total)
        return f" et al. ({count} authors)"

    shown: list[str] = []
    for name in names[:most]:
        if units(", ".join([*shown, name]) + suffix(len(shown) + 1)) > limit:
            break
        shown.append(name)
    if not shown:
        return clip(names[0] + suffix(1), limit)
    return ", ".join(shown) + suffix(len(shown))


def venue_text(paper: Paper, limit: int) -> str:
    """The venue in italics (`*Physical Review D*`), cut to `limit` with its marks; "" when
    unknown or when there is no room for it."""
    venue = plain(paper.venue or "", limit - 2) if limit > 4 else ""
    return f"*{venue}*" if venue else ""


def published_text(paper: Paper, venue_limit: int) -> str:
    """Date (as far as it is known: `1958`, `June 1958`) · *venue*, either one alone, or ""."""
    bits = [paper.date_label] if paper.date_label else []
    venue = venue_text(paper, venue_limit)
    return " · ".join(bits + [venue] if venue else bits)


def meta_text(paper: Paper, limit: int) -> str:
    """Date · *venue* · categories · "code available": one line. The date and venue come whole
    (the venue cut to at most half of `limit`), so a cut never splits the venue's italics."""
    head = published_text(paper, min(VENUE_IN_LIST, limit // 2, limit - len("September 2019 · ")))
    bits = []
    if paper.categories:
        bits.append(" ".join(plain(c, 40) for c in paper.categories[:6]) + (" …" if len(paper.categories) > 6 else ""))
    if paper.has_code:
        bits.append("code available")
    tail = " · ".join(bits)
    if not head:
        return clip(tail, limit)
    rest = clip(tail, limit - units(head) - 3) if tail else ""
    return f"{head} · {rest}" if rest else head


def footer_text(paper: Paper) -> str:
    text = f"{FOOTER_PREFIX}{paper.id}"
    if paper.arxiv_id:
        # Footers show text as it is (no markdown), so the id is not escaped.
        text += f" · arXiv:{neutralise(single_line(paper.arxiv_id))[:40]}"
    return text


def card_title(paper: Paper, rank: int | None = None, limit: int = TITLE_LIMIT) -> str:
    head = f"{rank}. " if rank is not None else ""
    return head + (plain(paper.title, limit - len(head)) or f"Untitled paper #{paper.id}")


def _add_field(embed: discord.Embed, name: str, value: str, inline: bool) -> None:
    """A field, unless it would be empty (Discord refuses empty fields)."""
    if value.strip():
        embed.add_field(name=name, value=value, inline=inline)


def _new_card(paper: Paper, title: str) -> discord.Embed:
    embed = discord.Embed(title=title, url=paper.url, colour=COLOUR)
    embed.set_footer(text=footer_text(paper))
    return embed


def embed_units(embed: discord.Embed) -> int:
    """How much of a message's 6,000 an embed uses."""
    total = units(embed.title or "") + units(embed.description or "")
    total += sum(units(f.name or "") + units(f.value or "") for f in embed.fields)
    total += units(embed.footer.text or "") + units(embed.author.name or "")
    return total


# -- cards -----------------------------------------------------------------------------------


def paper_card(paper: Paper, reason: str | None = None) -> discord.Embed:
    """The full card of one paper: title, authors, editors, categories, date and venue, citation
    fields, code, abstract, reason."""
    embed = _new_card(paper, card_title(paper))
    _add_field(embed, "Authors", authors_text(paper, 8, FIELD_VALUE_LIMIT), inline=False)
    _add_field(embed, "Organisations", plain(", ".join(paper.organisations), 300), inline=False)
    _add_field(embed, "Categories", plain(" ".join(paper.categories), 300), inline=True)
    _add_field(embed, "Editors", plain(", ".join(person.display for person in paper.editors), 300), inline=False)
    _add_field(embed, "Published", published_text(paper, VENUE_SHOWN), inline=True)
    _add_field(embed, "Citation", plain(paper.details, 300), inline=True)
    _add_field(embed, "Code", "available" if paper.has_code else "", inline=True)
    if paper.lang != "en":
        _add_field(embed, "Language", plain(paper.lang, 20), inline=True)
    if reason:
        _add_field(embed, "Why", reason_text(reason, 500), inline=False)
    note = "*Title taken from the abstract.*\n" if paper.title_derived else ""
    abstract = fit(paragraphs(paper.abstract), FULL_ABSTRACT)
    embed.description = (note + abstract).strip() or None
    return embed


def _list_card(
    paper: Paper, rank: int, body: str, reason: str | None, budget: int, marks: tuple[str, str] | None = None
) -> discord.Embed:
    """A compact card for a list: fixed parts are bounded, the body (a snippet highlighted with
    `marks`, or else the abstract) gets what is left."""
    embed = _new_card(paper, card_title(paper, rank, 200))
    if reason:
        _add_field(embed, "Why", reason_text(reason, 300), inline=False)
    head = "\n".join(line for line in (authors_text(paper, 3, 150), meta_text(paper, 120)) if line)
    room = budget - embed_units(embed) - units(head) - 2
    if marks is None or not body:
        body = fit(paragraphs(paper.abstract), min(LIST_BODY, room))
    else:
        body = highlighted(body, min(LIST_BODY, room), *marks)
    embed.description = "\n\n".join(part for part in (head, body) if part) or None
    return embed


def search_cards(results: Sequence[SearchResult], first_rank: int = 1, budget: int = LIST_CARD_BUDGET) -> list[discord.Embed]:
    """One compact card per search hit, its snippet with the matched words in bold."""
    embeds = []
    for rank, result in enumerate(results, first_rank):
        marks = free_marks(result.highlighted("", ""))
        snippet = paragraphs(result.highlighted(*marks))
        embeds.append(_list_card(result.paper, rank, snippet, None, budget, marks))
    return embeds


def ranked_cards(results: Sequence[Recommendation], first_rank: int = 1, budget: int = LIST_CARD_BUDGET) -> list[discord.Embed]:
    """One compact card per recommendation, with its reason."""
    return [
        _list_card(r.paper, rank, "", r.reason or None, budget)
        for rank, r in enumerate(results, first_rank)
    ]


def paper_list_cards(papers: Sequence[Paper], first_rank: int = 1, budget: int = LIST_CARD_BUDGET) -> list[discord.Embed]:
    """One compact numbered card per paper."""
    return [_list_card(paper, rank, "", None, budget) for rank, paper in enumerate(papers, first_rank)]


def likes_card(signals: Sequence[Signal], whose: str, shown: int = 20) -> discord.Embed:
    """A list of liked papers, newest first (not a paper card: it carries no paper id)."""
    title = f"{plain(whose, 150)} liked {len(signals)} paper{'s' if len(signals) != 1 else ''}"
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=COLOUR)
    lines = [
        f"`#{s.paper.id}` {inline_title(s.paper, 150)} · {s.created[:10]}" for s in signals[:shown]
    ]
    if len(signals) > shown:
        lines.append(f"…and {len(signals) - shown} more.")
    embed.description = clip("\n".join(lines), DESCRIPTION_LIMIT) or "No likes yet."
    return embed


class HelpEntry(NamedTuple):
    usage: str
    text: str


HELP_ENTRIES = (
    HelpEntry("search <query>", "ranked results with snippets, 5 a page. Try `neural ode`, `\"normalizing flows\"`, `author:Duvenaud`, `cat:cs.LG`, `year:2019`, `diffusion OR flow`, `-word`, `prefix*`."),
    HelpEntry("paper <paper>", "the full card of one paper (by id, arXiv id or link, or part of its title)."),
    HelpEntry("similar <paper>", "more like this: the closest papers and the words they share."),
    HelpEntry("random [category] [surprise]", "a random paper; with surprise, one from further down your own ranking."),
    HelpEntry("like <paper> · dislike <paper> · unlike <paper>", "tell the bot what you want more (or fewer) of; only you see the answer."),
    HelpEntry("likes [member]", "the papers someone liked here."),
    HelpEntry("import <file> · export [mine|server] [format]", "your Zotero, JabRef or Mendeley library in as your likes (only you see the answer); likes out as BibTeX, BibLaTeX, RIS, CSL-JSON or CSV."),
    HelpEntry("recommend [count]", "your own picks (1–10), each with the reason it was chosen."),
    HelpEntry("trending [days]", "what this server liked most lately."),
    HelpEntry("add <arXiv ids or links>", "bring papers in from arXiv and show their cards."),
    HelpEntry("taste [mute:N] [unmute:N]", "your interests here: your likes grouped by topic, each with its words and two example papers. Mute one (a button, or `mute:N`) and it stops drawing recommendations and digest picks."),
    HelpEntry("follow \"phrase\" · follow author:\"Name\"", "every new paper using that phrase, or by that author (\"R. T. Q. Chen\" is \"Ricky T. Q. Chen\"), reaches your personal digest, marked why; in this server's channel digest it is lifted."),
    HelpEntry("follows · unfollow <author or phrase>", "what you follow, and stop following one."),
    HelpEntry("digest subscribe <categories> [time] [timezone] [size]", "a daily digest of fresh arXiv papers in this channel, ranked for this server (Manage Channels). Also `digest show`, `digest preview`, `digest unsubscribe`, `digest links on`, and `digest me` for your own by DM."),
    HelpEntry("club propose · shortlist · withdraw · suggest · poll", "the paper club: propose papers (or press 📚 under a card, or pick one in the 📚 menu under a list), vote in a poll, and the winner's card comes when it ends."),
    HelpEntry("club schedule <paper> <when> · next · cancel · history · setup", "a session with a Discord event, a thread and reminders the day and the hour before (Manage Events or the club's role)."),
    HelpEntry("digest … only_relevant · min_score", "a relevance floor for a channel's or your own digest (and its preview): papers less like the likes are left out, and a day with nothing relevant posts nothing (or one line, with say_when_empty)."),
)


def help_card(prefix: str) -> discord.Embed:
    """What the bot can do, in one card."""
    shown_prefix = safe(prefix)
    embed = discord.Embed(
        title="paperclub: the lab's reading list",
        colour=COLOUR,
        description=(
            f"Every command works as a slash command (`/search`) or as text (`{shown_prefix}search`, "
            "or mention the bot first). Under each paper: **Like**, **Not for me** and "
            "**More like this** count for whoever clicks them. Right-click a paper card → "
            "Apps → **More like this** does the same."
        ),
    )
    for entry in HELP_ENTRIES:
        embed.add_field(name=f"/{entry.usage}", value=entry.text, inline=False)
    return embed


# -- errors people can fix -------------------------------------------------------------------


def error_text(error: BaseException) -> str | None:
    """What to tell a person about an error they can do something about, or None."""
    if isinstance(error, PaperNotFound):
        return message_text(_not_found_text(error), 1500)
    if isinstance(error, (QueryError, SubscriptionError, FollowError, InterestNotFound, ClubError)):
        return message_text(str(error), 1500)
    return database_problem(error)


def _not_found_text(error: PaperNotFound) -> str:
    """Why a reference found no paper; for an arXiv id or a DOI, how to bring the paper in."""
    arxiv_id = None if error.ambiguous else parse_arxiv_ref(error.ref)
    if arxiv_id:
        return f"arXiv:{arxiv_id} is not in the library; /add {arxiv_id} brings it in from arXiv."
    if error.doi:
        return (f"No paper with the DOI {error.doi} is in the library; a reading list that lists it brings it in "
                "(/import).")
    return str(error)


# -- reading cards back ----------------------------------------------------------------------


def paper_id_of(embeds: Iterable[discord.Embed]) -> int | None:
    """The paper id a card's footer carries (the first card's, for a list)."""
    for embed in embeds:
        match = FOOTER_ID.search(embed.footer.text or "")
        if match:
            return int(match.group(1))
    return None


def chunks(embeds: Sequence[discord.Embed], size: int = CARDS_PER_MESSAGE) -> list[list[discord.Embed]]:
    return [list(embeds[i:i + size]) for i in range(0, len(embeds), size)]


# -- checking --------------------------------------------------------------------------------


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


def liked_message(paper: Paper) -> str:
    """The private confirmation of a like, from a command or a button."""
    return f"Liked *{inline_title(paper)}*. Your recommendations will use it."


def disliked_message(paper: Paper) -> str:
    """The private confirmation of a "not for me", from a command or a button."""
    return (f"Noted: fewer papers like *{inline_title(paper)}*, and it will not be shown to you again "
            "(in your recommendations, More like this, surprises or your personal digest).")


# -- the paper club --------------------------------------------------------------------------

CLUB_IN_SERVERS = "The paper club meets in a server: propose papers there."


def proposed_message(paper: Paper) -> str:
    """The confirmation of a proposal, from a command or a button."""
    return f"Proposed *{inline_title(paper)}* for the paper club: it is on the shortlist (/club shortlist)."


# -- interests and follows -------------------------------------------------------------------


def linked_title(paper: Paper, limit: int = 120) -> str:
    """A paper's title for running text, as a link to it when it has a plain web address."""
    title = inline_title(paper, limit)
    if paper.url and len(paper.url) <= 200 and LINK_TARGET.fullmatch(paper.url):
        return f"[{title}]({paper.url})"
    return title


def interest_heading(interest: Interest) -> str:
    likes = f"{interest.likes} like{'s' if interest.likes != 1 else ''}"
    state = " · 🔇 muted" if interest.muted else ""
    return clip(f"{interest.number}. {plain(interest.label, 150)} · {likes}{state}", FIELD_NAME_LIMIT)


def interest_text(interest: Interest, limit: int = FIELD_VALUE_LIMIT) -> str:
    """An interest's top words and its two example papers (linked when they fit), in `limit`."""
    limit = min(limit, FIELD_VALUE_LIMIT)
    words = plain(", ".join(interest.terms), min(300, limit // 3))
    lines = [f"**Words:** {words}"] if words else []
    examples = interest.examples[:2]
    for number, paper in enumerate(examples):
        room = (limit - units("\n".join(lines)) - 1) // (len(examples) - number)
        line = f"• {linked_title(paper)}"
        if units(line) > room:  # a link cut short would show its markdown: the title alone
            line = f"• {inline_title(paper, max(1, room - 2))}"
        lines.append(line)
    return clip("\n".join(lines), limit) or "(no words yet)"


def taste_card(interests: Sequence[Interest], whose: str = "Your", where: str = "",
               colleagues: CoLikeWeight | None = None) -> discord.Embed:
    """A person's interests, one field each (not a paper card: it carries no paper id), and
    in a server how much colleagues' co-likes count there (`colleagues`)."""
    count = len(interests)
    muted = sum(1 for i in interests if i.muted)
    title = f"{whose} interests{where}: {count}" + (f", {muted} muted" if muted else "")
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=COLOUR)
    embed.description = (
        "Your likes, grouped by what the papers are about; each interest gets places in your "
        "recommendations in proportion to its likes. A muted interest draws no recommendations "
        "or digest picks until you unmute it."
    )
    if colleagues is not None:
        embed.description += "\n\n**Colleagues:** " + colleagues.describe()
    if count > INTERESTS_SHOWN:
        embed.set_footer(text=f"…and {count - INTERESTS_SHOWN} more.")
    else:
        embed.set_footer(text="Mute or unmute with the buttons, or /taste mute:N · /taste unmute:N")
    shown = interests[:INTERESTS_SHOWN]
    for interest in shown:
        heading = interest_heading(interest)
        share = (MESSAGE_EMBED_TOTAL - 100 - embed_units(embed)) // max(1, len(shown) - len(embed.fields))
        _add_field(embed, heading, interest_text(interest, share - units(heading)), inline=False)
    return embed


def muted_message(interest: Interest) -> str:
    """The confirmation of muting or unmuting an interest."""
    label = plain(interest.label, 150)
    if interest.muted:
        return (f"Muted interest {interest.number} ({label}): it no longer draws recommendations or "
                f"digest picks. Unmute it here, or with /taste unmute:{interest.number}.")
    return f"Interest {interest.number} ({label}) is unmuted: it draws recommendations again."


def follow_text(follow: Follow, limit: int = 200) -> str:
    """A follow for running text: *author Name* or “phrase”, safe."""
    text = plain(follow.text, limit)
    return f"author *{text}*" if follow.kind == FollowKind.AUTHOR else f"“{text}”"


def follows_card(follows: Sequence[Follow]) -> discord.Embed:
    """The authors and phrases a person follows, oldest first."""
    authors = sum(1 for f in follows if f.kind == FollowKind.AUTHOR)
    phrases = len(follows) - authors
    parts = [f"{authors} author{'s' if authors != 1 else ''}"] if authors else []
    if phrases:
        parts.append(f"{phrases} phrase{'s' if phrases != 1 else ''}")
    embed = discord.Embed(title=f"You follow {' and '.join(parts)}", colour=COLOUR)
    lines = [f"• {follow_text(f, 150)}" + (f" · since {f.created[:10]}" if f.created else "")
             for f in follows[:FOLLOWS_SHOWN]]
    if len(follows) > FOLLOWS_SHOWN:
        lines.append(f"…and {len(follows) - FOLLOWS_SHOWN} more.")
    embed.description = clip("\n".join(lines), DESCRIPTION_LIMIT)
    embed.set_footer(text="Their new papers always reach your personal digest (/digest me), marked why. "
                          "/unfollow stops one.")
    return embed
