"""Papers from arXiv by id or link: /add, and the cards the bot answers arXiv links posted in
chat with, in channels that asked for it (`/digest links`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from recommender import ArxivError, PaperNotFound, find_arxiv_refs, parse_arxiv_ref

from ..render.papers import CARDS_PER_MESSAGE, paper_card, paper_list_cards
from ..render.text import NO_MENTIONS
from ..views import card_view, list_view
from .hybrid import hybrid_command
from .replies import Context, Refusal, acknowledged, heavy, links_channel_id, reply

if TYPE_CHECKING:
    from recommender import Paper

    from ..client import PaperclubBot

log = logging.getLogger(__name__)

MAX_LINKS = 5


NO_REFS = "Give arXiv ids or links, such as `2310.13548` or `https://arxiv.org/abs/2310.13548`."


def refs_in(papers: str) -> list[str]:
    """The arXiv ids /add was given (at most MAX_LINKS)."""
    return [ref for ref in (parse_arxiv_ref(word) for word in papers.split()) if ref][:MAX_LINKS]


def some_refs_in(arguments: Mapping[str, Any]) -> None:
    """/add's check before it is acknowledged: a Refusal when its text names no arXiv paper."""
    if not refs_in(arguments["papers"]):
        raise Refusal(NO_REFS)


class ArxivLinks(commands.Cog):
    """Papers added from arXiv by id or link, and cards for arXiv links posted in chat."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot

    @hybrid_command(name="add", extras=acknowledged(check_first=some_refs_in))
    @heavy()
    async def add(self, ctx: Context, *, papers: str) -> None:
        """Add papers from arXiv to the reading list by id or link, and show their cards.

        Parameters
        ----------
        papers
            arXiv ids or links, e.g. 2310.13548 or https://arxiv.org/abs/2310.13548
        """
        refs = refs_in(papers)
        if not refs:
            await reply(ctx, NO_REFS, private=True)
            return
        found = await self._look_up(refs)
        unknown = [ref for ref in refs if ref not in {p.arxiv_id for p in found}]
        if not found:
            await reply(ctx, f"arXiv has nothing under {', '.join(unknown)} (or could not be reached).", private=True)
            return
        note = f"Not found on arXiv: {', '.join(unknown)}." if unknown else None
        if len(found) == 1:
            await reply(ctx, note, embeds=[paper_card(found[0])], view=card_view(found[0]))
            return
        await reply(ctx, note, embeds=paper_list_cards(found), view=list_view(found))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a message with arXiv links, in a channel that asked for it, with their cards."""
        if message.author.bot or message.guild is None or not message.content:
            return
        refs = find_arxiv_refs(message.content, MAX_LINKS)
        if not refs:
            return
        try:
            # A command with a link in it (`!paper <link>`, `!like <link>`) is answered by the command.
            if (await self.bot.get_context(message)).valid:
                return
            await self._answer_links(message, refs)
        except Exception:
            log.exception("Answering the arXiv links in message %s failed", message.id)

    async def _answer_links(self, message: discord.Message, refs: list[str]) -> None:
        if not await self.bot.lib.links_on(links_channel_id(message.channel)):
            return
        papers = await self._look_up(refs)
        if not papers:
            return
        order: dict[str | None, int] = {ref: i for i, ref in enumerate(refs)}
        papers.sort(key=lambda p: order.get(p.arxiv_id, len(order)))
        reference = message.to_reference(fail_if_not_exists=False)
        if len(papers) == 1:
            await message.channel.send(embed=paper_card(papers[0]), view=card_view(papers[0]),
                                       reference=reference, mention_author=False, allowed_mentions=NO_MENTIONS)
            return
        await message.channel.send(embeds=paper_list_cards(papers[:CARDS_PER_MESSAGE]), view=list_view(papers),
                                   reference=reference, mention_author=False, allowed_mentions=NO_MENTIONS)

    async def _look_up(self, refs: list[str]) -> list[Paper]:
        """The papers named by `refs`: those in the library, and those arXiv knows, added to
        it on a network thread (none of these if arXiv is out of reach)."""
        try:
            addition = await self.bot.lib.add_from_arxiv(refs, self.bot.arxiv.lookup)
        except ArxivError as exc:
            log.warning("Could not look up the arXiv links %s: %s", ", ".join(refs), exc)
            return await self._in_library(refs)
        return addition.papers

    async def _in_library(self, refs: list[str]) -> list[Paper]:
        """The papers among arXiv ids that the library already holds."""
        found = []
        for ref in refs:
            try:
                found.append(await self.bot.lib.paper(ref))
            except PaperNotFound:
                pass
        return found
