"""Papers for people: recommendations, more like this, random picks, lab and personal rankings
for digests, a group's trending papers, cold start, and the reasons shown beside each."""

from __future__ import annotations

import logging
import random as random_module
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np

from . import blend, interests, ranking
from .colikes import CoLikes
from .index import TfidfIndex
from .kinds import SignalKind
from .papers import CoLikeWeight, Interest, InterestNotFound, Paper, PaperNotFound, Recommendation
from .store import GroupSignalRow, Store

log = logging.getLogger(__name__)

SURPRISE_FROM, SURPRISE_TO = 5, 50
# A group's blend is learned again once its likes have grown by this fraction.
RELEARN_GROWTH = 0.25
# A group of up to this many likes has its co-likes built on the request that first needs them
# (about 0.1 s); a larger one on a thread of its own.
BUILD_HERE_LIKES = 5_000
# How many people's groupings of likes are kept between requests.
GROUPINGS_KEPT = 256
# How much the papers a lab read together in its paper club count in its ranking, beside its
# members' likes scaled to 1 (a lab's digests) or a person's interest scaled to 1 (their
# recommendations in that lab). Measured against what a session stands for, half the lab liking
# the paper (`python bench/club.py`, labs of 8 on the real math sample, seeds 0 and 1): the
# read paper's 20 nearest neighbours go from a median rank of 275 (256) to 119 (107) when 4 of 8
# readers like it, and to 121 (109) at 0.15, the closest of 0.05-2; 0.1 gives 165 (154), 0.25
# gives 70 (72). 85% of the lab's top 20 stays; papers sharing no word keep their order.
CLUB_WEIGHT = 0.15


@dataclass(frozen=True)
class _Strand:
    """One interest as ranking sees it: its liked rows and how to name it in reasons."""

    number: int
    rows: list[int]
    label: str


@dataclass(frozen=True)
class _Grouping:
    """A person's likes as interests (rows, largest first) and the label each goes by."""

    groups: list[list[int]]
    labels: list[str]


class Recommender:
    """Ranks the library's papers against people's likes, with the index `index()` hands out."""

    def __init__(self, store: Store, index: Callable[[], TfidfIndex], seed: int | None = None):
        self.store = store
        self.index = index
        # How much co-likes count beside text in every group; None: each group's learned weight.
        self.colleague_weight: float | None = None
        self._colikes: dict[str, CoLikes] = {}
        self._blends: dict[str, float] = {}
        self._learning: set[str] = set()
        self._learners: list[threading.Thread] = []
        self._pending: dict[str, list[tuple[str, int, SignalKind | None, str | None]]] = {}
        self._like_counts: dict[str, int] = {}
        # Following what other processes write (see `follow_other_processes`): the database's
        # count of their commits when last looked at, the groups being caught up with the
        # likes changed here meanwhile, and those to catch up once more when that ends.
        self._written_elsewhere: int | None = None
        self._touched: dict[str, set[tuple[str, int]]] = {}
        self._again: set[str] = set()
        self._colikes_lock = threading.Lock()
        self.max_interests = interests.MAX_INTERESTS
        self._random = random_module.Random(seed)
        self._random_lock = threading.Lock()
        self._groupings: OrderedDict[tuple[int, int, tuple[int, ...]], tuple[weakref.ref[TfidfIndex], _Grouping]] = OrderedDict()
        self._groupings_lock = threading.Lock()

    def recommend(self, user: str, limit: int = 10, group: str | None = None) -> list[Recommendation]:
        """Papers ranked by similarity to what the person liked, each with a reason.

        Each of the person's interests (see `taste`) gets places in proportion to its likes,
        interleaved; a muted interest gets none. Liked, disliked (anywhere) and already-delivered
        papers are left out. Someone with no likes yet gets the group's favourites, the lab's
        bundled papers, then recent ones.
        """
        signals = self.store.signals(user, group=group)
        liked = [s.paper_id for s in signals if s.kind == SignalKind.LIKE]
        disliked = [s.paper_id for s in signals if s.kind == SignalKind.DISLIKE]
        read = self.read_together(group) if group else set()
        seen = set(liked) | self.store.disliked_anywhere(user) | self.store.delivered(user) | read
        if not liked:
            return self._cold_start(group, limit, seen)
        index = self.index()
        strands, named = self._strands(user, index, liked)
        disliked_rows = index.rows(disliked)
        weight = self.blend_weight(group) if group else 0.0
        colikes = self.colikes(group) if group and weight > 0 else None
        club = None
        if read and CLUB_WEIGHT > 0:
            hidden = np.asarray(index.rows(list(seen)), dtype=np.int64)
            club = ranking.club_scores(index, index.rows(list(read)), hidden)[0]
        strand_scores = []
        for strand in strands:
            scores = index.scores(ranking.profile(index, strand.rows, disliked_rows))
            if colikes is not None:
                strand_ids = [int(index.ids[row]) for row in strand.rows]
                social = blend.social_scores(colikes.scores(strand_ids), index)
                if social.any():
                    scores = scores / max(float(scores.max(initial=0.0)), 1e-9) + weight * social
            if club is not None:
                scores = scores / max(float(scores.max(initial=0.0)), 1e-9) + CLUB_WEIGHT * club
            strand_scores.append(scores)
        results = self._interleaved(index, strands, strand_scores, index.rows(list(seen)), limit,
                                    ", which you liked", named)
        if colikes is None:
            return results
        return self._with_colikes(results, colikes, user, liked)

    def read_together(self, group: str, now: datetime | None = None) -> set[int]:
        """The papers a group's paper club held a session on by `now` (cancelled ones aside)."""
        moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        return self.store.club_paper_ids(group, before=moment.isoformat(timespec="seconds"))

    # -- co-likes and the blend --------------------------------------------------------------

    def colikes(self, group: str) -> CoLikes | None:
        """The group's co-like neighbours, kept up to date by `signal_changed` once built. A
        group of up to `BUILD_HERE_LIKES` likes is built here on first need; a larger one on a
        thread of its own, and None (text alone) is the answer until it is swapped in."""
        self.follow_other_processes()
        with self._colikes_lock:
            found = self._colikes.get(group)
            building = group in self._pending
        if found is not None or building:
            return found
        if self._like_count(group) <= BUILD_HERE_LIKES:
            return self.rebuild_colikes(group)
        self._in_background(self.rebuild_colikes, group)
        return None

    def rebuild_colikes(self, group: str) -> CoLikes:
        """Build the group's co-likes aside from its likes, then swap them in; likes, unlikes
        and "not for me" made meanwhile are applied to the new one before the swap."""
        self.follow_other_processes()
        with self._colikes_lock:
            self._pending.setdefault(group, [])
        try:
            built = CoLikes(_pairs(self.store.group_signals(group)))
        except BaseException:
            with self._colikes_lock:
                self._pending.pop(group, None)
            raise
        with self._colikes_lock:
            for change in self._pending.pop(group, []):
                _apply(built, group, *change)
            self._colikes[group] = built
            self._like_counts[group] = len(built)
            again = group in self._again
        if again:
            self._catch_up_soon(group)
        return built

    def follow_other_processes(self) -> None:
        """When another process has written to the database since the last look (a `paperclub
        like` or an import beside the bot), bring each group's co-likes in step with the likes
        stored and forget the weights remembered (another process may have learned one). The
        look is one cheap question to SQLite on each request; a large group is caught up on a
        thread of its own, the co-likes it had answering meanwhile."""
        version = self.store.written_elsewhere()
        with self._colikes_lock:
            if version is None or version == self._written_elsewhere:
                return
            known = self._written_elsewhere is not None
            self._written_elsewhere = version
            if not known:
                return
            self._blends.clear()
            groups = list(self._colikes)
            self._again.update(group for group in self._pending if group not in self._colikes)
        for group in groups:
            self._catch_up_soon(group)

    def _catch_up_soon(self, group: str) -> None:
        if self._like_count(group) <= BUILD_HERE_LIKES:
            self._catch_up(group)
        else:
            self._in_background(self._catch_up, group)

    def _catch_up(self, group: str) -> None:
        """The group's co-likes brought in step with its stored likes, leaving alone the likes
        changed here meanwhile (already applied, and newer than what was read)."""
        with self._colikes_lock:
            colikes = self._colikes.get(group)
            if colikes is None:
                return
            if group in self._touched:  # a catch-up runs: it goes round once more
                self._again.add(group)
                return
            self._again.discard(group)
            self._touched[group] = set()
        try:
            while True:
                stored = _pairs(self.store.group_signals(group))
                missing, extra = colikes.differences(stored)
                for change, kind in [*((c, SignalKind.LIKE) for c in missing), *((c, SignalKind.DISLIKE) for c in extra)]:
                    with self._colikes_lock:
                        if change not in self._touched[group]:
                            _apply(colikes, group, *change, kind, group)
                with self._colikes_lock:
                    self._like_counts[group] = len(stored)
                    if group not in self._again:
                        break
                    self._again.discard(group)
        finally:
            with self._colikes_lock:
                self._touched.pop(group, None)

    def signal_changed(self, user: str, paper_id: int, kind: SignalKind | None, group: str | None) -> None:
        """Keep the co-likes in step with a like (kind "like"), a "not for me" ("dislike") or a
        signal cleared in every group (None); a group whose likes grew enough learns its blend
        again, on a thread of its own."""
        with self._colikes_lock:
            built = dict(self._colikes)
            for name, pending in self._pending.items():
                if kind is None or name == group:
                    pending.append((user, paper_id, kind, group))
            for name, touched in self._touched.items():
                if kind is None or name == group:
                    touched.add((user, paper_id))
            if group and kind == SignalKind.LIKE and group in self._like_counts:
                self._like_counts[group] += 1
        for name, colikes in built.items():
            _apply(colikes, name, user, paper_id, kind, group)
        if kind == SignalKind.LIKE and group and self._relearn_due(group):
            self._in_background(self._learn, group)

    def _in_background(self, work: Callable[[str], object], group: str) -> None:
        worker = threading.Thread(target=self._guarded, args=(work, group), daemon=True)
        with self._colikes_lock:
            self._learners = [t for t in self._learners if t.is_alive()] + [worker]
        worker.start()

    def _guarded(self, work: Callable[[str], object], group: str) -> None:
        try:
            work(group)
        except Exception:
            log.exception("co-likes of group %s: %s failed", group, getattr(work, "__name__", work))

    def close(self) -> None:
        """Wait for the co-likes being built and the blends being learned in the background."""
        with self._colikes_lock:
            learners, self._learners = self._learners, []
        for learner in learners:
            learner.join()

    def blend_weight(self, group: str) -> float:
        """How much co-likes count beside text in this group: the weight set for every group,
        else the one the group learned, else `blend.UNLEARNED` (the fixed blend labs had before,
        so that a lab too small to learn from keeps what it had)."""
        if self.colleague_weight is not None:
            return self.colleague_weight
        self.follow_other_processes()
        with self._colikes_lock:
            known = self._blends.get(group)
        if known is None:
            stored = self.store.group_blend(group)
            known = float(stored.weight) if stored else blend.UNLEARNED
            with self._colikes_lock:
                self._blends[group] = known
        return known

    def co_like_weight(self, group: str) -> CoLikeWeight:
        """The weight co-likes count with in the group's recommendations now, and what it was
        chosen on when the group learned it."""
        weight = self.blend_weight(group)
        stored = self.store.group_blend(group)
        if stored is None or self.colleague_weight is not None:
            return CoLikeWeight(weight, learned=False)
        return CoLikeWeight(weight, True, float(stored.recall or 0), float(stored.text_recall or 0),
                            int(stored.members or 0), int(stored.likes or 0))

    def learn_blend(self, group: str, seed: int = 0) -> blend.Blend:
        """Choose the group's weight from its own held-out likes, remember it and use it; a
        group too small to learn from keeps `blend.UNLEARNED`, and nothing is recorded."""
        with self._colikes_lock:
            colikes = self._colikes.get(group)
        learned = blend.learn(colikes or self.rebuild_colikes(group), self.index(), seed)
        if not learned.chosen:
            return learned
        self.store.set_group_blend(group, learned.weight, learned.recall, learned.text_recall,
                                   learned.members, learned.likes)
        with self._colikes_lock:
            self._blends[group] = learned.weight
        return learned

    def _like_count(self, group: str) -> int:
        with self._colikes_lock:
            known = self._like_counts.get(group)
        if known is None:
            known = self.store.count_group_likes(group)
            with self._colikes_lock:
                self._like_counts.setdefault(group, known)
        return known

    def _relearn_due(self, group: str) -> bool:
        likes = self._like_count(group)
        if likes < blend.MIN_MEMBERS * blend.MIN_LIKES:
            return False
        with self._colikes_lock:
            if group in self._learning:
                return False
        stored = self.store.group_blend(group)
        return stored is None or likes >= (1 + RELEARN_GROWTH) * max(int(stored.likes or 0), 1)

    def _learn(self, group: str) -> None:
        with self._colikes_lock:
            if group in self._learning:
                return
            self._learning.add(group)
        try:
            self.learn_blend(group)
        finally:
            with self._colikes_lock:
                self._learning.discard(group)

    def _with_colikes(
        self, results: list[Recommendation], colikes: CoLikes, user: str, liked: Sequence[int]
    ) -> list[Recommendation]:
        """The page's reasons gain who here liked it beside one of the person's likes (counted,
        never named)."""
        reasons = {r.paper.id: colikes.best_reason(r.paper.id, liked, user) for r in results}
        titles = {p.id: p.title for p in self.store.papers({found[0] for found in reasons.values() if found})}
        explained = []
        for result in results:
            found = reasons[result.paper.id]
            if found and found[0] in titles:
                reason = f"{result.reason}; liked by {_people(found[1])} here who liked *{ranking.short(titles[found[0]])}*"
                result = Recommendation(result.paper, result.score, reason)
            explained.append(result)
        return explained

    # -- interests -------------------------------------------------------------------------

    def taste(self, user: str, group: str | None = None) -> list[Interest]:
        """A person's interests: their likes (in `group` and ungrouped ones, or all with no
        group) in groups, the most liked first, each with its top words and two example papers."""
        liked = [s.paper_id for s in self.store.signals(user, kind=SignalKind.LIKE, group=group)]
        if not liked:
            return []
        index = self.index()
        muted = self.store.muted_likes(user)
        found = []
        for number, rows in enumerate(self._grouped(index, index.rows(liked)), start=1):
            ids = [int(index.ids[row]) for row in rows]
            examples = [int(index.ids[row]) for row in interests.closest_to_centre(index, rows)]
            papers = {p.id: p for p in self.store.papers(examples)}
            found.append(Interest(
                number=number, terms=interests.top_terms(index, rows), paper_ids=ids,
                examples=[papers[pid] for pid in examples if pid in papers], muted=_is_muted(ids, muted),
            ))
        return found

    def mute(self, user: str, number: int | None, muted: bool = True, group: str | None = None,
             holding: int | None = None) -> Interest:
        """Mute (or unmute) a person's interest, by its number in `taste` or as the one that
        holds the liked paper `holding`: a muted interest draws no recommendations, whatever
        likes later join it, until it is unmuted."""
        found = self.taste(user, group)
        if holding is not None:
            chosen = next((i for i in found if holding in i.paper_ids), None)
        else:
            chosen = next((i for i in found if i.number == number), None)
        if chosen is None:
            if not found:
                raise InterestNotFound("There are no interests yet: like a few papers first.")
            if holding is not None:
                raise InterestNotFound("Your likes have changed and that interest is gone: list your interests again.")
            raise InterestNotFound(f"There is no interest {number}; the interests are numbered 1 to {len(found)}.")
        self.store.set_muted_likes(user, chosen.paper_ids, muted)
        return Interest(chosen.number, chosen.terms, chosen.examples, chosen.paper_ids, muted)

    def _strands(self, user: str, index: TfidfIndex, liked: list[int]) -> tuple[list[_Strand], bool]:
        """The person's interests that are not muted, as rows, and whether reasons should name
        them (when the person has more than one)."""
        grouping = self._grouping(index, index.rows(liked))
        muted = self.store.muted_likes(user)
        named = len(grouping.groups) > 1
        strands = []
        for number, (rows, label) in enumerate(zip(grouping.groups, grouping.labels), start=1):
            if not _is_muted([int(index.ids[row]) for row in rows], muted):
                strands.append(_Strand(number, rows, label))
        return strands, named

    def _grouped(self, index: TfidfIndex, rows: list[int]) -> list[list[int]]:
        """`interests.group_likes`, remembered for the index it was worked out on."""
        return self._grouping(index, rows).groups

    def _grouping(self, index: TfidfIndex, rows: list[int]) -> _Grouping:
        """The liked rows in interests and their labels, remembered for the index they were
        worked out on (a label costs a few ms: its group's centre and telling words)."""
        key = (id(index), self.max_interests, tuple(rows))
        with self._groupings_lock:
            kept = self._groupings.get(key)
            if kept is not None and kept[0]() is index:
                self._groupings.move_to_end(key)
                return kept[1]
        groups = interests.group_likes(index, rows, self.max_interests)
        named = len(groups) > 1
        labels = [", ".join(interests.top_terms(index, group, 2)) if named else "" for group in groups]
        grouping = _Grouping(groups, labels)
        with self._groupings_lock:
            self._groupings[key] = (weakref.ref(index), grouping)
            while len(self._groupings) > GROUPINGS_KEPT:
                self._groupings.popitem(last=False)
        return grouping

    def _interleaved(
        self, index: TfidfIndex, strands: Sequence[_Strand], strand_scores: Sequence[np.ndarray],
        hidden: Sequence[int], limit: int, relation: str, named: bool,
        allowed: np.ndarray | None = None, min_score: float | None = None, related_only: bool = True,
    ) -> list[Recommendation]:
        """Each interest's best papers, interleaved so that each gets places in proportion to its
        likes; a paper two interests want goes to the first that reaches it. Papers scoring under
        `min_score` are left out, and with `related_only` so are those sharing no word."""
        lists = []
        for scores in strand_scores:
            if min_score is not None:
                scores = np.where(scores >= min_score, scores, -np.inf)
            hits = ranking.top(scores, hidden, limit, allowed=allowed)
            lists.append([h for h in hits if h.score > 0] if related_only else hits)
        order = ranking.interleave(lists, [len(s.rows) for s in strands], limit)
        chosen: dict[int, list[ranking.Scored]] = {}
        for strand_at, hit in order:
            chosen.setdefault(strand_at, []).append(hit)
        explained: dict[int, Recommendation] = {}
        for strand_at, hits in chosen.items():
            strand = strands[strand_at]
            relation_here = relation + (f" (interest {strand.number}: {strand.label})" if named else "")
            for result in self._explained(index, hits, strand.rows, relation_here):
                explained[index.row_of[result.paper.id]] = result
        return [explained[hit.row] for _, hit in order if hit.row in explained]

    def similar(self, paper: Paper, limit: int = 10, for_user: str | None = None) -> list[Recommendation]:
        """More like this: the papers closest to one paper, each with the words they share
        (for a person, without the papers they marked "not for me")."""
        index = self.index()
        row = index.row_of.get(paper.id)
        if row is None:
            return []
        hidden = [row] + (index.rows(list(self.store.disliked_anywhere(for_user))) if for_user else [])
        hits = ranking.top(index.scores(index.vector([row])), hidden, limit)
        return self._explained(index, [h for h in hits if h.score > 0], [row], "")

    def random(self, category: str | None = None, for_user: str | None = None, group: str | None = None) -> Paper:
        """A uniformly random paper (optionally in a category), or with `for_user` a surprise:
        a pick from the upper part of that person's ranking rather than its very top. A person
        is never handed a paper they marked "not for me", nor a lab (`group`) one its paper
        club read or has scheduled."""
        if for_user is not None and self.store.signals(for_user, kind=SignalKind.LIKE):
            picks = self.recommend(for_user, limit=SURPRISE_TO if not category else SURPRISE_TO * 4)
            if category:
                picks = [p for p in picks if _in_category(p.paper, category)]
            if group is not None:
                club = self.store.club_paper_ids(group)
                picks = [p for p in picks if p.paper.id not in club]
            pool = picks[SURPRISE_FROM:] or picks
            if pool:
                with self._random_lock:
                    return self._random.choice(pool).paper
        with self._random_lock:
            fraction = self._random.random()
        paper_id = self.store.random_id(category, fraction, skip_disliked_by=for_user, skip_club_of=group)
        paper = self.store.paper(paper_id) if paper_id is not None else None
        if paper is None:
            message = f"No papers in category {category!r} yet." if category else "No papers to pick from yet."
            raise PaperNotFound(f"cat:{category}", [], message=message)
        return paper

    def lab_ranking(
        self, group: str, limit: int = 10, candidates: Iterable[int] | None = None,
        exclude: Iterable[int] = (), min_score: float | None = None, index: TfidfIndex | None = None,
    ) -> list[Recommendation]:
        """Papers ranked for a whole group: every member's profile counts equally. With no likes
        in the group yet, the lab's bundled papers stand in for its taste. Each paper's score is
        how close it comes to the closest member's likes (cosine similarity), the measure
        `min_score` holds papers to. `index` is the one to rank with (by default, the current one)."""
        members: dict[str, list[int]] = {}
        for like in self.store.group_signals(group):
            members.setdefault(like.user, []).append(like.paper_id)
        index = self.index() if index is None else index
        liked_by_group = {pid for ids in members.values() for pid in ids}
        basis = [index.rows(ids) for ids in members.values()]
        relation = ", liked here"
        if not liked_by_group:
            basis = [index.rows(self.store.seed_paper_ids())]
            relation = ", from the lab's reading list"
        read = self.read_together(group)
        read_rows = index.rows(list(read))
        hidden = index.rows(list(liked_by_group | set(exclude) | read))
        scores, closest = ranking.group_scores(index, basis, hidden, read_rows, CLUB_WEIGHT)
        if min_score is not None:
            scores = np.where(closest >= min_score, scores, -np.inf)
        order = ranking.top(scores, hidden, limit, allowed=_rows_of(index, candidates))
        hits = [ranking.Scored(hit.row, float(closest[hit.row])) for hit in order]
        anchors = [row for rows in basis for row in rows]
        club_relation = {row: ", which the paper club read here" for row in read_rows}
        return self._explained(index, hits, anchors + read_rows, relation, club_relation)

    def personal_ranking(
        self, user: str, limit: int = 10, candidates: Iterable[int] | None = None,
        exclude: Iterable[int] = (), min_score: float | None = None, index: TfidfIndex | None = None,
    ) -> list[Recommendation]:
        """Like `recommend`, for a person's digest: their likes made anywhere, each interest
        given places as in `recommend`, papers they marked "not for me" left out; the bundled
        papers stand in while they have liked nothing. With `min_score`, a paper below that
        cosine similarity to every interest is left out. `index` as in `lab_ranking`."""
        liked = [s.paper_id for s in self.store.signals(user, kind=SignalKind.LIKE)]
        hidden_ids = set(exclude) | self.store.disliked_anywhere(user)
        index = self.index() if index is None else index
        if liked:
            strands, named = self._strands(user, index, liked)
            relation = ", which you liked"
        else:
            strands, named = [_Strand(1, index.rows(self.store.seed_paper_ids()), "")], False
            relation = ", from the lab's reading list"
        hidden = index.rows(list(set(liked) | hidden_ids))
        strand_scores = [index.scores(ranking.profile(index, strand.rows)) for strand in strands]
        return self._interleaved(index, strands, strand_scores, hidden, limit, relation, named,
                                 allowed=_rows_of(index, candidates), min_score=min_score, related_only=False)

    def trending(self, group: str, days: int = 7, limit: int = 10) -> list[Recommendation]:
        """What a group liked most in the last `days` days, most liked first."""
        since = (datetime.now(timezone.utc) - timedelta(days=max(1, days))).isoformat()
        counts = Counter(like.paper_id for like in self.store.group_signals(group, since=since))
        ranked = counts.most_common(limit)
        papers = {p.id: p for p in self.store.papers(pid for pid, _ in ranked)}
        return [
            Recommendation(papers[pid], float(n), f"liked by {_people(n)} here in the last {days} days")
            for pid, n in ranked if pid in papers
        ]

    def _explained(
        self, index: TfidfIndex, hits: list[ranking.Scored], anchors: Sequence[int], relation: str,
        relations: dict[int, str] | None = None,
    ) -> list[Recommendation]:
        """Each hit with its reason: the words it shares with its closest anchor, and how that
        anchor relates (`relation`, or the anchor's own in `relations`)."""
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
                reason = ranking.explain(index, hit.row, anchor, titles.get(int(index.ids[anchor]), ""),
                                         (relations or {}).get(anchor, relation))
            results.append(Recommendation(paper, hit.score, reason))
        return results

    def _cold_start(self, group: str | None, limit: int, seen: set[int]) -> list[Recommendation]:
        picks: list[tuple[int, str]] = []
        if group:
            for favourite in self.store.group_favourites(group, limit + len(seen)):
                picks.append((favourite.paper_id, f"liked by {_people(favourite.likes)} in this server"))
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


def _pairs(likes: Iterable[GroupSignalRow]) -> list[tuple[str, int]]:
    """A group's likes as the co-likes take them: (user, paper id)."""
    return [(like.user, like.paper_id) for like in likes]


def _apply(colikes: CoLikes, name: str, user: str, paper_id: int, kind: SignalKind | None,
           group: str | None) -> None:
    """One change of a person's signal, as `Recommender.signal_changed` has it, to a group's co-likes."""
    if kind == SignalKind.LIKE and name == group:
        colikes.add(user, paper_id)
    elif kind is None or name == group:
        colikes.remove(user, paper_id)


def _rows_of(index: TfidfIndex, ids: Iterable[int] | None) -> np.ndarray | None:
    return None if ids is None else np.asarray(index.rows(list(ids)), dtype=np.int64)


def _is_muted(liked: Sequence[int], muted: set[int]) -> bool:
    """An interest is muted when most of its likes were in an interest the person muted."""
    return bool(muted) and 2 * sum(1 for pid in liked if pid in muted) > len(liked)


def _in_category(paper: Paper, category: str) -> bool:
    wanted = category.casefold()
    return any(c.casefold() == wanted or c.casefold().endswith("." + wanted) for c in paper.categories)
