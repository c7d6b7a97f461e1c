"""What every section of the facade stands on: the database, and the parts that do the work
(finder, ingester, index keeper, recommender, digest book, club), each made on first use so that
a command needing no ranking imports none. The parts are private: front ends reach them only
through the facade's declared methods."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..calls import reads, writes
from ..processes import remove_dead_folders, remove_stale_temporaries
from ..store import Store

if TYPE_CHECKING:
    from ..club import Club
    from ..digest import DigestBook
    from ..index import IndexKeeper, TfidfIndex
    from ..ingest import Ingester
    from ..papers import Paper
    from ..recommend import Recommender
    from ..search import Finder

T = TypeVar("T")
LIBRARY_ID_KEY = "library_id"


class Parts:
    """The database and the facade's parts (see `Library` for how threads share them)."""

    def __init__(self, path: str | Path = "paperclub.db", seed: int | None = None,
                 background_index: bool = False):
        self.path = str(path)
        self._store = Store(path)
        self.background_index = background_index
        self._seed = seed
        self._parts_lock = threading.RLock()
        self._parts: dict[str, Any] = {}
        if self._store.get_meta(LIBRARY_ID_KEY) is None:
            self._store.set_meta(LIBRARY_ID_KEY, uuid.uuid4().hex)
        if self.index_path is not None:
            remove_stale_temporaries(self.index_path)
        remove_dead_folders()

    @writes
    def close(self) -> None:
        """Wait for the index's background work, then close the database."""
        for name in ("recommender", "keeper"):
            part = self._parts.get(name)
            if part is not None:
                part.close()
        self._store.close()

    @reads
    def wait_for_background(self) -> None:
        """Wait for the work the library runs on threads of its own: co-likes built and blends
        learned aside, a refit or catch-up of the index. Nothing needs to (`close` waits too);
        a test or a bench that looks at that work's result waits here first."""
        recommender = self._parts.get("recommender")
        if recommender is not None:
            recommender.close()   # it only waits: the recommender stays in use
        keeper = self._parts.get("keeper")
        if keeper is not None:
            keeper.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _part(self, name: str, make: Callable[[], T]) -> T:
        """The part called `name`, made by `make` on first use (once, whichever thread asks first)."""
        part = self._parts.get(name)
        if part is None:
            with self._parts_lock:
                part = self._parts.get(name)
                if part is None:
                    part = self._parts[name] = make()
        return cast(T, part)

    def _has_part(self, name: str) -> bool:
        return name in self._parts

    @property
    def _finder(self) -> Finder:
        """Papers by reference, close titles and full-text search (see `search.Finder`)."""
        from ..search import Finder

        return self._part("finder", lambda: Finder(self._store))

    @property
    def _ingester(self) -> Ingester:
        from ..ingest import Ingester

        return self._part("ingester", lambda: Ingester(self._store))

    @property
    def _keeper(self) -> IndexKeeper:
        from ..index import IndexKeeper

        return self._part("keeper", lambda: IndexKeeper(
            self._store, self.index_path, self._store.get_meta(LIBRARY_ID_KEY) or ""))

    @property
    def _recommender(self) -> Recommender:
        from ..recommend import Recommender

        return self._part("recommender", lambda: Recommender(self._store, self._keeper.current, seed=self._seed))

    @property
    def _digests(self) -> DigestBook:
        from ..digest import DigestBook

        return self._part("digests", lambda: DigestBook(
            self._store, self._ingester, self._recommender, self.papers_changed, self.settled_index))

    @property
    def _club(self) -> Club:
        """The paper club of each group: shortlist, polls, sessions and reminders (see `club.Club`)."""
        from ..club import Club

        return self._part("club", lambda: Club(self._store, self.paper, self._recommender))

    # -- what the parts ask of each other ---------------------------------------------------

    @reads
    def paper(self, ref: str | int) -> Paper:
        """One paper by id, arXiv id or URL, DOI, exact title or a unique title fragment;
        raises PaperNotFound listing the closest titles."""
        return self._finder.paper(ref)

    @property
    @reads
    def index_path(self) -> Path | None:
        """Where the index is persisted: beside the database, or nowhere for `:memory:`."""
        return None if self.path == ":memory:" else Path(self.path + ".index")

    @writes
    def papers_changed(self) -> None:
        """Bring the index up to date after papers were written."""
        self._keeper.sync(refit_in_background=self.background_index)

    @reads
    def settled_index(self) -> TfidfIndex:
        """The index holding every paper written, refitted if due, waiting for a refit running in
        the background: the one digests rank with (see `IndexKeeper.settled`)."""
        return self._keeper.settled()
