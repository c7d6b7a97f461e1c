"""The paper club's loop: every minute, post what the club's time has brought.

Each tick, in order: finishes reminders and poll results recorded but not marked sent (after a
crash), looking in their channel or thread for the message first so that none is posted twice;
posts the reminders now due (the day before and the hour before a session); reads the result of
each poll that ended from Discord and posts its winner; and marks sessions whose time has come
as held, with the interest count of their Discord event. Every exception is caught and logged:
one club's failure never stops the others, nor the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import tasks

from recommender import Poll, Reminder

from . import cards
from .views import card_view

if TYPE_CHECKING:
    from .client import PaperclubBot
    from .scheduler import Clock

log = logging.getLogger("paperclub.club")

TICK_SECONDS = 60.0
HISTORY_LIMIT = 50
# Discord closes a poll at its end and counts its votes a moment later; after this long, the
# counts it shows are taken as they are.
RESULTS_GRACE = timedelta(hours=1)


def reminder_marker(reminder: Reminder) -> str:
    return f"-# paperclub club reminder #{reminder.session.id} · {reminder.kind}"


def poll_marker(poll: Poll) -> str:
    return f"-# paperclub club poll #{poll.id}"


def reminder_message(reminder: Reminder, role_id: int | None, ping: bool) -> dict:
    """A reminder as `send` keyword arguments: its text made safe, and the club's role in front
    of it (the only mention it may carry) when the server chose `ping:yes`."""
    text = cards.message_text(reminder.text(), 1800)
    if ping and role_id is not None:
        return {"content": f"<@&{role_id}> {text}\n{reminder_marker(reminder)}",
                "allowed_mentions": discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                                            roles=[discord.Object(id=role_id)])}
    return {"content": f"{text}\n{reminder_marker(reminder)}", "allowed_mentions": cards.NO_MENTIONS}


def winner_message(poll: Poll) -> dict:
    """The winner of a finished poll: a line, its card with its buttons, and the marker."""
    winner = poll.winner
    assert winner is not None and poll.counts is not None
    votes = poll.counts[[p.id for p in poll.papers].index(winner.id)]
    total = sum(poll.counts)
    line = (f"**The paper club chose** *{cards.inline_title(winner)}* with {votes} of "
            f"{total} vote{'s' if total != 1 else ''}. /club schedule sets the date.")
    return {"content": f"{line}\n{poll_marker(poll)}", "embed": cards.paper_card(winner),
            "view": card_view(winner), "allowed_mentions": cards.NO_MENTIONS}


class Unreachable(Exception):
    """The bot can no longer see or write to a club's channel or thread."""


class ClubLoop:
    """The paper club's timed posts for a bot; `tick` does one round (tests call it with a fake clock)."""

    def __init__(self, bot: PaperclubBot, clock: Clock):
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
            log.exception("The paper club round failed; trying again in a minute")

    async def tick(self) -> None:
        """One round (see the module's docstring)."""
        now = self.clock()
        club = self.bot.library.club
        for reminder in await self.bot.run_blocking(club.pending_reminders):
            await self._guarded(f"reminder of session #{reminder.session.id}", self._remind(reminder, now, True))
        for reminder in await self.bot.run_blocking(club.reminders_due, now):
            prepared = await self.bot.run_write(club.prepare_reminder, reminder, now)
            if prepared is not None:
                await self._guarded(f"reminder of session #{reminder.session.id}", self._remind(prepared, now, False))
        for poll in await self.bot.run_blocking(club.polls_decided):
            await self._guarded(f"poll #{poll.id}", self._announce(poll, True))
        for poll in await self.bot.run_blocking(club.polls_ended, now):
            await self._guarded(f"poll #{poll.id}", self._close_poll(poll, now))
        for session in await self.bot.run_blocking(club.to_close, now):
            await self._guarded(f"session #{session.id}", self._close_session(session.id, session.group,
                                                                              session.event_id))

    async def _guarded(self, what: str, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:
            log.exception("The paper club's %s failed; the others go on", what)

    # -- reminders ---------------------------------------------------------------------------

    async def _remind(self, reminder: Reminder, now: datetime, recovering: bool) -> None:
        club = self.bot.library.club
        settings = await self.bot.run_blocking(club.settings, reminder.session.group)
        target_id = reminder.session.thread_id or settings.channel_id
        try:
            if target_id is None:
                raise Unreachable("it has neither a thread nor a club channel")
            channel = await self._messageable(target_id)
            if recovering and await self._posted(channel, reminder_marker(reminder)):
                await self.bot.run_write(club.reminder_sent, reminder, now)
                return
            await channel.send(**reminder_message(reminder, settings.role_id, settings.ping))
        except Unreachable as exc:
            log.warning("Dropping the %s reminder of session #%s: %s", reminder.kind, reminder.session.id, exc)
            await self.bot.run_write(club.drop_reminder, reminder)
            return
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("Dropping the %s reminder of session #%s: cannot post there (%s)",
                        reminder.kind, reminder.session.id, exc.status)
            await self.bot.run_write(club.drop_reminder, reminder)
            return
        await self.bot.run_write(club.reminder_sent, reminder, now)
        log.info("Posted the %s reminder of session #%s", reminder.kind, reminder.session.id)

    # -- polls -------------------------------------------------------------------------------

    async def _close_poll(self, poll: Poll, now: datetime) -> None:
        """Read a finished poll's votes from its message and record its winner, then post it."""
        club = self.bot.library.club
        try:
            channel = await self._messageable(poll.channel_id)
            message = await channel.fetch_message(poll.message_id or 0)
        except (Unreachable, discord.NotFound, discord.Forbidden) as exc:
            log.warning("Dropping poll #%s: its message is gone (%s)", poll.id, exc)
            await self.bot.run_write(club.drop_poll, poll.id)
            return
        result = message.poll
        if result is None:
            await self.bot.run_write(club.drop_poll, poll.id)
            return
        if not result.is_finalized() and now < poll.ends + RESULTS_GRACE:
            return   # Discord has not counted yet: the next round looks again
        counts = [answer.vote_count for answer in sorted(result.answers, key=lambda a: a.id)]
        decided = await self.bot.run_write(club.decide, poll.id, counts)
        await self._announce(decided, False)

    async def _announce(self, poll: Poll, recovering: bool) -> None:
        club = self.bot.library.club
        if poll.winner is None:
            await self.bot.run_write(club.drop_poll, poll.id)
            return
        try:
            channel = await self._messageable(poll.channel_id)
            if not (recovering and await self._posted(channel, poll_marker(poll))):
                await channel.send(**winner_message(poll))
        except (Unreachable, discord.Forbidden, discord.NotFound) as exc:
            log.warning("Could not post the winner of poll #%s: %s", poll.id, exc)
            await self.bot.run_write(club.drop_poll, poll.id)
            return
        await self.bot.run_write(club.announced, poll.id)

    # -- sessions ----------------------------------------------------------------------------

    async def _close_session(self, session_id: int, group: str, event_id: int | None) -> None:
        """Mark a session held, with its event's interest count when Discord gives it."""
        interested = None
        guild = self.bot.get_guild(int(group)) if group.isdigit() else None
        if guild is not None and event_id is not None:
            try:
                event = await guild.fetch_scheduled_event(event_id, with_counts=True)
                interested = event.user_count
            except discord.HTTPException as exc:
                log.info("No interest count for session #%s (%s)", session_id, exc.status)
        await self.bot.run_write(self.bot.library.club.held, session_id, interested)

    # -- channels ----------------------------------------------------------------------------

    async def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        except (discord.NotFound, discord.Forbidden) as exc:
            raise Unreachable(f"the bot can no longer see channel {channel_id} ({exc.status})") from None
        if not isinstance(channel, discord.abc.Messageable):
            raise Unreachable(f"{channel_id} is not a channel the bot can post in")
        return channel

    async def _posted(self, channel: discord.abc.Messageable, marker: str) -> bool:
        """Whether the bot's recent messages in a channel hold a marker line."""
        me = self.bot.user
        async for message in channel.history(limit=HISTORY_LIMIT):
            if me is not None and message.author.id != me.id:
                continue
            if marker in (message.content or "").splitlines():
                return True
        return False
