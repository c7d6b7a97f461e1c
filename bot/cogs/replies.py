"""How commands answer (in the channel or only to the person, for slash and text commands
alike, and ranked papers as numbered cards) and how often a person may run the heavier ones.

A slash command can answer ephemerally; a text command cannot, so its private answers are a
reply to the person's message instead. Nothing a command sends can ping anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord.ext import commands

from .. import cards
from ..cards import NO_MENTIONS
from ..views import group_key, list_view, user_key

if TYPE_CHECKING:
    from recommender import Recommendation

    from ..client import PaperclubBot

    Context = commands.Context[PaperclubBot]
else:
    Context = commands.Context

# Set on an interaction deferred in public whose first answer has not been sent yet: a private
# answer must then replace the public "thinking…" message rather than fill it in.
PUBLIC_PLACEHOLDER = "paperclub_public_placeholder"
COOLDOWN_USES, COOLDOWN_SECONDS = 5, 30.0

CommandT = TypeVar("CommandT")


def heavy() -> Callable[[CommandT], CommandT]:
    """A per-person cooldown for a command that makes the library work harder (a new one for
    each command, so each has its own allowance)."""
    return commands.cooldown(COOLDOWN_USES, COOLDOWN_SECONDS, commands.BucketType.user)


def user_of(ctx: Context) -> str:
    return user_key(ctx.author)


def group_of(ctx: Context) -> str | None:
    return group_key(ctx.guild.id if ctx.guild else None)


def server_of(ctx: Context) -> str:
    """The group of a command that works only in a server (`commands.guild_only`)."""
    group = group_of(ctx)
    if group is None:
        raise commands.NoPrivateMessage()
    return group


def links_channel_id(channel: discord.abc.MessageableChannel) -> int:
    """Where a channel's link-card setting lives: a thread follows its parent channel."""
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return channel.parent_id
    return channel.id


async def think(ctx: Context, private: bool = False) -> None:
    """Acknowledge a slash command at once ("thinking…") so slow work cannot time it out."""
    interaction = ctx.interaction
    if interaction is None or interaction.response.is_done():
        return
    await ctx.defer(ephemeral=private)
    if not private:
        interaction.extras[PUBLIC_PLACEHOLDER] = True


async def reply(
    ctx: Context,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    private: bool = False,
) -> discord.Message | None:
    """Send one answer: in the channel, or (private) ephemerally / as a reply to the author."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if embeds:
        kwargs["embeds"] = list(embeds)
    if view is not None:
        kwargs["view"] = view
    interaction = ctx.interaction
    if interaction is None:
        reference = ctx.message.to_reference(fail_if_not_exists=False)
        return await ctx.send(content, reference=reference, mention_author=False, **kwargs)
    if interaction.extras.pop(PUBLIC_PLACEHOLDER, False) and private:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            pass
    return await ctx.send(content, ephemeral=private, **kwargs)


async def send_ranked(
    ctx: Context, content: str, results: Sequence[Recommendation], private: bool
) -> None:
    """Ranked papers as numbered cards, five to a message, each message with its buttons."""
    papers = [r.paper for r in results]
    embeds = cards.ranked_cards(results)
    for start in range(0, len(results), cards.CARDS_PER_MESSAGE):
        end = start + cards.CARDS_PER_MESSAGE
        await reply(
            ctx,
            content if start == 0 else None,
            embeds=embeds[start:end],
            view=list_view(papers[start:end], start + 1),
            private=private,
        )
