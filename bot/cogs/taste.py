"""Interests and follows: /taste (with mute:N and unmute:N), /follow, /unfollow, /follows.

What a person reads and follows is their business: every answer goes only to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import discord
from discord import app_commands
from discord.ext import commands

from recommender import person_target

from ..render.taste import follow_message, follow_text, follows_card, muted_message, taste_card
from ..render.text import CHOICE_NAME_LIMIT, clip, plain
from ..views import taste_view, user_key
from .hybrid import hybrid_command
from .replies import Context, acknowledged, group_of, reply, user_of

if TYPE_CHECKING:
    from ..client import PaperclubBot

QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'", "‘": "’"}
KIND_PREFIXES = ("author:", "phrase:")
NO_LIKES = ("You have no interests here yet: they are made from your likes. Like a few papers (/like, the "
            "Like buttons, or /import your reference manager's library) and /taste groups them by topic.")
FOLLOW_USAGE = ('Give a phrase or an author to follow: `/follow "neural ODE"` or '
                '`/follow author:"R. T. Q. Chen"`.')


def unquote(text: str) -> str:
    """Text with one pair of surrounding quotes taken off (`"neural ODE"` → `neural ODE`)."""
    text = text.strip()
    if len(text) >= 2 and QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def split_kind(text: str) -> tuple[str | None, str]:
    """`author:Name` or `phrase:words` as (kind, text); plain text as (None, text)."""
    text = text.strip()
    for prefix in KIND_PREFIXES:
        if text.casefold().startswith(prefix):
            return prefix[:-1], unquote(text[len(prefix):])
    return None, unquote(text)


# An interest's number: more than a thousand is a typo (and past 2**63 SQLite cannot take it).
InterestNumber = Annotated[int | None, commands.Range[int, 1, 1000]]


class TasteFlags(commands.FlagConverter, case_insensitive=True):
    """`!taste mute:2` / `/taste unmute:2`."""

    mute: InterestNumber = commands.flag(default=None, description="Mute interest N: it stops drawing recommendations")
    unmute: InterestNumber = commands.flag(default=None, description="Unmute interest N")


class FollowFlags(commands.FlagConverter, case_insensitive=True):
    """`!follow "neural ODE"` (a phrase: the positional flag) or `!follow author:"R. T. Q. Chen"`."""

    phrase: str | None = commands.flag(
        default=None, positional=True, description='A phrase whose new papers you want, e.g. "neural ODE"'
    )
    author: str | None = commands.flag(
        default=None, description='An author whose new papers you want, e.g. "R. T. Q. Chen"'
    )


class Taste(commands.Cog):
    """Your interests, and the authors and phrases you follow."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot

    @hybrid_command(extras=acknowledged(private=True))
    async def taste(self, ctx: Context, *, options: TasteFlags) -> None:
        """Your interests here: your likes grouped by topic, and how much colleagues' likes count here."""
        user, group = user_of(ctx), group_of(ctx)
        changed = None
        if options.mute is not None:
            changed = await self.bot.lib.mute_interest(user, options.mute, True, group)
        if options.unmute is not None:
            changed = await self.bot.lib.mute_interest(user, options.unmute, False, group)
        interests = await self.bot.lib.taste(user, group)
        if not interests:
            await reply(ctx, NO_LIKES, private=True)
            return
        colleagues = await self.bot.lib.co_like_weight(group) if group else None
        await reply(
            ctx,
            muted_message(changed) if changed is not None else None,
            embeds=[taste_card(interests, where=" here" if ctx.guild else "", colleagues=colleagues)],
            view=taste_view(ctx.author.id, interests),
            private=True,
        )

    @hybrid_command(extras=acknowledged(private=True))
    async def follow(self, ctx: Context, *, what: FollowFlags) -> None:
        """Follow an author or a phrase: their new papers always reach your personal digest."""
        wanted = [(kind, unquote(text)) for kind, text in (("phrase", what.phrase), ("author", what.author)) if text]
        if not wanted:
            await reply(ctx, FOLLOW_USAGE, private=True)
            return
        user = user_of(ctx)
        answers = []
        for kind, text in wanted:
            follow, added = await self.bot.lib.follow(user, text, kind, group_of(ctx))
            answers.append((follow, added))
        subscription = await self.bot.lib.subscription(person_target(user))
        text = "\n".join(follow_message(f, added, subscription is not None, ctx.guild is not None)
                         for f, added in answers)
        await reply(ctx, text, private=True)

    @hybrid_command(extras=acknowledged(private=True))
    async def unfollow(self, ctx: Context, *, followed: str) -> None:
        """Stop following an author or a phrase.

        Parameters
        ----------
        followed
            The author or phrase, as you followed it (author:Name picks the author)
        """
        kind, text = split_kind(followed)
        removed = await self.bot.lib.unfollow(user_of(ctx), text, kind)
        if not removed:
            shown = plain(text, 200)
            await reply(ctx, f"You do not follow “{shown}”. /follows lists what you follow.", private=True)
            return
        names = " and ".join(follow_text(f) for f in removed)
        await reply(ctx, f"You no longer follow {names}.", private=True)

    @unfollow.autocomplete("followed")
    async def _unfollow_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        mine = await self.bot.lib.follows(user_key(interaction.user))
        typed = current.strip().casefold()
        choices = []
        for follow in mine:
            value = f"{follow.kind}:{follow.text}"
            if typed in follow.text.casefold() and len(value) <= 100:
                choices.append(app_commands.Choice(name=clip(f"{follow.kind}: {follow.text}", CHOICE_NAME_LIMIT), value=value))
        return choices[:25]

    @hybrid_command()
    async def follows(self, ctx: Context) -> None:
        """The authors and phrases you follow."""
        mine = await self.bot.lib.follows(user_of(ctx))
        if not mine:
            await reply(ctx, "You follow no authors or phrases yet. " + FOLLOW_USAGE, private=True)
            return
        await reply(ctx, embeds=[follows_card(mine)], private=True)
