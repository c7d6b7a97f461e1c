"""The rules of a digest subscription that a front end needs before it calls the core: whom a
digest goes to (its target), how many papers it holds, and its relevance floor.

Light to import (the digests themselves are in `digest`), so that the command line builds its
options from these at start-up.
"""

from __future__ import annotations

import math

DEFAULT_SIZE, MAX_SIZE = 5, 10
# "Only relevant": the floor a paper's similarity to someone's likes (cosine of TF-IDF vectors)
# must reach. Measured on the shared arXiv samples (`python bench/interests.py --floor`, 200
# readers of 5-10 likes in one category, every other paper a candidate): at 0.07, 70% of the
# papers kept are in the reader's category and 76% of that category's papers are kept, 11 in
# 1,000 papers of other categories pass; 0.1 keeps 83% relevant but drops 60% of the category.
ONLY_RELEVANT = 0.07


class SubscriptionError(ValueError):
    """A subscription's settings are not usable; the message says what to write instead."""


class FloorConflict(SubscriptionError):
    """Both "only relevant" and a min_score of one's own were asked for."""


def channel_target(channel_id: int) -> str:
    """The subscriber that is a channel: its digest is posted there."""
    return f"channel:{int(channel_id)}"


def person_target(user_id: str | int) -> str:
    """The subscriber that is a person: their digest comes in direct messages."""
    return f"dm:{user_id}"


def relevance_floor(only_relevant: bool | None, min_score: float | None) -> float | None:
    """The relevance floor asked for: `min_score` itself, `ONLY_RELEVANT` for "only relevant",
    or None for none. FloorConflict when both are asked for; SubscriptionError for a min_score
    that is nan or an infinity (which compare as inside any range)."""
    if min_score is not None and only_relevant:
        raise FloorConflict(f"Give only_relevant or min_score, not both (only relevant is a min_score of "
                            f"{ONLY_RELEVANT:g}).")
    if min_score is not None:
        if not math.isfinite(min_score):
            raise SubscriptionError("min_score is a similarity from 0 to 1, not nan or an infinity.")
        return min_score
    return ONLY_RELEVANT if only_relevant else None
