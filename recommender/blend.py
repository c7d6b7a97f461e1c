"""How much a group's co-likes count beside text: a weight each lab learns from its own likes.

One like of each member is held out (chosen by a seeded draw), the co-likes are built without
them, and each candidate weight is scored by how many held-out likes reach the member's top
`AT`. The best weight is kept (the smallest of equals, so 0, text alone, wins any tie), if it
finds at least `MIN_GAIN` more held-out likes than text alone: a gain of one or two is noise,
and text alone is what a lab had before. A lab with fewer than `MIN_MEMBERS` members holding
`MIN_LIKES` likes each learns nothing: it keeps `UNLEARNED`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import ranking
from .colikes import CoLikes
from .index import TfidfIndex

CANDIDATES = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
MIN_MEMBERS = 20
# The weight of a group that has not learned one (too few members, or not yet): the fixed blend
# every lab had before weights were learned, which bench/colleagues.py finds well above text
# alone in labs of eight.
UNLEARNED = 0.5
MIN_LIKES = 3
MAX_SAMPLED = 300
AT = 20
MIN_GAIN = 3


@dataclass(frozen=True)
class Blend:
    """A group's learned weight, the held-out recall@AT it scored, text alone's, and on how
    many members and likes it was chosen; `chosen` is False for a lab too small to learn from
    (its weight is then `UNLEARNED`, and there are no figures)."""

    weight: float
    recall: float
    text_recall: float
    members: int
    likes: int
    chosen: bool = True


def learn(colikes: CoLikes, index: TfidfIndex, seed: int = 0) -> Blend:
    """The best of `CANDIDATES` for this group's likes (see the module's docstring)."""
    people = [(user, sorted(liked)) for user, liked in colikes.people()]
    likes = sum(len(liked) for _, liked in people)
    eligible = [(user, [pid for pid in liked if pid in index.row_of]) for user, liked in people]
    eligible = [(user, liked) for user, liked in eligible if len(liked) >= MIN_LIKES]
    if len(eligible) < MIN_MEMBERS:
        return Blend(UNLEARNED, 0.0, 0.0, len(people), likes, chosen=False)
    draw = random.Random(seed)
    held = {user: draw.choice(liked) for user, liked in eligible}
    kept = CoLikes(
        ((user, pid) for user, liked in people for pid in liked if held.get(user) != pid),
        colikes.shrink, colikes.top_k,
    )
    sampled = eligible if len(eligible) <= MAX_SAMPLED else draw.sample(eligible, MAX_SAMPLED)
    hits = np.zeros(len(CANDIDATES))
    for user, liked in sampled:
        rest = [pid for pid in liked if pid != held[user]]
        rows = index.rows(rest)
        text = index.scores(ranking.profile(index, rows))
        text = text / max(float(text.max(initial=0.0)), 1e-9)
        social = social_scores(kept.scores(rest), index)
        target = index.row_of[held[user]]
        for at, weight in enumerate(CANDIDATES):
            scores = text + weight * social if weight else text
            scores[rows] = -np.inf
            hits[at] += int((scores > scores[target]).sum()) < AT
    recalls = hits / len(sampled)
    best = int(np.flatnonzero(recalls == recalls.max())[0])
    if hits[best] - hits[0] < MIN_GAIN:
        best = 0
    return Blend(CANDIDATES[best], float(recalls[best]), float(recalls[0]), len(people), likes)


def social_scores(scores: dict[int, float], index: TfidfIndex) -> NDArray[np.float32]:
    """Co-like scores by paper id as an array by index row, scaled so the best is 1."""
    social = np.zeros(len(index), dtype=np.float32)
    found = [(index.row_of[pid], score) for pid, score in scores.items() if pid in index.row_of]
    if found:
        rows, values = zip(*found)
        social[list(rows)] = values
        social /= max(float(social.max()), 1e-9)
    return social
