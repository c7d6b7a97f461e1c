"""The facade every front end uses: ingest, search and look up papers (and, later, rank them)."""

from __future__ import annotations

import logging
import random as random_module
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

from . import ranking, sources
from .digest import DigestBook
from .index import TfidfIndex, category_words
from .merge import combine, fields_of, same_paper, shingles, sketch, title_key
from .papers import (
    Paper,
    PaperNotFound,
    Recommendation,
    Record,
    Rejection,
    Signal,
    Source,
    parse_arxiv_ref,
)
from .query import QueryError, fts_tokens, parse_query
from .store import SNIPPET_END, SNIPPET_START, Store
from .text import squash, unspace_cjk

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024**3
SEEDED_KEY = "seeded"
LIBRARY_ID_KEY = "library_id"
SURPRISE_FROM, SURPRISE_TO = 5, 50
# How much colleagues' likes count beside text similarity in a group (see bench/colleagues.py).
COLLEAGUE_WEIGHT = 0.5
ProgressCallback = Callable[[str, int, int], None]


def bundled_seeds() -> Path:
    """The folder of listings paperclub ships with: `seeds/` in a checkout (also when installed
    in editable mode), or the `recommender.bundled` data package of an installed wheel."""
    checkout = Path(__file__).resolve().parent.parent / "seeds"
    if any(checkout.glob("*.txt")):
        return checkout
    return Path(str(resources.files("recommender") / "bundled"))


@dataclass
class FileReport:
    """What ingesting one file did."""

    path: str
    format: str | None = None
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return {
            "path": self.path, "format": self.format, "added": self.added, "merged": self.merged,
            "unchanged": self.unchanged, "rejected": [str(r) for r in self.rejected], "error": self.error,
        }


@dataclass
class IngestReport:
    """What one ingest run did, per file and in total."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def rejected(self) -> list[Rejection]:
        return [r for f in self.files for r in f.rejected]

    @property
    def errors(self) -> list[str]:
        return [f"{f.path}: {f.error}" for f in self.files if f.error]

    def to_dict(self) -> dict:
        return {
            "added": self.added, "merged": self.merged, "unchanged": self.unchanged,
            "rejected": len(self.rejected), "files": [f.to_dict() for f in self.files],
        }


@dataclass(frozen=True)
class SearchResult:
    """A ranked search hit. Paper attributes read through (`result.title`)."""

    paper: Paper
    score: float
    snippet: str

    def __getattr__(self, name: str):
        return getattr(self.paper, name)

    def highlighted(self, start: str = "**", end: str = "**") -> str:
        """The snippet with matched words wrapped in `start`/`end`."""
        return self.snippet.replace(SNIPPET_START, start).replace(SNIPPET_END, end)


class Library:
    """A reading list in one SQLite file.

    Not thread-safe: use one Library from one thread at a time (the bot gives it a worker thread).
    """

    def __init__(self, path: str | Path = "paperclub.db", seed: int | None = None):
        self.path = str(path)
        self.store = Store(path)
        self._index: TfidfIndex | None = None
        self._random = random_module.Random(seed)
        self.colleague_weight = COLLEAGUE_WEIGHT
        self.digests = DigestBook(self)
        if self.store.get_meta(LIBRARY_ID_KEY) is None:
            self.store.set_meta(LIBRARY_ID_KEY, uuid.uuid4().hex)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- ingest ----------------------------------------------------------------------------

    def ensure_seeded(self, progress: ProgressCallback | None = None) -> IngestReport | None:
        """On first use of an empty library, ingest the bundled seeds; otherwise do nothing."""
        if self.store.get_meta(SEEDED_KEY) or self.store.count_papers():
            return None
        report = self.ingest([bundled_seeds()], progress=progress)
        self.store.set_meta(SEEDED_KEY, date.today().isoformat())
        return report

    def ingest(
        self,
        paths: Iterable[str | Path],
        today: date | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Read files or folders in any supported format into the library.

        Each file is one transaction: a failure part-way leaves the library as it was before
        that file. A bad record is reported with its file:line and never stops the rest.
        """
        today = today or date.today()
        report = IngestReport()
        for path in sources.expand(paths):
            report.files.append(self._ingest_file(path, today, progress))
        self.refresh_index()
        return report

    def _ingest_file(self, path: Path, today: date, progress: ProgressCallback | None) -> FileReport:
        label = _label(path)
        file_report = FileReport(label)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                file_report.error = f"file is larger than {MAX_FILE_BYTES // 1024**3} GiB"
                return file_report
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            file_report.error = "no such file"
            return file_report
        except UnicodeDecodeError as exc:
            file_report.error = f"not UTF-8 text (byte {exc.start})"
            return file_report
        except OSError as exc:
            file_report.error = exc.strerror or str(exc)
            return file_report
        try:
            file_report.format, items = sources.parse_text(text, label, today)
        except sources.UnknownFormat as exc:
            file_report.error = str(exc)
            return file_report
        total_lines = text.count("\n") + 1
        with self.store.transaction():
            for done, item in enumerate(items, 1):
                if isinstance(item, Rejection):
                    file_report.rejected.append(item)
                else:
                    outcome = self.add_record(item)
                    setattr(file_report, outcome, getattr(file_report, outcome) + 1)
                if progress and done % 500 == 0:
                    line = item.line if isinstance(item, Rejection) else item.source.line
                    progress(label, line, total_lines)
        if progress:
            progress(label, total_lines, total_lines)
        return file_report

    def add_record(self, record: Record) -> str:
        """Store one record, merging it into the paper it describes; returns what happened:
        "added", "merged" or "unchanged". Call it inside `store.transaction()`."""
        record_shingles = shingles(record.abstract)
        record_sketch = sketch(record_shingles)
        paper_id = self._find_same(record, record_shingles, record_sketch)
        if paper_id is None:
            paper_id = self.store.insert_paper(fields_of(record), record_sketch)
            self.store.add_source(paper_id, record.source)
            return "added"
        stored = self.store.fields(paper_id)
        merged = combine(stored, record)
        changed = merged != stored
        if changed:
            self.store.update_paper(paper_id, merged, stored)
        new_source = self.store.add_source(paper_id, record.source)
        if new_source:
            self.store.add_sketch(paper_id, record_sketch)
        return "merged" if changed or new_source else "unchanged"

    def _find_same(self, record: Record, record_shingles: set[int], record_sketch: list[int]) -> int | None:
        if record.arxiv_id:
            found = self.store.id_by_arxiv(record.arxiv_id)
            if found is not None:
                return found
        candidates: list[int] = []
        key = title_key(record.title)
        if key:
            candidates += self.store.ids_by_title_key(key)
        candidates += [c for c in self.store.ids_by_sketch(record_sketch) if c not in candidates]
        for candidate in candidates:
            stored = self.store.fields(candidate)
            if stored and same_paper(stored, record, record_shingles):
                return candidate
        return None

    # -- look-up ---------------------------------------------------------------------------

    def paper(self, ref: str | int) -> Paper:
        """One paper by id, arXiv id or URL, exact title or a unique title fragment.

        Raises PaperNotFound (listing the closest titles) when nothing or several papers match.
        """
        text = squash(str(ref))
        if not text:
            raise PaperNotFound(text, [])
        if text.isdigit() and len(text) < 10:
            found = self.store.paper(int(text))
            if found:
                return found
        arxiv_id = parse_arxiv_ref(text)
        if arxiv_id:
            paper_id = self.store.id_by_arxiv(arxiv_id)
            if paper_id is not None:
                return self.store.paper(paper_id)
            raise PaperNotFound(text, self.closest_titles(text))
        exact = self.store.ids_by_exact_title(text)
        if len(exact) == 1:
            return self.store.paper(exact[0])
        fragment = text.casefold()
        containing = [
            (pid, title) for pid, title in self._title_candidates(text, phrase=True)
            if fragment in squash(title).casefold()
        ]
        if len(containing) == 1:
            return self.store.paper(containing[0][0])
        if len(exact) > 1 or len(containing) > 1:
            titles = [t for _, t in containing] or [self.store.paper(i).title for i in exact]
            raise PaperNotFound(text, titles[:5], ambiguous=True)
        raise PaperNotFound(text, self.closest_titles(text))

    def closest_titles(self, text: str, limit: int = 3) -> list[str]:
        """Titles that look most like `text`, for "did you mean" messages."""
        if self.store.count_papers() <= 5000:
            candidates = self.store.titles()
        else:
            candidates = self._title_candidates(text, phrase=False)
        if not candidates:
            return []
        titles = [title for _, title in candidates]
        matches = process.extract(
            text[:300], titles, scorer=fuzz.token_set_ratio, processor=utils.default_process,
            limit=limit, score_cutoff=40,
        )
        return [titles[index] for _, _, index in matches]

    def _title_candidates(self, text: str, phrase: bool) -> list[tuple[int, str]]:
        tokens = fts_tokens(text)[:32]
        if not tokens:
            return []
        quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
        expression = "title : (" + (" + ".join(quoted) if phrase else " OR ".join(quoted)) + ")"
        return self.store.ids_by_title_phrase(expression)

    # -- search ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 10, offset: int = 0) -> list[SearchResult]:
        """Ranked full-text search with highlighted snippets.

        Supports words, "exact phrases", `OR`, `-word`, `prefix*`, and the filters `author:`,
        `cat:` and `year:`. Raises QueryError with a message fit to show a person.
        """
        parsed = parse_query(query)
        parts = [f"({parsed.match})"] if parsed.match else []
        for author in parsed.authors:
            tokens = fts_tokens(author)
            if tokens:
                parts.append(" AND ".join('authors : "' + t.replace('"', '""') + '"' for t in tokens))
        if not parts:
            return self._filter_only(parsed, limit, offset)
        hits = self.store.search(
            " AND ".join(parts), categories=parsed.categories, years=parsed.years,
            limit=max(0, min(limit, 100)), offset=max(0, offset),
        )
        return [SearchResult(h.paper, -h.rank, _tidy_snippet(h.snippet)) for h in hits]

    def _filter_only(self, parsed, limit: int, offset: int) -> list[SearchResult]:
        if not parsed.categories and not parsed.years:
            raise QueryError("Type some words to search for, e.g. `neural ode` or `author:Duvenaud`.")
        hits = self.store.filter_papers(parsed.categories, parsed.years, limit, offset)
        return [SearchResult(p, 0.0, _tidy_snippet(p.abstract[:240])) for p in hits]

    def stats(self) -> dict:
        figures = self.store.stats()
        index = self.refresh_index()
        figures["index"] = {"papers": len(index), "features": int(index.matrix.shape[1])}
        return figures

    # -- the TF-IDF index ------------------------------------------------------------------

    @property
    def index_path(self) -> Path | None:
        """Where the index is persisted: beside the database, or nowhere for `:memory:`."""
        return None if self.path == ":memory:" else Path(self.path + ".index")

    def refresh_index(self) -> TfidfIndex:
        """The index, loaded from disk on first use and brought up to date with the library:
        changed papers are added with the fitted vocabulary, and the vocabulary is refitted
        when the library has outgrown it (see `TfidfIndex.needs_refit`)."""
        library_id = self.store.get_meta(LIBRARY_ID_KEY)
        if self._index is None and self.index_path is not None and self.index_path.exists():
            loaded = TfidfIndex.load(self.index_path)
            if loaded is not None and loaded.library_id == library_id:
                self._index = loaded
        latest = self.store.last_update()
        if self._index is not None and self._index.synced_to > latest:
            self._index = None
        if self._index is None:
            self._index = self._fit_index(latest)
        elif self._index.synced_to < latest:
            ids, docs = self._index_docs(self._index.synced_to)
            self._index.add(ids, docs, latest)
            if self._index.needs_refit():
                self._index = self._fit_index(latest)
            else:
                self._save_index()
        return self._index

    def _fit_index(self, latest: str) -> TfidfIndex:
        ids, docs = self._index_docs("")
        index = TfidfIndex.fit(ids, docs, synced_to=latest, library_id=self.store.get_meta(LIBRARY_ID_KEY))
        self._index = index
        self._save_index()
        return index

    def _save_index(self) -> None:
        if self.index_path is not None and self._index is not None:
            self._index.save(self.index_path)

    def _index_docs(self, since: str) -> tuple[list[int], list[str]]:
        ids, docs = [], []
        for paper_id, title, abstract, categories in self.store.index_rows(since):
            ids.append(paper_id)
            docs.append(index_text(title, abstract, categories))
        return ids, docs

    # -- likes -----------------------------------------------------------------------------

    def like(self, user: str, ref: str | int, group: str | None = None) -> Paper:
        """Like a paper (liking twice is one like; a like replaces a "not for me")."""
        paper = self.paper(ref)
        self.store.set_signal(str(user), paper.id, "like", group)
        return paper

    def dislike(self, user: str, ref: str | int, group: str | None = None) -> Paper:
        """Mark a paper "not for me": it and papers like it move down that person's ranking."""
        paper = self.paper(ref)
        self.store.set_signal(str(user), paper.id, "dislike", group)
        return paper

    def unlike(self, user: str, ref: str | int) -> Paper:
        """Forget a person's like or "not for me" on a paper, in every group."""
        paper = self.paper(ref)
        self.store.clear_signals(str(user), paper.id)
        return paper

    def likes(self, user: str, group: str | None = None) -> list[Signal]:
        """A person's likes, newest first (with a group: that group's and the ungrouped ones)."""
        rows = self.store.signals(str(user), kind="like", group=group)
        papers = {p.id: p for p in self.store.papers([r[0] for r in rows])}
        return [Signal(papers[pid], kind, grp or None, created) for pid, kind, grp, created in rows if pid in papers]

    def mark_delivered(self, recipient: str, paper_ids: Iterable[int]) -> None:
        """Remember papers sent to a person or channel, so they are not recommended again."""
        self.store.mark_delivered(str(recipient), list(paper_ids))

    # -- ranking ---------------------------------------------------------------------------

    def recommend(self, user: str, limit: int = 10, group: str | None = None) -> list[Recommendation]:
        """Papers ranked by similarity to what the person liked, each with a reason.

        Liked, disliked and already-delivered papers are left out. Someone with no likes yet
        gets the group's favourites, the lab's bundled papers, then recent ones.
        """
        user = str(user)
        signals = self.store.signals(user, group=group)
        liked = [pid for pid, kind, _, _ in signals if kind == "like"]
        disliked = [pid for pid, kind, _, _ in signals if kind == "dislike"]
        seen = set(liked) | set(disliked) | self.store.delivered(user)
        if not liked:
            return self._cold_start(group, limit, seen)
        index = self.refresh_index()
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

    def similar(self, ref: str | int, limit: int = 10) -> list[Recommendation]:
        """More like this: the papers closest to one paper, each with the words they share."""
        paper = self.paper(ref)
        index = self.refresh_index()
        row = index.row_of.get(paper.id)
        if row is None:
            return []
        hits = ranking.top(index.scores(index.vector([row])), [row], limit)
        return self._explained(index, [h for h in hits if h.score > 0], [row], "")

    def random(self, category: str | None = None, for_user: str | None = None) -> Paper:
        """A uniformly random paper (optionally in a category), or with `for_user` a surprise:
        a pick from the upper part of that person's ranking rather than its very top."""
        if for_user is not None and self.store.signals(str(for_user), kind="like"):
            picks = self.recommend(for_user, limit=SURPRISE_TO if not category else SURPRISE_TO * 4)
            if category:
                picks = [p for p in picks if _in_category(p.paper, category)]
            pool = picks[SURPRISE_FROM:] or picks
            if pool:
                return self._random.choice(pool).paper
        paper_id = self.store.random_id(category, self._random.random())
        if paper_id is None:
            raise PaperNotFound(f"cat:{category}", [], message=f"No papers in category {category!r} yet.")
        return self.store.paper(paper_id)

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
        signals = self.store.signals(str(user))
        liked = [pid for pid, kind, _, _ in signals if kind == "like"]
        disliked = {pid for pid, kind, _, _ in signals if kind == "dislike"}
        members = {str(user): liked} if liked else {}
        return self._rank_for(members, ", which you liked", limit, candidates, set(exclude) | disliked)

    def _rank_for(
        self, members: dict[str, list[int]], relation: str, limit: int,
        candidates: Iterable[int] | None, exclude: Iterable[int],
    ) -> list[Recommendation]:
        index = self.refresh_index()
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
            Recommendation(papers[pid], float(n), f"liked by {n} {'person' if n == 1 else 'people'} here in the last {days} days")
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
                picks.append((pid, f"liked by {n} {'person' if n == 1 else 'people'} in this server"))
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


def index_text(title: str, abstract: str, categories: list[str]) -> str:
    """The text a paper is indexed by: title, abstract, and its arXiv categories as words of
    their own, twice (a category is a strong hint of a paper's field).

    Chosen with bench/quality.py on the math sample (precision@10 / more-like-this@5):
    title + abstract 0.68 / 0.51; title twice 0.68 / 0.50; with authors 0.67 / 0.50;
    with categories once 0.77 / 0.53; twice 0.85 / 0.60 (three times overshoots to
    recommending by category alone).
    """
    return f"{title}. {abstract} {category_words(categories)} {category_words(categories)}"


def _with_colleagues(result: Recommendation, voters: int) -> Recommendation:
    if not voters:
        return result
    people = "a colleague" if voters == 1 else f"{voters} colleagues"
    return Recommendation(result.paper, result.score, f"{result.reason}; also liked by {people} with similar taste")


def _in_category(paper: Paper, category: str) -> bool:
    wanted = category.casefold()
    return any(c.casefold() == wanted or c.casefold().endswith("." + wanted) for c in paper.categories)


def _label(path: Path) -> str:
    """How a file is named in reports and sources: relative to the working folder when inside it."""
    seeds = bundled_seeds()
    try:
        return "seeds/" + str(path.resolve().relative_to(seeds.resolve()))
    except ValueError:
        pass
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def _tidy_snippet(snippet: str) -> str:
    return squash(unspace_cjk(snippet))
