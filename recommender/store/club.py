"""The paper club: each group's settings, its shortlist, its sessions, its polls, and the
reminders recorded before they are posted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..kinds import PollState, ReminderKind, ReminderStatus, SessionStatus, SignalKind
from .connection import StoreBase, now, now_precise


@dataclass(frozen=True, slots=True)
class ClubSettingsRow:
    grp: str
    channel_id: int | None
    role_id: int | None
    ping: int
    timezone: str | None
    updated: str


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """A paper on a group's shortlist, with its likes in the group."""

    grp: str
    paper_id: int
    proposer: str
    proposed: str
    likes: int


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A session as kept (`starts` and `created` UTC ISO times)."""

    id: int
    grp: str
    paper_id: int
    starts: str
    timezone: str
    presenter: str | None
    place: str | None
    event_id: int | None
    thread_id: int | None
    channel_id: int | None
    status: SessionStatus
    interested: int | None
    created_by: str | None
    created: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", SessionStatus(self.status))


@dataclass(frozen=True, slots=True)
class PollRow:
    """A poll as kept (`paper_ids` and `counts` JSON lists)."""

    id: int
    grp: str
    channel_id: int
    message_id: int | None
    paper_ids: str
    ends: str
    state: PollState
    winner_id: int | None
    counts: str | None
    created: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", PollState(self.state))


@dataclass(frozen=True, slots=True)
class ReminderRow:
    session_id: int
    kind: ReminderKind
    status: ReminderStatus
    created: str
    sent: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReminderKind(self.kind))
        object.__setattr__(self, "status", ReminderStatus(self.status))


_SHORTLIST = (
    "SELECT s.grp, s.paper_id, s.proposer, s.proposed, "
    "(SELECT count(*) FROM signals g WHERE g.grp = s.grp AND g.paper_id = s.paper_id AND g.kind = ?) "
    "AS likes FROM club_shortlist s"
)


class ClubStore(StoreBase):
    # -- settings ------------------------------------------------------------------------------

    def club_settings(self, group: str) -> ClubSettingsRow | None:
        return self._select_one(ClubSettingsRow, "FROM club_settings WHERE grp = ?", [group])

    def save_club_settings(self, group: str, channel_id: int | None, role_id: int | None, ping: bool,
                           timezone_name: str | None) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO club_settings (grp, channel_id, role_id, ping, timezone, updated) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(grp) DO UPDATE SET channel_id = excluded.channel_id, "
                "role_id = excluded.role_id, ping = excluded.ping, timezone = excluded.timezone, "
                "updated = excluded.updated",
                [group, channel_id, role_id, int(ping), timezone_name, now()],
            )

    # -- the shortlist -------------------------------------------------------------------------

    def propose(self, group: str, paper_id: int, proposer: str) -> ProposalRow | None:
        """Put a paper on a group's shortlist; None when it is there already (the proposal
        stays its first proposer's), else the new proposal."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO club_shortlist (grp, paper_id, proposer, proposed) VALUES (?, ?, ?, ?)",
                [group, paper_id, proposer, now_precise()],
            )
        return self.proposal(group, paper_id) if cursor.rowcount else None

    def proposal(self, group: str, paper_id: int) -> ProposalRow | None:
        rows = self._read().execute(f"{_SHORTLIST} WHERE s.grp = ? AND s.paper_id = ?",
                                    [SignalKind.LIKE, group, paper_id]).fetchall()
        return ProposalRow(*rows[0]) if rows else None

    def withdraw(self, group: str, paper_id: int) -> bool:
        with self._writing() as db:
            cursor = db.execute("DELETE FROM club_shortlist WHERE grp = ? AND paper_id = ?", [group, paper_id])
        return cursor.rowcount > 0

    def shortlist(self, group: str) -> list[ProposalRow]:
        """A group's proposals, oldest first."""
        rows = self._read().execute(f"{_SHORTLIST} WHERE s.grp = ? ORDER BY s.proposed, s.paper_id",
                                    [SignalKind.LIKE, group])
        return [ProposalRow(*row) for row in rows]

    # -- sessions ------------------------------------------------------------------------------

    def add_session(self, *, grp: str, paper_id: int, starts: str, timezone: str, status: SessionStatus,
                    presenter: str | None = None, place: str | None = None, channel_id: int | None = None,
                    created_by: str | None = None, created: str | None = None) -> int:
        """Record a session (`created` now unless given) and take its paper off the shortlist,
        together; returns its id."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO club_sessions (grp, paper_id, starts, timezone, presenter, place, status, created_by, "
                "channel_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [grp, paper_id, starts, timezone, presenter, place, status, created_by, channel_id,
                 created or now()],
            )
            db.execute("DELETE FROM club_shortlist WHERE grp = ? AND paper_id = ?", [grp, paper_id])
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def session(self, session_id: int) -> SessionRow | None:
        return self._select_one(SessionRow, "FROM club_sessions WHERE id = ?", [session_id])

    def sessions(self, group: str | None = None, statuses: Iterable[SessionStatus] = (), after: str | None = None,
                 before: str | None = None, newest_first: bool = False) -> list[SessionRow]:
        """Sessions (of a group, in some states, starting after and before given UTC times), in
        order of their start."""
        clauses: list[str] = ["1"]
        params: list[Any] = []
        if group is not None:
            clauses.append("grp = ?")
            params.append(group)
        wanted = list(statuses)
        if wanted:
            clauses.append(f"status IN ({','.join('?' * len(wanted))})")
            params += wanted
        if after is not None:
            clauses.append("starts > ?")
            params.append(after)
        if before is not None:
            clauses.append("starts <= ?")
            params.append(before)
        order = "DESC" if newest_first else ""
        return self._select(SessionRow, f"FROM club_sessions WHERE {' AND '.join(clauses)} "
                            f"ORDER BY starts {order}, id {order}", params)

    def update_session(self, session_id: int, **changes: object) -> None:
        with self._writing():
            self.db.table("club_sessions").update(session_id, changes)

    def club_paper_ids(self, group: str, before: str | None = None) -> set[int]:
        """Papers a group's sessions were (or, without `before`, are to be) about, cancelled
        ones aside; with `before`, only those that started by then."""
        sql = "SELECT paper_id FROM club_sessions WHERE grp = ? AND status != ?"
        params: list[Any] = [group, SessionStatus.CANCELLED]
        if before is not None:
            sql += " AND starts <= ?"
            params.append(before)
        return {r[0] for r in self._read().execute(sql, params)}

    # -- polls ---------------------------------------------------------------------------------

    def add_poll(self, *, grp: str, channel_id: int, paper_ids: str, ends: str, state: PollState) -> int:
        """Record a poll not yet posted (`paper_ids` a JSON list); returns its id."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO club_polls (grp, channel_id, message_id, paper_ids, ends, state, created) "
                "VALUES (?, ?, NULL, ?, ?, ?, ?)",
                [grp, channel_id, paper_ids, ends, state, now()],
            )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def poll(self, poll_id: int) -> PollRow | None:
        return self._select_one(PollRow, "FROM club_polls WHERE id = ?", [poll_id])

    def polls(self, states: Iterable[PollState], group: str | None = None) -> list[PollRow]:
        wanted = list(states)
        sql = f"FROM club_polls WHERE state IN ({','.join('?' * len(wanted))})"
        params: list[Any] = list(wanted)
        if group is not None:
            sql += " AND grp = ?"
            params.append(group)
        return self._select(PollRow, sql + " ORDER BY id", params)

    def update_poll(self, poll_id: int, **changes: object) -> None:
        with self._writing():
            self.db.table("club_polls").update(poll_id, changes)

    # -- reminders -----------------------------------------------------------------------------

    def reminder(self, session_id: int, kind: ReminderKind) -> ReminderRow | None:
        return self._select_one(ReminderRow, "FROM club_reminders WHERE session_id = ? AND kind = ?",
                                [session_id, kind])

    def reminders(self, status: ReminderStatus) -> list[ReminderRow]:
        return self._select(ReminderRow, "FROM club_reminders WHERE status = ? ORDER BY session_id, kind", [status])

    def record_reminder(self, session_id: int, kind: ReminderKind, status: ReminderStatus) -> bool:
        """Record a reminder as pending (or skipped) once; False when it was recorded before."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO club_reminders (session_id, kind, status, created) VALUES (?, ?, ?, ?)",
                [session_id, kind, status, now()],
            )
        return cursor.rowcount > 0

    def set_reminder_status(self, session_id: int, kind: ReminderKind, status: ReminderStatus,
                            sent: str | None = None) -> None:
        with self._writing() as db:
            db.execute("UPDATE club_reminders SET status = ?, sent = ? WHERE session_id = ? AND kind = ?",
                       [status, sent, session_id, kind])
