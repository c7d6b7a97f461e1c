"""The facade's digests: subscriptions, the arXiv feeds they draw on, and each day's digest from
being prepared to being sent (the work is `digest.DigestBook`'s)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, TypedDict, Unpack

from ..calls import network, reads, writes
from .parts import Parts

if TYPE_CHECKING:
    from ..arxiv import Announcement
    from ..digest import Announce, Digest, FeedReport, Preview, Subscription


class SubscriptionSettings(TypedDict, total=False):
    """The settings `subscribe` takes besides the target and categories (see `DigestBook.subscribe`)."""

    post_time: str | time
    timezone_name: str
    size: int
    cross_lists: bool
    say_when_empty: bool
    min_score: float | None
    group: str | None
    by: str | None
    now: datetime | None


class PreviewSettings(TypedDict, total=False):
    """The settings `preview_digest` takes besides the categories and time (see `DigestBook.preview`)."""

    group: str | None
    user: str | None
    size: int
    cross_lists: bool
    recipient: str | None
    min_score: float | None
    day: date | None


class DigestSection(Parts):
    # -- subscriptions --------------------------------------------------------------------

    @writes
    def subscribe(self, target: str, categories: str | Iterable[str],
                  **settings: Unpack[SubscriptionSettings]) -> Subscription:
        """Create or replace the digest subscription of a channel (`channel:<id>`) or a person
        (`dm:<user id>`); SubscriptionError, in a sentence, for bad settings."""
        return self._digests.subscribe(target, categories, **settings)

    @reads
    def subscription(self, target: str) -> Subscription | None:
        return self._digests.subscription(target)

    @reads
    def subscriptions(self, group: str | None = None) -> list[Subscription]:
        return self._digests.subscriptions(group)

    @writes
    def unsubscribe(self, target: str) -> bool:
        """Stop a subscription; whether there was one."""
        return self._digests.unsubscribe(target)

    @writes
    def pause_subscription(self, target: str, reason: str) -> None:
        """Stop posting to a subscriber the bot can no longer reach, until it subscribes again."""
        self._digests.pause(target, reason)

    @reads
    def subscriptions_due(self, now: datetime) -> list[Subscription]:
        """Active subscriptions whose posting time has come today, with nothing recorded yet."""
        return self._digests.due(now)

    # -- feeds ----------------------------------------------------------------------------

    @reads
    def feeds_needed(self, subscriptions: Sequence[Subscription], now: datetime) -> list[tuple[str, date]]:
        """The (category, announcement day) feeds to fetch now for due subscriptions."""
        return self._digests.feeds_needed(subscriptions, now)

    @reads
    def feeds_to_fetch(self, categories: str | Iterable[str], now: datetime) -> list[tuple[str, date]]:
        """The categories' current announcements not fetched yet (or due for another try)."""
        return self._digests.feeds_to_fetch(categories, now)

    @network
    def fetch_feed(self, category: str, day: date, announce: Announce, now: datetime) -> FeedReport:
        """Fetch one category's announcement with `announce` and keep it, or record the failure."""
        return self._digests.fetch_feed(category, day, announce, now)

    @network
    def fetch_feeds(self, categories: Iterable[str], announce: Announce, now: datetime,
                    force: bool = False, day: date | None = None) -> list[FeedReport]:
        """Fetch and keep the current announcement (or `day`'s) of each category in turn; without
        `force`, not one fetched already."""
        return self._digests.fetch(categories, announce, now, force, day)

    @writes
    def store_announcement(self, announcement: Announcement, expected_day: date | None,
                           now: datetime) -> FeedReport:
        """Keep an announcement read elsewhere (a file) as if it had been fetched."""
        return self._digests.store_announcement(announcement, expected_day, now)

    @writes
    def record_failed_fetch(self, category: str, day: date, message: str, now: datetime) -> None:
        """Remember that fetching a feed failed, so it is tried again only after a pause."""
        self._digests.fetch_failed(category, day, message, now)

    # -- digests --------------------------------------------------------------------------

    @writes
    def prepare_digest(self, subscription: Subscription, now: datetime) -> Digest | None:
        """Choose and record today's digest for a due subscription (its papers marked
        delivered), or None when there is nothing to post."""
        return self._digests.prepare(subscription, now)

    @reads
    def digest(self, digest_id: int) -> Digest | None:
        return self._digests.digest(digest_id)

    @reads
    def pending_digests(self, now: datetime) -> list[Digest]:
        """Digests recorded but not yet marked sent, at most a day old."""
        return self._digests.pending(now)

    @writes
    def abandon_stale_digests(self, now: datetime) -> int:
        """Give up the digests never sent that are more than a day old; how many."""
        return self._digests.abandon_stale(now)

    @writes
    def mark_part_sent(self, digest_id: int, parts_sent: int) -> None:
        self._digests.part_sent(digest_id, parts_sent)

    @writes
    def mark_digest_sent(self, digest_id: int, now: datetime) -> None:
        self._digests.sent(digest_id, now)

    @writes
    def drop_digest(self, digest_id: int, reason: str) -> None:
        """Give up a pending digest (its subscriber is gone); its papers stay delivered."""
        self._digests.drop(digest_id, reason)

    @reads
    def preview_digest(self, categories: str | Iterable[str], now: datetime,
                       **settings: Unpack[PreviewSettings]) -> Preview:
        """What a digest of these categories would post now, from the feeds already fetched
        (nothing is recorded)."""
        return self._digests.preview(categories, now, **settings)
