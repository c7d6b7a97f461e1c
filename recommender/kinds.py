"""The kinds and states paperclub keeps, each a `StrEnum` whose values are the strings stored in
the database and written in JSON, so a member compares equal to its string and prints as it.

(A paper's kind of work is `worktypes.Kind`, a date's precision `papers.Precision`.)
"""

from __future__ import annotations

from enum import StrEnum


class SignalKind(StrEnum):
    """What a person said about a paper: a like, or "not for me"."""

    LIKE = "like"
    DISLIKE = "dislike"


class AddOutcome(StrEnum):
    """What storing one record did to the library."""

    ADDED = "added"
    MERGED = "merged"
    UNCHANGED = "unchanged"


class CheckOutcome(StrEnum):
    """What looking a paper up on arXiv came to."""

    MATCHED = "matched"
    MISSED = "miss"
    SKIPPED = "nothing to ask"
    DUPLICATE = "duplicate"


class FollowKind(StrEnum):
    AUTHOR = "author"
    PHRASE = "phrase"


class SubscriberKind(StrEnum):
    """Who a digest is posted to: a channel, or a person by direct message."""

    CHANNEL = "channel"
    DM = "dm"


class FeedStatus(StrEnum):
    """What fetching a category's announcement gave. `NOT_FETCHED` is never stored: it is what
    a preview says of a feed nobody fetched."""

    OK = "ok"
    EMPTY = "empty"
    STALE = "stale"
    MALFORMED = "malformed"
    ERROR = "error"
    NOT_FETCHED = "not fetched"


class AnnouncementType(StrEnum):
    """How a category's feed announced a paper (`<arxiv:announce_type>`): new in it, cross-listed
    from another, or a new version of one announced before. Only new and cross-listed papers are
    remembered for their day."""

    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"


class DigestKind(StrEnum):
    """What a day's digest holds: papers, a note that there are none, or nothing to post."""

    PAPERS = "papers"
    EMPTY = "empty"
    NONE = "none"


class DigestStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    ABANDONED = "abandoned"


class SessionStatus(StrEnum):
    """A paper club session: to come, held, or cancelled."""

    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class PollState(StrEnum):
    """A paper club poll: recorded before it is posted, open, its winner decided, announced,
    or given up."""

    POSTING = "posting"
    OPEN = "open"
    DECIDED = "decided"
    ANNOUNCED = "announced"
    DROPPED = "dropped"


class ReminderKind(StrEnum):
    """A session's reminder: the day before or the hour before."""

    DAY = "day"
    HOUR = "hour"


class ReminderStatus(StrEnum):
    """A reminder: `PLANNED` and `DUE` are worked out from the time (never stored); it is
    recorded `PENDING` before it is sent, then `SENT`, or `SKIPPED` or `DROPPED`."""

    PLANNED = "planned"
    DUE = "due"
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    DROPPED = "dropped"
