"""Paper cards: a paper's full card, compact numbered cards for lists (search results, rankings,
a paper list), and the paper id a card carries back.

Every card carries its paper's id in its footer (`paperclub #42`), so a button or a message
command on it can tell which paper it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import discord

from recommender import Paper, Recommendation, SearchResult

from .text import (
    COLOUR,
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBED_TOTAL,
    TITLE_LIMIT,
    add_field,
    clip,
    embed_units,
    fit,
    free_marks,
    highlighted,
    neutralise,
    paragraphs,
    plain,
    reason_text,
    single_line,
    units,
)

CARDS_PER_MESSAGE = 5
FOOTER_PREFIX = "paperclub #"
FOOTER_ID = re.compile(r"\bpaperclub #([0-9]{1,18})\b")
# A card in a message of several gets an equal share of the 6,000, less some room to spare.
LIST_CARD_BUDGET = (MESSAGE_EMBED_TOTAL - 40) // CARDS_PER_MESSAGE
FULL_ABSTRACT = 1500
LIST_BODY = 350
VENUE_SHOWN = 200  # of a venue (up to 300 characters), on a paper's own card
VENUE_IN_LIST = 60  # on a compact card's date line
# A paper's link as a masked link target: nothing that could end the link early or hide it.
LINK_TARGET = re.compile(r"https?://[^\s()<>\[\]]+")


# -- a paper in running text -----------------------------------------------------------------


def inline_title(paper: Paper, limit: int = 150) -> str:
    """A paper's title for running text, e.g. inside `*…*`."""
    return plain(paper.title, limit) or f"paper #{paper.id}"


def linked_title(paper: Paper, limit: int = 120) -> str:
    """A paper's title for running text, as a link to it when it has a plain web address."""
    title = inline_title(paper, limit)
    if paper.url and len(paper.url) <= 200 and LINK_TARGET.fullmatch(paper.url):
        return f"[{title}]({paper.url})"
    return title


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


def _new_card(paper: Paper, title: str) -> discord.Embed:
    embed = discord.Embed(title=title, url=paper.url, colour=COLOUR)
    embed.set_footer(text=footer_text(paper))
    return embed


# -- cards -----------------------------------------------------------------------------------


def paper_card(paper: Paper, reason: str | None = None) -> discord.Embed:
    """The full card of one paper: title, authors, editors, categories, date and venue, citation
    fields, code, abstract, reason."""
    embed = _new_card(paper, card_title(paper))
    add_field(embed, "Authors", authors_text(paper, 8, FIELD_VALUE_LIMIT), inline=False)
    add_field(embed, "Organisations", plain(", ".join(paper.organisations), 300), inline=False)
    add_field(embed, "Categories", plain(" ".join(paper.categories), 300), inline=True)
    add_field(embed, "Editors", plain(", ".join(person.display for person in paper.editors), 300), inline=False)
    add_field(embed, "Published", published_text(paper, VENUE_SHOWN), inline=True)
    add_field(embed, "Citation", plain(paper.details, 300), inline=True)
    add_field(embed, "Code", "available" if paper.has_code else "", inline=True)
    if paper.lang != "en":
        add_field(embed, "Language", plain(paper.lang, 20), inline=True)
    if reason:
        add_field(embed, "Why", reason_text(reason, 500), inline=False)
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
        add_field(embed, "Why", reason_text(reason, 300), inline=False)
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


def search_page_text(query: str, offset: int, shown: int) -> str:
    """The line above a page of search results: which of them it shows, or that there are none."""
    query = plain(query, 200)
    if not shown:
        return f"No papers match “{query}”." if offset == 0 else f"No more results for “{query}”."
    return f"Results {offset + 1}–{offset + shown} for “{query}”:"


def ranked_cards(results: Sequence[Recommendation], first_rank: int = 1, budget: int = LIST_CARD_BUDGET) -> list[discord.Embed]:
    """One compact card per recommendation, with its reason."""
    return [
        _list_card(r.paper, rank, "", r.reason or None, budget)
        for rank, r in enumerate(results, first_rank)
    ]


def paper_list_cards(papers: Sequence[Paper], first_rank: int = 1, budget: int = LIST_CARD_BUDGET) -> list[discord.Embed]:
    """One compact numbered card per paper."""
    return [_list_card(paper, rank, "", None, budget) for rank, paper in enumerate(papers, first_rank)]


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
