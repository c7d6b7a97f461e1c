"""paperclub's core: papers, storage, search and ranking. Synchronous; never imports discord."""

from .arxiv import Announcement, ArxivClient, ArxivError, Lookup, RateGate
from .digest import Digest, DigestBook, FeedReport, Preview, Subscription, SubscriptionError
from .library import FileReport, IngestReport, Library, SearchResult, bundled_seeds
from .papers import (
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
from .store import SchemaTooNew
from .timetable import latest_announcement
from .timetable import zone_names as time_zone_names

__all__ = [
    "Announcement",
    "ArxivClient",
    "ArxivError",
    "Digest",
    "DigestBook",
    "FeedReport",
    "FileReport",
    "IngestReport",
    "Library",
    "Lookup",
    "Paper",
    "PaperNotFound",
    "Preview",
    "QueryError",
    "RateGate",
    "Recommendation",
    "Rejection",
    "SchemaTooNew",
    "SearchResult",
    "Signal",
    "Source",
    "Subscription",
    "SubscriptionError",
    "bundled_seeds",
    "find_arxiv_refs",
    "latest_announcement",
    "parse_arxiv_ref",
    "time_zone_names",
]
