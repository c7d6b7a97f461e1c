"""What to tell a person about an error they can do something about."""

from __future__ import annotations

from recommender import (
    ClubError,
    FollowError,
    InterestNotFound,
    PaperNotFound,
    QueryError,
    SubscriptionError,
    database_problem,
    parse_arxiv_ref,
)

from .text import message_text


def error_text(error: BaseException) -> str | None:
    """What to tell a person about an error they can do something about, or None."""
    if isinstance(error, PaperNotFound):
        return message_text(_not_found_text(error), 1500)
    if isinstance(error, (QueryError, SubscriptionError, FollowError, InterestNotFound, ClubError)):
        return message_text(str(error), 1500)
    return database_problem(error)


def _not_found_text(error: PaperNotFound) -> str:
    """Why a reference found no paper; for an arXiv id or a DOI, how to bring the paper in."""
    arxiv_id = None if error.ambiguous else parse_arxiv_ref(error.ref)
    if arxiv_id:
        return f"arXiv:{arxiv_id} is not in the library; /add {arxiv_id} brings it in from arXiv."
    if error.doi:
        return (f"No paper with the DOI {error.doi} is in the library; a reading list that lists it brings it in "
                "(/import).")
    return str(error)
