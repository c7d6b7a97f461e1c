"""What every command works with: the library (opened on first need from `--db`), the
settings, the clock and the arXiv client.

Commands read the clock as `context.now()`, so that tests can set it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from ..config import ConfigError, Settings, load_settings
from .database import open_library
from .progress import line_progress

if TYPE_CHECKING:
    from recommender import ArxivClient, Library


class State:
    """Options shared by every sub-command; opens the library on first need."""

    def __init__(self, db: str | None):
        self.db_option = db
        self.db_path: str | None = None
        self._library: Library | None = None

    def library(self, seed: bool = True) -> Library:
        if self._library is None:
            path = self.db_option or settings().db_path
            self.db_path = path
            self._library = open_library(path)
            if seed:
                report = self._library.ensure_seeded(progress=line_progress())
                if report is not None:
                    shown = click.format_filename(path)
                    click.echo(f"Created {shown} with the {report.added} bundled papers.", err=True)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


def settings() -> Settings:
    """The settings from the environment (and `.env`), or a sentence on what is wrong with them."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def now() -> datetime:
    """The clock the arXiv commands go by: which announcement is today's depends on it."""
    return datetime.now(UTC)


def arxiv_client(settings: Settings) -> ArxivClient:
    """The arXiv client, on the process-wide rate gate (three seconds between requests)."""
    from recommender import ArxivClient

    return ArxivClient(settings.arxiv_rss_url, settings.arxiv_api_url, **settings.arxiv_options())
