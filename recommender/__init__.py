"""paperclub's core: papers, storage, search and ranking. Synchronous; never imports discord.

The public names are loaded on first use (PEP 562): `import recommender` costs nothing, and
`from recommender import Paper` imports only the module that defines `Paper`, so a command
line that needs no ranking never pays for importing numpy and SciPy (and no command imports
scikit-learn: see `tfidf`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .arxiv import Announcement, ArxivClient, ArxivError, Lookup, RateGate, read_announcement
    from .backup import BackupError
    from .calls import CallKind, kind_of
    from .club import DEFAULT_POLL, MAX_POLL, MAX_POLL_HOURS, POLL_HOURS, Club, ClubError, Poll, Proposal, Reminder, Session
    from .digest import Digest, DigestBook, FeedReport, Preview, Subscription
    from .export import Exported
    from .enrich import EnrichReport
    from .files import FileProblem, check_regular_file, describe_os_error, read_text_file
    from .formats import DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS, ExportFormat, export_format, formats_in_words
    from .ingest import INDEXING, ArxivAddition, FileReport, IngestReport, bundled_seeds
    from .processes import yield_to_people
    from .reading_list import FileImport, ImportReport, Merge
    from .subscriptions import DEFAULT_SIZE as DEFAULT_DIGEST_SIZE
    from .subscriptions import MAX_SIZE as MAX_DIGEST_SIZE
    from .subscriptions import (
        ONLY_RELEVANT,
        FloorConflict,
        SubscriptionError,
        channel_target,
        person_target,
        relevance_floor,
    )
    from .kinds import (
        DONE_FEEDS,
        AddOutcome,
        AnnouncementType,
        CheckOutcome,
        DigestKind,
        DigestStatus,
        FeedStatus,
        FollowKind,
        PollState,
        ReminderKind,
        ReminderStatus,
        SessionStatus,
        SignalKind,
        SubscriberKind,
    )
    from .library import Library
    from .follows import MAX_FOLLOWS, FollowError
    from .papers import (
        CoLikeWeight,
        Follow,
        Interest,
        InterestNotFound,
        Paper,
        PaperNotFound,
        Recommendation,
        Rejection,
        Signal,
        Source,
        find_arxiv_refs,
        parse_arxiv_ref,
    )
    from .query import QueryError
    from .search import SearchResult
    from .store import SchemaTooNew, database_problem
    from .text import visible
    from .timetable import latest_announcement
    from .timetable import zone_names as time_zone_names

# Each public name: the module that defines it, and its name there.
_ORIGINS: dict[str, tuple[str, str]] = {
    **{
        name: (".arxiv", name)
        for name in ("Announcement", "ArxivClient", "ArxivError", "Lookup", "RateGate", "read_announcement")
    },
    **{name: (".digest", name) for name in ("Digest", "DigestBook", "FeedReport", "Preview", "Subscription")},
    **{
        name: (".subscriptions", name)
        for name in ("ONLY_RELEVANT", "FloorConflict", "SubscriptionError", "channel_target", "person_target",
                     "relevance_floor")
    },
    "DEFAULT_DIGEST_SIZE": (".subscriptions", "DEFAULT_SIZE"),
    "MAX_DIGEST_SIZE": (".subscriptions", "MAX_SIZE"),
    **{
        name: (".formats", name)
        for name in ("DEFAULT_EXPORT_FORMAT", "EXPORT_FORMATS", "ExportFormat", "export_format", "formats_in_words")
    },
    **{
        name: (".club", name)
        for name in ("DEFAULT_POLL", "MAX_POLL", "MAX_POLL_HOURS", "POLL_HOURS", "Club", "ClubError", "Poll",
                     "Proposal", "Reminder", "Session")
    },
    **{name: (".calls", name) for name in ("CallKind", "kind_of")},
    "Exported": (".export", "Exported"),
    **{name: (".reading_list", name) for name in ("FileImport", "ImportReport", "Merge")},
    "yield_to_people": (".processes", "yield_to_people"),
    "EnrichReport": (".enrich", "EnrichReport"),
    **{name: (".follows", name) for name in ("MAX_FOLLOWS", "FollowError")},
    **{name: (".files", name) for name in ("FileProblem", "check_regular_file", "describe_os_error", "read_text_file")},
    **{name: (".ingest", name) for name in ("INDEXING", "ArxivAddition", "FileReport", "IngestReport", "bundled_seeds")},
    **{
        name: (".kinds", name)
        for name in (
            "DONE_FEEDS", "AddOutcome", "AnnouncementType", "CheckOutcome", "DigestKind", "DigestStatus", "FeedStatus",
            "FollowKind", "PollState", "ReminderKind", "ReminderStatus", "SessionStatus", "SignalKind",
            "SubscriberKind",
        )
    },
    "Library": (".library", "Library"),
    "SearchResult": (".search", "SearchResult"),
    **{
        name: (".papers", name)
        for name in (
            "CoLikeWeight", "Follow", "Interest", "InterestNotFound", "Paper", "PaperNotFound", "Recommendation",
            "Rejection", "Signal", "Source",
            "find_arxiv_refs", "parse_arxiv_ref",
        )
    },
    "QueryError": (".query", "QueryError"),
    "SchemaTooNew": (".store", "SchemaTooNew"),
    "database_problem": (".store", "database_problem"),
    "BackupError": (".backup", "BackupError"),
    "latest_announcement": (".timetable", "latest_announcement"),
    "visible": (".text", "visible"),
    "time_zone_names": (".timetable", "zone_names"),
}

__all__ = [
    "DEFAULT_DIGEST_SIZE",
    "DONE_FEEDS",
    "DEFAULT_EXPORT_FORMAT",
    "DEFAULT_POLL",
    "EXPORT_FORMATS",
    "INDEXING",
    "MAX_DIGEST_SIZE",
    "MAX_FOLLOWS",
    "MAX_POLL",
    "MAX_POLL_HOURS",
    "ONLY_RELEVANT",
    "POLL_HOURS",
    "CallKind",
    "ExportFormat",
    "Exported",
    "FileImport",
    "FloorConflict",
    "ImportReport",
    "Merge",
    "channel_target",
    "check_regular_file",
    "describe_os_error",
    "export_format",
    "formats_in_words",
    "kind_of",
    "person_target",
    "read_announcement",
    "relevance_floor",
    "yield_to_people",
    "AddOutcome",
    "Announcement",
    "AnnouncementType",
    "ArxivAddition",
    "ArxivClient",
    "ArxivError",
    "BackupError",
    "CheckOutcome",
    "Club",
    "ClubError",
    "CoLikeWeight",
    "Digest",
    "DigestBook",
    "DigestKind",
    "DigestStatus",
    "EnrichReport",
    "FeedReport",
    "FeedStatus",
    "FileProblem",
    "FileReport",
    "Follow",
    "FollowError",
    "FollowKind",
    "IngestReport",
    "Interest",
    "InterestNotFound",
    "Library",
    "Lookup",
    "Paper",
    "PaperNotFound",
    "Poll",
    "PollState",
    "Preview",
    "Proposal",
    "QueryError",
    "RateGate",
    "Recommendation",
    "Rejection",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "SchemaTooNew",
    "SearchResult",
    "Session",
    "SessionStatus",
    "Signal",
    "SignalKind",
    "Source",
    "SubscriberKind",
    "Subscription",
    "SubscriptionError",
    "bundled_seeds",
    "database_problem",
    "find_arxiv_refs",
    "latest_announcement",
    "parse_arxiv_ref",
    "read_text_file",
    "time_zone_names",
    "visible",
]


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first use, and keep the name here."""
    try:
        module, attribute = _ORIGINS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
