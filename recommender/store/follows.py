"""Follows: the authors and phrases people follow, in a group or everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..kinds import FollowKind
from .connection import StoreBase, now_precise


@dataclass(frozen=True, slots=True)
class FollowRow:
    """One follow as kept: whose, in which group (`""`: none), what, and its key (what makes two
    follows the same, `follows.key_of`)."""

    user: str
    grp: str
    kind: FollowKind
    text: str
    key: str
    created: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FollowKind(self.kind))


class FollowStore(StoreBase):
    def add_follow(self, user: str, group: str | None, kind: FollowKind, text: str, key: str) -> bool:
        """Follow an author or a phrase; False when the person already followed it there."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO follows (user, grp, kind, text, key, created) VALUES (?, ?, ?, ?, ?, ?)",
                [user, group or "", kind, text, key, now_precise()],
            )
        return cursor.rowcount > 0

    def remove_follow(self, user: str, kind: FollowKind, key: str, group: str | None = None) -> int:
        """Stop following (in one group, or everywhere when `group` is None); the rows removed."""
        sql, params = "DELETE FROM follows WHERE user = ? AND kind = ? AND key = ?", [user, kind, key]
        if group is not None:
            sql += " AND grp = ?"
            params.append(group)
        with self._writing() as db:
            cursor = db.execute(sql, params)
        return cursor.rowcount

    def follows(self, user: str | None = None, group: str | None = None) -> list[FollowRow]:
        """Follows, oldest first: one person's, one group's, or both filters at once."""
        clauses: list[str] = []
        params: list[Any] = []
        if user is not None:
            clauses.append("user = ?")
            params.append(user)
        if group is not None:
            clauses.append("grp = ?")
            params.append(group)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._select(FollowRow, f"FROM follows{where} ORDER BY created, rowid", params)
