"""Scoring papers against what people liked: profiles, top-k, and the reasons shown beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
import scipy.sparse as sp

from .index import TfidfIndex, normalized_sum
from .text import cut_at_word

DISLIKE_WEIGHT = 0.6
PROFILE_TERMS = 400


@dataclass(frozen=True)
class Scored:
    row: int
    score: float


def profile(index: TfidfIndex, liked: Sequence[int], disliked: Sequence[int] = ()) -> sp.csr_matrix:
    """A person's taste as one 1×V vector: liked papers pull, "not for me" papers push away.

    Only the strongest terms are kept, which denoises the profile and bounds the cost of
    scoring it against the postings.
    """
    vector = normalized_sum(index.vector(list(liked))) if liked else sp.csr_matrix((1, index.matrix.shape[1]))
    if disliked:
        vector = vector - DISLIKE_WEIGHT * normalized_sum(index.vector(list(disliked)))
    return _strongest(sp.csr_matrix(vector, dtype=np.float32), PROFILE_TERMS)


def group_scores(
    index: TfidfIndex, members: Sequence[Sequence[int]], hidden: Sequence[int] = (),
    read_together: Sequence[int] = (), club_weight: float = 0.0,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """A lab's scores: each member's scores scaled to their own best candidate (papers in
    `hidden` aside), then averaged, so a member with one sharp interest and one with many
    diffuse likes count the same. Also, per paper, the highest unscaled score any member gave
    it: how close it comes to someone's taste.

    Papers the lab read together (`read_together`) add `club_weight` times their own scaled
    scores (see `club_scores`): their neighbours move up, and the order of papers sharing
    nothing with them stays as it was."""
    total = np.zeros(len(index), dtype=np.float32)
    closest = np.zeros(len(index), dtype=np.float32)
    hidden_rows = np.asarray(list(hidden), dtype=np.int64)
    counted = 0
    for liked in members:
        if not liked:
            continue
        scores = index.scores(profile(index, liked))
        scores[hidden_rows] = 0
        np.maximum(closest, scores, out=closest)
        best = scores.max(initial=0.0)
        if best > 0:
            total += scores / best
            counted += 1
    total /= max(counted, 1)
    if read_together and club_weight > 0:
        club, raw = club_scores(index, read_together, hidden_rows)
        total += club_weight * club
        np.maximum(closest, raw, out=closest)
    return total, closest


def club_scores(index: TfidfIndex, read_together: Sequence[int],
                hidden: NDArray[np.int64]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """How close each paper comes to the papers a lab read together: scaled to the best
    candidate (papers in `hidden` aside), and as it is (a cosine similarity)."""
    raw = index.scores(profile(index, read_together))
    raw[hidden] = 0
    best = float(raw.max(initial=0.0))
    return (raw / best if best > 0 else raw), raw


def _strongest(vector: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    if vector.nnz <= keep:
        return vector
    cut = np.argpartition(-np.abs(vector.data), keep)[:keep]
    return sp.csr_matrix((vector.data[cut], (np.zeros(keep, dtype=np.int32), vector.indices[cut])), shape=vector.shape)


def top(scores: NDArray[np.float32], exclude: Sequence[int], limit: int,
        allowed: NDArray[np.int64] | None = None) -> list[Scored]:
    """The best `limit` rows by score, leaving out `exclude` (and rows not in `allowed`)."""
    scores = scores.astype(np.float32, copy=True)
    if allowed is not None:
        mask = np.full(scores.shape, -np.inf, dtype=np.float32)
        mask[allowed] = 0
        scores += mask
    if len(exclude):
        scores[np.asarray(list(exclude), dtype=np.int64)] = -np.inf
    finite = int(np.isfinite(scores).sum())
    limit = min(limit, finite)
    if limit <= 0:
        return []
    if limit < len(scores):
        candidates = np.argpartition(-scores, limit - 1)[:limit]
    else:
        candidates = np.arange(len(scores))
    ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [Scored(int(row), float(scores[row])) for row in ordered]


def interleave(lists: Sequence[Sequence[Scored]], weights: Sequence[float], limit: int) -> list[tuple[int, Scored]]:
    """Up to `limit` (list number, hit) pairs drawn from several ranked lists in turn, each list
    getting places in proportion to its weight (the list that has had fewest places for its
    weight goes next, as in Sainte-Laguë's method). A row already taken is skipped; a list that
    runs out leaves its places to the others."""
    taken: list[tuple[int, Scored]] = []
    rows: set[int] = set()
    places = [0] * len(lists)
    positions = [0] * len(lists)
    while len(taken) < limit:
        open_lists = [i for i in range(len(lists)) if positions[i] < len(lists[i])]
        if not open_lists:
            break
        turn = min(open_lists, key=lambda i: ((2 * places[i] + 1) / max(weights[i], 1e-9), i))
        hit = lists[turn][positions[turn]]
        positions[turn] += 1
        if hit.row in rows:
            continue
        rows.add(hit.row)
        places[turn] += 1
        taken.append((turn, hit))
    return taken


def anchors_for(index: TfidfIndex, rows: Sequence[int], anchors: Sequence[int]) -> list[int]:
    """For each row, the anchor row (a liked paper, say) it is most similar to, other than
    itself when there is another."""
    if not rows or not anchors:
        return []
    similarities = (index.vector(list(rows)) @ index.vector(list(anchors)).T).toarray()
    same = np.asarray(rows)[:, None] == np.asarray(anchors)[None, :]
    similarities[same & (len(anchors) > 1)] = -1.0
    return [anchors[i] for i in similarities.argmax(axis=1)]


def explain(index: TfidfIndex, row: int, other: int, other_title: str, relation: str) -> str:
    """"shares *a*, *b* with *Title*, which you liked" — the words two papers have in common."""
    terms = index.shared_terms(row, other)
    title = short(other_title)
    if not terms:
        return f"close to *{title}*{relation}"
    shared = ", ".join(f"*{t}*" for t in terms)
    return f"shares {shared} with *{title}*{relation}"


def short(title: str, limit: int = 70) -> str:
    return cut_at_word(title, limit)
