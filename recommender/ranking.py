"""Scoring papers against what people liked: profiles, top-k, and the reasons shown beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .index import TfidfIndex, normalized_sum

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
    vector = normalized_sum(index.vector(list(liked))) if liked else sp.csr_matrix((1, index.matrix.shape[1]), dtype=np.float32)
    if disliked:
        vector = vector - DISLIKE_WEIGHT * normalized_sum(index.vector(list(disliked)))
    return _strongest(sp.csr_matrix(vector, dtype=np.float32), PROFILE_TERMS)


def group_profile(index: TfidfIndex, members: Sequence[Sequence[int]]) -> sp.csr_matrix:
    """A lab's taste: each member's profile normalised, then averaged, so everyone counts equally."""
    parts = [profile(index, liked) for liked in members if liked]
    if not parts:
        return sp.csr_matrix((1, index.matrix.shape[1]), dtype=np.float32)
    total = normalize(sp.vstack(parts)).sum(axis=0)
    return _strongest(sp.csr_matrix(total / len(parts), dtype=np.float32), PROFILE_TERMS)


def _strongest(vector: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    if vector.nnz <= keep:
        return vector
    cut = np.argpartition(-np.abs(vector.data), keep)[:keep]
    return sp.csr_matrix((vector.data[cut], (np.zeros(keep, dtype=np.int32), vector.indices[cut])), shape=vector.shape)


def top(scores: np.ndarray, exclude: Sequence[int], limit: int, allowed: np.ndarray | None = None) -> list[Scored]:
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


def closest(index: TfidfIndex, row: int, among: Sequence[int]) -> tuple[int, float]:
    """Which of `among` rows is most similar to `row`, and how similar."""
    similarities = (index.vector(list(among)) @ index.vector([row]).T).toarray().ravel()
    best = int(np.argmax(similarities))
    return among[best], float(similarities[best])


def explain(index: TfidfIndex, row: int, other: int, other_title: str, relation: str) -> str:
    """"shares *a*, *b* with *Title*, which you liked" — the words two papers have in common."""
    terms = index.shared_terms(index.vector([row]), index.vector([other]))
    title = _short(other_title)
    if not terms:
        return f"close to *{title}*{relation}"
    shared = ", ".join(f"*{t}*" for t in terms)
    return f"shares {shared} with *{title}*{relation}"


def _short(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
