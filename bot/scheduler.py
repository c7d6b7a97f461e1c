"""The daily digest loop: every minute, post the digests whose time has come.

Each tick first finishes digests recorded but not marked sent (after a crash or a failed send),
looking in the channel for the parts already posted so none is posted twice; then it asks the
core which subscriptions are due, fetches each arXiv category they need once (off the library
thread, within arXiv's rate limit), and records and sends each digest in turn. Every exception is
caught and logged: one channel's failure never stops the others, nor the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

import discord

from recommender import ArxivClient, Digest, FeedStatus

from .render.digests import digest_header, is_quiet, quiet_text
from .render.papers import CARDS_PER_MESSAGE, ranked_cards
from .render.text import NO_MENTIONS
from .posting import MinuteRound, Unreachable, find_marked, messageable
from .views import list_view

if TYPE_CHECKING:
    from .client import PaperclubBot

log = logging.getLogger("paperclub.digest")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def marker_prefix(digest: Digest) -> str:
    return f"-# paperclub digest #{digest.id} · "


def marker(digest: Digest, part: int, parts: int) -> str:
    """The small line that ends each digest message; finding it in a channel after a restart
    tells which parts were already posted (see `posting`)."""
    return f"{marker_prefix(digest)}{part}/{parts}"


def digest_messages(digest: Digest) -> list[dict[str, Any]]:
    """The messages of a digest: a header and up to five cards (with their buttons) in each,
    or one line on a quiet day (which says so when new papers came but none reached the
    subscriber's floor). Each is a dict of `send` keyword arguments."""
    if is_quiet(digest):
        return [{"content": f"{quiet_text(digest)}\n{marker(digest, 1, 1)}"}]
    count = len(digest.picks)
    header = digest_header(digest)
    embeds = ranked_cards(digest.picks)
    step = CARDS_PER_MESSAGE
    parts = (count + step - 1) // step
    messages = []
    for index, start in enumerate(range(0, count, step), 1):
        lead = header + "\n" if index == 1 else ""
        messages.append({
            "content": lead + marker(digest, index, parts),
            "embeds": embeds[start:start + step],
            "view": list_view([r.paper for r in digest.picks[start:start + step]], start + 1),
        })
    return messages


class DigestScheduler(MinuteRound):
    """Posts daily digests for a bot; `tick` does one round (tests call it with a fake clock)."""

    what = "digest round"

    def __init__(self, bot: PaperclubBot, client: ArxivClient, clock: Clock = utc_now):
        super().__init__(bot, clock)
        self.client = client

    async def tick(self) -> None:
        """One round: finish pending digests, then post the ones that are due."""
        now = self.clock()
        lib = self.bot.lib
        await lib.abandon_stale_digests(now)
        for digest in await lib.pending_digests(now):
            await self._guarded(digest.target, self._deliver(digest, now, recovering=True))
        due = await lib.subscriptions_due(now)
        if not due:
            return
        for category, day in await lib.feeds_needed(due, now):
            await self.fetch(category, day, now)
        # A refit the new papers made due runs here, on a reader thread, rather than inside
        # `prepare_digest` on the writer's (which settles the index too, then at no cost).
        await lib.settled_index()
        for subscription in due:
            await self._guarded(subscription.target, self._post(subscription, now))

    async def fetch(self, category: str, day: date, now: datetime) -> None:
        """Fetch one category's announcement on a network thread (readers stay free for
        commands) and keep it; a failure is recorded so the next try waits a while."""
        try:
            report = await self.bot.lib.fetch_feed(category, day, self.client.announcement, now)
        except Exception:
            log.exception("Fetching arXiv %s failed", category)
            await self.bot.lib.record_failed_fetch(category, day, "the fetch failed unexpectedly", now)
            return
        if report.status == FeedStatus.ERROR:
            log.warning("%s", report.message)

    async def _post(self, subscription, now: datetime) -> None:
        digest = await self.bot.lib.prepare_digest(subscription, now)
        if digest is not None:
            await self._deliver(digest, now, recovering=False)

    async def _guarded(self, target: str, work) -> None:
        try:
            await work
        except Unreachable as exc:
            log.warning("Pausing the digest of %s: %s. Subscribe again to resume.", target, exc)
            await self.bot.lib.pause_subscription(target, str(exc))
        except Exception:
            log.exception("The digest for %s failed; the others go on", target)

    async def _deliver(self, digest: Digest, now: datetime, recovering: bool) -> None:
        """Send the parts not yet sent, marking each, then the digest. When recovering, the
        channel's recent messages are searched first for parts already posted."""
        lib = self.bot.lib
        messages = digest_messages(digest)
        try:
            channel = await self._channel(digest)
        except Unreachable as exc:
            await lib.drop_digest(digest.id, str(exc))
            raise
        posted = await self._posted_parts(channel, digest) if recovering else set()
        for part, message in enumerate(messages, 1):
            if part <= digest.parts_sent or part in posted:
                continue
            try:
                await channel.send(allowed_mentions=NO_MENTIONS, **message)
            except (discord.Forbidden, discord.NotFound) as exc:
                await lib.drop_digest(digest.id, "channel unreachable")
                raise Unreachable(f"cannot post there ({exc.status} {exc.text or exc.__class__.__name__})") from None
            await lib.mark_part_sent(digest.id, part)
        await lib.mark_digest_sent(digest.id, now)
        log.info("Posted digest #%s to %s (%d papers)", digest.id, digest.target, len(digest.picks))

    async def _channel(self, digest: Digest) -> discord.abc.Messageable:
        if digest.channel_id is not None:
            return await messageable(self.bot, digest.channel_id)
        if digest.user_id is None:
            raise Unreachable("it names neither a channel nor a person")
        try:
            user_id = int(digest.user_id)
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            return user.dm_channel or await user.create_dm()
        except (discord.NotFound, discord.Forbidden) as exc:
            raise Unreachable(f"the bot can no longer see it ({exc.status})") from None

    async def _posted_parts(self, channel: discord.abc.Messageable, digest: Digest) -> set[int]:
        """Which parts of a digest the bot already posted in the channel's recent messages."""
        prefix = marker_prefix(digest)
        return {int(line[len(prefix):].split("/")[0]) for line in await find_marked(self.bot, channel, prefix)}
