"""Likes and "not for me" (signals), likes of muted interests, papers delivered to someone, and
each group's learned blend of co-likes beside text."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..kinds import SignalKind
from .connection import StoreBase, UndoStep, now, now_precise


@dataclass(frozen=True, slots=True)
class SignalRow:
    """A person's like or "not for me" on a paper, in a group (`""`: none)."""

    paper_id: int
    kind: SignalKind
    grp: str
    created: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SignalKind(self.kind))


@dataclass(frozen=True, slots=True)
class GroupSignalRow:
    """Who made a signal of a kind on a paper in a group."""

    user: str
    paper_id: int


@dataclass(frozen=True, slots=True)
class FavouriteRow:
    """A paper liked in a group, and by how many."""

    paper_id: int
    likes: int


@dataclass(frozen=True, slots=True)
class GroupBlendRow:
    """The weight of co-likes beside text a group learned, with what it was learned on."""

    grp: str
    weight: float
    recall: float | None
    text_recall: float | None
    members: int | None
    likes: int | None
    learned: str


def _undo_signal(db: sqlite3.Connection, paper_id: int, before: list[Any]) -> None:
    """A like or "not for me" as it was: none, or the other kind made at its own time."""
    user, grp, kind, created = before
    if kind is None:
        db.execute("DELETE FROM signals WHERE user = ? AND paper_id = ? AND grp = ?", [user, paper_id, grp])
    else:
        db.execute("UPDATE signals SET kind = ?, created = ? WHERE user = ? AND paper_id = ? AND grp = ?",
                   [kind, created, user, paper_id, grp])


SIGNAL_UNDO: dict[str, UndoStep] = {"signal": _undo_signal}


class SignalStore(StoreBase):
    """What people said about papers, and what reached them."""

    # -- likes and "not for me" ----------------------------------------------------------------

    def set_signal(self, user: str, paper_id: int, kind: SignalKind, group: str | None) -> bool:
        """Record a like or dislike (replacing the other); False when it was already there."""
        grp = group or ""
        with self._writing() as db:
            existing = db.execute(
                "SELECT kind, created FROM signals WHERE user = ? AND paper_id = ? AND grp = ?",
                [user, paper_id, grp],
            ).fetchone()
            if existing and existing[0] == kind:
                return False
            self._undo(db, "signal", paper_id, [user, grp, *(existing or (None, None))])
            db.execute(
                "INSERT INTO signals (user, paper_id, grp, kind, created) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(user, paper_id, grp) DO UPDATE SET kind = excluded.kind, "
                "created = excluded.created",
                [user, paper_id, grp, kind, now_precise()],
            )
        return True

    def clear_signals(self, user: str, paper_id: int) -> int:
        with self._writing() as db:
            cursor = db.execute("DELETE FROM signals WHERE user = ? AND paper_id = ?", [user, paper_id])
        return cursor.rowcount

    def signals(self, user: str, kind: SignalKind | None = None, group: str | None = None) -> list[SignalRow]:
        """A person's signals, newest first; with a group, that group's signals and the
        ungrouped ones."""
        clauses, params = ["user = ?"], [user]
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        if group is not None:
            clauses.append("grp IN (?, '')")
            params.append(group)
        return self._select(SignalRow, f"FROM signals WHERE {' AND '.join(clauses)} "
                            "ORDER BY created DESC, rowid DESC", params)

    def group_signals(self, group: str, kind: SignalKind = SignalKind.LIKE,
                      since: str | None = None) -> list[GroupSignalRow]:
        """Every signal of a kind made in a group (since a time), oldest first."""
        sql = "FROM signals WHERE grp = ? AND kind = ?"
        params: list[Any] = [group, kind]
        if since:
            sql += " AND created >= ?"
            params.append(since)
        return self._select(GroupSignalRow, sql + " ORDER BY created", params)

    def count_group_likes(self, group: str) -> int:
        return int(self._scalar("SELECT count(*) FROM signals WHERE grp = ? AND kind = ?", [group, SignalKind.LIKE]))

    def group_favourites(self, group: str, limit: int) -> list[FavouriteRow]:
        """The papers liked most in a group, with their likes, most liked first."""
        rows = self._read().execute(
            "SELECT paper_id, count(*) AS n FROM signals WHERE grp = ? AND kind = ? "
            "GROUP BY paper_id ORDER BY n DESC, min(created), paper_id LIMIT ?", [group, SignalKind.LIKE, limit])
        return [FavouriteRow(*row) for row in rows]

    def group_like_counts(self, group: str, paper_ids: Iterable[int]) -> dict[int, int]:
        """How many people liked each of these papers in a group (papers nobody liked: absent)."""
        ids = list(paper_ids)
        if not ids:
            return {}
        rows = self._read().execute(
            f"SELECT paper_id, count(*) FROM signals WHERE grp = ? AND kind = ? "
            f"AND paper_id IN ({','.join('?' * len(ids))}) GROUP BY paper_id", [group, SignalKind.LIKE, *ids])
        return {r[0]: r[1] for r in rows}

    def disliked_anywhere(self, user: str) -> set[int]:
        """Every paper a person marked "not for me", in any group."""
        rows = self._read().execute("SELECT paper_id FROM signals WHERE user = ? AND kind = ?",
                                    [user, SignalKind.DISLIKE])
        return {r[0] for r in rows}

    # -- a group's blend ---------------------------------------------------------------------

    def group_blend(self, group: str) -> GroupBlendRow | None:
        """A group's learned blend, if it learned one."""
        return self._select_one(GroupBlendRow, "FROM group_blends WHERE grp = ?", [group])

    def group_blends(self) -> list[GroupBlendRow]:
        """Every group's learned blend, by group."""
        return self._select(GroupBlendRow, "FROM group_blends ORDER BY grp")

    def set_group_blend(self, group: str, weight: float, recall: float, text_recall: float,
                        members: int, likes: int) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO group_blends (grp, weight, recall, text_recall, members, likes, learned) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(grp) DO UPDATE SET weight = excluded.weight, "
                "recall = excluded.recall, text_recall = excluded.text_recall, members = excluded.members, "
                "likes = excluded.likes, learned = excluded.learned",
                [group, weight, recall, text_recall, members, likes, now_precise()],
            )

    # -- muted interests ---------------------------------------------------------------------

    def set_muted_likes(self, user: str, paper_ids: Iterable[int], muted: bool) -> None:
        """Remember (or forget) liked papers as belonging to an interest the person muted."""
        ids = list(paper_ids)
        with self._writing() as db:
            if muted:
                moment = now()
                db.executemany(
                    "INSERT OR IGNORE INTO muted_likes (user, paper_id, created) VALUES (?, ?, ?)",
                    [(user, pid, moment) for pid in ids],
                )
            else:
                db.executemany("DELETE FROM muted_likes WHERE user = ? AND paper_id = ?", [(user, pid) for pid in ids])

    def muted_likes(self, user: str) -> set[int]:
        rows = self._read().execute("SELECT paper_id FROM muted_likes WHERE user = ?", [user])
        return {r[0] for r in rows}

    # -- deliveries --------------------------------------------------------------------------

    def mark_delivered(self, recipient: str, paper_ids: Iterable[int]) -> None:
        moment = now()
        with self._writing() as db:
            db.executemany(
                "INSERT OR IGNORE INTO deliveries (recipient, paper_id, delivered) VALUES (?, ?, ?)",
                [(recipient, pid, moment) for pid in paper_ids],
            )

    def delivered(self, recipient: str) -> set[int]:
        rows = self._read().execute("SELECT paper_id FROM deliveries WHERE recipient = ?", [recipient])
        return {r[0] for r in rows}
