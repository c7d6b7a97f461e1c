"""Finding papers: search, random, similar, paper, help, and the "More like this" message command.

Results are posted in the channel for everyone to see; the buttons under them count for
whoever clicks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from recommender import Paper, PaperNotFound, Recommendation

from ..render.help import help_card
from ..render.papers import inline_title, paper_card, ranked_cards
from ..views import (
    GONE,
    answer_error,
    card_view,
    list_view,
    paper_id_of_message,
    send_private,
    user_key,
)
from .autocomplete import paper_choices
from .hybrid import hybrid_command
from .replies import Context, acknowledged, group_of, heavy, reply, user_of

if TYPE_CHECKING:
    from ..client import PaperclubBot

SIMILAR_COUNT = 5
SURPRISE_WORDS = {"surprise", "surprise:true", "surprise:yes"}


class Papers(commands.Cog):
    """Search, look up and discover papers."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot
        self.more_like_this_menu = app_commands.ContextMenu(name="More like this", callback=self.more_like_this)

    async def similar_to(self, ref: str | int, for_user: str) -> tuple[Paper, list[Recommendation]]:
        """The paper a reference names and the papers closest to it, without those `for_user`
        marked "not for me"."""
        paper = await self.bot.lib.paper(ref)
        return paper, await self.bot.lib.similar(paper.id, SIMILAR_COUNT, for_user)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.more_like_this_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.more_like_this_menu.name, type=self.more_like_this_menu.type)

    @hybrid_command(extras=acknowledged())
    @heavy()
    async def search(self, ctx: Context, *, query: str) -> None:
        """Search the reading list: ranked results with snippets, 5 a page.

        Parameters
        ----------
        query
            Words, "a phrase", author:Name, cat:cs.LG, year:2019, word OR word, -word, prefix*
        """
        pager = self.bot.pager
        session = pager.open(ctx.author.id, query)
        page = await pager.page(session, 0)
        message = await reply(ctx, page.content, embeds=page.embeds, view=page.view)
        pager.watch(session, message)

    @hybrid_command(name="random", extras=acknowledged())
    @heavy()
    async def random_paper(self, ctx: Context, category: str | None = None, surprise: bool = False) -> None:
        """A random paper, from one arXiv category if you like, or a surprise picked for you.

        Parameters
        ----------
        category
            An arXiv category such as cs.CL or stat.ML (or just CL)
        surprise
            Pick from further down your own ranking instead of at random
        """
        if category and category.strip().casefold() in SURPRISE_WORDS:
            category, surprise = None, True
        paper = await self.bot.lib.random(category or None, user_of(ctx) if surprise else None, group_of(ctx))
        await reply(ctx, embeds=[paper_card(paper)], view=card_view(paper))

    @hybrid_command(extras=acknowledged())
    @heavy()
    async def similar(self, ctx: Context, *, paper: str) -> None:
        """More like this: the papers closest to one paper, with the words they share.

        Parameters
        ----------
        paper
            A paper: start typing its title, or give its id, arXiv id or link
        """
        source, results = await self.similar_to(paper, user_of(ctx))
        title = inline_title(source)
        if not results:
            await reply(ctx, f"Nothing in the library is close to *{title}* yet.")
            return
        await reply(
            ctx, f"More like *{title}*:", embeds=ranked_cards(results), view=list_view([r.paper for r in results])
        )

    @similar.autocomplete("paper")
    async def _similar_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await paper_choices(interaction, current)

    @hybrid_command(extras=acknowledged())
    async def paper(self, ctx: Context, *, paper: str) -> None:
        """The full card of one paper.

        Parameters
        ----------
        paper
            A paper: start typing its title, or give its id, arXiv id or link
        """
        found = await self.bot.lib.paper(paper)
        await reply(ctx, embeds=[paper_card(found)], view=card_view(found))

    @paper.autocomplete("paper")
    async def _paper_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await paper_choices(interaction, current)

    @hybrid_command(name="help")
    async def help_command(self, ctx: Context) -> None:
        """What paperclub can do."""
        await reply(ctx, embeds=[help_card(self.bot.settings.prefix)], private=True)

    async def more_like_this(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Papers like the one on a paperclub card (message command)."""
        bot_user = self.bot.user
        paper_id = paper_id_of_message(message) if bot_user and message.author.id == bot_user.id else None
        if paper_id is None:
            await send_private(
                interaction, "Use **More like this** on a paperclub paper card (a message from this bot with a paper on it)."
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            source, results = await self.similar_to(paper_id, user_key(interaction.user))
        except PaperNotFound:
            await send_private(interaction, GONE)
            return
        except Exception as exc:
            await answer_error(interaction, exc, "More like this")
            return
        title = inline_title(source)
        if not results:
            await send_private(interaction, f"Nothing in the library is close to *{title}* yet.")
            return
        await send_private(
            interaction,
            f"More like *{title}* (only you can see these):",
            embeds=ranked_cards(results),
            view=list_view([r.paper for r in results]),
        )
