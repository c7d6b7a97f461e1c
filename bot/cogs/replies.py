"""How commands answer (in the channel or only to the person, for slash and text commands
alike, and ranked papers as numbered cards), how a slow one is acknowledged at once, and how
often a person may run the heavier ones.

A slash command can answer ephemerally; a text command cannot, so its private answers are a
reply to the person's message instead. Nothing a command sends can ping anyone. A command that
may take a while declares `extras=acknowledged(...)`; the bot's pre-invoke hook `acknowledge`
then defers its interaction before the command starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord.ext import commands

from ..render.papers import CARDS_PER_MESSAGE, ranked_cards
from ..render.text import NO_MENTIONS
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
# The keys of a command's `extras` saying it is acknowledged at once, to whom, and what of its
# arguments is checked before that.
ACKNOWLEDGE = "paperclub_acknowledge"
CHECKED_FIRST = "paperclub_checked_first"
Privacy = bool | Callable[[Mapping[str, Any]], bool]
ArgumentCheck = Callable[[Mapping[str, Any]], object]

CommandT = TypeVar("CommandT")


class Refusal(commands.CheckFailure):
    """A check's refusal, in a sentence for the person (a check runs before any "thinking…")."""


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


def acknowledged(private: Privacy = False, check_first: ArgumentCheck | None = None) -> dict[str, Any]:
    """The `extras` of a command that may take a while: the bot acknowledges it as a slash command
    ("thinking…") before the command starts, so Discord's three seconds cannot run out. `private`
    says whether only the person sees the answer: yes or no, or a function of the command's
    arguments (by name) for a command where the person chooses. `check_first`, a function of the
    arguments, runs before that: an error it raises is answered at once, privately, so input the
    command refuses never shows a public "thinking…" (the command reads its arguments the same
    way again: the check only moves the refusal ahead)."""
    return {ACKNOWLEDGE: private, CHECKED_FIRST: check_first}


def private_unless(option: str) -> Privacy:
    """Private unless the person set the yes/no `option` (such as `share`)."""
    return lambda arguments: not arguments[option]


async def acknowledge(ctx: Context) -> None:
    """The bot's pre-invoke hook (after checks and arguments): defer the interaction of a slash
    command declared `acknowledged`. A text command has no interaction to time out."""
    interaction = ctx.interaction
    extras = ctx.command.extras if ctx.command is not None else {}
    if interaction is None or ACKNOWLEDGE not in extras or interaction.response.is_done():
        return
    declared, check_first = extras[ACKNOWLEDGE], extras.get(CHECKED_FIRST)
    private = declared(ctx.kwargs) if callable(declared) else declared
    try:
        if check_first is not None:
            check_first(ctx.kwargs)
        await ctx.defer(ephemeral=private)
    except Exception as exc:
        # wrapped as discord.py wraps a command's own errors: else the error handler never sees it
        raise commands.CommandInvokeError(exc) from exc
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
    embeds = ranked_cards(results)
    for start in range(0, len(results), CARDS_PER_MESSAGE):
        end = start + CARDS_PER_MESSAGE
        await reply(
            ctx,
            content if start == 0 else None,
            embeds=embeds[start:end],
            view=list_view(papers[start:end], start + 1),
            private=private,
        )
