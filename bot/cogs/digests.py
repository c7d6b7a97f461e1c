"""Daily digests: /digest subscribe|show|unsubscribe|preview|me, and /digest links, the setting
of the link cards (see `arxiv_links`) that lives in the /digest group.

Anyone may look at a channel's digest; changing it takes the Manage Channels permission.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import discord
from discord import app_commands
from discord.ext import commands

from recommender import DEFAULT_DIGEST_SIZE, MAX_DIGEST_SIZE, channel_target, person_target, relevance_floor

from ..render.digests import preview_text, subscription_text
from .autocomplete import time_zone_choices
from .hybrid import hybrid_group, subcommand
from .replies import Context, acknowledged, group_of, heavy, links_channel_id, reply, send_ranked, user_of

if TYPE_CHECKING:
    from ..client import PaperclubBot

# A relevance floor: typed float-or-None for mypy, converted strictly as a number from 0 to 1 by
# discord.py (an Optional converter would quietly skip a bad value in a text command).
Score = Annotated[float | None, commands.Range[float, 0.0, 1.0]]
OFF_WORDS = {"off", "stop", "none", "no", "unsubscribe"}


class Digests(commands.Cog):
    """Daily digests of fresh arXiv papers (and whether a channel answers arXiv links with cards)."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot

    def now(self) -> datetime:
        return self.bot.scheduler.clock()

    @hybrid_group(name="digest", fallback="show")
    async def digest(self, ctx: Context) -> None:
        """Show this channel's daily arXiv digest (anyone may look)."""
        target = channel_target(ctx.channel.id) if ctx.guild else person_target(user_of(ctx))
        subscription = await self.bot.lib.subscription(target)
        if ctx.guild:
            text = subscription_text(subscription, "This channel")
        else:
            text = subscription_text(subscription, "You", "/digest me")
        await reply(ctx, text, private=True)

    @subcommand(digest, name="subscribe", extras=acknowledged(
        check_first=lambda arguments: relevance_floor(arguments["only_relevant"], arguments["min_score"])))
    @commands.guild_only()
    @commands.has_permissions(manage_channels=True)
    async def subscribe(
        self, ctx: Context, categories: str, time: str = "08:00", timezone: str = "UTC",
        size: commands.Range[int, 1, MAX_DIGEST_SIZE] = DEFAULT_DIGEST_SIZE, cross_lists: bool = False, say_when_empty: bool = False,
        only_relevant: bool = False, min_score: Score = None,
    ) -> None:
        """Post a daily digest of fresh arXiv papers in this channel, ranked for this server.

        Parameters
        ----------
        categories
            arXiv categories, e.g. "cs.LG stat.ML"
        time
            Local time to post, e.g. 08:30
        timezone
            Your time zone, e.g. Europe/Berlin
        size
            How many papers (1 to 10)
        cross_lists
            Also include papers cross-listed into these categories
        say_when_empty
            Post a one-line note on days without new (or relevant) papers
        only_relevant
            Leave out papers not close to this server's likes; a day with none posts nothing
        min_score
            Your own floor instead: leave out papers scoring under it (0 to 1)
        """
        floor = relevance_floor(only_relevant, min_score)
        subscription = await self.bot.lib.subscribe(
            channel_target(ctx.channel.id), categories, post_time=time, timezone_name=timezone,
            size=size, cross_lists=cross_lists, say_when_empty=say_when_empty, min_score=floor,
            group=group_of(ctx), by=user_of(ctx), now=self.now(),
        )
        await reply(ctx, subscription_text(subscription, "This channel") + " The first one comes at the next posting time.")

    @subcommand(digest, name="unsubscribe")
    @commands.guild_only()
    @commands.has_permissions(manage_channels=True)
    async def unsubscribe(self, ctx: Context) -> None:
        """Stop this channel's daily digest."""
        removed = await self.bot.lib.unsubscribe(channel_target(ctx.channel.id))
        text = "This channel's daily digest is stopped." if removed else "This channel has no daily digest."
        await reply(ctx, text)

    @subcommand(digest, name="preview", extras=acknowledged(private=True))
    @commands.guild_only()
    @heavy()
    async def preview(
        self, ctx: Context, categories: str | None = None, size: Annotated[int | None, commands.Range[int, 1, MAX_DIGEST_SIZE]] = None,
        cross_lists: bool | None = None, only_relevant: bool | None = None,
        min_score: Score = None,
    ) -> None:
        """See, only for you, what this channel's digest would post now.

        Parameters
        ----------
        categories
            arXiv categories to try instead of the channel's, e.g. "cs.LG stat.ML"
        size
            How many papers (1 to 10)
        cross_lists
            Include cross-listed papers
        only_relevant
            Only papers close to this server's likes (yes/no; the channel's setting if left out)
        min_score
            Leave out papers scoring under this floor (0 to 1)
        """
        subscription = await self.bot.lib.subscription(channel_target(ctx.channel.id))
        if categories is None and subscription is None:
            await reply(ctx, "This channel has no digest yet: give categories, e.g. `/digest preview cs.LG`.", private=True)
            return
        wanted = categories or " ".join(subscription.categories if subscription else ())
        size = size or (subscription.size if subscription else DEFAULT_DIGEST_SIZE)
        cross = cross_lists if cross_lists is not None else bool(subscription and subscription.cross_lists)
        if only_relevant is None and min_score is None:
            floor = subscription.min_score if subscription else None
        else:
            floor = relevance_floor(only_relevant, min_score)
        now = self.now()
        needed = await self.bot.lib.feeds_to_fetch(wanted, now)
        for category, day in needed:
            await self.bot.scheduler.fetch(category, day, now)
        preview = await self.bot.lib.preview_digest(
            wanted, now, group=group_of(ctx), size=size, cross_lists=cross,
            recipient=channel_target(ctx.channel.id), min_score=floor,
        )
        text = preview_text(preview, floor)
        if not preview.picks or (preview.below_floor and floor is not None):
            await reply(ctx, text, private=True)
            return
        await send_ranked(ctx, text, preview.picks, private=True)

    @subcommand(digest, name="me")
    async def me(
        self, ctx: Context, categories: str | None = None, time: str = "08:00", timezone: str = "UTC",
        size: commands.Range[int, 1, MAX_DIGEST_SIZE] = DEFAULT_DIGEST_SIZE, cross_lists: bool = False, say_when_empty: bool = False,
        only_relevant: bool = False, min_score: Score = None,
    ) -> None:
        """Your own daily digest in direct messages, ranked by your likes ("off" stops it).

        Parameters
        ----------
        categories
            arXiv categories, e.g. "cs.LG stat.ML"; "off" to stop; empty to see yours
        time
            Local time to send it, e.g. 08:30
        timezone
            Your time zone, e.g. Europe/Berlin
        size
            How many papers (1 to 10)
        cross_lists
            Also include papers cross-listed into these categories
        say_when_empty
            Send a one-line note on days without new (or relevant) papers
        only_relevant
            Leave out papers not close to your likes (followed ones always come)
        min_score
            Your own floor instead: leave out papers scoring under it (0 to 1)
        """
        target = person_target(user_of(ctx))
        if categories is None:
            subscription = await self.bot.lib.subscription(target)
            await reply(ctx, subscription_text(subscription, "You", "/digest me"), private=True)
            return
        if categories.strip().lower() in OFF_WORDS:
            removed = await self.bot.lib.unsubscribe(target)
            await reply(ctx, "Your personal digest is stopped." if removed else "You had no personal digest.", private=True)
            return
        subscription = await self.bot.lib.subscribe(
            target, categories, post_time=time, timezone_name=timezone, size=size,
            cross_lists=cross_lists, say_when_empty=say_when_empty, min_score=relevance_floor(only_relevant, min_score),
            by=user_of(ctx), now=self.now(),
        )
        await reply(ctx, subscription_text(subscription, "You") + " It comes by direct message; keep DMs from this server open.", private=True)

    @subcommand(digest, name="links")
    @commands.guild_only()
    async def links(self, ctx: Context, setting: bool | None = None) -> None:
        """Answer arXiv links posted in this channel with the paper's card (on/off).

        Parameters
        ----------
        setting
            on or off (Manage Channels); leave empty to see the current setting
        """
        channel_id = links_channel_id(ctx.channel)
        if setting is None:
            on = await self.bot.lib.links_on(channel_id)
            await reply(ctx, f"Link cards are {'on' if on else 'off'} in this channel.", private=True)
            return
        author = ctx.author
        if not isinstance(author, discord.Member) or not ctx.channel.permissions_for(author).manage_channels:
            raise commands.MissingPermissions(["manage_channels"])
        await self.bot.lib.set_links(channel_id, setting)
        text = f"Link cards are now {'on' if setting else 'off'} in this channel."
        if setting and not self.bot.intents.message_content:
            text += (" Note: the bot runs without the Message Content intent, so it cannot read links in "
                     "messages; turn the intent on in the Developer Portal.")
        await reply(ctx, text)

    @subscribe.autocomplete("timezone")
    @me.autocomplete("timezone")
    async def timezone_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return time_zone_choices(current)
