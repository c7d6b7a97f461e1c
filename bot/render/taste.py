"""Interests and follows: a person's interests as a card, the follows they keep, and the
confirmations of muting and following."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from recommender import MAX_FOLLOWS, CoLikeWeight, Follow, FollowKind, Interest

from .papers import inline_title, linked_title
from .text import (
    COLOUR,
    DESCRIPTION_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBED_TOTAL,
    TITLE_LIMIT,
    add_field,
    clip,
    embed_units,
    plain,
    units,
)

INTERESTS_SHOWN = 10


def interest_heading(interest: Interest) -> str:
    likes = f"{interest.likes} like{'s' if interest.likes != 1 else ''}"
    state = " · 🔇 muted" if interest.muted else ""
    return clip(f"{interest.number}. {plain(interest.label, 150)} · {likes}{state}", FIELD_NAME_LIMIT)


def interest_text(interest: Interest, limit: int = FIELD_VALUE_LIMIT) -> str:
    """An interest's top words and its two example papers (linked when they fit), in `limit`."""
    limit = min(limit, FIELD_VALUE_LIMIT)
    words = plain(", ".join(interest.terms), min(300, limit // 3))
    lines = [f"**Words:** {words}"] if words else []
    examples = interest.examples[:2]
    for number, paper in enumerate(examples):
        room = (limit - units("\n".join(lines)) - 1) // (len(examples) - number)
        line = f"• {linked_title(paper)}"
        if units(line) > room:  # a link cut short would show its markdown: the title alone
            line = f"• {inline_title(paper, max(1, room - 2))}"
        lines.append(line)
    return clip("\n".join(lines), limit) or "(no words yet)"


def taste_card(interests: Sequence[Interest], whose: str = "Your", where: str = "",
               colleagues: CoLikeWeight | None = None) -> discord.Embed:
    """A person's interests, one field each (not a paper card: it carries no paper id), and
    in a server how much colleagues' co-likes count there (`colleagues`)."""
    count = len(interests)
    muted = sum(1 for i in interests if i.muted)
    title = f"{whose} interests{where}: {count}" + (f", {muted} muted" if muted else "")
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=COLOUR)
    embed.description = (
        "Your likes, grouped by what the papers are about; each interest gets places in your "
        "recommendations in proportion to its likes. A muted interest draws no recommendations "
        "or digest picks until you unmute it."
    )
    if colleagues is not None:
        embed.description += "\n\n**Colleagues:** " + colleagues.describe()
    if count > INTERESTS_SHOWN:
        embed.set_footer(text=f"…and {count - INTERESTS_SHOWN} more.")
    else:
        embed.set_footer(text="Mute or unmute with the buttons, or /taste mute:N · /taste unmute:N")
    shown = interests[:INTERESTS_SHOWN]
    for interest in shown:
        heading = interest_heading(interest)
        share = (MESSAGE_EMBED_TOTAL - 100 - embed_units(embed)) // max(1, len(shown) - len(embed.fields))
        add_field(embed, heading, interest_text(interest, share - units(heading)), inline=False)
    return embed


def muted_message(interest: Interest) -> str:
    """The confirmation of muting or unmuting an interest."""
    label = plain(interest.label, 150)
    if interest.muted:
        return (f"Muted interest {interest.number} ({label}): it no longer draws recommendations or "
                f"digest picks. Unmute it here, or with /taste unmute:{interest.number}.")
    return f"Interest {interest.number} ({label}) is unmuted: it draws recommendations again."


def follow_text(follow: Follow, limit: int = 200) -> str:
    """A follow for running text: *author Name* or “phrase”, safe."""
    text = plain(follow.text, limit)
    return f"author *{text}*" if follow.kind == FollowKind.AUTHOR else f"“{text}”"


def follow_message(follow: Follow, added: bool, has_digest: bool, in_server: bool = True) -> str:
    """The confirmation of a follow, with where its papers will show up."""
    what = follow_text(follow)
    if not added:
        return f"You already follow {what}."
    whose = "their" if follow.kind == FollowKind.AUTHOR else "its"
    text = f"Following {what}: {whose} new papers will always be in your personal digest, marked why"
    text += ", and are lifted in this server's channel digest." if in_server else "."
    if not has_digest:
        text += " You have no personal digest yet: start one with `/digest me cs.LG` (your categories)."
    return text


def follows_card(follows: Sequence[Follow]) -> discord.Embed:
    """The authors and phrases a person follows, oldest first: as many as the core keeps
    (`MAX_FOLLOWS`), the list cut to fit the card."""
    authors = sum(1 for f in follows if f.kind == FollowKind.AUTHOR)
    phrases = len(follows) - authors
    parts = [f"{authors} author{'s' if authors != 1 else ''}"] if authors else []
    if phrases:
        parts.append(f"{phrases} phrase{'s' if phrases != 1 else ''}")
    embed = discord.Embed(title=f"You follow {' and '.join(parts)}", colour=COLOUR)
    lines = [f"• {follow_text(f, 150)}" + (f" · since {f.created[:10]}" if f.created else "")
             for f in follows[:MAX_FOLLOWS]]
    if len(follows) > MAX_FOLLOWS:
        lines.append(f"…and {len(follows) - MAX_FOLLOWS} more.")
    embed.description = clip("\n".join(lines), DESCRIPTION_LIMIT)
    embed.set_footer(text="Their new papers always reach your personal digest (/digest me), marked why. "
                          "/unfollow stops one.")
    return embed
