"""The threads the bot runs the core on, so that the event loop never waits for SQLite,
the TF-IDF index (numpy) or the network.

- **Readers** (a small pool): search, look-ups, recommendations, previews. The Library gives
  each thread its own read connection, so reads never wait for a write.
- **One writer**: likes, subscriptions, digests, ingests. Writes take turns anyway; keeping
  them on one thread keeps a slow one (a feed's papers) from filling the reader pool.
- **Network**: steps that wait on arXiv (fetching a feed, looking up papers), which write what
  they bring through the Library when it arrives.

Coroutines hand work over with `await threads.read(fn, ...)`, `write(...)` or `network(...)`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from recommender import Library
from recommender.processes import yield_to_people

log = logging.getLogger(__name__)

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
        self._pools: dict[str, ThreadPoolExecutor] = {}

    @property
    def library(self) -> Library:
        """The Library; call its methods only through `read`, `write` or `network`."""
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
                "read": ThreadPoolExecutor(READERS, thread_name_prefix="paperclub-read"),
                "write": ThreadPoolExecutor(1, thread_name_prefix="paperclub-write"),
                "network": ThreadPoolExecutor(NETWORK, thread_name_prefix="paperclub-net"),
                "bulk": ThreadPoolExecutor(1, thread_name_prefix="paperclub-bulk"),
            }
        if self._library is None:
            self._library = await self.write(self._open)
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

    async def read(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` on a reader thread and wait for its result."""
        return await self._run("read", fn, *args, **kwargs)

    async def write(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` on the writer thread and wait for its result."""
        return await self._run("write", fn, *args, **kwargs)

    async def bulk(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a long write made in short steps (an imported reading list) on a thread of its
        own: the writer thread stays free, and its likes take their turn between the steps."""
        return await self._run("bulk", fn, *args, **kwargs)

    async def network(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a step that waits on the network (and may then write) on a network thread."""
        return await self._run("network", fn, *args, **kwargs)

    async def _run(self, pool: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        executor = self._pools.get(pool)
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
            for name in ("network", "read"):
                pools[name].shutdown(wait=False, cancel_futures=True)
            # an import under way ends first (a few seconds at most): its steps use the library
            await loop.run_in_executor(None, partial(pools["bulk"].shutdown, wait=True, cancel_futures=True))
            try:
                await loop.run_in_executor(pools["write"], library.close)
            except Exception:
                log.exception("Closing the library failed")
            self._library = None
        for executor in pools.values():
            executor.shutdown(wait=False, cancel_futures=True)
        yield_to_people(0)
