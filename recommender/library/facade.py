"""The facade every front end uses. It holds no logic of its own: each call goes to the part
that does the work (ingest, search, recommend, the index keeper, digests, the paper club), and
each is declared a read, a write, a network call or a bulk write (see `calls`)."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..calls import bulk, network, reads, writes
from ..papers import CoLikeWeight, Follow, Interest, Paper, Recommendation, Record, Signal
from .club import ClubSection
from .digests import DigestSection

if TYPE_CHECKING:
    from ..arxiv import ArxivClient, Lookup
    from ..blend import Blend
    from ..enrich import EnrichProgress, EnrichReport
    from ..export import Exported
    from ..index import TfidfIndex
    from ..ingest import ArxivAddition, IngestReport, ProgressCallback
    from ..reading_list import ImportReport, Upload
    from ..search import SearchResult

SEEDED_KEY = "seeded"


class Library(DigestSection, ClubSection):
    """A reading list in one SQLite file.

    One Library is safe to use from several threads at once. Reads (search, paper, recommend,
    similar, random, likes, digest previews) run on each thread's own connection and never wait
    for a write; writes (ingest, likes, digests) take turns on one writer, and a writer in
    another process waits its turn. The TF-IDF index is shared: readers use the current one
    while a newer one is built aside (see `index.IndexKeeper`). With `background_index`, a
    refit of the vocabulary runs on a thread of its own instead of inside the write that made
    it due. Every public method is declared with how it runs (`calls.kind_of`).
    """

    # -- ingest ----------------------------------------------------------------------------

    @bulk
    def ensure_seeded(self, progress: ProgressCallback | None = None) -> IngestReport | None:
        """On first use of an empty library, ingest the bundled seeds; otherwise do nothing."""
        if self.store.get_meta(SEEDED_KEY) or self.store.count_papers():
            return None
        from ..ingest import bundled_seeds

        report = self.ingest([bundled_seeds()], progress=progress)
        self.store.set_meta(SEEDED_KEY, date.today().isoformat())
        return report

    @bulk
    def ingest(self, paths: Iterable[str | Path], today: date | None = None,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Read files or folders in any supported format into the library (see Ingester), then
        bring the index up to date (see ProgressCallback for what `progress` is told)."""
        from ..ingest import INDEXING

        self._load_index_code_aside()
        report = self._ingester.ingest(paths, today or date.today(), progress)
        changed = report.added + report.merged
        if progress and changed:
            progress(INDEXING, 0, changed)
        self.papers_changed()
        if progress and changed:
            progress(INDEXING, changed, changed)
        return report

    @bulk
    def import_likes(self, user: str, paths: Iterable[str | Path], group: str | None = None,
                     today: date | None = None, progress: ProgressCallback | None = None) -> ImportReport:
        """Ingest a person's own reading list (BibTeX, RIS, CSL-JSON, Zotero CSV or any format
        `ingest` reads) and like every paper in it for them (see `reading_list.Importer`)."""
        from ..reading_list import Importer

        self._load_index_code_aside()
        report = Importer(self.store, self._ingester).import_likes(str(user), paths, today or date.today(),
                                                                  group, progress)
        self.papers_changed()
        self._likes_imported(str(user), report.paper_ids, group)
        return report

    @reads
    def read_upload(self, name: str, data: bytes, today: date | None = None) -> Upload:
        """An upload's bytes parsed for `import_upload` (touches no database: run it anywhere)."""
        from ..reading_list import read_upload

        return read_upload(name, data, today or date.today())

    @bulk
    def import_upload(self, user: str, upload: Upload, group: str | None = None) -> ImportReport:
        """`import_likes` for an upload parsed by `read_upload`, named as it was uploaded."""
        from ..reading_list import Importer

        report = Importer(self.store, self._ingester).import_upload(str(user), upload, group)
        self.papers_changed()
        self._likes_imported(str(user), report.paper_ids, group)
        return report

    @writes
    def add_record(self, record: Record) -> str:
        """Store one record, merging it into the paper it describes: "added", "merged" or
        "unchanged". The index follows at the next `papers_changed()`."""
        return self._ingester.add_record(record)

    @network
    def add_from_arxiv(self, refs: Iterable[str], look_up: Callable[[list[str]], Lookup]) -> ArxivAddition:
        """Papers by arXiv id or link, asking arXiv (with `look_up`) for those not yet here."""
        addition = self._ingester.add_from_arxiv(refs, look_up)
        if addition.papers:
            self.papers_changed()
        return addition

    @network
    def enrich(self, look_up_client: ArxivClient, limit: int | None = None, retry: bool = False,
               progress: EnrichProgress | None = None,
               should_stop: Callable[[], bool] | None = None) -> EnrichReport:
        """Match papers without an arXiv id to arXiv and link the confident matches (see
        `enrich.Enricher`). Runs on the caller's thread, one request per paper."""
        from ..enrich import Enricher

        report = Enricher(self.store, self._ingester, look_up_client).run(limit, retry, progress, should_stop)
        if report.matched:
            self.papers_changed()
        return report

    def _load_index_code_aside(self) -> None:
        """Import the index's code on a thread of its own while files are read: the index is
        brought up to date after them, and importing numpy and SciPy costs a quarter of a second of
        CPU that a process waiting on its parsing process (a large file) has to spare."""
        if not self._has_part("keeper") and "recommender.index" not in sys.modules:
            threading.Thread(target=importlib.import_module, args=("recommender.index",),
                             name="paperclub-index-import", daemon=True).start()

    # -- look-up and search ----------------------------------------------------------------

    @reads
    def closest_titles(self, text: str, limit: int = 3) -> list[str]:
        return self._finder.closest_titles(text, limit)

    @reads
    def search(self, query: str, limit: int = 10, offset: int = 0) -> list[SearchResult]:
        """Ranked full-text search (see Finder.search for the query language)."""
        return self._finder.search(query, limit, offset)

    @reads
    def stats(self) -> dict[str, Any]:
        figures = self.store.stats()
        index = self.index()
        figures["index"] = {"papers": len(index), "features": int(index.matrix.shape[1])}
        figures["arxiv_checks"] = self.store.arxiv_checks()
        figures["group_blends"] = self.store.group_blends()
        return figures

    # -- the TF-IDF index ------------------------------------------------------------------

    @reads
    def index(self) -> TfidfIndex:
        """The index readers use now (loaded or fitted on first use)."""
        return self._keeper.current()

    @writes
    def refresh_index(self) -> TfidfIndex:
        """The index brought up to date with the library, refitted first if that is due."""
        return self._keeper.sync()

    # -- likes -----------------------------------------------------------------------------

    @writes
    def like(self, user: str, ref: str | int, group: str | None = None) -> Paper:
        """Like a paper (liking twice is one like; a like replaces a "not for me")."""
        paper = self.paper(ref)
        self.store.set_signal(str(user), paper.id, "like", group)
        self._recommender.signal_changed(str(user), paper.id, "like", group)
        return paper

    @writes
    def dislike(self, user: str, ref: str | int, group: str | None = None) -> Paper:
        """Mark a paper "not for me": it and papers like it move down that person's ranking."""
        paper = self.paper(ref)
        self.store.set_signal(str(user), paper.id, "dislike", group)
        self._recommender.signal_changed(str(user), paper.id, "dislike", group)
        return paper

    @writes
    def unlike(self, user: str, ref: str | int) -> Paper:
        """Forget a person's like or "not for me" on a paper, in every group."""
        paper = self.paper(ref)
        self.store.clear_signals(str(user), paper.id)
        self._recommender.signal_changed(str(user), paper.id, None, None)
        return paper

    @reads
    def likes(self, user: str, group: str | None = None) -> list[Signal]:
        """A person's likes, newest first (with a group: that group's and the ungrouped ones)."""
        rows = self.store.signals(str(user), kind="like", group=group)
        papers = {p.id: p for p in self.store.papers([r[0] for r in rows])}
        return [Signal(papers[pid], kind, grp or None, created) for pid, kind, grp, created in rows if pid in papers]

    @reads
    def backup(self, target: str | Path) -> Path:
        """Copy the database to `target` (a new file) with SQLite's online backup API, while
        others may read and write it; BackupError, in a sentence, when it cannot be made."""
        from ..backup import backup_database

        return backup_database(self.store.path, target)

    @reads
    def rotating_backup(self, folder: str | Path, keep: int, now: datetime, hour: int) -> Path | None:
        """The nightly backup in `folder`, when one is due at the local time `now` (the clock has
        struck `hour` since the newest), keeping the `keep` newest (see `backup.rotating_backup`);
        None when none was due."""
        from ..backup import rotating_backup

        return rotating_backup(self.store.path, folder, keep, now, hour)

    @reads
    def export(self, fmt: str = "bibtex", user: str | None = None, group: str | None = None,
               club: str | None = None, now: datetime | None = None) -> Exported:
        """A person's likes, a group's, or the whole library, written as BibTeX, BibLaTeX, RIS,
        CSL-JSON or Zotero CSV (see `export.export_library`); with `club`, the papers that
        group's paper club read by `now`, in the order it read them. ValueError for another
        format."""
        from ..export import FORMATS, Exported, export, export_library

        if club is None:
            return export_library(self.store, fmt, user, group)
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
        read = [s.paper for s in reversed(self._club.history(club, now or datetime.now(timezone.utc)))]
        unique = list({paper.id: paper for paper in read}.values())
        return Exported(export(unique, fmt), fmt, len(unique))

    @writes
    def mark_delivered(self, recipient: str, paper_ids: Iterable[int]) -> None:
        """Remember papers sent to a person or channel, so they are not recommended again."""
        self.store.mark_delivered(str(recipient), list(paper_ids))

    # -- ranking ---------------------------------------------------------------------------

    @property
    @reads
    def colleague_weight(self) -> float | None:
        """How much co-likes count beside text in every group; None (the default): the weight
        each group learned from its own likes (a fixed 0.5 until it has learned one)."""
        return self._recommender.colleague_weight

    @colleague_weight.setter
    def colleague_weight(self, weight: float | None) -> None:
        self._recommender.colleague_weight = weight

    @writes
    def learn_blend(self, group: str, seed: int = 0) -> Blend:
        """Choose a group's co-like weight from its own held-out likes now, and keep it (this
        also happens by itself, on a thread, as a large group's likes grow)."""
        return self._recommender.learn_blend(str(group), seed)

    @reads
    def co_like_weight(self, group: str) -> CoLikeWeight:
        """How much colleagues' co-likes count in a group's recommendations, and the held-out
        figures the group chose that weight on (see `learn_blend`)."""
        return self._recommender.co_like_weight(str(group))

    def _likes_imported(self, user: str, paper_ids: Iterable[int], group: str | None) -> None:
        for paper_id in paper_ids:
            self._recommender.signal_changed(user, paper_id, "like", group)

    @reads
    def recommend(self, user: str, limit: int = 10, group: str | None = None) -> list[Recommendation]:
        """Papers ranked by similarity to what the person liked, each with a reason."""
        return self._recommender.recommend(str(user), limit, group)

    @reads
    def similar(self, ref: str | int, limit: int = 10, for_user: str | None = None) -> list[Recommendation]:
        """More like this: the papers closest to one paper, each with the words they share
        (for a person, without the papers they marked "not for me")."""
        return self._recommender.similar(self.paper(ref), limit, None if for_user is None else str(for_user))

    @reads
    def random(self, category: str | None = None, for_user: str | None = None, group: str | None = None) -> Paper:
        """A random paper, or with `for_user` a surprise from the upper part of their ranking;
        in a group, never one its paper club read or has scheduled."""
        return self._recommender.random(category, None if for_user is None else str(for_user), group)

    @reads
    def lab_ranking(self, group: str, limit: int = 10, candidates: Iterable[int] | None = None,
                    exclude: Iterable[int] = (), min_score: float | None = None) -> list[Recommendation]:
        """Papers ranked for a whole group, every member's profile counting equally."""
        return self._recommender.lab_ranking(group, limit, candidates, exclude, min_score)

    @reads
    def personal_ranking(self, user: str, limit: int = 10, candidates: Iterable[int] | None = None,
                         exclude: Iterable[int] = (), min_score: float | None = None) -> list[Recommendation]:
        """Papers ranked for one person's likes made anywhere, interest by interest."""
        return self._recommender.personal_ranking(str(user), limit, candidates, exclude, min_score)

    @reads
    def trending(self, group: str, days: int = 7, limit: int = 10) -> list[Recommendation]:
        """What a group liked most in the last `days` days, most liked first."""
        return self._recommender.trending(group, days, limit)

    # -- interests and follows ----------------------------------------------------------------

    @reads
    def taste(self, user: str, group: str | None = None) -> list[Interest]:
        """A person's interests: their likes grouped by topic, the most liked first, each with
        its top words and two example papers (see `interests`)."""
        return self._recommender.taste(str(user), group)

    @writes
    def mute_interest(self, user: str, number: int | None, muted: bool = True, group: str | None = None,
                      holding: int | None = None) -> Interest:
        """Mute (or unmute) interest `number` of `taste`, or the one holding the liked paper
        `holding`: it stops drawing recommendations and digest picks. Raises InterestNotFound
        for a number (or paper) the person has no interest of."""
        return self._recommender.mute(str(user), None if number is None else int(number), muted, group, holding)

    @writes
    def follow(self, user: str, text: str, kind: str = "phrase", group: str | None = None) -> tuple[Follow, bool]:
        """Follow an author (`kind="author"`) or a phrase: their new papers always reach the
        person's digest, and lift the papers in their server's channel digest. Returns the
        follow as kept and whether it is new; FollowError for an empty or over-long one."""
        from ..follows import FollowBook

        return FollowBook(self.store).follow(str(user), text, kind, group)

    @writes
    def unfollow(self, user: str, text: str, kind: str | None = None) -> list[Follow]:
        """Stop following an author or phrase (in every server); the follows removed, none when
        the person did not follow it. With no `kind`, whichever of the two matches."""
        from ..follows import FollowBook

        return FollowBook(self.store).unfollow(str(user), text, kind)

    @reads
    def follows(self, user: str) -> list[Follow]:
        """The authors and phrases a person follows, oldest first."""
        from ..follows import FollowBook

        return FollowBook(self.store).follows(str(user))

    # -- channel settings --------------------------------------------------------------------

    @writes
    def set_links(self, channel_id: int, on: bool) -> None:
        """Whether the bot answers arXiv links posted in a channel with their cards."""
        self.store.set_links(int(channel_id), on)

    @reads
    def links_on(self, channel_id: int) -> bool:
        return self.store.links_on(int(channel_id))
