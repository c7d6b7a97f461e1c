"""Posting exactly once, across crashes, every minute: what the digest loop and the paper club's loop share.

A loop records what it is about to post before posting it, and marks it sent afterwards. Each
message it posts ends with a marker line naming the record (`-# paperclub digest #12 · 1/2`).
A crash between posting and marking leaves the record pending; when the bot comes back, the
loop looks for the marker among the bot's recent messages in that channel (`find_marked`) and
marks the record sent instead of posting it a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import tasks

if TYPE_CHECKING:
    from .client import PaperclubBot

log = logging.getLogger(__name__)

# How far back in a channel the bot looks for what it posted before a crash.
HISTORY_LIMIT = 50
TICK_SECONDS = 60.0  # how often a MinuteRound runs


class Unreachable(Exception):
    """The bot can no longer see, read or write to a channel it posts in."""


async def messageable(bot: PaperclubBot, channel_id: int) -> discord.abc.Messageable:
    """A channel or thread the bot posts in, from its cache or else from Discord; Unreachable
    when it is gone, hidden from the bot, or not one that takes messages."""
    try:
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
    except (discord.NotFound, discord.Forbidden) as exc:
        raise Unreachable(f"the bot can no longer see it ({exc.status})") from None
    if not isinstance(channel, discord.abc.Messageable):
        raise Unreachable("it is not a channel the bot can post in")
    return channel


async def find_marked(bot: PaperclubBot, channel: discord.abc.Messageable, prefix: str) -> dict[str, discord.Message]:
    """The bot's recent messages in a channel that hold a marker line beginning with `prefix`,
    by that line (the newest message for a line found twice). Unreachable when the bot may not
    read the channel's history."""
    me = bot.user
    found: dict[str, discord.Message] = {}
    try:
        async for message in channel.history(limit=HISTORY_LIMIT):
            if me is not None and message.author.id != me.id:
                continue
            for line in (message.content or "").splitlines():
                if line.startswith(prefix):
                    found.setdefault(line, message)
    except (discord.Forbidden, discord.NotFound) as exc:
        raise Unreachable(f"cannot read its history ({exc.status})") from None
    return found


class MinuteRound:
    """A round of timed posts a bot runs every TICK_SECONDS once it is ready (the digests', the
    paper club's); `tick` does one round, and tests call it with a fake clock. A failed round is
    logged as `what` and tried again at the next tick."""

    what = "round"

    def __init__(self, bot: PaperclubBot, clock: Callable[[], datetime]):
        self.bot = bot
        self.clock = clock
        self.loop = tasks.loop(seconds=TICK_SECONDS)(self._run_tick)
        self.loop.before_loop(self._wait_until_ready)

    def start(self) -> None:
        if not self.loop.is_running():
            self.loop.start()

    def stop(self) -> None:
        self.loop.cancel()

    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def _run_tick(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("The %s failed; trying again in a minute", self.what)

    async def tick(self) -> None:
        raise NotImplementedError
