"""The facade's paper club: its settings, the shortlist, polls, sessions and reminders (the work
is `club.Club`'s)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..calls import reads, writes
from .parts import Parts

if TYPE_CHECKING:
    from ..club import Poll, Proposal, Reminder, Session
    from ..club import Settings as ClubSettings
    from ..papers import Recommendation


class ClubSection(Parts):
    # -- settings and the shortlist ---------------------------------------------------------

    @reads
    def club_settings(self, group: str) -> ClubSettings:
        """A group's paper club settings (its channel, role, reminders' ping and time zone)."""
        return self._club.settings(group)

    @writes
    def set_up_club(self, group: str, channel_id: int | None, role_id: int | None = None, ping: bool = False,
                    timezone_name: str | None = None) -> ClubSettings:
        """Set the club's channel, role, whether reminders mention the role, and its time zone."""
        return self._club.setup(group, channel_id, role_id, ping, timezone_name)

    @writes
    def propose(self, group: str, ref: str | int, user: str, now: datetime | None = None) -> Proposal:
        """Put a paper on the group's shortlist for the person (ClubError when it cannot be)."""
        return self._club.propose(group, ref, user, now)

    @writes
    def withdraw(self, group: str, ref: str | int, user: str) -> Proposal:
        """Take the person's own proposal off the shortlist."""
        return self._club.withdraw(group, ref, user)

    @reads
    def shortlist(self, group: str) -> list[Proposal]:
        """The papers proposed in a group, oldest first, with who proposed them and their likes."""
        return self._club.shortlist(group)

    @reads
    def club_suggestions(self, group: str, limit: int) -> list[Recommendation]:
        """The papers the group likes most that its club has neither read nor shortlisted."""
        return self._club.suggest(group, limit)

    # -- polls -----------------------------------------------------------------------------

    @reads
    def poll_choices(self, group: str, size: int) -> list[Proposal]:
        """The shortlisted papers a poll of `size` answers offers (ClubError for too few)."""
        return self._club.poll_choices(group, size)

    @writes
    def prepare_poll(self, group: str, channel_id: int, paper_ids: list[int], ends: datetime) -> Poll:
        """Record a poll as being posted (ClubError when the group has one open)."""
        return self._club.prepare_poll(group, channel_id, paper_ids, ends)

    @writes
    def mark_poll_posted(self, poll_id: int, message_id: int, ends: datetime) -> Poll:
        """Record a poll's message: it is open until `ends`."""
        return self._club.poll_posted(poll_id, message_id, ends)

    @reads
    def poll(self, poll_id: int) -> Poll:
        """One poll by id (ClubError when there is none)."""
        return self._club.poll(poll_id)

    @reads
    def polls_posting(self) -> list[Poll]:
        """Polls recorded as being posted whose message is not known (a crash, a failed send)."""
        return self._club.polls_posting()

    @reads
    def polls_ended(self, now: datetime) -> list[Poll]:
        """Open polls whose time is up."""
        return self._club.polls_ended(now)

    @reads
    def polls_decided(self) -> list[Poll]:
        """Polls with a winner recorded whose announcement is not known to be posted."""
        return self._club.polls_decided()

    @writes
    def decide_poll(self, poll_id: int, counts: list[int]) -> Poll:
        """Record a finished poll's votes and its winner."""
        return self._club.decide(poll_id, counts)

    @writes
    def mark_poll_announced(self, poll_id: int) -> None:
        self._club.announced(poll_id)

    @writes
    def drop_poll(self, poll_id: int) -> None:
        """Give up a poll (its channel or message is gone)."""
        self._club.drop_poll(poll_id)

    # -- sessions ----------------------------------------------------------------------------

    @writes
    def schedule_session(self, group: str, ref: str | int, when: str | datetime, now: datetime,
                         presenter: str | None = None, place: str | None = None, by: str | None = None,
                         channel_id: int | None = None) -> Session:
        """Record a session (ClubError for a time past or a paper scheduled already)."""
        return self._club.schedule(group, ref, when, now, presenter, place, by, channel_id)

    @writes
    def attach_session(self, session_id: int, event_id: int | None = None, thread_id: int | None = None,
                       channel_id: int | None = None) -> Session:
        """Record a session's Discord event, thread and the channel it was posted in."""
        return self._club.attach(session_id, event_id, thread_id, channel_id)

    @reads
    def next_session(self, group: str, now: datetime) -> Session | None:
        return self._club.next(group, now)

    @writes
    def cancel_session(self, group: str, now: datetime) -> Session:
        """Cancel the group's next session (ClubError when there is none)."""
        return self._club.cancel(group, now)

    @reads
    def club_history(self, group: str, now: datetime) -> list[Session]:
        """The sessions the group's club held, newest first."""
        return self._club.history(group, now)

    @reads
    def sessions_to_close(self, now: datetime) -> list[Session]:
        """Scheduled sessions whose time has come."""
        return self._club.to_close(now)

    @writes
    def mark_session_held(self, session_id: int, interested: int | None) -> Session:
        """Record a session as held, with its event's interest count when known."""
        return self._club.held(session_id, interested)

    # -- reminders ---------------------------------------------------------------------------

    @reads
    def reminders(self, group: str, now: datetime) -> list[Reminder]:
        """The reminders of the group's sessions to come, each with its status."""
        return self._club.reminders(group, now)

    @reads
    def reminders_due(self, now: datetime) -> list[Reminder]:
        """Reminders whose time has come, not recorded yet."""
        return self._club.reminders_due(now)

    @writes
    def prepare_reminder(self, reminder: Reminder, now: datetime) -> Reminder | None:
        """Record a due reminder as pending before it is sent; None when it was already."""
        return self._club.prepare_reminder(reminder, now)

    @reads
    def pending_reminders(self) -> list[Reminder]:
        """Reminders recorded but not marked sent."""
        return self._club.pending_reminders()

    @reads
    def reminder_channel(self, reminder: Reminder) -> int | None:
        """Where a reminder is posted: its session's thread, else the club's channel."""
        return self._club.reminder_channel(reminder)

    @writes
    def mark_reminder_sent(self, reminder: Reminder, now: datetime) -> None:
        self._club.reminder_sent(reminder, now)

    @writes
    def drop_reminder(self, reminder: Reminder) -> None:
        """Give up a pending reminder (its thread is gone, or its session began)."""
        self._club.drop_reminder(reminder)
