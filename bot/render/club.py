"""The paper club's confirmations shared by its commands and the buttons under cards."""

from __future__ import annotations

from recommender import Paper

from .papers import inline_title

CLUB_IN_SERVERS = "The paper club meets in a server: propose papers there."


def proposed_message(paper: Paper) -> str:
    """The confirmation of a proposal, from a command or a button."""
    return f"Proposed *{inline_title(paper)}* for the paper club: it is on the shortlist (/club shortlist)."
