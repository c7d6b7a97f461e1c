"""The threads the bot runs the core on, so that the event loop never waits for SQLite,
the TF-IDF index (numpy) or the network.

- **Readers** (a small pool): search, look-ups, recommendations, previews. The Library gives
  each thread its own read connection, so reads never wait for a write.
- **One writer**: likes, subscriptions, digests, ingests. Writes take turns anyway; keeping
  them on one thread keeps a slow one (a feed's papers) from filling the reader pool.
- **Network**: steps that wait on arXiv (fetching a feed, looking up papers), which write what
  they bring through the Library when it arrives.
- **Bulk**: a long write made in short steps (an imported reading list), beside the writer, so
  that a like waits a step rather than the whole file.

The core declares which of these each Library method needs (`recommender.calls`); the bot never
chooses. It calls the Library through `AsyncLibrary`, its view of the facade as coroutines:
`await lib.like(user, ref, group)` runs `Library.like` on the writer because `like` is declared a
write.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from recommender import CallKind, Library, kind_of, yield_to_people

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
READERS = 4
NETWORK = 2
# Python hands the GIL between threads every 5 ms by default; a reader waiting behind a
# thread busy in pure Python (a TF-IDF transform) gets its turn sooner at 1 ms.
SWITCH_INTERVAL = 0.001


class WorkerNotStarted(RuntimeError):
    """The library was used before `LibraryThreads.start()` (or after `stop()`)."""


class LibraryThreads:
    """The reader pool, the writer and the network threads, and the Library they share."""

    def __init__(self, db_path: str, library: Library | None = None):
        self.db_path = db_path
        self._library = library
        self._owns_library = library is None
        self._pools: dict[CallKind, ThreadPoolExecutor] = {}

    @property
    def library(self) -> Library:
        """The Library; call it through `AsyncLibrary` (or `run`), never on the event loop."""
        if self._library is None:
            raise WorkerNotStarted("the library threads have not been started")
        return self._library

    @property
    def running(self) -> bool:
        return bool(self._pools)

    async def start(self) -> Library:
        """Start the threads and open (creating and seeding if needed) the Library."""
        if not self._pools:
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
            # The bot answers people: an ingest's parsing, a refit's counting and the thread
            # writing a large file run below the threads answering them.
            yield_to_people()
            self._pools = {
                CallKind.READ: ThreadPoolExecutor(READERS, thread_name_prefix="paperclub-read"),
                CallKind.WRITE: ThreadPoolExecutor(1, thread_name_prefix="paperclub-write"),
                CallKind.NETWORK: ThreadPoolExecutor(NETWORK, thread_name_prefix="paperclub-net"),
                CallKind.BULK: ThreadPoolExecutor(1, thread_name_prefix="paperclub-bulk"),
            }
        if self._library is None:
            self._library = await self.run(CallKind.WRITE, self._open)
        return self._library

    def _open(self) -> Library:
        library = Library(self.db_path, background_index=True)
        try:
            report = library.ensure_seeded()
            if report is not None:
                log.info("Created %s with the %d bundled papers", self.db_path, report.added)
            # Load (or fit) the index now, so the first command does not pay for it.
            library.index()
        except BaseException:
            library.close()
            raise
        return library

    async def run(self, kind: CallKind, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(*args, **kwargs)` on the threads for `kind` of call and wait for its result."""
        executor = self._pools.get(kind)
        if executor is None:
            raise WorkerNotStarted("the library threads have not been started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, partial(fn, *args, **kwargs))

    async def stop(self) -> None:
        """Close the Library (if these threads opened it) on the writer, then end the threads."""
        pools, self._pools = self._pools, {}
        if not pools:
            return
        library = self._library
        if library is not None and self._owns_library:
            loop = asyncio.get_running_loop()
            for kind in (CallKind.NETWORK, CallKind.READ):
                pools[kind].shutdown(wait=False, cancel_futures=True)
            # an import under way ends first (a few seconds at most): its steps use the library
            await loop.run_in_executor(None, partial(pools[CallKind.BULK].shutdown, wait=True, cancel_futures=True))
            try:
                await loop.run_in_executor(pools[CallKind.WRITE], library.close)
            except Exception:
                log.exception("Closing the library failed")
            self._library = None
        for executor in pools.values():
            executor.shutdown(wait=False, cancel_futures=True)
        yield_to_people(0)


class Declared(Generic[P, T]):
    """One Library method in `AsyncLibrary`: a coroutine that runs it where the core declares."""

    def __init__(self, method: Callable[Concatenate[Library, P], T]):
        kind = kind_of(method)
        if kind is None:
            raise TypeError(f"Library.{method.__name__} does not declare how it runs (see recommender.calls)")
        self.kind = kind
        self.name = method.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self.name:
            raise TypeError(f"{owner.__name__}.{name} runs Library.{self.name}: give it the same name")

    @overload
    def __get__(self, view: None, owner: type) -> Self: ...

    @overload
    def __get__(self, view: AsyncLibrary, owner: type) -> Callable[P, Awaitable[T]]: ...

    def __get__(self, view: AsyncLibrary | None, owner: type) -> Self | Callable[P, Awaitable[T]]:
        if view is None:
            return self
        threads, kind, name = view.threads, self.kind, self.name

        async def call(*args: P.args, **kwargs: P.kwargs) -> T:
            # looked up when called, on the Library the threads opened (tests may replace a method)
            method: Callable[P, T] = getattr(threads.library, name)
            return await threads.run(kind, method, *args, **kwargs)

        call.__name__ = call.__qualname__ = name
        return call


class AsyncLibrary:
    """The Library as the bot sees it: every declared method (but `close`, which the threads
    own) as a coroutine run on the threads its declaration names. A method added to the facade
    gets a line here; `tests/test_calls.py` says when one is missing."""

    def __init__(self, threads: LibraryThreads):
        self.threads = threads

    # -- papers, ingest and the index ----------------------------------------------------------
    paper = Declared(Library.paper)
    closest_titles = Declared(Library.closest_titles)
    search = Declared(Library.search)
    stats = Declared(Library.stats)
    ensure_seeded = Declared(Library.ensure_seeded)
    ingest = Declared(Library.ingest)
    import_likes = Declared(Library.import_likes)
    read_upload = Declared(Library.read_upload)
    import_upload = Declared(Library.import_upload)
    add_record = Declared(Library.add_record)
    add_from_arxiv = Declared(Library.add_from_arxiv)
    enrich = Declared(Library.enrich)
    papers_changed = Declared(Library.papers_changed)
    index = Declared(Library.index)
    refresh_index = Declared(Library.refresh_index)
    settled_index = Declared(Library.settled_index)
    wait_for_background = Declared(Library.wait_for_background)
    backup = Declared(Library.backup)
    rotating_backup = Declared(Library.rotating_backup)
    export = Declared(Library.export)

    # -- likes, rankings, interests and follows -------------------------------------------------
    like = Declared(Library.like)
    dislike = Declared(Library.dislike)
    unlike = Declared(Library.unlike)
    likes = Declared(Library.likes)
    mark_delivered = Declared(Library.mark_delivered)
    learn_blend = Declared(Library.learn_blend)
    co_like_weight = Declared(Library.co_like_weight)
    recommend = Declared(Library.recommend)
    similar = Declared(Library.similar)
    random = Declared(Library.random)
    lab_ranking = Declared(Library.lab_ranking)
    personal_ranking = Declared(Library.personal_ranking)
    trending = Declared(Library.trending)
    taste = Declared(Library.taste)
    mute_interest = Declared(Library.mute_interest)
    follow = Declared(Library.follow)
    unfollow = Declared(Library.unfollow)
    follows = Declared(Library.follows)
    set_links = Declared(Library.set_links)
    links_on = Declared(Library.links_on)

    # -- digests ----------------------------------------------------------------------------
    subscribe = Declared(Library.subscribe)
    subscription = Declared(Library.subscription)
    subscriptions = Declared(Library.subscriptions)
    unsubscribe = Declared(Library.unsubscribe)
    pause_subscription = Declared(Library.pause_subscription)
    subscriptions_due = Declared(Library.subscriptions_due)
    feeds_needed = Declared(Library.feeds_needed)
    feeds_to_fetch = Declared(Library.feeds_to_fetch)
    fetch_feed = Declared(Library.fetch_feed)
    fetch_feeds = Declared(Library.fetch_feeds)
    store_announcement = Declared(Library.store_announcement)
    record_failed_fetch = Declared(Library.record_failed_fetch)
    prepare_digest = Declared(Library.prepare_digest)
    digest = Declared(Library.digest)
    pending_digests = Declared(Library.pending_digests)
    abandon_stale_digests = Declared(Library.abandon_stale_digests)
    mark_part_sent = Declared(Library.mark_part_sent)
    mark_digest_sent = Declared(Library.mark_digest_sent)
    drop_digest = Declared(Library.drop_digest)
    preview_digest = Declared(Library.preview_digest)

    # -- the paper club ---------------------------------------------------------------------
    club_settings = Declared(Library.club_settings)
    set_up_club = Declared(Library.set_up_club)
    propose = Declared(Library.propose)
    withdraw = Declared(Library.withdraw)
    shortlist = Declared(Library.shortlist)
    club_suggestions = Declared(Library.club_suggestions)
    poll_choices = Declared(Library.poll_choices)
    prepare_poll = Declared(Library.prepare_poll)
    mark_poll_posted = Declared(Library.mark_poll_posted)
    poll = Declared(Library.poll)
    polls_posting = Declared(Library.polls_posting)
    polls_ended = Declared(Library.polls_ended)
    polls_decided = Declared(Library.polls_decided)
    decide_poll = Declared(Library.decide_poll)
    mark_poll_announced = Declared(Library.mark_poll_announced)
    drop_poll = Declared(Library.drop_poll)
    schedule_session = Declared(Library.schedule_session)
    attach_session = Declared(Library.attach_session)
    next_session = Declared(Library.next_session)
    cancel_session = Declared(Library.cancel_session)
    club_history = Declared(Library.club_history)
    sessions_to_close = Declared(Library.sessions_to_close)
    mark_session_held = Declared(Library.mark_session_held)
    reminders = Declared(Library.reminders)
    reminders_due = Declared(Library.reminders_due)
    prepare_reminder = Declared(Library.prepare_reminder)
    pending_reminders = Declared(Library.pending_reminders)
    reminder_channel = Declared(Library.reminder_channel)
    mark_reminder_sent = Declared(Library.mark_reminder_sent)
    drop_reminder = Declared(Library.drop_reminder)
