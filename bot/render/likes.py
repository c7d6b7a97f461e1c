"""Likes and "not for me": the list of someone's likes, and the private confirmations."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from recommender import Paper, Signal

from .papers import inline_title
from .text import COLOUR, DESCRIPTION_LIMIT, TITLE_LIMIT, clip, plain


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


def liked_message(paper: Paper) -> str:
    """The private confirmation of a like, from a command or a button."""
    return f"Liked *{inline_title(paper)}*. Your recommendations will use it."


def disliked_message(paper: Paper) -> str:
    """The private confirmation of a "not for me", from a command or a button."""
    return (f"Noted: fewer papers like *{inline_title(paper)}*, and it will not be shown to you again "
            "(in your recommendations, More like this, surprises or your personal digest).")
