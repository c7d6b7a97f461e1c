"""A person's interests: their likes grouped by what the papers are about.

One profile summed over every like drifts toward the dominant interest, so the likes are first
grouped. Two liked papers are as alike as their neighbourhoods: each liked paper's closest
papers (`NEIGHBOURS` of every `LANDMARKS` of the library), with their cosine similarities to it,
make one vector, and two such vectors' cosine is the two papers' likeness. Papers of one field
that share few words of their own still share neighbours, whereas their own TF-IDF cosine is
about that of papers of two unrelated fields.

The groups come from an average-linkage tree over these likenesses, cut into 2, 3, … groups in
turn. A cut is kept only when every group of at least `MIN_LIKES` papers is set apart from every
other: the mean likeness between two groups is under `SEPARATION` times the mean likeness within
them. Smaller groups (a stray like) join the group they are most like. So a handful of likes is
one interest, and so is a set of likes from one category, however many.

Measured with `python bench/interests.py --seed 0`: 5 + 5 likes from two categories of
different fields are those two interests for 97% of readers (94.5% with the papers' own cosine
and SEPARATION 0.4, before neighbourhoods); 10 and 20 likes of one category are split for 0.5%
and 1% (5.5% and 5.5%). With `--spread field` (5 + 5 likes drawn from two whole fields), two
interests for 95% of readers instead of 66.5%, and the weaker field's recall at top 50 is 2.01×
the one profile's instead of 1.60× (each field ranked alone: 2.20×).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .index import TfidfIndex, normalized_sum
from .tfidf import l2_normalized

MIN_LIKES = 3
MAX_INTERESTS = 6
SEPARATION = 0.35
# Above this many likes, the tree is built from this many spread evenly over time, and the rest
# join the group they are most like (the tree costs the square of its size).
MAX_TREE = 400
# A liked paper's neighbourhood is its closest papers among `LANDMARKS` papers of the library
# spread evenly over it (all of a smaller library's): the closest `NEIGHBOURS` of every 4,000, the
# same share of the library at any size, at a cost that does not grow with it (about 0.2 ms a like
# at 100,000 papers). A neighbourhood of the whole library would hold nothing particular to a paper.
LANDMARKS = 4000
NEIGHBOURS = 250
# Liked papers whose neighbourhoods are scored at once (a dense block of this many rows by the
# landmarks).
NEIGHBOURHOOD_BLOCK = 64
_landmarks: dict[int, tuple[weakref.ref[TfidfIndex], sp.csr_matrix]] = {}
_landmarks_lock = threading.Lock()


def group_likes(index: TfidfIndex, rows: Sequence[int], max_groups: int = MAX_INTERESTS) -> list[list[int]]:
    """The liked rows (newest first) in groups, largest first; one group when they do not part."""
    rows = list(rows)
    if max_groups < 2 or len(rows) < 2 * MIN_LIKES:
        return [rows] if rows else []
    picked = set(np.linspace(0, len(rows) - 1, min(len(rows), MAX_TREE)).round().astype(int).tolist())
    tree_rows = [row for at, row in enumerate(rows) if at in picked]
    rest = [row for at, row in enumerate(rows) if at not in picked]
    similarity = likeness(index, tree_rows)
    merges = average_linkage(1.0 - similarity)
    best = np.zeros(len(tree_rows), dtype=np.int64)
    for count in range(2, min(len(tree_rows), max_groups + 3) + 1):
        labels = _absorb_small(cut(merges, len(tree_rows), count), similarity)
        count_found = len(set(labels.tolist()))
        if count_found > max_groups:
            break
        if count_found > len(set(best.tolist())) and _separated(labels, similarity):
            best = labels
    groups_of: dict[int, list[int]] = {}
    for row, label in zip(tree_rows, best.tolist()):
        groups_of.setdefault(label, []).append(row)
    groups = list(groups_of.values())
    if rest:
        _place_rest(index, groups, rest)
    return sorted(groups, key=len, reverse=True)


def likeness(index: TfidfIndex, rows: Sequence[int]) -> np.ndarray:
    """How alike each two of these papers are, 0 to 1 (1 on the diagonal): the cosine of their
    neighbourhoods (see the module's docstring)."""
    landmarks = _landmarks_of(index)
    keep = max(1, round(NEIGHBOURS * landmarks.shape[1] / LANDMARKS))
    blocks = []
    for start in range(0, len(rows), NEIGHBOURHOOD_BLOCK):
        chunk = list(rows[start:start + NEIGHBOURHOOD_BLOCK])
        scores = (index.vector(chunk) @ landmarks).toarray()
        nearest = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(scores, nearest, axis=1)
        blocks.append(sp.csr_matrix(
            (values.ravel(), nearest.ravel(), np.arange(0, values.size + 1, keep)),
            shape=(len(chunk), landmarks.shape[1]),
        ))
    neighbourhoods = l2_normalized(sp.vstack(blocks, format="csr"))
    similarity: np.ndarray = np.clip((neighbourhoods @ neighbourhoods.T).toarray(), 0.0, 1.0)
    np.fill_diagonal(similarity, 1.0)
    return similarity


def _landmarks_of(index: TfidfIndex) -> sp.csr_matrix:
    """The landmark papers' vectors as columns (terms × landmarks), worked out once an index."""
    with _landmarks_lock:
        kept = _landmarks.get(id(index))
        if kept is not None and kept[0]() is index:
            return kept[1]
    rows = np.unique(np.linspace(0, len(index) - 1, min(len(index), LANDMARKS)).round().astype(np.int64))
    columns = sp.csr_matrix(index.matrix[rows].T)
    with _landmarks_lock:
        for key in [key for key, (ref, _) in _landmarks.items() if ref() is None]:
            del _landmarks[key]
        _landmarks[id(index)] = (weakref.ref(index), columns)
    return columns


def average_linkage(distance: np.ndarray) -> list[tuple[int, int]]:
    """The merges of an average-linkage tree over points with these pairwise distances, closest
    first: each joins the two groups (named by a point of each) whose mean distance is
    smallest, as scipy's `linkage(method="average")` does (a group's distance to a merged one is
    the size-weighted mean of the two it was made of). A few hundred likes take milliseconds,
    and the cut of the tree needs no import of scipy's clustering, which cost a command more
    than the rest of its start."""
    points = len(distance)
    apart = np.array(distance, dtype=np.float64)
    np.fill_diagonal(apart, np.inf)
    size = np.ones(points)
    merges = []
    for _ in range(points - 1):
        a, b = divmod(int(np.argmin(apart)), points)
        joined = (size[a] * apart[a] + size[b] * apart[b]) / (size[a] + size[b])
        apart[a], apart[:, a] = joined, joined
        apart[b], apart[:, b] = np.inf, np.inf
        apart[a, a] = np.inf
        size[a] += size[b]
        merges.append((a, b))
    return merges


def cut(merges: Sequence[tuple[int, int]], points: int, count: int) -> np.ndarray:
    """Each point's group (0, 1, … in order of first appearance) when the tree is cut into
    `count` groups: all but its last `count - 1` merges made."""
    group = list(range(points))

    def root(point: int) -> int:
        while group[point] != point:
            group[point] = group[group[point]]
            point = group[point]
        return point

    for a, b in merges[: max(points - count, 0)]:
        group[root(b)] = root(a)
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(root(p), len(numbers)) for p in range(points)], dtype=np.int64)


def _absorb_small(labels: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """Labels with every group under MIN_LIKES merged into the large group it is most like
    (all one group when no group is large)."""
    sizes = np.bincount(labels)
    large = [g for g in range(len(sizes)) if sizes[g] >= MIN_LIKES]
    if len(large) <= 1:
        return np.zeros_like(labels)
    result = labels.copy()
    for member in np.flatnonzero(sizes[labels] < MIN_LIKES):
        closeness = [similarity[member, labels == g].mean() for g in large]
        result[member] = large[int(np.argmax(closeness))]
    _, renumbered = np.unique(result, return_inverse=True)
    return renumbered


def _separated(labels: np.ndarray, similarity: np.ndarray) -> bool:
    """Whether every two groups are much less alike than each is within itself."""
    count = int(labels.max()) + 1
    off_diagonal = ~np.eye(len(labels), dtype=bool)
    within = []
    for g in range(count):
        inside = labels == g
        block = similarity[np.ix_(inside, inside)][off_diagonal[np.ix_(inside, inside)]]
        within.append(float(block.mean()) if block.size else 0.0)
    for a in range(count):
        for b in range(a + 1, count):
            between = float(similarity[np.ix_(labels == a, labels == b)].mean())
            if between >= SEPARATION * (within[a] + within[b]) / 2:
                return False
    return True


def _place_rest(index: TfidfIndex, groups: list[list[int]], rest: list[int]) -> None:
    """Older likes beyond the tree, each added to the group whose centre it is closest to."""
    centres = [normalized_sum(index.vector(group)) for group in groups]
    closeness = np.column_stack([(index.vector(rest) @ centre.T).toarray().ravel() for centre in centres])
    for row, group in zip(rest, closeness.argmax(axis=1).tolist()):
        groups[group].append(row)


def top_terms(index: TfidfIndex, rows: Sequence[int], limit: int = 5) -> list[str]:
    """The telling words weighing most in a group of papers."""
    centre = normalized_sum(index.vector(list(rows)))
    order = np.argsort(-centre.data)
    return index.telling_terms(centre.indices[order], limit, rows)


def closest_to_centre(index: TfidfIndex, rows: Sequence[int], limit: int = 2) -> list[int]:
    """The rows of a group that stand for it best: the ones nearest its centre."""
    rows = list(rows)
    centre = normalized_sum(index.vector(rows))
    closeness = (index.vector(rows) @ centre.T).toarray().ravel()
    return [rows[i] for i in np.argsort(-closeness, kind="stable")[:limit]]
