"""Matching the library's papers to arXiv in the background, on a thread of its own.

The thread never holds a command: it is none of the bot's reader, writer or network threads, each
paper's write is one short transaction, and its requests take their turn on the process-wide rate
gate like any other (so a `/add` waits at most one interval behind it).

It starts matching when the bot is up (`poke()` from `on_ready`), then again whenever poked
(papers arrived through the bot) and every `POLL_SECONDS` (papers ingested from the terminal
beside the bot). A paper not found is not asked about again for 30 days. When arXiv cannot be
reached it says so in the log and tries again after `OFFLINE_SECONDS` (while arXiv's own
`Retry-After` lasts, the client refuses at once without asking).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from recommender import ArxivClient, EnrichReport, Library

log = logging.getLogger(__name__)

POLL_SECONDS = 600.0
OFFLINE_SECONDS = 1800.0
STOP_WAIT = 5.0


class Enrichment:
    """The background matcher: `start()` once the library is open, `poke()` to ask for a pass,
    `stop()` on the way out."""

    def __init__(self, library: Callable[[], Library], client: ArxivClient, *,
                 poll: float = POLL_SECONDS, offline: float = OFFLINE_SECONDS):
        self._library = library
        self.client = client
        self.poll = poll
        self.offline = offline
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last: EnrichReport | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; it waits for the first `poke()` before asking anything."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="paperclub-enrich", daemon=True)
            self._thread.start()

    def poke(self) -> None:
        """Ask for a pass soon: papers without an arXiv id may have arrived."""
        self._wake.set()

    def stop(self, timeout: float = STOP_WAIT) -> None:
        """Stop after the paper being looked up (waiting at most `timeout` seconds)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("Matching papers to arXiv did not stop within %g s; leaving it", timeout)
            self._thread = None

    def _run(self) -> None:
        self._wake.wait()
        while not self._stopping.is_set():
            self._wake.clear()
            pause = self._pass()
            self._wake.wait(pause)

    def _pass(self) -> float:
        """One run over the papers due; returns how long to wait before the next."""
        try:
            report = self._library().enrich(self.client, should_stop=self._stopping.is_set)
        except Exception:  # noqa: BLE001 - the thread must outlive any one failure
            log.exception("Matching papers to arXiv failed")
            return self.poll
        self.passes += 1
        self.last = report
        if report.done:
            log.info("Matched papers to arXiv: %d linked, %d not found, %d with nothing to ask",
                     len(report.matched), len(report.missed), len(report.skipped))
        if report.error:
            log.warning("Matching papers to arXiv paused: %s", report.error)
            return self.offline
        return self.poll
