"""arXiv's daily announcements: `fetch` brings a category's into the library, from arXiv or
from a saved feed; digest previews fetch the same way."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recommender.files import FileProblem, read_text_file

from . import context
from .context import State, arxiv_client, settings
from .errors import EXIT_FAILED, BadInput, Problem
from .options import feed_options, json_option
from .output import emit_json, plural, shorten
from .params import CATEGORY_LIST

if TYPE_CHECKING:
    from recommender import FeedReport

# The statuses of a feed fetched as it should be (an empty announcement is one: a holiday).
FETCHED = ("ok", "empty")
# What a recent attempt that is not repeated yet found, by the status it left.
_LAST_ATTEMPT = {"error": "failed", "stale": "found the feed not yet updated", "malformed": "found the feed unreadable"}


@click.command()
@click.argument("categories", nargs=-1, metavar="CATEGORY...", type=CATEGORY_LIST)
@feed_options
@click.option("--force", is_flag=True, help="Fetch again even if this announcement was fetched already.")
@json_option("the reports")
@click.pass_obj
def fetch(state: State, categories: tuple[str, ...], feeds: tuple[str, ...], day: datetime | None, force: bool,
          as_json: bool) -> None:
    """Fetch today's arXiv announcement of each CATEGORY (cs.LG, stat.ML…) into the library.

    Each announcement is fetched once. With --feed, a saved feed is read instead, as the
    announcement of the category it names (for the day it is for, or --day). Exits with 1
    when a feed could not be fetched (arXiv unreachable, or its feed not yet updated for the
    day: a feed for an earlier day is stale).
    """
    if bool(categories) == bool(feeds):
        raise click.UsageError("Name the categories to fetch (paperclub fetch cs.LG stat.ML), or give saved feeds "
                               "with --feed FILE, not both: a feed names its own category.")
    wanted = day.date() if day else None
    if feeds:
        reports = read_feeds(state, feeds, context.now(), wanted)
    else:
        reports = fetch_feeds(state, categories, context.now(), force, wanted)
    if as_json:
        emit_json(reports)
    else:
        for report in reports:
            print_feed(report)
    exit_if_failed(reports)


def exit_if_failed(reports: Sequence[FeedReport]) -> None:
    """Exit with 1 when a feed could not be fetched."""
    if any(r.status not in FETCHED for r in reports):
        sys.exit(EXIT_FAILED)


def fetch_feeds(state: State, categories: Sequence[str], now: datetime, force: bool,
                day: date | None = None) -> list[FeedReport]:
    """Each category's announcement from arXiv, unless fetched already (or `force`)."""
    from recommender import SubscriptionError

    library = state.library()
    with arxiv_client(settings()) as client, _feeds_reported_here():
        try:
            return library.fetch_feeds(categories, client.announcement, now=now, force=force, day=day)
        except SubscriptionError as exc:
            raise click.UsageError(str(exc)) from exc


def read_feeds(state: State, sources: Sequence[str], now: datetime, day: date | None) -> list[FeedReport]:
    """Each saved feed (a file, or a link) kept as the announcement of the category it names:
    of the day it is for, or of `day` (an older feed is stale, a newer one taken)."""
    from recommender.arxiv import ArxivError, read_announcement

    chosen = settings()
    library = state.library()
    reports = []
    with arxiv_client(chosen) as client, _feeds_reported_here():
        for source in sources:
            shown = shorten(source)
            if source.startswith(("http://", "https://")):
                try:
                    announcement = client.announcement_at(source, day)
                except ArxivError as exc:
                    raise Problem(f"Cannot read the feed {shown}: {exc}") from exc
            else:
                try:
                    text = read_text_file(Path(source), chosen.arxiv_max_bytes)
                except FileProblem as exc:
                    raise BadInput(f"Cannot read the feed {shown}: {exc}.") from exc
                announcement = read_announcement(text, source, None, day)
            if not announcement.category:
                why = (announcement.rejected[0].reason if announcement.status == "malformed" and announcement.rejected
                       else "its title names no category, as \"cs.LG updates on arXiv.org\" does")
                raise BadInput(f"{shown} is not the arXiv feed of a category: {why}.")
            reports.append(library.store_announcement(announcement, day or announcement.day, now))
    return reports


@contextmanager
def _feeds_reported_here() -> Iterator[None]:
    """While these commands fetch: the arXiv client logs each feed's report (for the bot's
    log), and the commands print the same reports themselves, once."""
    feeds = logging.getLogger("paperclub.arxiv.feeds")
    was, feeds.disabled = feeds.disabled, True
    try:
        yield
    finally:
        feeds.disabled = was


def print_feed(report: FeedReport, force: str = "--force", err: bool = False) -> None:
    """What fetching one announcement did; `force` is how to make it try again."""
    head = f"{report.category} {report.day.isoformat() if report.day else '(no date)'}: "
    failed = report.status not in FETCHED
    if report.already:
        found = _LAST_ATTEMPT.get(report.status, f"ended with status {report.status!r}")
        why = report.message.removeprefix(f"{report.category}: ")
        body = (f"already fetched ({force} fetches it again)" if not failed
                else f"a recent attempt {found}{f' ({why})' if why else ''}; not trying again yet ({force} tries now)")
    elif report.status == "ok":
        body = f"{report.new} new, {plural(report.cross, 'cross-list')}, {report.updated} updated"
        if report.newer and report.expected:
            body += f" (the feed is newer than the {report.expected.isoformat()} announcement asked for; taken)"
    else:
        body = report.message.removeprefix(f"{report.category}: ")
    click.echo(head + body, err=err or failed)
    for rejection in report.rejected:
        click.echo(f"  rejected {rejection}", err=True)


COMMANDS = (fetch,)
