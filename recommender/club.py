"""The paper club: a lab's reading group. Its shortlist, the poll that chooses from it, the
sessions it holds, and the reminders before each. Data in, data out; the bot does the posting.

Things the bot posts are recorded before they are sent, as digests are: a reminder is recorded
pending (`prepare_reminder`), then sent, then marked sent; a poll is recorded as being posted
(`prepare_poll`), then posted, then marked open with its message (`poll_posted`); a poll's
winner is decided and recorded (`decide`), then posted, then marked announced. A crash between
two steps leaves a record whose message the bot looks for in the channel when it comes back,
and posts only if it is not there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from .kinds import PollState, ReminderKind, ReminderStatus, SessionStatus
from .papers import Paper, Recommendation
from .timetable import parse_time, parse_timezone, zone

if TYPE_CHECKING:
    from .store import PollRow, SessionRow, Store

MAX_POLL = 10
DEFAULT_POLL = 5
POLL_HOURS = 24
MAX_POLL_HOURS = 32 * 24   # Discord's longest poll
# Reminders: the day before and the hour before a session, each posted once.
REMINDERS = ((ReminderKind.DAY, timedelta(days=1)), (ReminderKind.HOUR, timedelta(hours=1)))
SESSION_HOURS = 1           # a session's length, for the event's end time
PRESENTER_CHARS = 100
PLACE_CHARS = 100
_WHEN = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T](.+?)\s*$")


class ClubError(ValueError):
    """A paper club request that cannot be done; the message says why, in one sentence."""


class Ranker(Protocol):
    def lab_ranking(self, group: str, limit: int = 10, candidates: Iterable[int] | None = None,
                    exclude: Iterable[int] = (), min_score: float | None = None) -> list[Recommendation]: ...


@dataclass(frozen=True)
class Proposal:
    """A paper on a group's shortlist: who proposed it, when, and how many liked it there."""

    paper: Paper
    proposer: str
    proposed: str
    likes: int

    def to_dict(self) -> dict[str, Any]:
        return {"paper": _brief(self.paper), "proposer": self.proposer, "proposed": self.proposed,
                "likes": self.likes}


@dataclass(frozen=True)
class Settings:
    """Where a group's club posts, which role may run it (and is pinged, with `ping`), and its
    time zone: the club's own, else that of the digest in the club's channel, else that of the
    group's oldest channel digest, else UTC."""

    group: str
    channel_id: int | None = None
    role_id: int | None = None
    ping: bool = False
    timezone: str = "UTC"

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "channel_id": self.channel_id, "role_id": self.role_id,
                "ping": self.ping, "timezone": self.timezone}


@dataclass(frozen=True)
class Session:
    """One meeting of the club: a paper, a time (kept in UTC, shown in `timezone`), who
    presents, where, and the Discord event and thread made for it."""

    id: int
    group: str
    paper: Paper
    starts: datetime
    timezone: str
    status: SessionStatus
    presenter: str | None = None
    place: str | None = None
    event_id: int | None = None
    thread_id: int | None = None
    channel_id: int | None = None
    interested: int | None = None

    @property
    def local_start(self) -> datetime:
        return self.starts.astimezone(zone(self.timezone))

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(hours=SESSION_HOURS)

    def when_text(self) -> str:
        """`Thu 10 Dec 2026, 17:00 (Europe/Berlin)`."""
        return f"{self.local_start:%a %d %b %Y, %H:%M} ({self.timezone})"

    def describe(self) -> str:
        """One plain line: when, the paper, who presents and where (outside text unescaped:
        a front end makes it safe for where it goes)."""
        text = f"{self.when_text()}: {self.paper.title}"
        if self.presenter:
            text += f", presented by {self.presenter}"
        if self.place:
            text += f", at {self.place}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "group": self.group, "paper": _brief(self.paper),
            "starts": self.starts.isoformat(), "local_start": self.local_start.isoformat(),
            "timezone": self.timezone, "status": self.status, "presenter": self.presenter, "place": self.place,
            "event_id": self.event_id, "thread_id": self.thread_id, "channel_id": self.channel_id,
            "interested": self.interested,
        }


@dataclass(frozen=True)
class Poll:
    """A native Discord poll over shortlisted papers: its message, its answers (papers in the
    order they were proposed) and, once it ended, the votes and the winner."""

    id: int
    group: str
    channel_id: int
    message_id: int | None
    papers: list[Paper]
    ends: datetime
    state: PollState
    winner_id: int | None = None
    counts: list[int] | None = None

    @property
    def winner(self) -> Paper | None:
        return next((p for p in self.papers if p.id == self.winner_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "group": self.group, "channel_id": self.channel_id, "message_id": self.message_id,
                "papers": [_brief(p) for p in self.papers], "ends": self.ends.isoformat(), "state": self.state,
                "winner_id": self.winner_id, "counts": self.counts}


@dataclass(frozen=True)
class Reminder:
    """A reminder of a session, the day before (`day`) or the hour before (`hour`): when it is
    due and what has become of it (planned, due, pending, sent or skipped)."""

    session: Session
    kind: ReminderKind
    due: datetime
    status: ReminderStatus

    def text(self) -> str:
        """What the reminder says (plain text; the bot makes it safe and may put the club's
        role in front of it)."""
        when = "Tomorrow" if self.kind == ReminderKind.DAY else "In an hour"
        return f"{when}, paper club: {self.session.describe()}."

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session.id, "kind": self.kind, "due": self.due.isoformat(),
                "status": self.status, "text": self.text(), "thread_id": self.session.thread_id}


def parse_when(text: str, zone_name: str) -> datetime:
    """A local `YYYY-MM-DD HH:MM` (any time of day `parse_time` reads) in a time zone, as an
    aware datetime; ClubError saying what is wrong otherwise, including a time the clocks skip."""
    example = "write it like 2026-12-10 17:00"
    match = _WHEN.match(text or "")
    if not match:
        raise ClubError(f"“{_short(text or '')}” is not a date and time: {example}.")
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise ClubError(f"“{match.group(1)}” is not a date: {example}.") from None
    try:
        clock = parse_time(match.group(2))
    except ValueError as exc:
        raise ClubError(f"{exc}.") from None
    local = zone(zone_name)
    moment = datetime.combine(day, clock, tzinfo=local)
    if moment.astimezone(timezone.utc).astimezone(local).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ClubError(f"{day} {clock:%H:%M} does not exist in {zone_name} (the clocks skip it): give another time.")
    return moment


class Club:
    """A group's paper club, kept in the library's database. Built from the store, the
    library's paper resolver (id, arXiv id or link, DOI, title) and its lab ranking."""

    def __init__(self, store: Store, find: Callable[[str | int], Paper], ranker: Ranker):
        self.store = store
        self.find = find
        self.ranker = ranker

    # -- settings ----------------------------------------------------------------------------

    def settings(self, group: str) -> Settings:
        row = self.store.club_settings(group)
        channel_id = row.channel_id if row else None
        zone_name = (row and row.timezone) or self.store.digest_timezone(group, channel_id) or "UTC"
        if row is None:
            return Settings(group, timezone=zone_name)
        return Settings(group, row.channel_id, row.role_id, bool(row.ping), zone_name)

    def setup(self, group: str, channel_id: int | None, role_id: int | None = None, ping: bool = False,
              timezone_name: str | None = None) -> Settings:
        """Set where the club posts, its role (who may run it besides those who manage events)
        and whether reminders mention that role; a time zone for its sessions, else its digest's."""
        if ping and role_id is None:
            raise ClubError("ping:yes needs a role to mention: give the club's role too.")
        name = None
        if timezone_name:
            try:
                name = parse_timezone(timezone_name)
            except ValueError as exc:
                raise ClubError(str(exc)) from None
        self.store.save_club_settings(group, channel_id, role_id, ping, name)
        return self.settings(group)

    # -- the shortlist -----------------------------------------------------------------------

    def propose(self, group: str, ref: str | int, user: str, now: datetime | None = None) -> Proposal:
        """Put a paper on the shortlist for `user`; ClubError when it is there already or the
        club read it (or has it scheduled)."""
        paper = self.find(ref)
        if paper.id in self.store.club_paper_ids(group):
            raise ClubError(f"The club has already read or scheduled “{_short(paper.title)}”.")
        if self.store.propose(group, paper.id, user) is None:
            found = self.store.proposal(group, paper.id)
            who = "you" if found and found.proposer == user else "someone else"
            raise ClubError(f"“{_short(paper.title)}” is on the shortlist already (proposed by {who}).")
        return self._proposal(group, paper.id)

    def withdraw(self, group: str, ref: str | int, user: str) -> Proposal:
        """Take one's own proposal off the shortlist; ClubError for a paper not on it or
        proposed by someone else."""
        paper = self.find(ref)
        proposal = self._proposal(group, paper.id)
        if proposal.proposer != user:
            raise ClubError(f"Only its proposer can withdraw “{_short(paper.title)}”.")
        self.store.withdraw(group, paper.id)
        return proposal

    def _proposal(self, group: str, paper_id: int) -> Proposal:
        found = next((p for p in self.shortlist(group) if p.paper.id == paper_id), None)
        if found is None:
            paper = self.find(paper_id)
            raise ClubError(f"“{_short(paper.title)}” is not on the shortlist.")
        return found

    def shortlist(self, group: str) -> list[Proposal]:
        """The proposals, oldest first, each with its likes in the group."""
        rows = self.store.shortlist(group)
        papers = {p.id: p for p in self.store.papers(r.paper_id for r in rows)}
        return [Proposal(papers[r.paper_id], r.proposer, r.proposed, r.likes) for r in rows if r.paper_id in papers]

    def suggest(self, group: str, limit: int = 5) -> list[Recommendation]:
        """Papers the lab's ranking puts first that the club has not read, scheduled or
        shortlisted."""
        exclude = self.store.club_paper_ids(group) | {p.paper.id for p in self.shortlist(group)}
        return self.ranker.lab_ranking(group, limit, exclude=exclude)

    # -- sessions ----------------------------------------------------------------------------

    def schedule(self, group: str, ref: str | int, when: str | datetime, now: datetime,
                 presenter: str | None = None, place: str | None = None, by: str | None = None,
                 channel_id: int | None = None) -> Session:
        """Record a session (local `YYYY-MM-DD HH:MM` in the club's time zone, or an aware
        datetime) and take its paper off the shortlist; ClubError for a time past or a paper
        the club has scheduled already."""
        settings = self.settings(group)
        starts = parse_when(when, settings.timezone) if isinstance(when, str) else when
        if starts.tzinfo is None:
            raise ClubError("A session's time needs its time zone.")
        if starts <= now:
            raise ClubError(f"{starts.astimezone(zone(settings.timezone)):%Y-%m-%d %H:%M} is in the past; "
                            "give a time to come.")
        presenter = _one_line(presenter, PRESENTER_CHARS, "presenter")
        place = _one_line(place, PLACE_CHARS, "place")
        paper = self.find(ref)
        if any(s.paper_id == paper.id for s in self.store.sessions(group, (SessionStatus.SCHEDULED,))):
            raise ClubError(f"“{_short(paper.title)}” is scheduled already; /club cancel first to move it.")
        session_id = self.store.add_session(
            grp=group, paper_id=paper.id, starts=_stamp(starts), timezone=settings.timezone, presenter=presenter,
            place=place, status=SessionStatus.SCHEDULED, created_by=by, channel_id=channel_id, created=_stamp(now),
        )
        return self.session(session_id)

    def attach(self, session_id: int, event_id: int | None = None, thread_id: int | None = None,
               channel_id: int | None = None) -> Session:
        """Remember the Discord event, thread and channel made for a session."""
        changes = {k: v for k, v in (("event_id", event_id), ("thread_id", thread_id),
                                     ("channel_id", channel_id)) if v is not None}
        if changes:
            self.store.update_session(session_id, **changes)
        return self.session(session_id)

    def session(self, session_id: int) -> Session:
        row = self.store.session(session_id)
        if row is None:
            raise ClubError(f"There is no session #{session_id}.")
        return self._session(row)

    def next(self, group: str, now: datetime) -> Session | None:
        """The next session to come (scheduled, starting after `now`)."""
        upcoming = self.store.sessions(group, (SessionStatus.SCHEDULED,), after=_stamp(now))
        return self._session(upcoming[0]) if upcoming else None

    def cancel(self, group: str, now: datetime) -> Session:
        """Cancel the next session; ClubError when none is scheduled. Its reminders are not sent."""
        found = self.next(group, now)
        if found is None:
            raise ClubError("No session is scheduled.")
        self.store.update_session(found.id, status=SessionStatus.CANCELLED)
        return self.session(found.id)

    def history(self, group: str, now: datetime) -> list[Session]:
        """Sessions held by `now`, newest first: a session whose time has come is held, even
        before the bot marks it so (with its event's interest count), or with no bot at all."""
        rows = self.store.sessions(group, (SessionStatus.SCHEDULED, SessionStatus.HELD), before=_stamp(now),
                                   newest_first=True)
        return [replace(self._session(row), status=SessionStatus.HELD) for row in rows]

    def to_close(self, now: datetime) -> list[Session]:
        """Sessions whose time has come but not yet marked held (their turnout not yet read)."""
        return [self._session(row) for row in self.store.sessions(None, (SessionStatus.SCHEDULED,), before=_stamp(now))]

    def held(self, session_id: int, interested: int | None) -> Session:
        """Mark a session held, with how many took part (the event's interest count, if known)."""
        self.store.update_session(session_id, status=SessionStatus.HELD, interested=interested)
        return self.session(session_id)

    def _session(self, row: SessionRow) -> Session:
        paper = self.find(row.paper_id)
        return Session(
            id=row.id, group=row.grp, paper=paper, starts=_parse(row.starts), timezone=row.timezone,
            status=row.status, presenter=row.presenter, place=row.place, event_id=row.event_id,
            thread_id=row.thread_id, channel_id=row.channel_id, interested=row.interested,
        )

    # -- polls -------------------------------------------------------------------------------

    def poll_choices(self, group: str, size: int = DEFAULT_POLL) -> list[Proposal]:
        """The shortlisted papers a poll of `size` answers offers: the most liked, then the
        earliest proposed, shown in the order they were proposed."""
        if not 2 <= size <= MAX_POLL:
            raise ClubError(f"A poll offers 2 to {MAX_POLL} papers.")
        proposals = self.shortlist(group)
        if len(proposals) < 2:
            raise ClubError("A poll needs at least two papers on the shortlist: /club propose adds them.")
        order = {p.paper.id: at for at, p in enumerate(proposals)}
        chosen = sorted(proposals, key=lambda p: (-p.likes, order[p.paper.id]))[:size]
        return sorted(chosen, key=lambda p: order[p.paper.id])

    def prepare_poll(self, group: str, channel_id: int, paper_ids: list[int], ends: datetime) -> Poll:
        """Record a poll before the bot posts it (state `posting`, no message yet); ClubError
        when the group has a poll being posted or open already."""
        with self.store.transaction():
            if self.store.polls((PollState.POSTING, PollState.OPEN), group):
                raise ClubError("A paper club poll is open already: its winner is posted when it ends.")
            poll_id = self.store.add_poll(grp=group, channel_id=channel_id, paper_ids=json.dumps(paper_ids),
                                          ends=_stamp(ends), state=PollState.POSTING)
        return self.poll(poll_id)

    def poll_posted(self, poll_id: int, message_id: int, ends: datetime) -> Poll:
        """Remember the message a poll was posted as, and when Discord closes it: it is open."""
        self.store.update_poll(poll_id, state=PollState.OPEN, message_id=message_id, ends=_stamp(ends))
        return self.poll(poll_id)

    def polls_posting(self) -> list[Poll]:
        """Polls recorded but not known to be posted (a crash, or Discord did not answer)."""
        return [self._poll(row) for row in self.store.polls((PollState.POSTING,))]

    def poll(self, poll_id: int) -> Poll:
        row = self.store.poll(poll_id)
        if row is None:
            raise ClubError(f"There is no poll #{poll_id}.")
        return self._poll(row)

    def polls_ended(self, now: datetime) -> list[Poll]:
        """Open polls whose end has come: their results are to be read from Discord."""
        return [poll for poll in map(self._poll, self.store.polls((PollState.OPEN,))) if poll.ends <= now]

    def polls_decided(self) -> list[Poll]:
        """Polls whose winner was decided but not yet announced (a crash in between)."""
        return [self._poll(row) for row in self.store.polls((PollState.DECIDED,))]

    def decide(self, poll_id: int, counts: list[int]) -> Poll:
        """Record a finished poll's votes (one count per answer, in order) and its winner: the
        most votes, then the most likes in the group, then the earlier proposal."""
        with self.store.transaction():
            poll = self.poll(poll_id)
            if poll.state != PollState.OPEN:
                return poll
            ids = [p.id for p in poll.papers]
            if len(counts) != len(ids):
                raise ClubError(f"Poll #{poll_id} has {len(ids)} answers, not {len(counts)}.")
            likes = self.store.group_like_counts(poll.group, ids)
            best = min(range(len(ids)), key=lambda at: (-counts[at], -likes.get(ids[at], 0), at))
            self.store.update_poll(poll_id, state=PollState.DECIDED, winner_id=ids[best], counts=json.dumps(counts))
        return self.poll(poll_id)

    def announced(self, poll_id: int) -> None:
        self.store.update_poll(poll_id, state=PollState.ANNOUNCED)

    def drop_poll(self, poll_id: int) -> None:
        """Give up a poll that could not be posted, or whose message is gone."""
        self.store.update_poll(poll_id, state=PollState.DROPPED)

    def _poll(self, row: PollRow) -> Poll:
        ids = json.loads(row.paper_ids)
        papers = {p.id: p for p in self.store.papers(ids)}
        return Poll(
            id=row.id, group=row.grp, channel_id=row.channel_id, message_id=row.message_id,
            papers=[papers[i] for i in ids if i in papers], ends=_parse(row.ends), state=row.state,
            winner_id=row.winner_id, counts=json.loads(row.counts) if row.counts else None,
        )

    # -- reminders ---------------------------------------------------------------------------

    def reminders(self, group: str, now: datetime) -> list[Reminder]:
        """Every reminder of the sessions to come, with when it is due and its state: `sent`,
        `pending` (recorded, being sent), `skipped` (the hour's came first), `due` or `planned`."""
        found = []
        for row in self.store.sessions(group, (SessionStatus.SCHEDULED,), after=_stamp(now)):
            session = self._session(row)
            created = _parse(row.created)
            for kind, before in REMINDERS:
                recorded = self.store.reminder(session.id, kind)
                due = session.starts - before
                if recorded is not None:
                    status = recorded.status
                elif due < created or (kind == ReminderKind.DAY
                                       and now >= session.starts - dict(REMINDERS)[ReminderKind.HOUR]):
                    status = ReminderStatus.SKIPPED
                else:
                    status = ReminderStatus.DUE if due <= now else ReminderStatus.PLANNED
                found.append(Reminder(session, kind, due, status))
        return found

    def reminders_due(self, now: datetime) -> list[Reminder]:
        """Reminders whose time has come, of sessions still to come, not recorded yet. A session
        scheduled less than a day ahead gets only the hour's; when both are due (the bot was
        down), only the hour's is."""
        due = []
        for row in self.store.sessions(None, (SessionStatus.SCHEDULED,), after=_stamp(now)):
            session = self._session(row)
            created = _parse(row.created)
            for kind, before in reversed(REMINDERS):
                moment = session.starts - before
                if moment <= now and created <= moment and self.store.reminder(session.id, kind) is None:
                    due.append(Reminder(session, kind, moment, ReminderStatus.DUE))
                    break
        return due

    def prepare_reminder(self, reminder: Reminder, now: datetime) -> Reminder | None:
        """Record a due reminder as pending before it is sent (and an earlier one of the same
        session that was never sent as skipped); None when it was recorded already or its
        session is no longer to come."""
        with self.store.transaction():
            row = self.store.session(reminder.session.id)
            if row is None or row.status != SessionStatus.SCHEDULED or _parse(row.starts) <= now:
                return None
            if not self.store.record_reminder(reminder.session.id, reminder.kind, ReminderStatus.PENDING):
                return None
            if reminder.kind == ReminderKind.HOUR:
                self.store.record_reminder(reminder.session.id, ReminderKind.DAY, ReminderStatus.SKIPPED)
        return Reminder(self._session(row), reminder.kind, reminder.due, ReminderStatus.PENDING)

    def pending_reminders(self) -> list[Reminder]:
        """Reminders recorded but not marked sent (a crash, or a failed send)."""
        found = []
        for row in self.store.reminders(ReminderStatus.PENDING):
            session = self.session(row.session_id)
            before = dict(REMINDERS)[row.kind]
            found.append(Reminder(session, row.kind, session.starts - before, ReminderStatus.PENDING))
        return found

    def reminder_channel(self, reminder: Reminder) -> int | None:
        """Where a reminder is posted: its session's thread, else the club's channel; None when
        there is neither (a session scheduled from the command line, in a club not set up)."""
        return reminder.session.thread_id or self.settings(reminder.session.group).channel_id

    def reminder_sent(self, reminder: Reminder, now: datetime) -> None:
        self.store.set_reminder_status(reminder.session.id, reminder.kind, ReminderStatus.SENT, _stamp(now))

    def drop_reminder(self, reminder: Reminder) -> None:
        """Give up a pending reminder (its thread is gone, or its session began)."""
        self.store.set_reminder_status(reminder.session.id, reminder.kind, ReminderStatus.DROPPED)


def _stamp(moment: datetime) -> str:
    """A moment as stored: UTC, to the second, so stored times compare as text."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _short(title: str, limit: int = 80) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"


def _one_line(text: str | None, limit: int, what: str) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > limit:
        raise ClubError(f"The {what} is {len(text)} characters long; at most {limit} are taken.")
    return text or None


def _brief(paper: Paper) -> dict[str, Any]:
    return {"id": paper.id, "title": paper.title, "arxiv_id": paper.arxiv_id, "url": paper.url}


