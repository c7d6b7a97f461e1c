"""Digests: subscriptions, the arXiv feeds fetched and the papers each announced, the digests
recorded for each subscriber and day, and the channels that show link cards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from ..kinds import AnnouncementType, DigestKind, DigestStatus, FeedStatus, SubscriberKind
from .connection import StoreBase, now


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A subscription as kept (`categories` a JSON list, the flags 0 or 1, `post_time` HH:MM)."""

    target: str
    kind: SubscriberKind
    grp: str | None
    channel_id: int | None
    user_id: str | None
    categories: str
    post_time: str
    timezone: str
    size: int
    cross_lists: int
    say_when_empty: int
    paused: str | None
    created_by: str | None
    updated: str | None
    min_score: float | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SubscriberKind(self.kind))


@dataclass(frozen=True, slots=True)
class FeedFetchRow:
    """What the last fetch of a category's announcement for a day gave."""

    category: str
    day: str
    status: FeedStatus
    fetched: str
    message: str | None
    retry_at: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", FeedStatus(self.status))


@dataclass(frozen=True, slots=True)
class DigestRow:
    """A digest as recorded (`categories`, `paper_ids` and `reasons` JSON lists)."""

    id: int
    target: str
    local_day: str
    announce_day: str | None
    status: DigestStatus
    kind: DigestKind
    categories: str | None
    paper_ids: str | None
    reasons: str | None
    parts_sent: int | None
    created: str
    sent: str | None
    below_floor: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", DigestStatus(self.status))
        object.__setattr__(self, "kind", DigestKind(self.kind))


class DigestStore(StoreBase):
    # -- subscriptions -----------------------------------------------------------------------

    def save_subscription(self, row: SubscriptionRow) -> None:
        """Insert or replace one subscription (`updated` now, unless it says when)."""
        with self._writing():
            self.db.table("subscriptions").upsert(asdict(replace(row, updated=row.updated or now())), pk="target")

    def subscription(self, target: str) -> SubscriptionRow | None:
        return self._select_one(SubscriptionRow, "FROM subscriptions WHERE target = ?", [target])

    def subscriptions(self, group: str | None = None) -> list[SubscriptionRow]:
        if group is None:
            return self._select(SubscriptionRow, "FROM subscriptions ORDER BY target")
        return self._select(SubscriptionRow, "FROM subscriptions WHERE grp = ? ORDER BY target", [group])

    def delete_subscription(self, target: str) -> bool:
        with self._writing() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE target = ?", [target])
        return cursor.rowcount > 0

    def set_paused(self, target: str, reason: str | None) -> None:
        with self._writing() as db:
            db.execute("UPDATE subscriptions SET paused = ? WHERE target = ?", [reason, target])

    def digest_timezone(self, group: str, channel_id: int | None = None) -> str | None:
        """The time zone of a group's channel digest: the one posted in `channel_id` if there
        is one, else the group's oldest; None when the group has no channel digest."""
        found = self._scalar(
            "SELECT timezone FROM subscriptions WHERE grp = ? AND kind = ? "
            "ORDER BY channel_id IS NOT ?, updated, target LIMIT 1",
            [group, SubscriberKind.CHANNEL, channel_id],
        )
        return str(found) if found is not None else None

    # -- link cards ----------------------------------------------------------------------------

    def set_links(self, channel_id: int, on: bool) -> None:
        with self._writing():
            self.db.table("channel_options").upsert(
                {"channel_id": channel_id, "links": int(on), "updated": now()}, pk="channel_id"
            )

    def links_on(self, channel_id: int) -> bool:
        return bool(self._scalar("SELECT links FROM channel_options WHERE channel_id = ?", [channel_id]))

    # -- feeds and what they announced ---------------------------------------------------------

    def feed_fetch(self, category: str, day: str) -> FeedFetchRow | None:
        return self._select_one(FeedFetchRow, "FROM feed_fetches WHERE category = ? AND day = ?", [category, day])

    def record_feed_fetch(self, category: str, day: str, status: FeedStatus, message: str, fetched: str,
                          retry_at: str | None = None) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO feed_fetches (category, day, status, fetched, message, retry_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(category, day) DO UPDATE SET "
                "status = excluded.status, fetched = excluded.fetched, message = excluded.message, "
                "retry_at = excluded.retry_at",
                [category, day, status, fetched, message, retry_at],
            )

    def add_announced(self, category: str, day: str, entries: Iterable[tuple[int, AnnouncementType]]) -> None:
        """Remember which papers a category announced on a day (paper id, and how: new or
        cross-listed; a paper announced both ways is new)."""
        with self._writing() as db:
            db.executemany(
                "INSERT INTO announcements (category, day, paper_id, type) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(category, day, paper_id) DO UPDATE SET type = "
                "CASE WHEN announcements.type = 'new' THEN 'new' ELSE excluded.type END",
                [(category, day, pid, kind) for pid, kind in entries],
            )

    def announced(self, categories: Iterable[str], day: str, types: Iterable[AnnouncementType]) -> list[int]:
        """Papers the categories announced on a day with one of the types, in feed order."""
        categories, types = list(categories), list(types)
        if not categories or not types:
            return []
        rows = self._read().execute(
            f"SELECT paper_id FROM announcements WHERE day = ? "
            f"AND category IN ({','.join('?' * len(categories))}) "
            f"AND type IN ({','.join('?' * len(types))}) GROUP BY paper_id ORDER BY min(rowid)",
            [day, *categories, *types],
        )
        return [r[0] for r in rows]

    # -- digests -------------------------------------------------------------------------------

    def create_digest(self, *, target: str, local_day: str, announce_day: str | None, status: DigestStatus,
                      kind: DigestKind, categories: str, paper_ids: str, reasons: str, below_floor: bool) -> int:
        """Record a digest, nothing of it sent yet (the lists as JSON); returns its id."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO digests (target, local_day, announce_day, status, kind, categories, paper_ids, "
                "reasons, parts_sent, created, sent, below_floor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?)",
                [target, local_day, announce_day, status, kind, categories, paper_ids, reasons, now(),
                 int(below_floor)],
            )
        assert cursor.lastrowid is not None        # an insert into a table with an integer key sets it
        return int(cursor.lastrowid)

    def digest(self, digest_id: int) -> DigestRow | None:
        return self._select_one(DigestRow, "FROM digests WHERE id = ?", [digest_id])

    def digest_for(self, target: str, local_day: str) -> DigestRow | None:
        return self._select_one(DigestRow, "FROM digests WHERE target = ? AND local_day = ?", [target, local_day])

    def digests_with_status(self, status: DigestStatus) -> list[DigestRow]:
        return self._select(DigestRow, "FROM digests WHERE status = ? ORDER BY id", [status])

    def digested_announcement(self, target: str, announce_day: str) -> bool:
        """True when a digest of that announcement day was already recorded for the target."""
        done = (DigestStatus.PENDING, DigestStatus.SENT, DigestStatus.SKIPPED)
        return self._scalar(
            "SELECT 1 FROM digests WHERE target = ? AND announce_day = ? AND status IN (?, ?, ?) LIMIT 1",
            [target, announce_day, *done],
        ) is not None

    def update_digest(self, digest_id: int, **changes: object) -> None:
        with self._writing():
            self.db.table("digests").update(digest_id, changes)
