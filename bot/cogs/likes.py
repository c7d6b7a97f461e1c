"""Taste: like, unlike, dislike, likes, recommend, trending.

What a person likes and what is picked for them is their business: those answers go only to
them, unless they choose to share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..render.likes import disliked_message, liked_message, likes_card
from ..render.papers import inline_title
from ..render.text import plain
from .autocomplete import liked_paper_choices, paper_choices
from .hybrid import hybrid_command
from .replies import Context, acknowledged, group_of, heavy, private_unless, reply, send_ranked, server_of, user_of

if TYPE_CHECKING:
    from ..client import PaperclubBot

TRENDING_COUNT = 10
ALL_MUTED = ("Every one of your interests here is muted, so there is nothing to recommend: "
             "unmute one with /taste.")
NOTHING_TO_SUGGEST = "Nothing to suggest yet: the library has no papers you have not seen."
IMPORT_EXPORT_HINT = ("/import brings in your own library (BibTeX, RIS, CSL-JSON, Zotero CSV) as likes; "
                      "/export sends your likes as a file for your reference manager.")


class Likes(commands.Cog):
    """Likes, "not for me", and what they make of the rankings."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot

    async def _all_muted(self, user: str, group: str | None) -> bool:
        """Whether a person has interests here and every one of them is muted (so nothing is
        recommended)."""
        interests = await self.bot.lib.taste(user, group)
        return bool(interests) and all(i.muted for i in interests)

    @hybrid_command(extras=acknowledged(private=True))
    async def like(self, ctx: Context, *, paper: str) -> None:
        """Like a paper: your recommendations will use it.

        Parameters
        ----------
        paper
            A paper: start typing its title, or give its id, arXiv id or link
        """
        found = await self.bot.lib.like(user_of(ctx), paper, group_of(ctx))
        await reply(ctx, liked_message(found), private=True)

    @like.autocomplete("paper")
    async def _like_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await paper_choices(interaction, current)

    @hybrid_command(extras=acknowledged(private=True))
    async def dislike(self, ctx: Context, *, paper: str) -> None:
        """Mark a paper "not for me": it and papers like it move down your ranking.

        Parameters
        ----------
        paper
            A paper: start typing its title, or give its id, arXiv id or link
        """
        found = await self.bot.lib.dislike(user_of(ctx), paper, group_of(ctx))
        await reply(ctx, disliked_message(found), private=True)

    @dislike.autocomplete("paper")
    async def _dislike_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await paper_choices(interaction, current)

    @hybrid_command(extras=acknowledged(private=True))
    async def unlike(self, ctx: Context, *, paper: str) -> None:
        """Take back your like or "not for me" on a paper.

        Parameters
        ----------
        paper
            One of the papers you liked: start typing its title
        """
        found = await self.bot.lib.unlike(user_of(ctx), paper)
        await reply(ctx, f"Forgot your like or “not for me” on *{inline_title(found)}*.", private=True)

    @unlike.autocomplete("paper")
    async def _unlike_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await liked_paper_choices(interaction, current)

    @hybrid_command(extras=acknowledged(private=private_unless("share")))
    async def likes(self, ctx: Context, member: discord.User | None = None, share: bool = False) -> None:
        """The papers someone liked here (you, unless you pick someone).

        Parameters
        ----------
        member
            Whose likes to show
        share
            Post the list in the channel instead of only to you
        """
        person = member or ctx.author
        signals = await self.bot.lib.likes(str(person.id), group_of(ctx))
        if not signals:
            if person.id == ctx.author.id:
                text = ("You have not liked any papers here yet: use /like, the Like button under a paper, "
                        "or /import your Zotero, JabRef or Mendeley library.")
            else:
                text = f"{plain(person.display_name, 80)} has not liked any papers here yet."
            await reply(ctx, text, private=not share)
            return
        card = likes_card(signals, person.display_name)
        card.set_footer(text=IMPORT_EXPORT_HINT)
        await reply(ctx, embeds=[card], private=not share)

    @hybrid_command(extras=acknowledged(private=private_unless("share")))
    @heavy()
    async def recommend(
        self, ctx: Context, count: commands.Range[int, 1, 10] = 5, share: bool = False
    ) -> None:
        """Your recommendations, each with the reason it was picked.

        Parameters
        ----------
        count
            How many papers (1 to 10)
        share
            Post them in the channel instead of only to you
        """
        user, group = user_of(ctx), group_of(ctx)
        results = await self.bot.lib.recommend(user, count, group)
        if not results:
            text = ALL_MUTED if await self._all_muted(user, group) else NOTHING_TO_SUGGEST
            await reply(ctx, text, private=not share)
            return
        whose = "you" if not share else plain(ctx.author.display_name, 80)
        await send_ranked(ctx, f"Picked for {whose}:", results, private=not share)

    @hybrid_command(extras=acknowledged())
    @commands.guild_only()
    async def trending(self, ctx: Context, days: commands.Range[int, 1, 365] = 7) -> None:
        """What this server liked most lately.

        Parameters
        ----------
        days
            How far back to look, in days (1 to 365)
        """
        results = await self.bot.lib.trending(server_of(ctx), days, TRENDING_COUNT)
        period = "day" if days == 1 else f"{days} days"
        if not results:
            await reply(ctx, f"Nothing was liked here in the last {period}. Like papers with /like or the Like buttons.")
            return
        await send_ranked(ctx, f"Most liked here in the last {period}:", results, private=False)
