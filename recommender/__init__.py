"""paperclub's core: papers, storage, search and ranking. Synchronous; never imports discord."""

from .library import FileReport, IngestReport, Library, SearchResult, bundled_seeds
from .papers import Paper, PaperNotFound, Recommendation, Rejection, Signal, Source, parse_arxiv_ref
from .query import QueryError
from .store import SchemaTooNew

__all__ = [
    "FileReport",
    "IngestReport",
    "Library",
    "Paper",
    "PaperNotFound",
    "QueryError",
    "Recommendation",
    "Rejection",
    "SchemaTooNew",
    "SearchResult",
    "Signal",
    "Source",
    "bundled_seeds",
    "parse_arxiv_ref",
]
