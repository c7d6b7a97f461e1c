"""Progress on a terminal's standard error: bars over the lines of the files an ingest reads,
and over the papers enrich looks up."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import ExitStack

import click

from .output import shorten

# From this many papers added or changed by an ingest, the terminal is told while they are indexed.
INDEXING_NOTICE_FROM = 5000


class _Bar:
    """A click progress bar on stderr: the count, the rate and the time left."""

    def __init__(self, label: str, total: int, unit: str):
        self.unit = unit
        self.done = 0
        self._started = time.monotonic()
        self._stack = ExitStack()
        self._bar = self._stack.enter_context(click.progressbar(
            length=total, label=label, show_pos=True, show_eta=True, item_show_func=self._rate,
            file=sys.stderr,
        ))

    def _rate(self, _item: object) -> str | None:
        elapsed = time.monotonic() - self._started
        return f"{self.done / elapsed:,.1f} {self.unit}/s" if self.done and elapsed > 0 else None

    def move_to(self, done: int) -> None:
        step, self.done = done - self.done, done
        self._bar.update(step)

    def close(self) -> None:
        self._stack.close()


def line_progress() -> Callable[[str, int, int], None] | None:
    """For ingest on a terminal: a progress bar over the lines of each file in turn, then a
    line while a large ingest's papers are indexed (that can take a minute at 100,000)."""
    if not sys.stderr.isatty():
        return None
    from recommender.ingest import INDEXING

    current: dict[str, _Bar] = {}
    indexing_since: list[float] = []

    def show(label: str, line: int, total: int) -> None:
        if label == INDEXING:
            if total < INDEXING_NOTICE_FROM:
                return
            if line < total:
                indexing_since.append(time.monotonic())
                click.echo(f"Indexing {total:,} papers for recommendations…", err=True)
            elif indexing_since:
                click.echo(f"Indexed in {time.monotonic() - indexing_since.pop():.1f} s.", err=True)
            return
        bar = current.get(label)
        if bar is None:
            for finished in current.values():
                finished.close()
            current.clear()
            bar = current[label] = _Bar(shorten(label, 40), total, "lines")
        bar.move_to(min(line, total))
        if line >= total:
            bar.close()
            del current[label]

    return show


class PaperProgress:
    """A progress bar over papers, shown from the first (done, total) call until `close()`."""

    def __init__(self, label: str):
        self.label = label
        self._bar: _Bar | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = _Bar(self.label, total, "papers")
        self._bar.move_to(done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
