"""Suggestions while someone types an option: for a `paper`, titles matching what they typed,
or with nothing typed yet, their recommendations (for /unlike, their likes; for /club withdraw,
their proposals); for a `timezone`, the zone names that contain what they typed.

Discord waits about three seconds for suggestions, so the look-up gets a deadline and an empty
list is the answer when the library is busy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from recommender import Paper, PaperNotFound, QueryError, parse_arxiv_ref, time_zone_names

from ..render.text import CHOICE_NAME_LIMIT, clip, single_line
from ..views import group_key, user_key

if TYPE_CHECKING:
    from ..client import PaperclubBot
    from recommender import SearchResult

    from ..worker import AsyncLibrary

log = logging.getLogger(__name__)

MAX_CHOICES = 25
DEADLINE = 2.0
MIN_TYPED = 2


def choice(paper: Paper) -> app_commands.Choice[str]:
    name = clip(single_line(paper.title), CHOICE_NAME_LIMIT) or f"Paper #{paper.id}"
    return app_commands.Choice(name=name, value=str(paper.id))


def _as_prefix_query(text: str) -> str:
    """What someone is still typing: its last word as a prefix (`neural o` → `neural o*`)."""
    return text + "*" if text[-1].isalnum() else text


async def suggest(lib: AsyncLibrary, text: str, user: str, group: str | None) -> list[Paper]:
    """Papers for what has been typed so far."""
    text = single_line(text)
    found: list[Paper] = []
    if text.isdigit() or parse_arxiv_ref(text):
        try:
            found.append(await lib.paper(text))
        except PaperNotFound:
            pass
    if len(text) < MIN_TYPED:
        found += [r.paper for r in await lib.recommend(user, limit=MAX_CHOICES, group=group)]
    else:
        results: list[SearchResult] = []
        for query in (_as_prefix_query(text), text):
            try:
                results = await lib.search(query, limit=MAX_CHOICES)
            except QueryError:
                continue
            if results:
                break
        found += [r.paper for r in results]
    first: dict[int, Paper] = {}
    for paper in found:
        first.setdefault(paper.id, paper)
    return list(first.values())[:MAX_CHOICES]


async def suggest_liked(lib: AsyncLibrary, text: str, user: str, group: str | None) -> list[Paper]:
    """The person's liked papers whose title contains what has been typed (for /unlike)."""
    wanted = single_line(text).casefold()
    papers = [s.paper for s in await lib.likes(user, group=group)]
    if wanted:
        papers = [p for p in papers if wanted in p.title.casefold() or wanted == str(p.id)]
    return papers[:MAX_CHOICES]


async def suggest_proposed(lib: AsyncLibrary, text: str, user: str, group: str | None) -> list[Paper]:
    """The papers the person proposed for the paper club here whose title contains what has
    been typed (for /club withdraw)."""
    wanted = single_line(text).casefold()
    proposals = await lib.shortlist(group) if group else []
    papers = [p.paper for p in proposals if p.proposer == user]
    if wanted:
        papers = [p for p in papers if wanted in p.title.casefold() or wanted == str(p.id)]
    return papers[:MAX_CHOICES]


Finder = Callable[["AsyncLibrary", str, str, str | None], Awaitable[list[Paper]]]


async def _choices(interaction: discord.Interaction, current: str, finder: Finder) -> list[app_commands.Choice[str]]:
    bot: PaperclubBot = interaction.client  # type: ignore[assignment]
    job = finder(bot.lib, current, user_key(interaction.user), group_key(interaction.guild_id))
    try:
        papers = await asyncio.wait_for(job, timeout=DEADLINE)
    except asyncio.TimeoutError:
        log.info("Paper suggestions for %r took longer than %.1f s", current[:50], DEADLINE)
        return []
    return [choice(p) for p in papers]


async def paper_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a paper option."""
    return await _choices(interaction, current, suggest)


async def liked_paper_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a paper the person liked."""
    return await _choices(interaction, current, suggest_liked)


async def proposed_paper_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a paper the person proposed for the paper club."""
    return await _choices(interaction, current, suggest_proposed)


def time_zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a time zone: the names containing what has been typed."""
    wanted = current.strip().lower().replace(" ", "_")
    names = [name for name in time_zone_names() if wanted in name.lower()][:MAX_CHOICES]
    return [app_commands.Choice(name=name, value=name) for name in names]
