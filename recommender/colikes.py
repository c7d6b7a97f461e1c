"""Co-like neighbours of one group: "people here who liked this also liked …".

An item-to-item matrix from the group's likes, cosine with shrinkage
(co-likes / (sqrt(likers_a * likers_b) + SHRINK)), keeping each paper's TOP_K best neighbours.
It is built once from the group's likes, then kept up to date like by like, so that a request
reads only its own person's rows and never the whole group's likes.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

SHRINK = 10.0
TOP_K = 50


class CoLikes:
    """One group's likes by person and by paper, and each paper's best co-liked neighbours."""

    def __init__(self, pairs: Iterable[tuple[str, int]] = (), shrink: float = SHRINK, top_k: int = TOP_K):
        self.shrink = shrink
        self.top_k = top_k
        self._lock = threading.Lock()
        self._by_user: dict[str, set[int]] = {}
        self._likers: dict[int, set[str]] = {}
        # Each paper's neighbours as two arrays (paper ids, weights): compact, and replaced
        # whole on a change, so a reader never sees half a row.
        self._neighbours: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for user, paper_id in pairs:
            self._by_user.setdefault(user, set()).add(paper_id)
            self._likers.setdefault(paper_id, set()).add(user)
        for paper_id in self._likers:
            self._neighbours[paper_id] = _packed(self._row(paper_id))

    def __len__(self) -> int:
        """How many likes the group holds."""
        return sum(len(liked) for liked in self._by_user.values())

    @property
    def members(self) -> int:
        return len(self._by_user)

    def likes_of(self, user: str) -> set[int]:
        with self._lock:
            return set(self._by_user.get(user, ()))

    def popular(self, limit: int) -> list[tuple[int, int]]:
        """The most liked papers with their likers' count, most liked first."""
        with self._lock:
            counts = [(pid, len(users)) for pid, users in self._likers.items() if users]
        return sorted(counts, key=lambda c: (-c[1], c[0]))[:limit]

    def people(self) -> list[tuple[str, set[int]]]:
        with self._lock:
            return [(user, set(liked)) for user, liked in self._by_user.items()]

    def differences(self, pairs: Iterable[tuple[str, int]]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """The likes of `pairs` (the group's likes as stored) missing here, and those held here
        that `pairs` lacks."""
        stored: dict[str, set[int]] = {}
        for user, paper_id in pairs:
            stored.setdefault(user, set()).add(paper_id)
        with self._lock:
            missing = [(user, pid) for user, liked in stored.items() for pid in liked - self._by_user.get(user, set())]
            extra = [(user, pid) for user, liked in self._by_user.items() for pid in liked - stored.get(user, set())]
        return missing, extra

    # -- scores and reasons -------------------------------------------------------------------

    def scores(self, liked: Sequence[int]) -> dict[int, float]:
        """Each neighbour's summed similarity to the liked papers (liked papers themselves left out)."""
        total: dict[int, float] = {}
        with self._lock:
            rows = [self._neighbours.get(pid) for pid in liked]
        mine = set(liked)
        for row in rows:
            if row is None:
                continue
            for other, weight in zip(row[0].tolist(), row[1].tolist()):
                if other not in mine:
                    total[other] = total.get(other, 0.0) + weight
        return total

    def best_reason(self, paper_id: int, liked: Sequence[int], user: str) -> tuple[int, int] | None:
        """The liked paper most people here also liked beside `paper_id` (other than `user`),
        and how many they are; None when no one did."""
        best: tuple[int, int] | None = None
        with self._lock:
            likers = self._likers.get(paper_id, set())
            for pid in liked:
                both = len(likers & self._likers.get(pid, set()) - {user})
                if both and (best is None or both > best[1]):
                    best = (pid, both)
        return best

    # -- updates -----------------------------------------------------------------------------

    def add(self, user: str, paper_id: int) -> None:
        """A like in the group: the paper's row recomputed, and its entry in each row of the
        person's other likes."""
        with self._lock:
            liked = self._by_user.setdefault(user, set())
            if paper_id in liked:
                return
            liked.add(paper_id)
            self._likers.setdefault(paper_id, set()).add(user)
            self._touch(paper_id, liked)

    def remove(self, user: str, paper_id: int) -> None:
        """A like taken back (or turned into "not for me")."""
        with self._lock:
            liked = self._by_user.get(user)
            if not liked or paper_id not in liked:
                return
            liked.discard(paper_id)
            if not liked:
                del self._by_user[user]
            likers = self._likers.get(paper_id, set())
            likers.discard(user)
            if not likers:
                self._likers.pop(paper_id, None)
                self._neighbours.pop(paper_id, None)
                for other in liked or ():
                    row = self._neighbours.get(other)
                    if row is not None and paper_id in row[0]:
                        keep = row[0] != paper_id
                        self._neighbours[other] = (row[0][keep], row[1][keep])
                return
            self._touch(paper_id, liked or set())

    def _touch(self, paper_id: int, liked: set[int]) -> None:
        self._neighbours[paper_id] = _packed(self._row(paper_id))
        for other in liked:
            if other == paper_id:
                continue
            row = _unpacked(self._neighbours.get(other))
            weight = self._weight(other, paper_id)
            row.pop(paper_id, None)
            if weight > 0:
                row[paper_id] = weight
                if len(row) > self.top_k:
                    del row[min(row, key=lambda k: (row[k], -k))]
            self._neighbours[other] = _packed(row)

    def _weight(self, a: int, b: int) -> float:
        likers_a, likers_b = self._likers.get(a, set()), self._likers.get(b, set())
        both = len(likers_a & likers_b)
        return both / (math.sqrt(len(likers_a) * len(likers_b)) + self.shrink) if both else 0.0

    def _row(self, paper_id: int) -> dict[int, float]:
        likers = self._likers.get(paper_id, set())
        counts: Counter[int] = Counter()
        for user in likers:
            counts.update(self._by_user.get(user, ()))
        counts.pop(paper_id, None)
        size = len(likers)
        weights = {
            other: both / (math.sqrt(size * len(self._likers[other])) + self.shrink)
            for other, both in counts.items()
        }
        if len(weights) > self.top_k:
            kept = sorted(weights, key=lambda k: (-weights[k], k))[: self.top_k]
            weights = {k: weights[k] for k in kept}
        return weights


def _packed(row: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.fromiter(row.keys(), dtype=np.int64, count=len(row)), np.fromiter(row.values(), dtype=np.float32, count=len(row))


def _unpacked(row: tuple[np.ndarray, np.ndarray] | None) -> dict[int, float]:
    return {} if row is None else dict(zip(row[0].tolist(), row[1].tolist()))
