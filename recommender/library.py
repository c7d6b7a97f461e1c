"""The facade every front end uses. It holds no logic of its own: each call goes to the part
that does the work (ingest, search, recommend, the index keeper, digests)."""

from __future__ import annotations

import importlib
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .kinds import AddOutcome, SignalKind
from .papers import CoLikeWeight, Follow, Interest, Paper, Recommendation, Record, Signal
from .processes import remove_dead_folders, remove_stale_temporaries
from .store import Store

if TYPE_CHECKING:
    from .arxiv import ArxivClient, Lookup
    from .blend import Blend
    from .club import Club
    from .digest import DigestBook
    from .enrich import EnrichProgress, EnrichReport
    from .export import Exported
    from .index import IndexKeeper, TfidfIndex
    from .ingest import ArxivAddition, Ingester, IngestReport, ProgressCallback
    from .reading_list import ImportReport, Upload
    from .recommend import Recommender
    from .search import Finder, SearchResult

T = TypeVar("T")
SEEDED_KEY = "seeded"
LIBRARY_ID_KEY = "library_id"


class Library:
    """A reading list in one SQLite file.

    One Library is safe to use from several threads at once. Reads (search, paper, recommend,
    similar, random, likes, digest previews) run on each thread's own connection and never wait
    for a write; writes (ingest, likes, digests) take turns on one writer, and a writer in
    another process waits its turn. The TF-IDF index is shared: readers use the current one
    while a newer one is built aside (see `index.IndexKeeper`). With `background_index`, a
    refit of the vocabulary runs on a thread of its own instead of inside the write that made
    it due.
    """

    def __init__(self, path: str | Path = "paperclub.db", seed: int | None = None,
                 background_index: bool = False):
        self.path = str(path)
        self.store = Store(path)
        self.background_index = background_index
        self._seed = seed
        self._parts_lock = threading.RLock()
        self._ingester: Ingester | None = None
        self._keeper: IndexKeeper | None = None
        self._recommender: Recommender | None = None
        self._digests: DigestBook | None = None
        self._club: Club | None = None
        self._finder: Finder | None = None
        if self.store.get_meta(LIBRARY_ID_KEY) is None:
            self.store.set_meta(LIBRARY_ID_KEY, uuid.uuid4().hex)
        if self.index_path is not None:
            remove_stale_temporaries(self.index_path)
        remove_dead_folders()

    def close(self) -> None:
        """Wait for the index's background work, then close the database."""
        if self._recommender is not None:
            self._recommender.close()
        if self._keeper is not None:
            self._keeper.close()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the parts, made on first use so that a command needing no ranking imports none ---------

    def _part(self, attribute: str, make: Callable[[], T]) -> T:
        """The part kept in `attribute`, made by `make` on first use (once, whichever thread
        asks first)."""
        part: T | None = getattr(self, attribute)
        if part is None:
            with self._parts_lock:
                part = getattr(self, attribute)
                if part is None:
                    part = make()
                    setattr(self, attribute, part)
        return part

    @property
    def finder(self) -> Finder:
        """Papers by reference, close titles and full-text search (see `search.Finder`)."""
        from .search import Finder

        return self._part("_finder", lambda: Finder(self.store))

    @property
    def ingester(self) -> Ingester:
        from .ingest import Ingester

        return self._part("_ingester", lambda: Ingester(self.store))

    @property
    def keeper(self) -> IndexKeeper:
        from .index import IndexKeeper

        return self._part("_keeper", lambda: IndexKeeper(
            self.store, self.index_path, self.store.get_meta(LIBRARY_ID_KEY) or ""))

    @property
    def recommender(self) -> Recommender:
        from .recommend import Recommender

        return self._part("_recommender", lambda: Recommender(self.store, self.keeper.current, seed=self._seed))

    @property
    def digests(self) -> DigestBook:
        from .digest import DigestBook

        return self._part("_digests", lambda: DigestBook(
            self.store, self.ingester, self.recommender, self.papers_changed, self.settled_index))

    @property
    def club(self) -> Club:
        """The paper club of each group: shortlist, polls, sessions and reminders (see `club.Club`)."""
        from .club import Club

        return self._part("_club", lambda: Club(self.store, self.paper, self.recommender))

    # -- ingest ----------------------------------------------------------------------------

    def ensure_seeded(self, progress: ProgressCallback | None = None) -> IngestReport | None:
        """On first use of an empty library, ingest the bundled seeds; otherwise do nothing."""
        if self.store.get_meta(SEEDED_KEY) or self.store.count_papers():
            return None
        from .ingest import bundled_seeds

        report = self.ingest([bundled_seeds()], progress=progress)
        self.store.set_meta(SEEDED_KEY, date.today().isoformat())
        return report

    def ingest(self, paths: Iterable[str | Path], today: date | None = None,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Read files or folders in any supported format into the library (see Ingester), then
        bring the index up to date (see ProgressCallback for what `progress` is told)."""
        from .ingest import INDEXING

        self._load_index_code_aside()
        report = self.ingester.ingest(paths, today or date.today(), progress)
        changed = report.added + report.merged
        if progress and changed:
            progress(INDEXING, 0, changed)
        self.papers_changed()
        if progress and changed:
            progress(INDEXING, changed, changed)
        return report

    def import_likes(self, user: str, paths: Iterable[str | Path], group: str | None = None,
                     today: date | None = None, progress: ProgressCallback | None = None) -> ImportReport:
        """Ingest a person's own reading list (BibTeX, RIS, CSL-JSON, Zotero CSV or any format
        `ingest` reads) and like every paper in it for them (see `reading_list.Importer`)."""
        from .reading_list import Importer

        self._load_index_code_aside()
        report = Importer(self.store, self.ingester).import_likes(str(user), paths, today or date.today(),
                                                                  group, progress)
        self.papers_changed()
        self._likes_imported(str(user), report.paper_ids, group)
        return report

    def read_upload(self, name: str, data: bytes, today: date | None = None) -> Upload:
        """An upload's bytes parsed for `import_upload` (touches no database: run it anywhere)."""
        from .reading_list import read_upload

        return read_upload(name, data, today or date.today())

    def import_upload(self, user: str, upload: Upload, group: str | None = None) -> ImportReport:
        """`import_likes` for an upload parsed by `read_upload`, named as it was uploaded."""
        from .reading_list import Importer

        report = Importer(self.store, self.ingester).import_upload(str(user), upload, group)
        self.papers_changed()
        self._likes_imported(str(user), report.paper_ids, group)
        return report

    def add_record(self, record: Record) -> AddOutcome:
        """Store one record, merging it into the paper it describes: "added", "merged" or
        "unchanged". The index follows at the next `papers_changed()`."""
        return self.ingester.add_record(record)

    def add_from_arxiv(self, refs: Iterable[str], look_up: Callable[[list[str]], Lookup]) -> ArxivAddition:
        """Papers by arXiv id or link, asking arXiv (with `look_up`) for those not yet here."""
        addition = self.ingester.add_from_arxiv(refs, look_up)
        if addition.papers:
            self.papers_changed()
        return addition

    def enrich(self, look_up_client: ArxivClient, limit: int | None = None, retry: bool = False,
               progress: EnrichProgress | None = None,
               should_stop: Callable[[], bool] | None = None) -> EnrichReport:
        """Match papers without an arXiv id to arXiv and link the confident matches (see
        `enrich.Enricher`). Runs on the caller's thread, one request per paper."""
        from .enrich import Enricher

        report = Enricher(self.store, self.ingester, look_up_client).run(limit, retry, progress, should_stop)
        if report.matched:
            self.papers_changed()
        return report

    def _load_index_code_aside(self) -> None:
        """Import the index's code on a thread of its own while files are read: the index is
        brought up to date after them, and importing numpy and SciPy costs a quarter of a second of
        CPU that a process waiting on its parsing process (a large file) has to spare."""
        if self._keeper is None and f"{__package__}.index" not in sys.modules:
            threading.Thread(target=importlib.import_module, args=(f"{__package__}.index",),
                             name="paperclub-index-import", daemon=True).start()

    def papers_changed(self) -> None:
        """Bring the index up to date after papers were written."""
        self.keeper.sync(refit_in_background=self.background_index)

    # -- look-up and search ----------------------------------------------------------------

    def paper(self, ref: str | int) -> Paper:
        """One paper by id, arXiv id or URL, DOI, exact title or a unique title fragment;
        raises PaperNotFound listing the closest titles."""
        return self.finder.paper(ref)

    def closest_titles(self, text: str, limit: int = 3) -> list[str]:
        return self.finder.closest_titles(text, limit)

    def search(self, query: str, limit: int = 10, offset: int = 0) -> list[SearchResult]:
        """Ranked full-text search (see Finder.search for the query language)."""
        return self.finder.search(query, limit, offset)

    def stats(self) -> dict[str, Any]:
        figures = asdict(self.store.stats())
        index = self.index()
        figures["index"] = {"papers": len(index), "features": int(index.matrix.shape[1])}
        figures["arxiv_checks"] = self.store.arxiv_checks()
        figures["group_blends"] = {blend.grp: {name: value for name, value in asdict(blend).items() if name != "grp"}
                                   for blend in self.store.group_blends()}
        return figures

    # -- the TF-IDF index ------------------------------------------------------------------

    @property
    def index_path(self) -> Path | None:
        """Where the index is persisted: beside the database, or nowhere for `:memory:`."""
        return None if self.path == ":memory:" else Path(self.path + ".index")

    def index(self) -> TfidfIndex:
        """The index readers use now (loaded or fitted on first use)."""
        return self.keeper.current()

    def refresh_index(self) -> TfidfIndex:
        """The index brought up to date with the library, refitted first if that is due."""
        return self.keeper.sync()

    def settled_index(self) -> TfidfIndex:
        """The index holding every paper written, refitted if due, waiting for a refit running in
        the background: the one digests rank with (see `IndexKeeper.settled`)."""
        return self.keeper.settled()

    # -- likes -----------------------------------------------------------------------------

    def like(self, user: str, ref: str | int, group: str | None = None) -> Paper:
        """Like a paper (liking twice is one like; a like replaces a "not for me")."""
        paper = self.paper(ref)
        self.store.set_signal(str(user), paper.id, SignalKind.LIKE, group)
        self.recommender.signal_changed(str(user), paper.id, SignalKind.LIKE, group)
        return paper

    def dislike(self, user: str, ref: str | int, group: str | None = None) -> Paper:
        """Mark a paper "not for me": it and papers like it move down that person's ranking."""
        paper = self.paper(ref)
        self.store.set_signal(str(user), paper.id, SignalKind.DISLIKE, group)
        self.recommender.signal_changed(str(user), paper.id, SignalKind.DISLIKE, group)
        return paper

    def unlike(self, user: str, ref: str | int) -> Paper:
        """Forget a person's like or "not for me" on a paper, in every group."""
        paper = self.paper(ref)
        self.store.clear_signals(str(user), paper.id)
        self.recommender.signal_changed(str(user), paper.id, None, None)
        return paper

    def likes(self, user: str, group: str | None = None) -> list[Signal]:
        """A person's likes, newest first (with a group: that group's and the ungrouped ones)."""
        rows = self.store.signals(str(user), kind=SignalKind.LIKE, group=group)
        papers = {p.id: p for p in self.store.papers([r.paper_id for r in rows])}
        return [Signal(papers[r.paper_id], r.kind, r.grp or None, r.created) for r in rows if r.paper_id in papers]

    def backup(self, target: str | Path) -> Path:
        """Copy the database to `target` (a new file) with SQLite's online backup API, while
        others may read and write it; BackupError, in a sentence, when it cannot be made."""
        from .backup import backup_database

        return backup_database(self.store.path, target)

    def rotating_backup(self, folder: str | Path, keep: int, now: datetime, hour: int) -> Path | None:
        """The nightly backup in `folder`, when one is due at the local time `now` (the clock has
        struck `hour` since the newest), keeping the `keep` newest (see `backup.rotating_backup`);
        None when none was due."""
        from .backup import rotating_backup

        return rotating_backup(self.store.path, folder, keep, now, hour)

    def export(self, fmt: str = "bibtex", user: str | None = None, group: str | None = None,
               club: str | None = None, now: datetime | None = None) -> Exported:
        """A person's likes, a group's, or the whole library, written as BibTeX, BibLaTeX, RIS,
        CSL-JSON or Zotero CSV (see `export.export_library`); with `club`, the papers that
        group's paper club read by `now`, in the order it read them. ValueError for another
        format."""
        from .export import FORMATS, Exported, export, export_library

        if club is None:
            return export_library(self.store, fmt, user, group)
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
        read = [s.paper for s in reversed(self.club.history(club, now or datetime.now(timezone.utc)))]
        unique = list({paper.id: paper for paper in read}.values())
        return Exported(export(unique, fmt), fmt, len(unique))

    def mark_delivered(self, recipient: str, paper_ids: Iterable[int]) -> None:
        """Remember papers sent to a person or channel, so they are not recommended again."""
        self.store.mark_delivered(str(recipient), list(paper_ids))

    # -- ranking ---------------------------------------------------------------------------

    @property
    def colleague_weight(self) -> float | None:
        """How much co-likes count beside text in every group; None (the default): the weight
        each group learned from its own likes (a fixed 0.5 until it has learned one)."""
        return self.recommender.colleague_weight

    @colleague_weight.setter
    def colleague_weight(self, weight: float | None) -> None:
        self.recommender.colleague_weight = weight

    def learn_blend(self, group: str, seed: int = 0) -> Blend:
        """Choose a group's co-like weight from its own held-out likes now, and keep it (this
        also happens by itself, on a thread, as a large group's likes grow)."""
        return self.recommender.learn_blend(str(group), seed)

    def co_like_weight(self, group: str) -> CoLikeWeight:
        """How much colleagues' co-likes count in a group's recommendations, and the held-out
        figures the group chose that weight on (see `learn_blend`)."""
        return self.recommender.co_like_weight(str(group))

    def _likes_imported(self, user: str, paper_ids: Iterable[int], group: str | None) -> None:
        for paper_id in paper_ids:
            self.recommender.signal_changed(user, paper_id, SignalKind.LIKE, group)

    def recommend(self, user: str, limit: int = 10, group: str | None = None) -> list[Recommendation]:
        """Papers ranked by similarity to what the person liked, each with a reason."""
        return self.recommender.recommend(str(user), limit, group)

    def similar(self, ref: str | int, limit: int = 10, for_user: str | None = None) -> list[Recommendation]:
        """More like this: the papers closest to one paper, each with the words they share
        (for a person, without the papers they marked "not for me")."""
        return self.recommender.similar(self.paper(ref), limit, None if for_user is None else str(for_user))

    def random(self, category: str | None = None, for_user: str | None = None, group: str | None = None) -> Paper:
        """A random paper, or with `for_user` a surprise from the upper part of their ranking;
        in a group, never one its paper club read or has scheduled."""
        return self.recommender.random(category, None if for_user is None else str(for_user), group)

    def lab_ranking(self, group: str, limit: int = 10, candidates: Iterable[int] | None = None,
                    exclude: Iterable[int] = (), min_score: float | None = None) -> list[Recommendation]:
        """Papers ranked for a whole group, every member's profile counting equally."""
        return self.recommender.lab_ranking(group, limit, candidates, exclude, min_score)

    def personal_ranking(self, user: str, limit: int = 10, candidates: Iterable[int] | None = None,
                         exclude: Iterable[int] = (), min_score: float | None = None) -> list[Recommendation]:
        """Papers ranked for one person's likes made anywhere, interest by interest."""
        return self.recommender.personal_ranking(str(user), limit, candidates, exclude, min_score)

    def trending(self, group: str, days: int = 7, limit: int = 10) -> list[Recommendation]:
        """What a group liked most in the last `days` days, most liked first."""
        return self.recommender.trending(group, days, limit)

    # -- interests and follows ----------------------------------------------------------------

    def taste(self, user: str, group: str | None = None) -> list[Interest]:
        """A person's interests: their likes grouped by topic, the most liked first, each with
        its top words and two example papers (see `interests`)."""
        return self.recommender.taste(str(user), group)

    def mute_interest(self, user: str, number: int | None, muted: bool = True, group: str | None = None,
                      holding: int | None = None) -> Interest:
        """Mute (or unmute) interest `number` of `taste`, or the one holding the liked paper
        `holding`: it stops drawing recommendations and digest picks. Raises InterestNotFound
        for a number (or paper) the person has no interest of."""
        return self.recommender.mute(str(user), None if number is None else int(number), muted, group, holding)

    def follow(self, user: str, text: str, kind: str = "phrase", group: str | None = None) -> tuple[Follow, bool]:
        """Follow an author (`kind="author"`) or a phrase: their new papers always reach the
        person's digest, and lift the papers in their server's channel digest. Returns the
        follow as kept and whether it is new; FollowError for an empty or over-long one."""
        from .follows import FollowBook

        return FollowBook(self.store).follow(str(user), text, kind, group)

    def unfollow(self, user: str, text: str, kind: str | None = None) -> list[Follow]:
        """Stop following an author or phrase (in every server); the follows removed, none when
        the person did not follow it. With no `kind`, whichever of the two matches."""
        from .follows import FollowBook

        return FollowBook(self.store).unfollow(str(user), text, kind)

    def follows(self, user: str) -> list[Follow]:
        """The authors and phrases a person follows, oldest first."""
        from .follows import FollowBook

        return FollowBook(self.store).follows(str(user))

    # -- channel settings --------------------------------------------------------------------

    def set_links(self, channel_id: int, on: bool) -> None:
        """Whether the bot answers arXiv links posted in a channel with their cards."""
        self.store.set_links(int(channel_id), on)

    def links_on(self, channel_id: int) -> bool:
        return self.store.links_on(int(channel_id))
