"""Buttons under paper cards, and search paging.

Every button is a `DynamicItem`: its `custom_id` carries what it needs (`paperclub:like:42`), so
it works for anyone who clicks it and keeps working after a restart, as long as the classes in
`DYNAMIC_ITEMS` are registered with `bot.add_dynamic_items`. A click counts for the person who
clicked, in the server it was clicked in, and is answered only to them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from recommender import Interest, InterestNotFound, Paper, PaperNotFound, database_problem

from .render.club import CLUB_IN_SERVERS, proposed_message
from .render.errors import error_text
from .render.likes import disliked_message, liked_message
from .render.papers import CARDS_PER_MESSAGE, paper_id_of, ranked_cards, search_cards, search_page_text
from .render.taste import INTERESTS_SHOWN, muted_message, taste_card
from .render.text import NO_MENTIONS, SELECT_OPTION_LABEL_LIMIT, clip, single_line

if TYPE_CHECKING:
    from .client import PaperclubBot

log = logging.getLogger(__name__)

FAILURE = "Something went wrong on our side; it has been logged."
GONE = "That paper is no longer in the library."
NOT_YOUR_INTERESTS = "These buttons belong to the person whose interests they list: run /taste to see yours."
INTEREST_GONE = ("Your likes have changed since this list was made and that interest is gone: "
                 "run /taste again.")
PAGE_SIZE = CARDS_PER_MESSAGE
# A list of cards: rows 0-2 hold a button per paper, then the propose menu, then links or pages.
PROPOSE_ROW, LAST_ROW = 3, 4
PAGE_TIMEOUT = 180.0
ACTION_ID = re.compile(r"paperclub:(?:like|dislike|similar|propose):([0-9]{1,18})")


def user_key(user: discord.abc.Snowflake) -> str:
    """Who a like belongs to: the Discord user id."""
    return str(user.id)


def group_key(guild_id: int | None) -> str | None:
    """The group a like belongs to: the server id, or None in direct messages."""
    return str(guild_id) if guild_id else None


# -- answering interactions ------------------------------------------------------------------


async def send_private(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> None:
    """Answer only the person who clicked or typed, whether or not we answered them before."""
    kwargs: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_MENTIONS}
    if content:
        kwargs["content"] = content
    if embeds:
        kwargs["embeds"] = list(embeds)
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


async def answer_error(interaction: discord.Interaction, error: BaseException, what: str) -> None:
    """Tell the person what went wrong: plainly for their mistakes, briefly for ours (logged)."""
    text = error_text(error)
    if database_problem(error):
        log.error("%s failed: %s (%s)", what, database_problem(error), error)
    if text is None:
        log.error("%s failed", what, exc_info=error)
        text = FAILURE
    try:
        await send_private(interaction, text)
    except discord.HTTPException:
        log.warning("Could not tell %s that %s failed", interaction.user, what, exc_info=True)


# -- buttons on paper cards ------------------------------------------------------------------


class PaperAction:
    """What the paper buttons share; each subclass is also a DynamicItem with a template."""

    verb: ClassVar[str]
    label: ClassVar[str]
    emoji: ClassVar[str]
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary

    def __init__(self, paper_id: int, rank: int | None = None, row: int | None = None):
        button: discord.ui.Button[Any] = discord.ui.Button(
            style=self.style,
            label=str(rank) if rank is not None else self.label,
            emoji=self.emoji,
            custom_id=f"paperclub:{self.verb}:{paper_id}",
        )
        super().__init__(button, row=row)  # type: ignore[call-arg]
        self.paper_id = paper_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.act(interaction, interaction.client)  # type: ignore[arg-type]
        except PaperNotFound:
            await send_private(interaction, GONE)
        except Exception as exc:
            await answer_error(interaction, exc, f"the {self.verb} button on paper #{self.paper_id}")

    async def act(self, interaction: discord.Interaction, bot: PaperclubBot) -> None:
        raise NotImplementedError


class LikeButton(PaperAction, discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"paperclub:like:(?P<id>[0-9]{1,18})"):
    verb, label, emoji = "like", "Like", "👍"
    style = discord.ButtonStyle.success

    async def act(self, interaction: discord.Interaction, bot: PaperclubBot) -> None:
        paper = await bot.lib.like(user_key(interaction.user), self.paper_id, group_key(interaction.guild_id))
        await send_private(interaction, liked_message(paper))


class DislikeButton(PaperAction, discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"paperclub:dislike:(?P<id>[0-9]{1,18})"):
    verb, label, emoji = "dislike", "Not for me", "👎"

    async def act(self, interaction: discord.Interaction, bot: PaperclubBot) -> None:
        paper = await bot.lib.dislike(user_key(interaction.user), self.paper_id, group_key(interaction.guild_id))
        await send_private(interaction, disliked_message(paper))


class SimilarButton(PaperAction, discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"paperclub:similar:(?P<id>[0-9]{1,18})"):
    verb, label, emoji = "similar", "More like this", "🔎"

    async def act(self, interaction: discord.Interaction, bot: PaperclubBot) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        results = await bot.lib.similar(self.paper_id, PAGE_SIZE, user_key(interaction.user))
        if not results:
            await send_private(interaction, "Nothing in the library is close to that paper yet.")
            return
        await send_private(
            interaction,
            "More like this (only you can see these):",
            embeds=ranked_cards(results),
            view=list_view([r.paper for r in results]),
        )


class ProposeButton(PaperAction, discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"paperclub:propose:(?P<id>[0-9]{1,18})"):
    verb, label, emoji = "propose", "Propose for paper club", "📚"

    async def act(self, interaction: discord.Interaction, bot: PaperclubBot) -> None:
        await propose(interaction, bot, self.paper_id)


PROPOSE_MENU_ID = "paperclub:propose-menu"


class ProposeMenu(discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]], template=PROPOSE_MENU_ID):
    """"Propose for paper club…" under a list of cards: one option per numbered paper (a row
    of five buttons would leave no room for the papers' links)."""

    def __init__(self, options: Sequence[discord.SelectOption], row: int | None = None):
        menu: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=PROPOSE_MENU_ID, placeholder="📚 Propose for paper club…", options=list(options),
        )
        super().__init__(menu, row=row)

    @classmethod
    def of(cls, papers: Sequence[Paper], first_rank: int, row: int | None = None) -> ProposeMenu:
        options = [discord.SelectOption(label=clip(f"{rank}. {single_line(paper.title)}", SELECT_OPTION_LABEL_LIMIT),
                                        value=str(paper.id))
                   for rank, paper in enumerate(papers, first_rank)]
        return cls(options, row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ProposeMenu:
        return cls(item.options if isinstance(item, discord.ui.Select) else [])

    async def callback(self, interaction: discord.Interaction) -> None:
        chosen = self.item.values[0] if self.item.values else ""
        try:
            await propose(interaction, interaction.client, int(chosen))  # type: ignore[arg-type]
        except PaperNotFound:
            await send_private(interaction, GONE)
        except Exception as exc:
            await answer_error(interaction, exc, f"the propose menu (paper {chosen!r})")


async def propose(interaction: discord.Interaction, bot: PaperclubBot, paper_id: int) -> None:
    """Put a paper on the shortlist of the server clicked in, for the person who clicked."""
    group = group_key(interaction.guild_id)
    if group is None:
        await send_private(interaction, CLUB_IN_SERVERS)
        return
    proposal = await bot.lib.propose(group, paper_id, user_key(interaction.user))
    await send_private(interaction, proposed_message(proposal.paper))


# -- muting interests -------------------------------------------------------------------------


def interest_anchor(interest: Interest) -> int | None:
    """The liked paper a button names an interest by: the one that stands for it best."""
    if interest.examples:
        return interest.examples[0].id
    return interest.paper_ids[0] if interest.paper_ids else None


class MuteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"paperclub:mute:(?P<user>[0-9]{1,20}):(?P<paper>[0-9]{1,18}):(?P<state>on|off)",
):
    """Mute (state on) or unmute (off) one interest of one person, named by a paper it holds;
    only that person may use it. The list it sits under is redrawn after the click."""

    def __init__(self, user_id: int, paper_id: int, mute: bool, number: int | None = None, row: int | None = None):
        verb = "Mute" if mute else "Unmute"
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary if mute else discord.ButtonStyle.primary,
                label=f"{verb} {number}" if number is not None else verb,
                emoji="🔇" if mute else "🔔",
                custom_id=f"paperclub:mute:{user_id}:{paper_id}:{'on' if mute else 'off'}",
            ),
            row=row,
        )
        self.user_id = user_id
        self.paper_id = paper_id
        self.mute = mute

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MuteButton:
        return cls(int(match["user"]), int(match["paper"]), match["state"] == "on")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.act(interaction, interaction.client)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 (told to the person; logged when it is ours)
            await answer_error(interaction, exc, f"the mute button of user {self.user_id}")

    async def act(self, interaction: discord.Interaction, bot: PaperclubBot) -> None:
        if interaction.user.id != self.user_id:
            await send_private(interaction, NOT_YOUR_INTERESTS)
            return
        group = group_key(interaction.guild_id)
        user = str(self.user_id)
        try:
            # Interests are numbered anew as likes change; a liked paper names the same interest
            # across such changes.
            changed = await bot.lib.mute_interest(user, None, self.mute, group, holding=self.paper_id)
        except InterestNotFound:
            raise InterestNotFound(INTEREST_GONE) from None
        interests = await bot.lib.taste(user, group)
        colleagues = await bot.lib.co_like_weight(group) if group else None
        await interaction.response.edit_message(
            content=muted_message(changed),
            embed=taste_card(interests, where=" here" if interaction.guild_id else "", colleagues=colleagues),
            view=taste_view(self.user_id, interests),
            allowed_mentions=NO_MENTIONS,
        )


def taste_view(user_id: int, interests: Sequence[Interest]) -> discord.ui.View | None:
    """A Mute or Unmute button for each interest listed (none when there is none)."""
    view = discord.ui.View(timeout=None)
    for interest in interests[:INTERESTS_SHOWN]:
        anchor = interest_anchor(interest)
        if anchor is not None:
            view.add_item(MuteButton(user_id, anchor, not interest.muted, interest.number))
    return view if view.children else None


def card_view(paper: Paper) -> discord.ui.View:
    """The buttons under one paper's card."""
    view = discord.ui.View(timeout=None)
    for action in (LikeButton, DislikeButton, SimilarButton, ProposeButton):
        view.add_item(action(paper.id))
    if paper.url:
        view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label="arXiv", url=paper.url))
    return view


def list_view(papers: Sequence[Paper], first_rank: int = 1, paging: bool = False) -> discord.ui.View:
    """The controls under up to five numbered cards, in Discord's five rows: a row each of Like,
    Not for me and More like this buttons, a "Propose for paper club…" menu, and the papers'
    links; or, with `paging` (a search with more pages), the page buttons in the links' row
    (each card's title links to its paper as well)."""
    view = discord.ui.View(timeout=None)
    shown = papers[:PAGE_SIZE]
    for row, action in enumerate((LikeButton, DislikeButton, SimilarButton)):
        for rank, paper in enumerate(shown, first_rank):
            view.add_item(action(paper.id, rank=rank, row=row))
    if shown:
        view.add_item(ProposeMenu.of(shown, first_rank, row=PROPOSE_ROW))
    if not paging:
        for rank, paper in enumerate(shown, first_rank):
            if paper.url:
                view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=f"arXiv {rank}", url=paper.url,
                                                row=LAST_ROW))
    return view


def paper_id_of_message(message: discord.Message) -> int | None:
    """The paper a bot message is about: from its first card's footer, else from its buttons."""
    found = paper_id_of(message.embeds)
    if found is not None:
        return found
    for row in message.components:
        for child in getattr(row, "children", []):
            match = ACTION_ID.fullmatch(getattr(child, "custom_id", None) or "")
            if match:
                return int(match.group(1))
    return None


# -- search paging ---------------------------------------------------------------------------


@dataclass
class SearchSession:
    """One person's search whose pages can still be turned."""

    token: str
    owner_id: int
    query: str
    offset: int = 0
    has_next: bool = False
    papers: list[Paper] = field(default_factory=list)
    expires: float = 0.0
    message: discord.Message | None = None


@dataclass
class Page:
    content: str
    embeds: list[discord.Embed]
    view: discord.ui.View | None


class PageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"paperclub:page:(?P<token>[0-9a-f]{8}):(?P<direction>prev|next)"):
    """Previous / Next under a search page; only the person who searched may use them."""

    def __init__(self, token: str, direction: str, disabled: bool = False):
        label = "Previous" if direction == "prev" else "Next"
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label=label,
                emoji="◀️" if direction == "prev" else "▶️",
                custom_id=f"paperclub:page:{token}:{direction}",
                disabled=disabled,
            ),
            row=LAST_ROW,
        )
        self.token = token
        self.direction = direction

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["token"], match["direction"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: PaperclubBot = interaction.client  # type: ignore[assignment]
        session = bot.pager.sessions.get(self.token)
        try:
            if session is None:
                await send_private(interaction, "These results have expired: run /search again.")
                return
            if interaction.user.id != session.owner_id:
                await send_private(interaction, "These pages belong to the person who searched: run /search yourself.")
                return
            await interaction.response.defer()
            step = PAGE_SIZE if self.direction == "next" else -PAGE_SIZE
            page = await bot.pager.page(session, max(0, session.offset + step))
            bot.pager.extend(session)
            await interaction.edit_original_response(
                content=page.content, embeds=page.embeds, view=page.view, allowed_mentions=NO_MENTIONS
            )
        except Exception as exc:
            await answer_error(interaction, exc, "turning a search page")


class SearchPager:
    """Open searches: their query, page and owner, until they time out and their buttons are
    disabled."""

    def __init__(self, bot: PaperclubBot, timeout: float = PAGE_TIMEOUT):
        self.bot = bot
        self.timeout = timeout
        self.sessions: dict[str, SearchSession] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def open(self, owner_id: int, query: str) -> SearchSession:
        token = secrets.token_hex(4)
        while token in self.sessions:
            token = secrets.token_hex(4)
        return SearchSession(token, owner_id, query)

    async def page(self, session: SearchSession, offset: int) -> Page:
        """Run the search for one page and render it (raises QueryError for a bad query)."""
        results = await self.bot.lib.search(session.query, PAGE_SIZE + 1, offset)
        shown = results[:PAGE_SIZE]
        session.offset, session.has_next = offset, len(results) > PAGE_SIZE
        session.papers = [r.paper for r in shown]
        return Page(search_page_text(session.query, offset, len(shown)), search_cards(shown, offset + 1),
                    self.view(session))

    def view(self, session: SearchSession, expired: bool = False) -> discord.ui.View | None:
        """The buttons for the session's current page; paging only when there is another page."""
        paging = session.offset > 0 or session.has_next
        view = list_view(session.papers, session.offset + 1, paging)
        if paging:
            view.add_item(PageButton(session.token, "prev", disabled=expired or session.offset == 0))
            view.add_item(PageButton(session.token, "next", disabled=expired or not session.has_next))
        return view if view.children else None

    def watch(self, session: SearchSession, message: discord.Message | None) -> None:
        """Keep the session turnable until it times out, then disable its paging buttons."""
        if message is None or not (session.offset > 0 or session.has_next):
            return
        session.message = message
        self.sessions[session.token] = session
        self.extend(session)
        task = asyncio.get_running_loop().create_task(self._expire(session), name=f"paperclub-search-{session.token}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def extend(self, session: SearchSession) -> None:
        session.expires = asyncio.get_running_loop().time() + self.timeout

    async def _expire(self, session: SearchSession) -> None:
        loop = asyncio.get_running_loop()
        while (left := session.expires - loop.time()) > 0:
            await asyncio.sleep(left)
        self.sessions.pop(session.token, None)
        if session.message is None:
            return
        try:
            await session.message.edit(view=self.view(session, expired=True), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.debug("Could not disable the paging buttons of search %s", session.token, exc_info=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.sessions.clear()


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    LikeButton, DislikeButton, SimilarButton, ProposeButton, ProposeMenu, PageButton, MuteButton,
)
