"""The paper club's loop: every minute, post what the club's time has brought; and the posting
of a poll, which the /club poll command and the loop share.

Each tick, in order: finishes polls, reminders and poll results recorded but not known to be
posted (after a crash, or when Discord did not answer), looking in their channel or thread for
the message first so that none is posted twice (see `posting`); posts the reminders now due
(the day before and the hour before a session); reads the result of each poll that ended from
Discord and posts its winner; and marks sessions whose time has come as held, with the interest
count of their Discord event. Every exception is caught and logged: one club's failure never
stops the others, nor the loop.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from recommender import MAX_POLL_HOURS, ClubError, Poll, Reminder

from .render.club import POLL_TEXT, poll_vote, reminder_text, winner_text
from .render.papers import paper_card
from .render.text import NO_MENTIONS
from .posting import MinuteRound, Unreachable, find_marked, messageable
from .views import card_view

if TYPE_CHECKING:
    from .client import PaperclubBot
    from .scheduler import Clock

log = logging.getLogger("paperclub.club")

# Discord closes a poll at its end and counts its votes a moment later; after this long, the
# counts it shows are taken as they are.
RESULTS_GRACE = timedelta(hours=1)


def reminder_marker(reminder: Reminder) -> str:
    return f"-# paperclub club reminder #{reminder.session.id} · {reminder.kind}"


def poll_marker(poll: Poll) -> str:
    return f"-# paperclub club poll #{poll.id}"


def winner_marker(poll: Poll) -> str:
    return f"-# paperclub club poll #{poll.id} · winner"


def poll_hours(poll: Poll, now: datetime) -> int:
    """How many hours a poll posted now stays open: until its recorded end, in whole hours as
    Discord counts them (at least one)."""
    left = (poll.ends - now) / timedelta(hours=1)
    return min(max(1, math.ceil(left - 1e-9)), MAX_POLL_HOURS)


def poll_message(poll: Poll, now: datetime) -> dict[str, Any]:
    """A poll as `send` keyword arguments: a native Discord poll of the papers' short titles,
    a line saying what it is for, and the marker."""
    return {"content": f"{POLL_TEXT}\n{poll_marker(poll)}", "poll": poll_vote(poll, poll_hours(poll, now)),
            "allowed_mentions": NO_MENTIONS}


def reminder_message(reminder: Reminder, role_id: int | None, ping: bool) -> dict[str, Any]:
    """A reminder as `send` keyword arguments: its text made safe, and the club's role in front
    of it (the only mention it may carry) when the server chose `ping:yes`."""
    text = reminder_text(reminder)
    if ping and role_id is not None:
        return {"content": f"<@&{role_id}> {text}\n{reminder_marker(reminder)}",
                "allowed_mentions": discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                                            roles=[discord.Object(id=role_id)])}
    return {"content": f"{text}\n{reminder_marker(reminder)}", "allowed_mentions": NO_MENTIONS}


def winner_message(poll: Poll) -> dict[str, Any]:
    """The winner of a finished poll: a line (saying how a tie or an empty poll was settled),
    its card with its buttons, and the marker."""
    winner = poll.winner
    assert winner is not None
    return {"content": f"{winner_text(poll)}\n{winner_marker(poll)}", "embed": paper_card(winner),
            "view": card_view(winner), "allowed_mentions": NO_MENTIONS}


class ClubLoop(MinuteRound):
    """The paper club's timed posts for a bot; `tick` does one round (tests call it with a fake clock)."""

    what = "paper club round"

    def __init__(self, bot: PaperclubBot, clock: Clock):
        super().__init__(bot, clock)
        # Polls this process is posting now: a round must not take them for ones a crash left.
        self._posting: set[int] = set()

    async def tick(self) -> None:
        """One round (see the module's docstring)."""
        now = self.clock()
        lib = self.bot.lib
        for poll in await lib.polls_posting():
            if poll.id not in self._posting:
                await self._guarded(f"poll #{poll.id}", self.post_poll(poll, recovering=True))
        for reminder in await lib.pending_reminders():
            await self._guarded(f"reminder of session #{reminder.session.id}", self._remind(reminder, now, True))
        for reminder in await lib.reminders_due(now):
            prepared = await lib.prepare_reminder(reminder, now)
            if prepared is not None:
                await self._guarded(f"reminder of session #{reminder.session.id}", self._remind(prepared, now, False))
        for poll in await lib.polls_decided():
            await self._guarded(f"poll #{poll.id}", self._announce(poll, True))
        for poll in await lib.polls_ended(now):
            await self._guarded(f"poll #{poll.id}", self._close_poll(poll, now))
        for session in await lib.sessions_to_close(now):
            await self._guarded(f"session #{session.id}", self._close_session(session.id, session.group,
                                                                              session.event_id))

    async def _guarded(self, what: str, work: Awaitable[object]) -> None:
        try:
            await work
        except Exception:
            log.exception("The paper club's %s failed; the others go on", what)

    # -- polls -------------------------------------------------------------------------------

    async def post_poll(self, poll: Poll, recovering: bool) -> Poll:
        """Post a poll recorded as being posted, then record its message: it is open. When
        recovering, the poll's channel is searched first and a poll found there is not posted
        again. A poll Discord refuses is dropped (ClubError, saying why); when Discord does not
        answer, the poll stays recorded and the next round tries again."""
        self._posting.add(poll.id)
        try:
            return await self._post_poll(poll, recovering)
        finally:
            self._posting.discard(poll.id)

    async def _post_poll(self, poll: Poll, recovering: bool) -> Poll:
        lib = self.bot.lib
        now = self.clock()
        marker = poll_marker(poll)
        try:
            channel = await messageable(self.bot, poll.channel_id)
            found = (await find_marked(self.bot, channel, marker)).get(marker) if recovering else None
            message = found or await channel.send(**poll_message(poll, now))
        except (Unreachable, discord.Forbidden, discord.NotFound) as exc:
            await lib.drop_poll(poll.id)
            raise ClubError(f"The poll could not be posted in channel {poll.channel_id}: {_reason(exc)}.") from None
        except discord.HTTPException as exc:
            if exc.status >= 500:
                raise
            await lib.drop_poll(poll.id)
            raise ClubError(f"Discord refused the poll ({exc.status} {exc.text or 'no reason given'}).") from None
        closes = message.poll.expires_at if message.poll is not None else None
        posted = await lib.mark_poll_posted(poll.id, message.id, closes or now + timedelta(hours=poll_hours(poll, now)))
        log.info("Posted poll #%s in channel %s%s", poll.id, poll.channel_id, " (found after a restart)" if found else "")
        return posted

    async def _close_poll(self, poll: Poll, now: datetime) -> None:
        """Read a finished poll's votes from its message and record its winner, then post it."""
        lib = self.bot.lib
        try:
            channel = await messageable(self.bot, poll.channel_id)
            message = await channel.fetch_message(poll.message_id or 0)
        except (Unreachable, discord.NotFound, discord.Forbidden) as exc:
            log.warning("Dropping poll #%s: its message is gone (%s)", poll.id, _reason(exc))
            await lib.drop_poll(poll.id)
            return
        result = message.poll
        if result is None:
            await lib.drop_poll(poll.id)
            return
        if not result.is_finalized() and now < poll.ends + RESULTS_GRACE:
            return   # Discord has not counted yet: the next round looks again
        counts = [answer.vote_count for answer in sorted(result.answers, key=lambda a: a.id)]
        decided = await lib.decide_poll(poll.id, counts)
        await self._announce(decided, False)

    async def _announce(self, poll: Poll, recovering: bool) -> None:
        lib = self.bot.lib
        if poll.winner is None:
            await lib.drop_poll(poll.id)
            return
        marker = winner_marker(poll)
        try:
            channel = await messageable(self.bot, poll.channel_id)
            if not (recovering and marker in await find_marked(self.bot, channel, marker)):
                await channel.send(**winner_message(poll))
        except (Unreachable, discord.Forbidden, discord.NotFound) as exc:
            log.warning("Could not post the winner of poll #%s: %s", poll.id, _reason(exc))
            await lib.drop_poll(poll.id)
            return
        await lib.mark_poll_announced(poll.id)

    # -- reminders ---------------------------------------------------------------------------

    async def _remind(self, reminder: Reminder, now: datetime, recovering: bool) -> None:
        lib = self.bot.lib
        settings = await lib.club_settings(reminder.session.group)
        target_id = await lib.reminder_channel(reminder)
        marker = reminder_marker(reminder)
        try:
            if target_id is None:
                raise Unreachable("it has neither a thread nor a club channel")
            channel = await messageable(self.bot, target_id)
            if not (recovering and marker in await find_marked(self.bot, channel, marker)):
                await channel.send(**reminder_message(reminder, settings.role_id, settings.ping))
        except (Unreachable, discord.Forbidden, discord.NotFound) as exc:
            log.warning("Dropping the %s reminder of session #%s: %s", reminder.kind, reminder.session.id,
                        _reason(exc))
            await lib.drop_reminder(reminder)
            return
        await lib.mark_reminder_sent(reminder, now)
        log.info("Posted the %s reminder of session #%s", reminder.kind, reminder.session.id)

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
        await self.bot.lib.mark_session_held(session_id, interested)


def _reason(error: Exception) -> str:
    """Why a channel could not be used, in a few words."""
    if isinstance(error, discord.HTTPException):
        return f"cannot post there ({error.status} {error.text or error.__class__.__name__})"
    return str(error)
