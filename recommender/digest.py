"""Daily digests: subscriptions, the arXiv announcements they draw on, and choosing each day's
papers for a channel or a person. Data in, data out; the bot does the sending.

A digest goes through the database before it reaches Discord: `prepare` records it as pending,
with its papers chosen and marked delivered, in one transaction; the sender marks each message
part sent and then the whole digest. A crash at any point leaves either nothing recorded (the next
tick prepares it again) or a pending digest whose sent parts the bot can find in the channel.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from . import follows, taxonomy
from .arxiv import ArxivError
from .kinds import DONE_FEEDS, AddOutcome, AnnouncementType, DigestKind, DigestStatus, FeedStatus, SubscriberKind
from .papers import Follow, Recommendation
from .store.digests import SubscriptionRow
from .subscriptions import (
    DEFAULT_SIZE,
    MAX_SIZE,
    ONLY_RELEVANT,
    SubscriptionError,
    channel_target,
    person_target,
)
from .timetable import latest_announcement, parse_time, parse_timezone, zone

if TYPE_CHECKING:
    from .arxiv import Announcement
    from .index import TfidfIndex
    from .ingest import Ingester
    from .store import DigestRow, FeedFetchRow, Store

Announce = Callable[[str, date], "Announcement"]
"""The network step of a fetch: (category, day) -> that day's announcement; raises ArxivError."""


class Ranker(Protocol):
    """What a digest needs to choose its papers (see recommend.Recommender)."""

    def lab_ranking(self, group: str, limit: int = 10, candidates: Iterable[int] | None = None,
                    exclude: Iterable[int] = (), min_score: float | None = None,
                    index: TfidfIndex | None = None) -> list[Recommendation]: ...

    def personal_ranking(self, user: str, limit: int = 10, candidates: Iterable[int] | None = None,
                         exclude: Iterable[int] = (), min_score: float | None = None,
                         index: TfidfIndex | None = None) -> list[Recommendation]: ...

log = logging.getLogger("paperclub.digest")

MAX_CATEGORIES = 8
DEFAULT_TIME = time(8, 0)
RETRY_FEED_AFTER = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(hours=6)
PENDING_FOR = timedelta(hours=24)

_SPLIT = re.compile(r"[\s,;+]+")


@dataclass(frozen=True)
class Subscription:
    """Who gets a daily digest, of which arXiv categories, when and how many papers."""

    target: str
    kind: SubscriberKind
    categories: tuple[str, ...]
    post_time: time = DEFAULT_TIME
    timezone: str = "UTC"
    size: int = DEFAULT_SIZE
    cross_lists: bool = False
    say_when_empty: bool = False
    min_score: float | None = None
    group: str | None = None
    channel_id: int | None = None
    user_id: str | None = None
    paused: str | None = None
    created_by: str | None = None
    updated: str | None = None

    @property
    def recipient(self) -> str:
        """Whose deliveries it records: the channel's target, or the person (so their own
        recommendations skip what their digest already showed)."""
        return self.user_id if self.kind == SubscriberKind.DM and self.user_id else self.target

    def describe(self) -> str:
        """One line for people: categories, time, size and options."""
        extras = []
        if self.cross_lists:
            extras.append("with cross-lists")
        if self.min_score is not None:
            extras.append("only relevant papers" if self.min_score == ONLY_RELEVANT
                          else f"only papers scoring {self.min_score:g} or more")
        if self.say_when_empty:
            extras.append("says when there is nothing new")
        text = (f"{', '.join(self.categories)} · {self.size} papers at {self.post_time:%H:%M} "
                f"{self.timezone}, on days arXiv announces")
        text += "".join(f" · {extra}" for extra in extras)
        if self.paused:
            text += f" · paused: {self.paused}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["categories"] = list(self.categories)
        data["post_time"] = f"{self.post_time:%H:%M}"
        return data


@dataclass(frozen=True)
class Digest:
    """One day's digest for one subscriber, as recorded before sending."""

    id: int
    target: str
    local_day: date
    announce_day: date | None
    kind: DigestKind
    categories: tuple[str, ...]
    picks: list[Recommendation]
    parts_sent: int = 0
    status: DigestStatus = DigestStatus.PENDING
    # A quiet day that was quiet because of the relevance floor: new papers came, none reached it.
    below_floor: bool = False

    @property
    def channel_id(self) -> int | None:
        return int(self.target.split(":", 1)[1]) if self.target.startswith("channel:") else None

    @property
    def user_id(self) -> str | None:
        return self.target.split(":", 1)[1] if self.target.startswith("dm:") else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "target": self.target, "local_day": self.local_day.isoformat(),
            "announce_day": self.announce_day.isoformat() if self.announce_day else None,
            "kind": self.kind, "categories": list(self.categories),
            "papers": [r.to_dict() for r in self.picks], "status": self.status, "below_floor": self.below_floor,
        }


@dataclass
class FeedReport:
    """What fetching one category's announcement brought in."""

    category: str
    day: date | None
    status: FeedStatus
    message: str
    new: int = 0
    cross: int = 0
    updated: int = 0
    rejected: list[str] = field(default_factory=list)
    already: bool = False   # left alone: this announcement was fetched (or tried) a moment ago
    expected: date | None = None   # the announcement day asked for (a feed may be for a later one)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat() if self.day else None
        data["expected"] = self.expected.isoformat() if self.expected else None
        return data

    @property
    def newer(self) -> bool:
        """Whether the feed was for a day after the one expected (and taken all the same)."""
        return self.day is not None and self.expected is not None and self.day > self.expected


@dataclass
class Preview:
    """What a digest would post now: the announcement day and the ranked picks."""

    day: date
    picks: list[Recommendation]
    candidates: int
    feeds: dict[str, FeedStatus]
    below_floor: bool = False   # nothing picked only because no new paper reached the floor

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "candidates": self.candidates, "feeds": self.feeds,
                "papers": [r.to_dict() for r in self.picks], "below_floor": self.below_floor}


def parse_categories(values: str | Iterable[str]) -> tuple[str, ...]:
    """arXiv category names in their canonical spelling (`cs.lg` → `cs.LG`), without repeats."""
    parts = _SPLIT.split(values) if isinstance(values, str) else [p for v in values for p in _SPLIT.split(v)]
    found: list[str] = []
    for part in filter(None, (p.strip() for p in parts)):
        name = canonical_category(part)
        if name not in found:
            found.append(name)
    if not found:
        raise SubscriptionError("Name at least one arXiv category, such as cs.LG or stat.ML.")
    if len(found) > MAX_CATEGORIES:
        raise SubscriptionError(f"A digest takes at most {MAX_CATEGORIES} categories.")
    return tuple(found)


def canonical_category(text: str) -> str:
    """An arXiv category in its official spelling; SubscriptionError naming close ones otherwise."""
    name = taxonomy.canonical(text)
    if name is None:
        close = taxonomy.closest(text)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise SubscriptionError(f"{text!r} is not an arXiv category (such as cs.LG, stat.ML or hep-th).{hint}")
    return name


class DigestBook:
    """Digest subscriptions and daily digests kept in a library's database.

    Built from the parts it uses: the store, an ingester for the papers feeds bring, a ranker
    to choose each digest's papers, `papers_changed`, called after papers were written so that
    the index can follow, and `settled_index`, the index to rank with: one holding every paper
    written, in a vocabulary not due for a refit (waiting for one that runs), so that a digest
    picks the same papers however quickly the index's background work goes.
    """

    def __init__(self, store: Store, ingester: Ingester, ranker: Ranker,
                 papers_changed: Callable[[], object], settled_index: Callable[[], TfidfIndex]):
        self.store = store
        self.ingester = ingester
        self.ranker = ranker
        self.papers_changed = papers_changed
        self.settled_index = settled_index

    # -- subscriptions --------------------------------------------------------------------

    def subscribe(
        self, target: str, categories: str | Iterable[str], *, post_time: str | time = DEFAULT_TIME,
        timezone_name: str = "UTC", size: int = DEFAULT_SIZE, cross_lists: bool = False,
        say_when_empty: bool = False, min_score: float | None = None, group: str | None = None,
        by: str | None = None, now: datetime | None = None,
    ) -> Subscription:
        """Create or replace the subscription of a channel (`channel:<id>`) or a person
        (`dm:<user id>`); raises SubscriptionError with a readable message on bad settings.

        With `min_score` (a similarity between 0 and 1; `ONLY_RELEVANT` for "only relevant"),
        a paper that comes less close to the likes is left out, and a day with nothing that
        close posts nothing (or, with `say_when_empty`, a one-line note)."""
        prefix, _, key = target.partition(":")
        if prefix not in tuple(SubscriberKind) or not key.isdigit():
            raise SubscriptionError(f"{target!r} is neither a channel nor a person")
        kind = SubscriberKind(prefix)
        try:
            when = post_time if isinstance(post_time, time) else parse_time(post_time)
            zone_name = parse_timezone(timezone_name)
        except ValueError as exc:
            raise SubscriptionError(str(exc)) from None
        if not 1 <= int(size) <= MAX_SIZE:
            raise SubscriptionError(f"A digest holds 1 to {MAX_SIZE} papers.")
        if min_score is not None and not 0 <= min_score < 1:
            raise SubscriptionError(f"min_score is a similarity from 0 to 1 (\"only relevant\" is {ONLY_RELEVANT:g}).")
        subscription = Subscription(
            target=target, kind=kind, categories=parse_categories(categories), post_time=when,
            timezone=zone_name, size=int(size), cross_lists=cross_lists, say_when_empty=say_when_empty,
            min_score=float(min_score) if min_score is not None else None,
            group=group if kind == SubscriberKind.CHANNEL else None,
            channel_id=int(key) if kind == SubscriberKind.CHANNEL else None,
            user_id=key if kind == SubscriberKind.DM else None, created_by=by,
            updated=(now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        )
        self.store.save_subscription(_row(subscription))
        saved = self.subscription(target)
        if saved is None:
            raise SubscriptionError(f"{target!r} was unsubscribed while its digest was being saved.")
        return saved

    def subscription(self, target: str) -> Subscription | None:
        row = self.store.subscription(target)
        return _subscription(row) if row else None

    def subscriptions(self, group: str | None = None) -> list[Subscription]:
        return [_subscription(row) for row in self.store.subscriptions(group)]

    def unsubscribe(self, target: str) -> bool:
        return self.store.delete_subscription(target)

    def pause(self, target: str, reason: str) -> None:
        """Stop posting to a subscriber (a channel the bot can no longer reach) until it is
        subscribed again."""
        self.store.set_paused(target, reason)

    # -- feeds ----------------------------------------------------------------------------

    def due(self, now: datetime) -> list[Subscription]:
        """Active subscriptions whose posting time has come today (in their time zone), set
        before that time, and with nothing recorded for today yet."""
        due = []
        for subscription in self.subscriptions():
            if subscription.paused:
                continue
            local = now.astimezone(zone(subscription.timezone))
            posting = datetime.combine(local.date(), subscription.post_time, tzinfo=local.tzinfo)
            if local < posting or _before(posting, subscription.updated):
                continue
            if self.store.digest_for(subscription.target, local.date().isoformat()) is None:
                due.append(subscription)
        return due

    def feeds_needed(self, subscriptions: Sequence[Subscription], now: datetime) -> list[tuple[str, date]]:
        """(category, announcement day) feeds to fetch now for due subscriptions: each at most
        once per announcement, and a stale, malformed or failed one again only after a pause."""
        day = latest_announcement(now)
        wanted = [s for s in subscriptions if not self.store.digested_announcement(s.target, day.isoformat())]
        return self._unfetched([c for s in wanted for c in s.categories], now)

    def feeds_to_fetch(self, categories: str | Iterable[str], now: datetime) -> list[tuple[str, date]]:
        """The categories' current announcements not fetched yet (or due for another try)."""
        return self._unfetched(parse_categories(categories), now)

    def _unfetched(self, categories: Iterable[str], now: datetime) -> list[tuple[str, date]]:
        day = latest_announcement(now)
        needed: list[tuple[str, date]] = []
        for category in categories:
            if (category, day) not in needed and _due(self.store.feed_fetch(category, day.isoformat()), now):
                needed.append((category, day))
        return needed

    def store_announcement(self, announcement: Announcement, expected_day: date | None, now: datetime) -> FeedReport:
        """Keep a fetched announcement: new papers and cross-lists are added and remembered for
        their day; replacements update papers already in the library and add nothing."""
        day = announcement.day or expected_day
        status = announcement.status
        if status in DONE_FEEDS and expected_day and announcement.day and announcement.day < expected_day:
            status = FeedStatus.STALE
        report = FeedReport(announcement.category, day, status, announcement.message,
                            rejected=[str(r) for r in announcement.rejected], expected=expected_day)
        with self.store.transaction():
            entries: list[tuple[int, AnnouncementType]] = []
            for kind, records in ((AnnouncementType.NEW, announcement.new), (AnnouncementType.CROSS, announcement.cross)):
                for record in records:
                    _, paper_id = self.ingester.add_record_id(record)
                    entries.append((paper_id, kind))
                    setattr(report, kind, getattr(report, kind) + 1)
            for record in announcement.replaced:
                if record.arxiv_id and self.store.id_by_arxiv(record.arxiv_id) is not None:
                    if self.ingester.add_record(record) == AddOutcome.MERGED:
                        report.updated += 1
            if day:
                self.store.add_announced(announcement.category, day.isoformat(), entries)
            fetched_for = (expected_day or day or now.date()).isoformat()
            self.store.record_feed_fetch(announcement.category, fetched_for, status, announcement.message,
                                         now.isoformat())
        if entries or report.updated:
            self.papers_changed()
        return report

    def fetch_failed(self, category: str, day: date, message: str, now: datetime,
                     retry_at: datetime | None = None) -> None:
        """Remember a failed fetch, so it is tried again only after a pause (or, when arXiv
        said when to come back, not before `retry_at`)."""
        with self.store.transaction():
            self.store.record_feed_fetch(category, day.isoformat(), FeedStatus.ERROR, message, now.isoformat(),
                                         retry_at.isoformat() if retry_at else None)

    def fetch_feed(self, category: str, day: date, announce: Announce, now: datetime) -> FeedReport:
        """Fetch one category's announcement with `announce` (the network step, run on the
        caller's thread) and keep it, or remember that the fetch failed."""
        try:
            announcement = announce(category, day)
        except ArxivError as exc:
            self.fetch_failed(category, day, str(exc), now, exc.retry_at)
            return FeedReport(category, day, FeedStatus.ERROR, str(exc))
        return self.store_announcement(announcement, day, now)

    def fetch(self, categories: Iterable[str], announce: Announce, now: datetime,
              force: bool = False, day: date | None = None) -> list[FeedReport]:
        """Fetch and keep the current announcement of each category (or that of `day`), one
        after another. Without `force`, a feed already fetched for that announcement is not
        fetched again."""
        day = day or latest_announcement(now)
        reports = []
        for category in parse_categories(categories):
            done = self.store.feed_fetch(category, day.isoformat())
            if not force and done is not None and not _due(done, now):
                reports.append(FeedReport(category, day, done.status, done.message or "", already=True))
                continue
            reports.append(self.fetch_feed(category, day, announce, now))
        return reports

    # -- digests --------------------------------------------------------------------------

    def prepare(self, subscription: Subscription, now: datetime) -> Digest | None:
        """Choose and record today's digest for a due subscription, or None when there is
        nothing to post (already done today, waiting for a feed, or a quiet day)."""
        local_day = now.astimezone(zone(subscription.timezone)).date()
        day = latest_announcement(now)
        index = self.settled_index()  # before the transaction: it may wait for a refit
        with self.store.transaction():
            if self.store.digest_for(subscription.target, local_day.isoformat()) is not None:
                return None
            announce_day: date | None = None
            picks: list[Recommendation] = []
            below_floor = False
            if not self.store.digested_announcement(subscription.target, day.isoformat()):
                if self._feeds_ready(subscription.categories, day):
                    announce_day, (picks, below_floor) = day, self._choose(subscription, day, index)
                elif not self._given_up(subscription, local_day, now):
                    return None
                else:
                    log.warning("%s: no usable arXiv feed for %s of %s; treating it as a day without "
                                "an announcement", subscription.target, ", ".join(subscription.categories), day)
            kind = DigestKind.PAPERS if picks else (DigestKind.EMPTY if subscription.say_when_empty else DigestKind.NONE)
            digest_id = self.store.create_digest(
                target=subscription.target, local_day=local_day.isoformat(),
                announce_day=announce_day.isoformat() if announce_day else None,
                status=DigestStatus.SKIPPED if kind == DigestKind.NONE else DigestStatus.PENDING, kind=kind,
                categories=json.dumps(list(subscription.categories)),
                paper_ids=json.dumps([r.paper.id for r in picks]),
                reasons=json.dumps([r.reason for r in picks], ensure_ascii=False), below_floor=below_floor,
            )
            self.store.mark_delivered(subscription.recipient, [r.paper.id for r in picks])
        return self.digest(digest_id) if kind != DigestKind.NONE else None

    def _feeds_ready(self, categories: Sequence[str], day: date) -> bool:
        fetches = [self.store.feed_fetch(category, day.isoformat()) for category in categories]
        return all(f is not None and f.status in DONE_FEEDS for f in fetches)

    def _given_up(self, subscription: Subscription, local_day: date, now: datetime) -> bool:
        posting = datetime.combine(local_day, subscription.post_time, tzinfo=zone(subscription.timezone))
        return now >= posting + GIVE_UP_AFTER

    def _choose(self, subscription: Subscription, day: date,
                index: TfidfIndex) -> tuple[list[Recommendation], bool]:
        """The day's papers for a subscriber: followed ones first (a person's always, up to
        MAX_SIZE; in a channel, those members follow, most followed first), then the best of
        the rest by the subscriber's likes, above its floor. Also whether the floor alone left
        nothing: there were new papers to pick, none reached it."""
        picks = self._picks(subscription, day, index)
        return picks, not picks and subscription.min_score is not None and bool(self._candidates(subscription, day))

    def _candidates(self, subscription: Subscription, day: date) -> list[int]:
        """The day's announced papers in the subscription's categories, not yet delivered to it."""
        types = (AnnouncementType.NEW, AnnouncementType.CROSS) if subscription.cross_lists else (AnnouncementType.NEW,)
        delivered = self.store.delivered(subscription.recipient)
        return [pid for pid in self.store.announced(subscription.categories, day.isoformat(), types)
                if pid not in delivered]

    def _picks(self, subscription: Subscription, day: date, index: TfidfIndex) -> list[Recommendation]:
        candidates = self._candidates(subscription, day)
        if not candidates:
            return []
        followed = self._followed(subscription, candidates)
        limit = min(MAX_SIZE, max(subscription.size, len(followed))) if subscription.kind == SubscriberKind.DM else subscription.size
        followed = followed[:limit]
        taken = {r.paper.id for r in followed}
        rest = [pid for pid in candidates if pid not in taken]
        room = limit - len(followed)
        if not rest or room <= 0:
            return followed
        floor = subscription.min_score
        if subscription.kind == SubscriberKind.DM:
            ranked = self.ranker.personal_ranking(subscription.user_id or "", room, rest, min_score=floor, index=index)
        elif subscription.group:
            ranked = self.ranker.lab_ranking(subscription.group, room, rest, min_score=floor, index=index)
        else:
            ranked = self.ranker.personal_ranking("", room, rest, min_score=floor, index=index)
        return followed + ranked

    def _followed(self, subscription: Subscription, candidates: list[int]) -> list[Recommendation]:
        """Candidates matching follows: a person's own (not ones they marked "not for me"), or
        in a channel its server members', most followed first, each marked why."""
        if subscription.kind == SubscriberKind.DM:
            user = subscription.user_id or ""
            matcher = follows.Matcher(map(follows.from_row, self.store.follows(user=user)))
            if not matcher:
                return []
            hidden = self.store.disliked_anywhere(user)
            return [Recommendation(paper, 1.0, follows.why(found))
                    for paper in self.store.papers(c for c in candidates if c not in hidden)
                    if (found := matcher.matches(paper))]
        if not subscription.group:
            return []
        members: dict[str, list[Follow]] = {}
        for follow_row in self.store.follows(group=subscription.group):
            members.setdefault(follow_row.user, []).append(follows.from_row(follow_row))
        matchers = [follows.Matcher(mine) for mine in members.values()]
        if not matchers:
            return []
        lifted = []
        for paper in self.store.papers(candidates):
            by_members = [f for matcher in matchers if (f := matcher.matches(paper))]
            if by_members:
                people = "a member" if len(by_members) == 1 else f"{len(by_members)} members"
                what = sorted({follow.describe() for mine in by_members for follow in mine})
                lifted.append(Recommendation(paper, float(len(by_members)),
                                             f"followed by {people} ({', '.join(what)})"))
        return sorted(lifted, key=lambda r: -r.score)

    def digest(self, digest_id: int) -> Digest | None:
        row = self.store.digest(digest_id)
        return self._digest(row) if row else None

    def abandon_stale(self, now: datetime) -> int:
        """Give up the digests recorded but never sent that are more than a day old (their
        day has passed); how many there were."""
        stale = 0
        for row in self.store.digests_with_status(DigestStatus.PENDING):
            if datetime.fromisoformat(row.created) + PENDING_FOR < now:
                log.warning("digest %s for %s was never sent and is a day old; dropping it", row.id, row.target)
                self.store.update_digest(row.id, status=DigestStatus.ABANDONED)
                stale += 1
        return stale

    def pending(self, now: datetime) -> list[Digest]:
        """Digests recorded but not yet marked sent, at most a day old (see `abandon_stale`)."""
        return [self._digest(row) for row in self.store.digests_with_status(DigestStatus.PENDING)
                if datetime.fromisoformat(row.created) + PENDING_FOR >= now]

    def part_sent(self, digest_id: int, parts_sent: int) -> None:
        self.store.update_digest(digest_id, parts_sent=parts_sent)

    def sent(self, digest_id: int, now: datetime) -> None:
        self.store.update_digest(digest_id, status=DigestStatus.SENT, sent=now.isoformat())

    def drop(self, digest_id: int, reason: str) -> None:
        """Give up a pending digest (its subscriber is gone); its papers stay delivered."""
        log.warning("digest %s dropped: %s", digest_id, reason)
        self.store.update_digest(digest_id, status=DigestStatus.ABANDONED)

    def _digest(self, row: DigestRow) -> Digest:
        ids = json.loads(row.paper_ids or "[]")
        reasons = json.loads(row.reasons or "[]")
        papers = {p.id: p for p in self.store.papers(ids)}
        picks = [Recommendation(papers[pid], float(len(ids) - rank), reason)
                 for rank, (pid, reason) in enumerate(zip(ids, reasons)) if pid in papers]
        return Digest(
            id=row.id, target=row.target, local_day=date.fromisoformat(row.local_day),
            announce_day=date.fromisoformat(row.announce_day) if row.announce_day else None,
            kind=row.kind, categories=tuple(json.loads(row.categories or "[]")), picks=picks,
            parts_sent=row.parts_sent or 0, status=row.status, below_floor=bool(row.below_floor),
        )

    def preview(
        self, categories: str | Iterable[str], now: datetime, *, group: str | None = None,
        user: str | None = None, size: int = DEFAULT_SIZE, cross_lists: bool = False,
        recipient: str | None = None, min_score: float | None = None, day: date | None = None,
    ) -> Preview:
        """What a digest of these categories would post now (or on the announcement `day`),
        from the announcements already fetched (nothing is recorded or marked delivered)."""
        names = parse_categories(categories)
        day = day or latest_announcement(now)
        kind = SubscriberKind.DM if user else SubscriberKind.CHANNEL
        target = recipient or (person_target(user) if user else channel_target(0))
        subscription = Subscription(target=target, kind=kind, categories=names, size=max(1, min(size, MAX_SIZE)),
                                    cross_lists=cross_lists, group=group, user_id=user, min_score=min_score)
        feeds: dict[str, FeedStatus] = {}
        for name in names:
            fetch = self.store.feed_fetch(name, day.isoformat())
            feeds[name] = fetch.status if fetch else FeedStatus.NOT_FETCHED
        types = (AnnouncementType.NEW, AnnouncementType.CROSS) if cross_lists else (AnnouncementType.NEW,)
        candidates = self.store.announced(names, day.isoformat(), types)
        picks, below_floor = self._choose(subscription, day, self.settled_index())
        return Preview(day, picks, len(candidates), feeds, below_floor)


def _due(fetch: FeedFetchRow | None, now: datetime) -> bool:
    """Whether a feed is to be fetched now, given what its last fetch recorded: never fetched,
    or failed (or stale) long enough ago, and not before a time arXiv asked for."""
    if fetch is None:
        return True
    if fetch.status in DONE_FEEDS:
        return False
    again = datetime.fromisoformat(fetch.fetched) + RETRY_FEED_AFTER
    if fetch.retry_at:
        again = max(again, datetime.fromisoformat(fetch.retry_at))
    return again <= now


def _row(subscription: Subscription) -> SubscriptionRow:
    return SubscriptionRow(
        target=subscription.target, kind=subscription.kind, grp=subscription.group,
        channel_id=subscription.channel_id, user_id=subscription.user_id,
        categories=json.dumps(list(subscription.categories)), post_time=f"{subscription.post_time:%H:%M}",
        timezone=subscription.timezone, size=subscription.size, cross_lists=int(subscription.cross_lists),
        say_when_empty=int(subscription.say_when_empty), paused=subscription.paused,
        created_by=subscription.created_by, updated=subscription.updated, min_score=subscription.min_score,
    )


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        target=row.target, kind=row.kind, categories=tuple(json.loads(row.categories)),
        post_time=time.fromisoformat(row.post_time), timezone=row.timezone, size=row.size,
        cross_lists=bool(row.cross_lists), say_when_empty=bool(row.say_when_empty), min_score=row.min_score,
        group=row.grp, channel_id=row.channel_id, user_id=row.user_id, paused=row.paused,
        created_by=row.created_by, updated=row.updated,
    )


def _before(moment: datetime, stamp: str | None) -> bool:
    """True when `moment` came before the ISO timestamp `stamp` (a subscription's last change)."""
    if not stamp:
        return False
    changed = datetime.fromisoformat(stamp)
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=timezone.utc)
    return moment < changed
