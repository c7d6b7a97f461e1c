"""The one thread that owns the Library: every call into the core runs there, one at a time.

The core is synchronous and its SQLite connection belongs to one thread, so the event loop never
touches it: coroutines hand work over with `await worker.run(fn, *args)` and stay responsive
while it runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from recommender import Library

log = logging.getLogger(__name__)

T = TypeVar("T")


class WorkerNotStarted(RuntimeError):
    """The library was used before `LibraryWorker.start()` (or after `stop()`)."""


class LibraryWorker:
    """A single worker thread ("paperclub-db") and the Library it owns."""

    def __init__(self, db_path: str, library: Library | None = None):
        self.db_path = db_path
        self._library = library
        self._owns_library = library is None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def library(self) -> Library:
        """The Library; call its methods only through `run`."""
        if self._library is None:
            raise WorkerNotStarted("the library worker has not been started")
        return self._library

    @property
    def running(self) -> bool:
        return self._executor is not None

    async def start(self) -> Library:
        """Start the thread and open (creating and seeding if needed) the Library on it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paperclub-db")
        if self._library is None:
            self._library = await self.run(self._open)
        return self._library

    def _open(self) -> Library:
        library = Library(self.db_path)
        try:
            report = library.ensure_seeded()
            if report is not None:
                log.info("Created %s with the %d bundled papers", self.db_path, report.added)
            # Load (or fit) the index now, so the first command does not pay for it.
            library.refresh_index()
        except BaseException:
            library.close()
            raise
        return library

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` on the worker thread and wait for its result."""
        if self._executor is None:
            raise WorkerNotStarted("the library worker has not been started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    async def stop(self) -> None:
        """Close the Library (if this worker opened it) on its thread, then end the thread."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        library = self._library
        if library is not None and self._owns_library:
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(executor, library.close)
            except Exception:
                log.exception("Closing the library failed")
            self._library = None
        executor.shutdown(wait=False, cancel_futures=True)
