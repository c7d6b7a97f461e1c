"""Papers for people: recommendations, more like this, random picks, lab and personal rankings
for digests, a group's trending papers, cold start, and the reasons shown beside each."""

from __future__ import annotations

import random as random_module
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, timezone

import numpy as np

from . import ranking
from .index import TfidfIndex
from .papers import Paper, PaperNotFound, Recommendation
from .store import Store

SURPRISE_FROM, SURPRISE_TO = 5, 50
# How much colleagues' likes count beside text similarity in a group (see bench/colleagues.py).
COLLEAGUE_WEIGHT = 0.5


class Recommender:
    """Ranks the library's papers against people's likes, with the index `index()` hands out."""

    def __init__(self, store: Store, index: Callable[[], TfidfIndex], seed: int | None = None):
        self.store = store
        self.index = index
        self.colleague_weight = COLLEAGUE_WEIGHT
        self._random = random_module.Random(seed)
        self._random_lock = threading.Lock()

    def recommend(self, user: str, limit: int = 10, group: str | None = None) -> list[Recommendation]:
        """Papers ranked by similarity to what the person liked, each with a reason.

        Liked, disliked and already-delivered papers are left out. Someone with no likes yet
        gets the group's favourites, the lab's bundled papers, then recent ones.
        """
        signals = self.store.signals(user, group=group)
        liked = [pid for pid, kind, _, _ in signals if kind == "like"]
        disliked = [pid for pid, kind, _, _ in signals if kind == "dislike"]
        seen = set(liked) | set(disliked) | self.store.delivered(user)
        if not liked:
            return self._cold_start(group, limit, seen)
        index = self.index()
        liked_rows, disliked_rows = index.rows(liked), index.rows(disliked)
        scores = index.scores(ranking.profile(index, liked_rows, disliked_rows))
        voters: dict[int, int] = {}
        if group and self.colleague_weight > 0:
            colleagues: dict[str, set[int]] = {}
            for other, paper_id in self.store.group_signals(group):
                if other != user:
                    colleagues.setdefault(other, set()).add(paper_id)
            social, voters = ranking.colleague_scores(len(index), set(liked), colleagues, index.row_of)
            if voters:
                scores = scores / max(float(scores.max(initial=0.0)), 1e-9) + self.colleague_weight * social
        hits = ranking.top(scores, index.rows(list(seen)), limit)
        results = self._explained(index, [h for h in hits if h.score > 0], liked_rows, ", which you liked")
        return [_with_colleagues(r, voters.get(index.row_of[r.paper.id], 0)) for r in results]

    def similar(self, paper: Paper, limit: int = 10) -> list[Recommendation]:
        """More like this: the papers closest to one paper, each with the words they share."""
        index = self.index()
        row = index.row_of.get(paper.id)
        if row is None:
            return []
        hits = ranking.top(index.scores(index.vector([row])), [row], limit)
        return self._explained(index, [h for h in hits if h.score > 0], [row], "")

    def random(self, category: str | None = None, for_user: str | None = None) -> Paper:
        """A uniformly random paper (optionally in a category), or with `for_user` a surprise:
        a pick from the upper part of that person's ranking rather than its very top."""
        if for_user is not None and self.store.signals(for_user, kind="like"):
            picks = self.recommend(for_user, limit=SURPRISE_TO if not category else SURPRISE_TO * 4)
            if category:
                picks = [p for p in picks if _in_category(p.paper, category)]
            pool = picks[SURPRISE_FROM:] or picks
            if pool:
                with self._random_lock:
                    return self._random.choice(pool).paper
        with self._random_lock:
            fraction = self._random.random()
        paper_id = self.store.random_id(category, fraction)
        paper = self.store.paper(paper_id) if paper_id is not None else None
        if paper is None:
            raise PaperNotFound(f"cat:{category}", [], message=f"No papers in category {category!r} yet.")
        return paper

    def lab_ranking(
        self, group: str, limit: int = 10, candidates: Iterable[int] | None = None,
        exclude: Iterable[int] = (),
    ) -> list[Recommendation]:
        """Papers ranked for a whole group: every member's profile counts equally. With no likes
        in the group yet, the lab's bundled papers stand in for its taste."""
        members: dict[str, list[int]] = {}
        for user, paper_id in self.store.group_signals(group):
            members.setdefault(user, []).append(paper_id)
        return self._rank_for(members, ", liked here", limit, candidates, exclude)

    def personal_ranking(
        self, user: str, limit: int = 10, candidates: Iterable[int] | None = None,
        exclude: Iterable[int] = (),
    ) -> list[Recommendation]:
        """Like `lab_ranking`, for one person's likes made anywhere (their disliked papers left
        out); the bundled papers stand in while they have liked nothing."""
        signals = self.store.signals(user)
        liked = [pid for pid, kind, _, _ in signals if kind == "like"]
        disliked = {pid for pid, kind, _, _ in signals if kind == "dislike"}
        members = {user: liked} if liked else {}
        return self._rank_for(members, ", which you liked", limit, candidates, set(exclude) | disliked)

    def _rank_for(
        self, members: dict[str, list[int]], relation: str, limit: int,
        candidates: Iterable[int] | None, exclude: Iterable[int],
    ) -> list[Recommendation]:
        index = self.index()
        liked_by_group = {pid for ids in members.values() for pid in ids}
        basis = [index.rows(ids) for ids in members.values()]
        if not liked_by_group:
            basis = [index.rows(self.store.seed_paper_ids())]
            relation = ", from the lab's reading list"
        hidden = index.rows(list(liked_by_group | set(exclude)))
        scores = ranking.group_scores(index, basis, hidden)
        allowed = None
        if candidates is not None:
            allowed = np.asarray(index.rows(list(candidates)), dtype=np.int64)
        hits = ranking.top(scores, hidden, limit, allowed=allowed)
        anchors = [row for rows in basis for row in rows]
        return self._explained(index, hits, anchors, relation)

    def trending(self, group: str, days: int = 7, limit: int = 10) -> list[Recommendation]:
        """What a group liked most in the last `days` days, most liked first."""
        since = (datetime.now(timezone.utc) - timedelta(days=max(1, days))).isoformat()
        counts = Counter(pid for _, pid in self.store.group_signals(group, since=since))
        ranked = counts.most_common(limit)
        papers = {p.id: p for p in self.store.papers(pid for pid, _ in ranked)}
        return [
            Recommendation(papers[pid], float(n), f"liked by {_people(n)} here in the last {days} days")
            for pid, n in ranked if pid in papers
        ]

    def _explained(
        self, index: TfidfIndex, hits: list[ranking.Scored], anchors: Sequence[int], relation: str
    ) -> list[Recommendation]:
        papers = {p.id: p for p in self.store.papers(int(index.ids[h.row]) for h in hits)}
        closest = ranking.anchors_for(index, [h.row for h in hits], list(anchors))
        titles = {p.id: p.title for p in self.store.papers({int(index.ids[a]) for a in closest})}
        results = []
        for position, hit in enumerate(hits):
            paper = papers.get(int(index.ids[hit.row]))
            if paper is None:
                continue
            reason = ""
            if closest:
                anchor = closest[position]
                reason = ranking.explain(index, hit.row, anchor, titles.get(int(index.ids[anchor]), ""), relation)
            results.append(Recommendation(paper, hit.score, reason))
        return results

    def _cold_start(self, group: str | None, limit: int, seen: set[int]) -> list[Recommendation]:
        picks: list[tuple[int, str]] = []
        if group:
            counts = Counter(pid for _, pid in self.store.group_signals(group))
            for pid, n in counts.most_common():
                picks.append((pid, f"liked by {_people(n)} in this server"))
        seeds = self.store.seed_paper_ids()
        for paper in sorted(self.store.papers(seeds), key=lambda p: p.published or date.min, reverse=True):
            picks.append((paper.id, "from the lab's reading list"))
        for pid in self.store.recent_ids(limit * 2 + len(seen)):
            picks.append((pid, "recently published"))
        chosen: list[tuple[int, str]] = []
        taken = set(seen)
        for pid, reason in picks:
            if pid not in taken:
                taken.add(pid)
                chosen.append((pid, reason))
            if len(chosen) == limit:
                break
        papers = {p.id: p for p in self.store.papers(pid for pid, _ in chosen)}
        return [
            Recommendation(papers[pid], float(limit - rank), reason + "; like papers to get your own picks")
            for rank, (pid, reason) in enumerate(chosen) if pid in papers
        ]


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def _with_colleagues(result: Recommendation, voters: int) -> Recommendation:
    if not voters:
        return result
    people = "a colleague" if voters == 1 else f"{voters} colleagues"
    return Recommendation(result.paper, result.score, f"{result.reason}; also liked by {people} with similar taste")


def _in_category(paper: Paper, category: str) -> bool:
    wanted = category.casefold()
    return any(c.casefold() == wanted or c.casefold().endswith("." + wanted) for c in paper.categories)
