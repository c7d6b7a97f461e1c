"""The `paperclub` command: the same library the bot uses, from the terminal.

Start-up is kept short: the core is imported inside the commands that use it (the lazy
`recommender` package loads a module on first use), so `paperclub --help` never imports numpy,
SciPy or discord, and no command imports scikit-learn (see `recommender.tfidf`).

Exit statuses: 0 done; 1 failed (the database cannot be opened or is read-only, arXiv is
unreachable, nothing could be ingested, an unexpected error); 2 bad usage or input (an unknown
option, an argument that is not UTF-8 or too long, a query that cannot be searched); 3 not
found (a paper not in the library, no paper in a category).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import math
import os
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from recommender.files import FileProblem, check_regular_file, describe_os_error, read_text_file

from .config import ConfigError, Settings, configure_logging, env_file_warning, load_settings

if TYPE_CHECKING:
    from recommender import (
        ArxivClient,
        EnrichReport,
        FeedReport,
        FileReport,
        IngestReport,
        Library,
        Paper,
        PaperNotFound,
        Preview,
        Recommendation,
        SearchResult,
    )

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 3
FETCHED = ("ok", "empty")
# Longest arguments taken: a person's or group's name, a paper reference, a search, a category
# name and a list of categories. Anything longer is a mistake (a pasted file, a stuck key).
NAME_CHARS = 200
REF_CHARS = 1000
QUERY_CHARS = 2000
CATEGORY_CHARS = 100
CATEGORY_LIST_CHARS = 1000
SHOWN_CHARS = 80
# The largest interest number and enrich batch taken (more is a typo, and past 2**63 SQLite fails).
MAX_INTEREST = 1000
MAX_ENRICH = 10_000_000
# From this many papers added or changed by an ingest, the terminal is told while they are indexed.
INDEXING_NOTICE_FROM = 5000


class Problem(click.ClickException):
    """A failure explained in one sentence (exit status 1)."""

    exit_code = EXIT_FAILED


class BadInput(Problem):
    """Input that cannot be right, explained in one sentence (exit status 2)."""

    exit_code = EXIT_BAD_INPUT


class Text(click.ParamType):
    """A text argument: valid UTF-8 (a terminal in another encoding, or bytes typed with
    `$'\\xff'`, reach Python as lone surrogates) and at most `max_chars` characters, without
    control and format characters (`recommender.text.visible`), which move a terminal's cursor
    or hide a word."""

    name = "text"

    def __init__(self, max_chars: int, blank: bool = True):
        self.max_chars = max_chars
        self.blank = blank

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        bad = _first_surrogate(text)
        if bad is not None:
            code = ord(text[bad])
            byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "a lone surrogate"
            where = f"{byte} at character {bad + 1}"
            self.fail(f"is not UTF-8 text ({where}); paperclub reads arguments as UTF-8.", param, ctx)
        from recommender import visible

        text = visible(text)
        if len(text) > self.max_chars:
            self.fail(f"is {len(text):,} characters long; at most {self.max_chars:,} are taken.", param, ctx)
        if not self.blank and not text.strip():
            self.fail("is empty; give a name.", param, ctx)
        return text


def _first_surrogate(text: str) -> int | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


class Number(click.FloatRange):
    """A float in a range, refusing `nan` and infinities (which compare as inside any range)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number; give one in the range {self._describe_range()}.", param, ctx)
        return number


NAME = Text(NAME_CHARS, blank=False)
REF = Text(REF_CHARS)
QUERY = Text(QUERY_CHARS)


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """Text cut to `limit` characters for a message, keeping both ends of a long path."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def _shown_path(path: str | Path) -> str:
    return shorten(click.format_filename(path))


class State:
    """Options shared by every sub-command; opens the library on first need."""

    def __init__(self, db: str | None):
        self.db_option = db
        self.db_path: str | None = None
        self._library: Library | None = None

    def library(self, seed: bool = True) -> Library:
        if self._library is None:
            path = self.db_option or _settings().db_path
            self.db_path = path
            self._library = _open_library(path)
            if seed:
                report = self._library.ensure_seeded(progress=_line_progress())
                if report is not None:
                    shown = click.format_filename(path)
                    click.echo(f"Created {shown} with the {report.added} bundled papers.", err=True)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


def _open_library(path: str) -> Library:
    """The library in `path`, or a Problem saying in words why it cannot be opened."""
    from recommender import Library, SchemaTooNew, database_problem

    _check_database_path(path)
    shown = _shown_path(path)
    try:
        return Library(path)
    except SchemaTooNew as exc:
        raise click.ClickException(str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        known = _database_problem(path, exc) if isinstance(exc, sqlite3.OperationalError) else None
        if known is None and database_problem(exc) is not None:
            known = Problem(f"{shown}: {database_problem(exc)}")
        raise known or click.ClickException(f"{shown} is not a paperclub database ({exc})") from exc
    except OSError as exc:
        raise Problem(f"Cannot open the database {shown}: {describe_os_error(exc)}.") from exc


def _check_database_path(path: str) -> None:
    """Refuse a database path that is too long for the system or names no regular file,
    before SQLite tries it (SQLite would call a folder or a FIFO "not a database")."""
    if path == ":memory:" or path.startswith("file:"):
        return
    folder = Path(path).expanduser().parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise BadInput(f"The folder of the database, {_shown_path(folder)}, {what}: check the path "
                       "(--db or PAPERCLUB_DB), or make the folder first.")
    try:
        check_regular_file(Path(path))
    except FileProblem as exc:
        raise Problem(f"Cannot use {_shown_path(path)} as the database: {exc}.") from exc
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise BadInput(
                f"The database file name is too long for the system ({len(path):,} characters): "
                f"{_shown_path(path)}."
            ) from exc
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise Problem(f"Cannot open the database {_shown_path(path)}: {describe_os_error(exc)}.") from exc


def _database_problem(path: str, exc: sqlite3.OperationalError) -> Problem | None:
    """What an SQLite error on the library's file means for the person who typed the command;
    None for an error that is no known condition of the file (a bug, to be reported)."""
    shown = _shown_path(path)
    message = str(exc)
    if "readonly" in message or "read-only" in message:
        return Problem(
            f"The database {shown} is read-only, so paperclub cannot save changes to it: make it "
            "writable (and its folder, where SQLite keeps its journal) or use --db with a copy."
        )
    if "unable to open" in message:
        folder = Path(path).expanduser().absolute().parent
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return Problem(
                f"Cannot open the database {shown}: its folder is read-only, and SQLite needs to keep "
                "its journal files beside the database."
            )
        return Problem(f"Cannot open the database {shown}: {message}.")
    return None


def _settings():
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


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


def _line_progress() -> Callable[[str, int, int], None] | None:
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


class _PaperProgress:
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


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _now() -> datetime:
    """The clock the arXiv commands go by: which announcement is today's depends on it."""
    return datetime.now(UTC)


def _arxiv_client(settings: Settings) -> ArxivClient:
    """The arXiv client, on the process-wide rate gate (three seconds between requests)."""
    from recommender import ArxivClient

    return ArxivClient(settings.arxiv_rss_url, settings.arxiv_api_url, **settings.arxiv_options())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class _Commands(click.Group):
    """The command group; turns the database's own failures into sentences, whichever
    command met them (a like on a read-only file)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.OperationalError as exc:
            state = ctx.obj if isinstance(ctx.obj, State) else None
            problem = _database_problem(state.db_path, exc) if state and state.db_path else None
            if problem is None:
                raise
            raise problem from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", help="The SQLite file (default: $PAPERCLUB_DB or ./paperclub.db).")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """paperclub keeps a research lab's reading list: search, likes and recommendations.

    The first command run on a new database creates it and adds the bundled seed papers.
    """
    state = State(db)
    ctx.obj = state
    ctx.call_on_close(state.close)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def ingest(state: State, paths: tuple[Path, ...], as_json: bool) -> None:
    """Add papers from listing, CSV, arXiv JSON-lines, Atom/RSS, BibTeX, RIS or CSL-JSON files
    or folders.

    With no PATHS, ingests the bundled seed listings. Exits with 1 when no file could be read.
    """
    from recommender import IngestReport, bundled_seeds

    readable, refused = _sort_paths(paths)
    report = IngestReport()
    if readable or not paths:
        report = state.library(seed=False).ingest(readable or [bundled_seeds()], progress=_line_progress())
    report.files[:0] = refused
    if as_json:
        _emit_json(report.to_dict())
    else:
        _print_report(report)
    if report.errors and not (report.added or report.merged or report.unchanged):
        sys.exit(EXIT_FAILED)


def _sort_paths(paths: Sequence[Path]) -> tuple[list[Path], list[FileReport]]:
    """The paths worth handing to ingest, and a report for each one refused beforehand: a
    FIFO or a device (reading would hang or never end), a name too long for the system, one
    that cannot be looked at, a name that is not UTF-8 (a paper's source is recorded as text).
    Missing files and folders go on: ingest reports and expands them."""
    from recommender import FileReport

    readable: list[Path] = []
    refused: list[FileReport] = []
    for path in paths:
        if _first_surrogate(str(path)) is not None:
            refused.append(FileReport(_shown_path(path), error="the file name is not UTF-8; rename the file"))
            continue
        try:
            check_regular_file(path, folders=True)
        except FileProblem as exc:
            refused.append(FileReport(_shown_path(path), error=str(exc)))
            continue
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                refused.append(FileReport(_shown_path(path), error=describe_os_error(exc)))
                continue
        readable.append(path)
    return readable, refused


def _print_report(report: IngestReport) -> None:
    for f in report.files:
        if f.error:
            click.echo(f"{f.path}: skipped: {f.error}", err=True)
            continue
        click.echo(
            f"{f.path} ({_format_and_encoding(f)}): {f.added} added, {f.merged} merged, "
            f"{f.unchanged} unchanged, {len(f.rejected)} rejected"
        )
        for rejection in f.rejected:
            click.echo(f"  rejected {rejection}", err=True)
    click.echo(
        f"Total: {report.added} added, {report.merged} merged, {report.unchanged} unchanged, "
        f"{len(report.rejected)} rejected"
    )


def _format_and_encoding(report: Any) -> str:
    """A file's format, and the encoding it was read in when that is not UTF-8:
    `bibtex, read as iso8859-1`."""
    if report.encoding and report.encoding != "utf-8":
        return f"{report.format}, read as {report.encoding}"
    return str(report.format)


@cli.command()
@click.argument("query", nargs=-1, required=True, type=QUERY)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_obj
def search(state: State, query: tuple[str, ...], limit: int, page: int, as_json: bool) -> None:
    """Full-text search: words, "exact phrases", OR, -word, prefix*, author:, cat:, year:."""
    from recommender import QueryError

    library = state.library()
    try:
        results = library.search(" ".join(query), limit=limit, offset=(page - 1) * limit)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        _emit_json([_result_json(r) for r in results])
        return
    if not results:
        click.echo("No papers match.", err=True)
        return
    for rank, result in enumerate(results, (page - 1) * limit + 1):
        _print_result(rank, result)


def _result_json(result: SearchResult) -> dict:
    data = result.paper.to_dict()
    data.pop("sources")
    data["score"] = round(result.score, 4)
    data["snippet"] = result.highlighted("", "")
    return data


def _print_result(rank: int, result: SearchResult) -> None:
    paper = result.paper
    click.echo(f"{rank:2d}. " + click.style(paper.title, bold=True) + f"  {_meta_line(paper)}")
    if paper.authors:
        click.echo(f"    {_authors(paper, 4)}")
    bold_on, bold_off = ("\x1b[1m", "\x1b[22m") if sys.stdout.isatty() else ("", "")
    click.echo(f"    {result.highlighted(bold_on, bold_off)}")


def _meta_line(paper: Paper) -> str:
    bits = [f"#{paper.id}"]
    if paper.arxiv_id:
        bits.append(f"arXiv:{paper.arxiv_id}")
    if paper.date_label:
        bits.append(paper.date_label)
    if paper.categories:
        bits.append(paper.categories[0])
    return "(" + ", ".join(bits) + ")"


def _authors(paper: Paper, limit: int | None = None) -> str:
    names = [person.display for person in (paper.authors if limit is None else paper.authors[:limit])]
    text = ", ".join(names)
    if paper.authors_truncated or (limit is not None and len(paper.authors) > limit):
        text += " et al."
    return text


@cli.command()
@click.argument("paper", nargs=-1, required=True, type=REF)
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON.")
@click.pass_obj
def show(state: State, paper: tuple[str, ...], as_json: bool) -> None:
    """Show one paper by id, arXiv id or URL, DOI, or a unique part of its title."""
    from recommender import PaperNotFound

    library = state.library()
    try:
        found = library.paper(" ".join(paper))
    except PaperNotFound as exc:
        _not_found(exc)
    if as_json:
        _emit_json(found.to_dict())
        return
    title = found.title + (" (title derived from the abstract)" if found.title_derived else "")
    click.echo(click.style(title, bold=True))
    click.echo(_meta_line(found))
    click.echo(f"Type: {found.work_kind.value}")
    if found.authors:
        click.echo(f"Authors: {_authors(found)}")
    if found.editors:
        click.echo(f"Editors: {', '.join(person.display for person in found.editors)}")
    if found.organisations:
        click.echo(f"Organisations: {', '.join(found.organisations)}")
    if found.venue:
        click.echo(f"Venue: {found.venue}")
    if found.details:
        click.echo(f"Citation: {found.details}")
    if found.categories:
        click.echo(f"Categories: {' '.join(found.categories)}")
    if found.has_code:
        click.echo("Code available")
    if found.doi:
        click.echo(f"DOI: {found.doi}")
    if found.url:
        click.echo(f"Link: {found.url}")
    click.echo(f"Language: {found.lang}")
    click.echo("")
    if found.abstract:
        click.echo(click.wrap_text(found.abstract, width=100, preserve_paragraphs=True))
    else:
        click.echo("(no abstract)")
    click.echo("")
    click.echo("Seen in: " + ", ".join(f"{s.path}:{s.line}" for s in found.sources))


def _not_found(exc: PaperNotFound) -> NoReturn:
    click.echo(_not_found_message(exc), err=True)
    sys.exit(EXIT_NOT_FOUND)


def _not_found_message(exc: PaperNotFound) -> str:
    """Why a reference found no paper; for an arXiv id or link, how to bring the paper in."""
    from recommender import parse_arxiv_ref

    arxiv_id = None if exc.ambiguous else parse_arxiv_ref(exc.ref)
    if arxiv_id:
        return f"arXiv:{arxiv_id} is not in the library; `paperclub add {arxiv_id}` brings it in from arXiv."
    if exc.doi:
        return (f"No paper with the DOI {exc.doi} is in the library; a file that lists it brings it in "
                "(`paperclub ingest FILE`, or `paperclub import USER FILE` for your own reading list).")
    return str(exc)


def _signal_command(name: str, action: str, summary: str) -> None:
    @cli.command(name=name, help=summary)
    @click.argument("user", type=NAME)
    @click.argument("papers", nargs=-1, required=True, type=REF)
    @click.option("--group", type=NAME, help="The group (lab) the signal belongs to.")
    @click.option("--json", "as_json", is_flag=True, help="Print the papers as JSON.")
    @click.pass_obj
    def command(state: State, user: str, papers: tuple[str, ...], group: str | None, as_json: bool) -> None:
        from recommender import PaperNotFound

        library = state.library()
        done: list[Paper] = []
        missing = False
        for ref in papers:
            try:
                if action == "unlike":
                    done.append(library.unlike(user, ref))
                else:
                    done.append(getattr(library, action)(user, ref, group=group))
            except PaperNotFound as exc:
                click.echo(_not_found_message(exc), err=True)
                missing = True
        if as_json:
            _emit_json([{"id": p.id, "title": p.title} for p in done])
        else:
            for paper in done:
                click.echo(f"{name}d #{paper.id} {paper.title}" if name != "like" else f"liked #{paper.id} {paper.title}")
        if missing:
            sys.exit(EXIT_NOT_FOUND)


_signal_command("like", "like", "Like papers for USER: by id, arXiv id or link, DOI, or title.")
_signal_command("dislike", "dislike", "Mark papers \"not for me\" for USER: by id, arXiv id or link, DOI, or title.")
_signal_command("unlike", "unlike", "Forget USER's like or \"not for me\" on papers (by id, arXiv id or link, DOI, "
                "or title).")


@cli.command()
@click.argument("user", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the likes as JSON.")
@click.pass_obj
def likes(state: State, user: str, as_json: bool) -> None:
    """The papers USER liked, newest first."""
    signals = state.library().likes(user)
    if as_json:
        _emit_json([{**_brief(s.paper), "liked": s.created, "group": s.group} for s in signals])
        return
    if not signals:
        click.echo(f"{user} has not liked any papers yet.", err=True)
    for signal in signals:
        click.echo(f"{signal.created[:10]}  #{signal.paper.id} {signal.paper.title}")


# -- interests and follows ------------------------------------------------------------------


@cli.command()
@click.argument("user", type=NAME)
@click.option("--group", type=NAME, help="USER's likes in this group (and ungrouped ones).")
@click.option("--mute", type=click.IntRange(1, MAX_INTEREST), metavar="N", help="Mute interest N: it draws no recommendations.")
@click.option("--unmute", type=click.IntRange(1, MAX_INTEREST), metavar="N", help="Let interest N draw recommendations again.")
@click.option("--json", "as_json", is_flag=True, help="Print the interests as JSON.")
@click.pass_obj
def taste(state: State, user: str, group: str | None, mute: int | None, unmute: int | None, as_json: bool) -> None:
    """USER's interests: their likes grouped by topic, each with its top words and two
    example papers; --mute N / --unmute N first.

    A handful of likes is one interest; likes far apart make several, and each draws
    recommendations in proportion to its likes. Exits with 3 for an interest number USER
    does not have.
    """
    from recommender import InterestNotFound

    if mute is not None and unmute is not None:
        raise BadInput("Use --mute or --unmute, not both.")
    library = state.library()
    number = mute if mute is not None else unmute
    changed = None
    if number is not None:
        try:
            changed = library.mute_interest(user, number, muted=mute is not None, group=group)
        except InterestNotFound as exc:
            none_yet = not library.taste(user, group)
            click.echo(f"{user} has no interests yet: they appear once {user} likes a few papers."
                       if none_yet else str(exc), err=True)
            sys.exit(EXIT_NOT_FOUND)
    interests = library.taste(user, group)
    if as_json:
        _emit_json([i.to_dict() for i in interests])
        return
    if changed is not None:
        if changed.muted:
            click.echo(f"Muted interest {changed.number} ({changed.label}): it draws no recommendations until "
                       f"`paperclub taste {_quoted(user)} --unmute {changed.number}`.", err=True)
        else:
            click.echo(f"Interest {changed.number} ({changed.label}) draws recommendations again.", err=True)
    if not interests:
        click.echo(f"{user} has not liked any papers yet{f' in {group}' if group else ''}; "
                   f"their interests appear once they like a few (`paperclub like {_quoted(user)} PAPER`).", err=True)
        return
    likes_count = sum(i.likes for i in interests)
    click.echo(f"{user}'s {_plural(len(interests), 'interest')}, from {_plural(likes_count, 'like')}"
               f"{f' in {group}' if group else ''}:")
    for interest in interests:
        state_note = " · muted" if interest.muted else ""
        click.echo(f"{interest.number:2d}. " + click.style(", ".join(interest.terms) or interest.label, bold=True)
                   + f" · {_plural(interest.likes, 'like')}{state_note}")
        for paper in interest.examples:
            click.echo(f"    - {paper.title}  {_where(paper)}")
    if group:
        click.echo(library.co_like_weight(group).describe())
    if len(interests) > 1 and changed is None:
        click.echo(f"Mute one with `paperclub taste {_quoted(user)} --mute N`.", err=True)


def _where(paper: Paper) -> str:
    """Where to find a paper: its number in the library, its arXiv id and its link."""
    bits = [f"#{paper.id}"]
    if paper.arxiv_id:
        bits.append(f"arXiv:{paper.arxiv_id}")
    if paper.url:
        bits.append(paper.url)
    return "(" + " · ".join(bits) + ")"


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _follow_target(author: str | None, phrase: tuple[str, ...]) -> tuple[str, str]:
    """(kind, text) of a follow named by --author or by the words of a phrase, exactly one."""
    words = " ".join(phrase).strip()
    if author is not None and words:
        raise BadInput("Give an author (--author NAME) or a phrase, not both.")
    if author is None and not words:
        raise BadInput("Say what to follow: --author NAME or a PHRASE, such as `neural ODE`.")
    return ("author", author) if author is not None else ("phrase", words)


@cli.command(short_help="Follow an author or a phrase for USER: their new papers reach USER's digest.")
@click.argument("user", type=NAME)
@click.argument("phrase", nargs=-1, type=NAME)
@click.option("--author", type=NAME, metavar="NAME", help="Follow this author instead of a phrase.")
@click.option("--group", type=NAME, help="The group (lab) the follow belongs to: lifts its papers in its digests.")
@click.option("--json", "as_json", is_flag=True, help="Print the follow as JSON.")
@click.pass_obj
def follow(state: State, user: str, phrase: tuple[str, ...], author: str | None, group: str | None,
           as_json: bool) -> None:
    """Follow an author (--author "R. T. Q. Chen") or a PHRASE ("neural ODE") for USER.

    Every new paper by the author, or with the phrase in its title or abstract, reaches USER's
    digest, marked why. Authors match with accents and initials folded: "R. T. Q. Chen" is
    "Ricky T. Q. Chen". Exits with 2 for an empty or over-long follow.
    """
    from recommender import FollowError

    kind, text = _follow_target(author, phrase)
    library = state.library()
    try:
        followed, added = library.follow(user, text, kind=kind, group=group)
    except FollowError as exc:
        raise BadInput(str(exc)) from exc
    kept = next((f for f in library.follows(user) if (f.kind, f.text) == (followed.kind, followed.text)), followed)
    if as_json:
        _emit_json({**kept.to_dict(), "added": added})
        return
    if not added:
        click.echo(f"{user} already follows {kept.describe()}.")
        return
    papers = "every new paper of theirs" if kind == "author" else "every new paper with it in the title or abstract"
    click.echo(f"{user} follows {kept.describe()}: {papers} reaches {user}'s digest, marked why.")


@cli.command()
@click.argument("user", type=NAME)
@click.argument("phrase", nargs=-1, type=NAME)
@click.option("--author", type=NAME, metavar="NAME", help="Stop following this author.")
@click.option("--json", "as_json", is_flag=True, help="Print the follows removed as JSON.")
@click.pass_obj
def unfollow(state: State, user: str, phrase: tuple[str, ...], author: str | None, as_json: bool) -> None:
    """Stop following an author (--author NAME) or a PHRASE for USER, in every group.

    Exits with 3 when USER does not follow it.
    """
    kind, text = _follow_target(author, phrase)
    library = state.library()
    removed = library.unfollow(user, text, kind=kind)
    if as_json:
        _emit_json([f.to_dict() for f in removed])
    elif removed:
        for gone in removed:
            click.echo(f"{user} no longer follows {gone.describe()}{f' (in {gone.group})' if gone.group else ''}.")
    else:
        kept = library.follows(user)
        what = f"author {text}" if kind == "author" else f"“{text}”"
        known = (f"; they follow {', '.join(f.describe() for f in kept[:5])}{' …' if len(kept) > 5 else ''}"
                 if kept else "; they follow nothing")
        click.echo(f"{user} does not follow {what}{known}.", err=True)
    if not removed:
        sys.exit(EXIT_NOT_FOUND)


@cli.command()
@click.argument("user", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the follows as JSON.")
@click.pass_obj
def follows(state: State, user: str, as_json: bool) -> None:
    """The authors and phrases USER follows, oldest first."""
    kept = state.library().follows(user)
    if as_json:
        _emit_json([f.to_dict() for f in kept])
        return
    if not kept:
        click.echo(f"{user} follows no authors or phrases (`paperclub follow {_quoted(user)} --author NAME` "
                   "or a phrase).", err=True)
    for item in kept:
        where = f" · in {item.group}" if item.group else ""
        since = f" · since {item.created[:10]}" if item.created else ""
        click.echo(f"{item.describe()}{where}{since}")


@cli.command(name="import")
@click.argument("user", type=NAME)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--group", type=NAME, help="The group (lab) the likes belong to.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def import_(state: State, user: str, paths: tuple[Path, ...], group: str | None, as_json: bool) -> None:
    """Bring USER's own reading list in: ingest the files and like every paper for USER.

    Reads BibTeX/BibLaTeX, RIS, CSL-JSON and Zotero CSV exports (and every format `ingest`
    reads). Importing the same files again changes nothing. Exits with 1 when no file could
    be read.
    """
    from recommender.reading_list import FileImport, ImportReport

    readable, refused = _sort_paths(paths)
    report = ImportReport(user, group)
    if readable:
        report = state.library().import_likes(user, readable, group=group, progress=_line_progress())
    report.files[:0] = [FileImport(f.path, error=f.error) for f in refused]
    if as_json:
        _emit_json(report.to_dict())
    else:
        _print_import(report)
    if report.errors and not (report.added or report.matched):
        sys.exit(EXIT_FAILED)


MERGES_SHOWN = 10


def _print_merges(merges: list[Any]) -> None:
    """The entries that changed a paper they were taken for by its title or abstract (not its
    arXiv id or DOI): the merges a person may want to check; `--json` lists every one."""
    fuzzy = [m for m in merges if m.changed and m.reason in ("title", "abstract")]
    for merge in fuzzy[:MERGES_SHOWN]:
        title = merge.paper_title if len(merge.paper_title) <= 70 else merge.paper_title[:69] + "…"
        click.echo(f"  merged by {merge.reason}: {merge.source} into #{merge.paper_id} {title}")
    if len(fuzzy) > MERGES_SHOWN:
        click.echo(f"  … and {len(fuzzy) - MERGES_SHOWN} more merged by title or abstract (--json lists every merge)")


def _print_import(report: Any) -> None:
    read = [f for f in report.files if not f.error]
    for f in report.files:
        if f.error:
            click.echo(f"{f.path}: skipped: {f.error}", err=True)
            continue
        click.echo(f"{f.path} ({_format_and_encoding(f)}): {_import_sentence(f, report.user)}")
        for rejection in f.rejected:
            click.echo(f"  rejected {rejection}", err=True)
        _print_merges(f.merges)
    if len(read) > 1 or not read:
        rejected = f", {_entries(len(report.rejected))} rejected" if report.rejected else ""
        click.echo(f"In all, {report.user} likes {_plural(len(report.paper_ids), 'paper')} from these files "
                   f"({report.liked} newly liked); {report.added} new to the library{rejected}.")


def _import_sentence(f: Any, user: str) -> str:
    """What importing one file did, in words: `8 papers, all new to the library; ada likes 8
    more papers; 1 entry rejected.`"""
    if not f.matched:
        where = "all new to the library" if f.added > 1 else "new to the library"
    elif not f.added:
        where = "all already in the library" if f.matched > 1 else "already in the library"
    else:
        where = f"{f.added} new to the library, {f.matched} already in it"
    if not f.already_liked:
        likes = f"{user} likes {_plural(f.liked, 'more paper')}"
    elif not f.liked:
        likes = f"{user} liked {'them' if f.already_liked > 1 else 'it'} already"
    else:
        likes = f"{user} likes {_plural(f.liked, 'more paper')} ({f.already_liked} liked already)"
    rejected = f"; {_entries(len(f.rejected))} rejected" if f.rejected else ""
    if not f.entries:
        return f"no papers{rejected}."
    return f"{_plural(f.entries, 'paper')}, {where}; {likes}{rejected}."


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


@cli.command()
@click.option("--user", type=NAME, help="The papers USER liked.")
@click.option("--group", type=NAME, help="The papers liked in this group (with --user: USER's likes there).")
@click.option("--club", "club_group", type=NAME, metavar="GROUP",
              help="The papers GROUP's paper club read, in the order it read them.")
@click.option("--all", "everything", is_flag=True, help="Every paper in the library.")
@click.option("--format", "fmt", default="bibtex", show_default=True,
              type=click.Choice(["bibtex", "biblatex", "ris", "csljson", "csv"]))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file (default: standard output).")
@click.pass_obj
def export(state: State, user: str | None, group: str | None, club_group: str | None, everything: bool, fmt: str,
           output: Path | None) -> None:
    """Write a reading list for a reference manager: BibTeX, BibLaTeX, RIS, CSL-JSON or CSV.

    Each paper keeps the cite key its file gave it, else family name + year + first title word
    (`chen2018neural`), unique and the same on every export; each is written as its kind of work
    with its names, citation fields and date as far as known. What it writes reads back into
    paperclub as the same papers.
    """
    if sum((everything, bool(user or group), club_group is not None)) != 1:
        raise BadInput("Say whose papers to export: --user USER, --group GROUP, --club GROUP, or --all.")
    exported = state.library().export(fmt, user=user, group=group, club=club_group, now=_now())
    if not exported.papers:
        within = f" in {group}" if group else ""
        click.echo(f"Nothing to export: {user} has not liked any papers{within}." if user
                   else f"Nothing to export: no papers were liked in {group}." if group
                   else f"Nothing to export: the paper club of {club_group} has read no papers yet." if club_group
                   else "Nothing to export: the library holds no papers.", err=True)
        sys.exit(EXIT_NOT_FOUND)
    if output is None:
        click.echo(exported.text, nl=False)
    else:
        try:
            output.write_text(exported.text, encoding="utf-8")
        except OSError as exc:
            raise Problem(f"Cannot write {_shown_path(output)}: {describe_os_error(exc)}.") from exc
    whose = (f"{user}'s likes" if user else f"the likes in {group}" if group
             else f"the paper club of {club_group}" if club_group else "the library")
    where = f" to {_shown_path(output)}" if output else ""
    click.echo(f"Wrote {_plural(exported.papers, 'paper')} ({whose}, {fmt}){where}.", err=True)


def _brief(paper: Paper) -> dict:
    data = paper.to_dict()
    data.pop("sources")
    return data


def _print_ranked(results: list[Recommendation], as_json: bool) -> None:
    if as_json:
        _emit_json([r.to_dict() for r in results])
        return
    if not results:
        click.echo("Nothing to suggest yet.", err=True)
    for rank, result in enumerate(results, 1):
        click.echo(f"{rank:2d}. " + click.style(result.paper.title, bold=True) + f"  {_meta_line(result.paper)}")
        click.echo(f"    {result.plain_reason}")


@cli.command()
@click.argument("user", type=NAME)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--group", type=NAME, help="Rank with USER's likes in this group (and ungrouped ones).")
@click.option("--json", "as_json", is_flag=True, help="Print the recommendations as JSON.")
@click.pass_obj
def recommend(state: State, user: str, limit: int, group: str | None, as_json: bool) -> None:
    """Papers for USER, ranked by similarity to what they liked, with reasons.

    With several interests (see `paperclub taste`), each gets places in proportion to its
    likes and each reason names its interest; a muted interest draws none.
    """
    library = state.library()
    results = library.recommend(user, limit=limit, group=group)
    if not results and not as_json:
        interests = library.taste(user, group)
        if interests and all(i.muted for i in interests):
            click.echo(f"Nothing to suggest: all of {user}'s interests are muted; "
                       f"`paperclub taste {_quoted(user)} --unmute N` brings one back.", err=True)
            return
    _print_ranked(results, as_json)


@cli.command()
@click.argument("paper", nargs=-1, required=True, type=REF)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the papers as JSON.")
@click.pass_obj
def similar(state: State, paper: tuple[str, ...], limit: int, as_json: bool) -> None:
    """More like this: the papers closest to PAPER."""
    from recommender import PaperNotFound

    try:
        results = state.library().similar(" ".join(paper), limit=limit)
    except PaperNotFound as exc:
        _not_found(exc)
    _print_ranked(results, as_json)


@cli.command(name="random")
@click.option("--category", type=Text(CATEGORY_CHARS), help="Only papers in this arXiv category (cs.LG, or just LG).")
@click.option("--for", "for_user", metavar="USER", type=NAME,
              help="A surprise from USER's ranking rather than a uniform pick.")
@click.option("--group", type=NAME, help="Never a paper this group's paper club read or has scheduled.")
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON.")
@click.pass_obj
def random_paper(state: State, category: str | None, for_user: str | None, group: str | None, as_json: bool) -> None:
    """A random paper."""
    from recommender import PaperNotFound

    try:
        paper = state.library().random(category=category, for_user=for_user, group=group)
    except PaperNotFound as exc:
        _not_found(exc)
    if as_json:
        _emit_json(_brief(paper))
    else:
        click.echo(click.style(paper.title, bold=True) + f"  {_meta_line(paper)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(state: State, as_json: bool) -> None:
    """Counts of papers, sources, categories and languages in the library."""
    figures = state.library().stats()
    if as_json:
        _emit_json(figures)
        return
    click.echo(f"Papers: {figures['papers']} from {figures['files']} files ({figures['sources']} sightings)")
    click.echo(f"With arXiv ids: {figures['with_arxiv_id']}; derived titles: {figures['derived_titles']}")
    if figures["published_from"]:
        click.echo(f"Published: {figures['published_from']} to {figures['published_to']}")
    click.echo("Languages: " + ", ".join(f"{k} {v}" for k, v in figures["languages"].items()))
    if figures["top_categories"]:
        click.echo("Top categories: " + ", ".join(f"{k} {v}" for k, v in figures["top_categories"].items()))
    for group, found in figures.get("group_blends", {}).items():
        click.echo(f"Group {group}: co-like weight {found['weight']:g}, chosen on held-out likes "
                   f"(recall@20 {found['recall']:.3f}; text alone {found['text_recall']:.3f}; "
                   f"{found['members']} members, {found['likes']} likes, {found['learned'][:10]})")


def _fetch_feeds(state: State, categories: Sequence[str], now: datetime, force: bool,
                 day: date | None = None) -> list[FeedReport]:
    from recommender import SubscriptionError

    library = state.library()
    with _arxiv_client(_settings()) as client, _feeds_reported_here():
        try:
            return library.fetch_feeds(categories, client.announcement, now=now, force=force, day=day)
        except SubscriptionError as exc:
            raise click.UsageError(str(exc)) from exc


def _read_feeds(state: State, sources: Sequence[str], now: datetime, day: date | None) -> list[FeedReport]:
    """Each saved feed (a file, or a link) kept as the announcement of the category it names:
    of the day it is for, or of `day` (an older feed is stale, a newer one taken)."""
    from recommender.arxiv import ArxivError, read_announcement

    settings = _settings()
    library = state.library()
    reports = []
    with _arxiv_client(settings) as client, _feeds_reported_here():
        for source in sources:
            shown = shorten(source)
            if source.startswith(("http://", "https://")):
                try:
                    announcement = client.announcement_at(source, day)
                except ArxivError as exc:
                    raise Problem(f"Cannot read the feed {shown}: {exc}") from exc
            else:
                try:
                    text = read_text_file(Path(source), settings.arxiv_max_bytes)
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


# What a recent attempt that is not repeated yet found, by the status it left.
_LAST_ATTEMPT = {"error": "failed", "stale": "found the feed not yet updated", "malformed": "found the feed unreadable"}


def _print_feed(report: FeedReport, force: str = "--force", err: bool = False) -> None:
    head = f"{report.category} {report.day.isoformat() if report.day else '(no date)'}: "
    failed = report.status not in FETCHED
    if report.already:
        found = _LAST_ATTEMPT.get(report.status, f"ended with status {report.status!r}")
        why = report.message.removeprefix(f"{report.category}: ")
        body = (f"already fetched ({force} fetches it again)" if not failed
                else f"a recent attempt {found}{f' ({why})' if why else ''}; not trying again yet ({force} tries now)")
    elif report.status == "ok":
        body = f"{report.new} new, {_plural(report.cross, 'cross-list')}, {report.updated} updated"
        if report.newer and report.expected:
            body += f" (the feed is newer than the {report.expected.isoformat()} announcement asked for; taken)"
    else:
        body = report.message.removeprefix(f"{report.category}: ")
    click.echo(head + body, err=err or failed)
    for rejection in report.rejected:
        click.echo(f"  rejected {rejection}", err=True)


def _feed_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--feed FILE_OR_URL (repeatable) and --day YYYY-MM-DD, for fetches and previews."""
    f = click.option("--day", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                     help="The announcement day (default: today's, or the day a --feed is for).")(f)
    return click.option("--feed", "feeds", multiple=True, metavar="FILE_OR_URL", type=Text(REF_CHARS),
                        help="A saved arXiv RSS feed (a file, or a link) to read as its category's announcement, "
                             "instead of asking arXiv; repeat it for several.")(f)


@cli.command()
@click.argument("categories", nargs=-1, metavar="CATEGORY...", type=Text(CATEGORY_LIST_CHARS))
@_feed_options
@click.option("--force", is_flag=True, help="Fetch again even if this announcement was fetched already.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
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
        reports = _read_feeds(state, feeds, _now(), wanted)
    else:
        reports = _fetch_feeds(state, categories, _now(), force, wanted)
    if as_json:
        _emit_json([r.to_dict() for r in reports])
    else:
        for report in reports:
            _print_feed(report)
    if any(r.status not in FETCHED for r in reports):
        sys.exit(1)


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="ARXIV_ID_OR_URL...", type=REF)
@click.option("--json", "as_json", is_flag=True, help="Print the papers as JSON.")
@click.pass_obj
def add(state: State, refs: tuple[str, ...], as_json: bool) -> None:
    """Add papers from arXiv by id (2310.13548, hep-th/9711200) or abs/pdf link.

    Exits with 1 when some were not found, were not arXiv references, or arXiv was unreachable.
    """
    from recommender import ArxivError

    library = state.library()
    with _arxiv_client(_settings()) as client:
        try:
            found = library.add_from_arxiv(refs, client.lookup)
        except ArxivError as exc:
            click.echo(f"Nothing added: {exc}", err=True)
            sys.exit(1)
    papers = found.papers
    if as_json:
        _emit_json({
            "added": [_brief(p) for p in papers], "not_found": found.not_found, "invalid": found.invalid,
            "rejected": [str(r) for r in found.rejected],
        })
    else:
        for paper in papers:
            click.echo(f"#{paper.id} {paper.arxiv_id} {paper.title}")
        for arxiv_id in found.not_found:
            click.echo(f"not on arXiv: {arxiv_id}", err=True)
        for ref in found.invalid:
            click.echo(f"not an arXiv id or link: {ref}", err=True)
    if found.not_found or found.invalid:
        sys.exit(1)


@cli.command()
@click.option("-n", "--limit", type=click.IntRange(1, MAX_ENRICH), metavar="N",
              help="Look up at most N papers (oldest first).")
@click.option("--retry", is_flag=True, help="Also ask again about papers looked up in the last 30 days.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def enrich(state: State, limit: int | None, retry: bool, as_json: bool) -> None:
    """Find the library's papers on arXiv and link them.

    Each paper without an arXiv id is looked up by its title (or, for a title derived from the
    abstract, by a phrase of the abstract), one request every PAPERCLUB_ARXIV_DELAY seconds. Only
    a confident match is linked: it brings the arXiv id and link, the full author list, the
    categories and the first-version date. A paper not found is not asked about again for
    30 days (--retry asks anyway). Exits with 1 when arXiv cannot be reached.
    """
    library = state.library()
    progress = _PaperProgress("Looking up on arXiv") if sys.stderr.isatty() else None
    with _arxiv_client(_settings()) as client:
        try:
            report = library.enrich(client, limit=limit, retry=retry, progress=progress)
        finally:
            if progress is not None:
                progress.close()
    if as_json:
        _emit_json(report.to_dict())
    elif report.done or not report.error:
        _print_enrich(report)
    if report.error:
        linked = _plural(len(report.matched), "paper")
        click.echo(f"{f'Stopped after linking {linked}' if report.matched else 'Nothing was linked'}: {report.error}",
                   err=True)
        sys.exit(EXIT_FAILED)


def _print_enrich(report: EnrichReport) -> None:
    if not report.due:
        click.echo("No paper to look up: every paper has an arXiv id or was looked up in the last 30 days "
                   "(--retry asks again).", err=True)
        return
    for found in report.matched:
        click.echo(f"#{found.paper_id} arXiv:{found.arxiv_id} {found.title}")
    for found in report.duplicates:
        click.echo(f"#{found.paper_id} is arXiv:{found.arxiv_id}, which #{found.held_by} is already; left apart",
                   err=True)
    click.echo(f"Looked up {report.done} of {_plural(report.due, 'paper')}: {len(report.matched)} linked, "
               f"{len(report.missed)} not found, {len(report.skipped)} with nothing to ask"
               + (f", {_plural(len(report.duplicates), 'duplicate')}" if report.duplicates else ""))


class _GreedyCategories(click.Command):
    """A command whose `--categories` takes every value that follows it, so that
    `--categories cs.LG stat.ML` works as well as repeating the option or quoting the list."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _repeat_option(args, "--categories"))


class _DigestCommands(click.Group):
    """`paperclub digest`: a preview by itself (`digest --categories cs.LG`, as before the
    subcommands came), or a subcommand; `--categories` is greedy in both."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _repeat_option(args, "--categories"))


def _repeat_option(args: list[str], name: str) -> list[str]:
    """`name a b c` rewritten as `name a name b name c`, up to the next option."""
    spread: list[str] = []
    taking = False
    for position, arg in enumerate(args):
        if arg == "--":
            return spread + args[position:]
        if arg.startswith("-"):
            taking = arg == name or arg.startswith(name + "=")
        elif taking and spread[-1] != name:
            spread.append(name)
        spread.append(arg)
    return spread


def _categories_option(required: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--categories", multiple=True, required=required, metavar="CATEGORY...",
                        type=Text(CATEGORY_LIST_CHARS), help="The arXiv categories: --categories cs.LG stat.ML")


def _floor_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--min-score FLOAT and --only-relevant (one or the other), for previews and subscriptions."""
    f = click.option("--only-relevant", is_flag=True,
                     help="Only papers close enough to the likes to be worth reading (the bot's \"only relevant\").")(f)
    return click.option("--min-score", type=Number(0, 1, max_open=True), metavar="FLOAT",
                        help="Leave out papers whose similarity to the likes (0 to 1) is under FLOAT.")(f)


def _floor(min_score: float | None, only_relevant: bool) -> float | None:
    if min_score is not None and only_relevant:
        raise click.UsageError("Use --min-score or --only-relevant, not both.")
    if only_relevant:
        from recommender.digest import ONLY_RELEVANT

        return ONLY_RELEVANT
    return min_score


def _preview_options(required: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def add(f: Callable[..., Any]) -> Callable[..., Any]:
        options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
            _categories_option(required),
            click.option("--group", type=NAME, help="Rank by this group's likes, as a channel's digest does."),
            click.option("--user", type=NAME, help="Rank by USER's likes, as their personal digest does."),
            click.option("-n", "--size", default=5, show_default=True, type=click.IntRange(1, 10),
                         help="How many papers."),
            click.option("--cross-lists", is_flag=True, help="Also pick papers cross-listed into the categories."),
            _floor_options,
            _feed_options,
            click.option("--no-fetch", is_flag=True, help="Use only the announcements fetched before."),
            click.option("--json", "as_json", is_flag=True, help="Print the digest and the fetch reports as JSON."),
        ]
        for option in reversed(options):
            f = option(f)
        return f

    return add


@cli.group(cls=_DigestCommands, invoke_without_command=True, subcommand_metavar="[COMMAND [ARGS]...]")
@_preview_options(required=False)
@click.pass_context
def digest(
    ctx: click.Context, categories: tuple[str, ...], group: str | None, user: str | None, size: int,
    cross_lists: bool, min_score: float | None, only_relevant: bool, feeds: tuple[str, ...], day: datetime | None,
    no_fetch: bool, as_json: bool,
) -> None:
    """Daily arXiv digests: with --categories, what one would post today (nothing is
    recorded); `subscribe`, `unsubscribe` and `list` manage the ones the bot posts.

    A preview fetches today's announcements first, unless fetched already or --no-fetch.
    Exits with 1 when a feed could not be fetched.
    """
    if ctx.invoked_subcommand is not None:
        given = [f"--{name.replace('_', '-')}" for name in ctx.params
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for a preview "
                                   f"(`paperclub digest --categories …`); give `{ctx.invoked_subcommand}` its own "
                                   f"options after it.")
        return
    if not categories and not feeds:
        raise click.UsageError("Missing option '--categories': name the arXiv categories to preview "
                               "(or use a command: subscribe, unsubscribe, list, preview).")
    _preview(ctx.obj, categories, group, user, size, cross_lists, _floor(min_score, only_relevant), feeds, day,
             no_fetch, as_json)


@digest.command(name="preview", cls=_GreedyCategories)
@_preview_options(required=False)
@click.pass_obj
def digest_preview(
    state: State, categories: tuple[str, ...], group: str | None, user: str | None, size: int,
    cross_lists: bool, min_score: float | None, only_relevant: bool, feeds: tuple[str, ...], day: datetime | None,
    no_fetch: bool, as_json: bool,
) -> None:
    """What a daily arXiv digest of the categories would post today (nothing is recorded).

    Fetches today's announcements first, unless fetched already or --no-fetch. With --feed,
    reads saved feeds instead (their categories are the preview's unless --categories says
    otherwise), and previews the day they are for (or --day). Exits with 1 when a feed could
    not be fetched.
    """
    if not categories and not feeds:
        raise click.UsageError("Missing option '--categories': name the arXiv categories to preview, "
                               "or give saved feeds with --feed FILE.")
    _preview(state, categories, group, user, size, cross_lists, _floor(min_score, only_relevant), feeds, day,
             no_fetch, as_json)


def _preview(
    state: State, categories: tuple[str, ...], group: str | None, user: str | None, size: int,
    cross_lists: bool, floor: float | None, feeds: tuple[str, ...], day: datetime | None, no_fetch: bool,
    as_json: bool,
) -> None:
    from recommender import SubscriptionError

    if group and user:
        raise click.UsageError("Use --group or --user, not both: a digest goes to a channel or to a person.")
    if feeds and no_fetch:
        raise click.UsageError("Use --feed or --no-fetch, not both: --feed reads the feeds given.")
    now = _now()
    wanted = day.date() if day else None
    if feeds:
        reports = _read_feeds(state, feeds, now, wanted)
        categories = categories or tuple(r.category for r in reports if r.category)
        wanted = wanted or max((r.day for r in reports if r.day), default=None)
    else:
        reports = [] if no_fetch else _fetch_feeds(state, categories, now, force=False, day=wanted)
    try:
        preview = state.library().preview_digest(
            categories, now, group=group, user=user, size=size, cross_lists=cross_lists, min_score=floor, day=wanted,
        )
    except SubscriptionError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        _emit_json({**preview.to_dict(), "min_score": floor, "fetched": [r.to_dict() for r in reports]})
    else:
        for report in reports:
            if not (report.already and report.status in FETCHED):  # nothing to say about it
                _print_feed(report, force=f"paperclub fetch --force {report.category}", err=True)
        _print_digest(preview, cross_lists, floor)
    if any(r.status not in FETCHED for r in reports):
        sys.exit(1)


def _print_digest(preview: Preview, cross_lists: bool, floor: float | None = None) -> None:
    names = ", ".join(preview.feeds)
    kind = "new or cross-listed paper" if cross_lists else "new paper"
    if not preview.picks:
        click.echo(f"No arXiv digest for {names} announced {preview.day.isoformat()}:", err=True)
        for line in _why_empty(preview, kind, floor):
            click.echo(f"  {line}", err=True)
        return
    click.echo(f"arXiv digest for {names} · announced {preview.day.isoformat()} · "
               f"{len(preview.picks)} of {_plural(preview.candidates, kind)}")
    for rank, pick in enumerate(preview.picks, 1):
        paper = pick.paper
        click.echo(f"{rank:2d}. " + click.style(paper.title, bold=True))
        click.echo(f"    arXiv:{paper.arxiv_id} · {paper.url}" if paper.arxiv_id else f"    #{paper.id}")
        if pick.reason:
            click.echo(f"    {pick.plain_reason}")


def _why_empty(preview: Preview, kind: str, floor: float | None = None) -> list[str]:
    if preview.candidates:
        if floor is not None:
            return [(f"none of the {_plural(preview.candidates, kind)} scores {floor:g} or more against the likes "
                     "(or they were liked or marked \"not for me\" already): a digest with this floor posts "
                     "nothing that day, or a one-line note with say_when_empty")]
        return [f"all {_plural(preview.candidates, kind)} were liked or marked \"not for me\" already"]
    day = preview.day.isoformat()
    reasons = []
    for name, status in preview.feeds.items():
        if status == "not fetched":
            reasons.append(f"{name}: not fetched for {day} (run `paperclub fetch {name}`)")
        elif status == "empty":
            reasons.append(f"{name}: arXiv announced nothing for {day} (a holiday, or the feed is late)")
        elif status == "stale":
            reasons.append(f"{name}: the feed does not have the {day} announcement yet; try again later")
        elif status == "ok":
            reasons.append(f"{name}: no {kind}s announced for {day}")
        else:
            reasons.append(f"{name}: fetching the {day} announcement failed ({status}); try again later")
    return reasons


class DiscordId(click.ParamType):
    """A Discord id: a channel's, a person's or a server's, the number Discord shows with
    Developer Mode on (Copy ID)."""

    name = "discord id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 20 or int(text) >= 2**64:
            self.fail(f"{shorten(text, 40)!r} is not a Discord id: an id is a number of up to 20 digits, such as "
                      "1200000000000000001 (in Discord, turn on Developer Mode and use Copy ID).", param, ctx)
        return int(text)


DISCORD_ID = DiscordId()


def _digest_target(channel: int | None, user: int | None) -> str:
    """The subscriber a command names: `--channel ID` or `--user ID`, exactly one."""
    from recommender.digest import channel_target, person_target

    if (channel is None) == (user is None):
        raise click.UsageError("Name the subscriber: --channel CHANNEL_ID for a channel's digest, or --user USER_ID "
                               "for a person's in direct messages (Discord ids: Developer Mode, Copy ID).")
    return channel_target(channel) if channel is not None else person_target(user or 0)


def _subscriber(subscription: Any) -> str:
    if subscription.kind == "dm":
        return f"user {subscription.user_id} (direct messages)"
    return f"channel {subscription.channel_id}" + (f" (group {subscription.group})" if subscription.group else "")


@digest.command(name="subscribe", cls=_GreedyCategories)
@_categories_option(required=True)
@click.option("--channel", type=DISCORD_ID, metavar="CHANNEL_ID", help="Post the digest in this Discord channel.")
@click.option("--user", type=DISCORD_ID, metavar="USER_ID", help="Send it to this Discord user in direct messages.")
@click.option("--group", type=NAME, help="With --channel: the server (group) whose members' likes rank it.")
@click.option("--time", "post_time", default="08:00", show_default=True, metavar="HH:MM", help="Local time to post.")
@click.option("--timezone", default="UTC", show_default=True, help="The time zone of --time, e.g. Europe/Berlin.")
@click.option("-n", "--size", default=5, show_default=True, type=click.IntRange(1, 10), help="How many papers.")
@click.option("--cross-lists", is_flag=True, help="Also pick papers cross-listed into the categories.")
@_floor_options
@click.option("--say-when-empty", is_flag=True, help="Post a one-line note on days with nothing to post.")
@click.option("--json", "as_json", is_flag=True, help="Print the subscription as JSON.")
@click.pass_obj
def digest_subscribe(
    state: State, categories: tuple[str, ...], channel: int | None, user: int | None, group: str | None,
    post_time: str, timezone: str, size: int, cross_lists: bool, min_score: float | None, only_relevant: bool,
    say_when_empty: bool, as_json: bool,
) -> None:
    """Start (or change) the daily digest the bot posts to a channel or sends to a person.

    With --min-score or --only-relevant, a paper less close to the likes is left out, and a
    day with nothing close enough posts nothing (or, with --say-when-empty, a one-line note).
    """
    from recommender import SubscriptionError

    target = _digest_target(channel, user)
    if group and user is not None:
        raise click.UsageError("--group is for a channel's digest; a person's is ranked by their own likes.")
    floor = _floor(min_score, only_relevant)
    try:
        subscription = state.library().subscribe(
            target, categories, post_time=post_time, timezone_name=timezone, size=size, cross_lists=cross_lists,
            say_when_empty=say_when_empty, min_score=floor, group=group, now=_now(),
        )
    except SubscriptionError as exc:
        raise BadInput(str(exc)) from exc
    if as_json:
        _emit_json(subscription.to_dict())
    else:
        click.echo(f"Subscribed {_subscriber(subscription)}: {subscription.describe()}.")


@digest.command(name="unsubscribe")
@click.option("--channel", type=DISCORD_ID, metavar="CHANNEL_ID", help="Stop this channel's digest.")
@click.option("--user", type=DISCORD_ID, metavar="USER_ID", help="Stop this person's digest.")
@click.option("--json", "as_json", is_flag=True, help="Print the target and whether a digest was stopped as JSON.")
@click.pass_obj
def digest_unsubscribe(state: State, channel: int | None, user: int | None, as_json: bool) -> None:
    """Stop a channel's or a person's daily digest. Exits with 3 when there was none."""
    target = _digest_target(channel, user)
    whom = f"channel {channel}" if channel is not None else f"user {user}"
    removed = state.library().unsubscribe(target)
    if as_json:
        _emit_json({"target": target, "removed": removed})
    elif removed:
        click.echo(f"Stopped the daily digest of {whom}.")
    else:
        click.echo(f"{whom} has no daily digest.", err=True)
    if not removed:
        sys.exit(EXIT_NOT_FOUND)


@digest.command(name="list")
@click.option("--group", type=NAME, help="Only the channels of this group.")
@click.option("--json", "as_json", is_flag=True, help="Print the subscriptions as JSON.")
@click.pass_obj
def digest_list(state: State, group: str | None, as_json: bool) -> None:
    """The daily digests the bot posts: who gets them, what, when, and with which floor."""
    subscriptions = state.library().subscriptions(group)
    if as_json:
        _emit_json([s.to_dict() for s in subscriptions])
        return
    if not subscriptions:
        click.echo(f"No daily digests{f' in group {group}' if group else ''} "
                   "(`paperclub digest subscribe` starts one).", err=True)
    for subscription in subscriptions:
        click.echo(f"{_subscriber(subscription)}: {subscription.describe()}")


# -- the paper club ---------------------------------------------------------------------------


@cli.group()
def club() -> None:
    """The paper club: a group's shortlist, its sessions and their reminders.

    Without Discord there are no polls or events: `schedule` records the session, which the bot
    (when it runs for that server) reminds of in its thread. GROUP is the Discord server id.
    """


def _club_call(action: Callable[[], Any]) -> Any:
    """Run a club action, turning its refusals into sentences with the right exit status."""
    from recommender import ClubError, PaperNotFound

    try:
        return action()
    except PaperNotFound as exc:
        _not_found(exc)
    except ClubError as exc:
        raise BadInput(str(exc)) from exc


def _session_lines(session: Any) -> list[str]:
    lines = [click.style(session.paper.title, bold=True) + f"  #{session.paper.id}",
             f"    {session.when_text()}" + (f" · presented by {session.presenter}" if session.presenter else "")
             + (f" · at {session.place}" if session.place else "")]
    if session.paper.url:
        lines.append(f"    {session.paper.url}")
    return lines


@club.command(name="propose")
@click.argument("group", type=NAME)
@click.argument("paper", nargs=-1, required=True, type=REF)
@click.option("--user", required=True, type=NAME, help="Who proposes it.")
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
@click.pass_obj
def club_propose(state: State, group: str, paper: tuple[str, ...], user: str, as_json: bool) -> None:
    """Put PAPER (id, arXiv id or URL, DOI or title) on GROUP's shortlist for USER."""
    library = state.library()
    proposal = _club_call(lambda: library.propose(group, " ".join(paper), user))
    if as_json:
        _emit_json(proposal.to_dict())
    else:
        click.echo(f"{user} proposed #{proposal.paper.id} {proposal.paper.title} for the paper club of {group}.")


@club.command(name="withdraw")
@click.argument("group", type=NAME)
@click.argument("paper", nargs=-1, required=True, type=REF)
@click.option("--user", required=True, type=NAME, help="Who proposed it (only they may withdraw it).")
@click.option("--json", "as_json", is_flag=True, help="Print the withdrawn proposal as JSON.")
@click.pass_obj
def club_withdraw(state: State, group: str, paper: tuple[str, ...], user: str, as_json: bool) -> None:
    """Take USER's proposal of PAPER off GROUP's shortlist."""
    library = state.library()
    proposal = _club_call(lambda: library.withdraw(group, " ".join(paper), user))
    if as_json:
        _emit_json(proposal.to_dict())
    else:
        click.echo(f"{user} withdrew #{proposal.paper.id} {proposal.paper.title}.")


@club.command(name="shortlist")
@click.argument("group", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the shortlist as JSON.")
@click.pass_obj
def club_shortlist(state: State, group: str, as_json: bool) -> None:
    """GROUP's shortlist, oldest proposal first, with proposers and likes."""
    proposals = state.library().shortlist(group)
    if as_json:
        _emit_json([p.to_dict() for p in proposals])
        return
    if not proposals:
        click.echo(f"The shortlist of {group} is empty (`paperclub club propose` adds a paper; "
                   f"`paperclub club suggest {_quoted(group)}` offers some).", err=True)
    for rank, proposal in enumerate(proposals, 1):
        click.echo(f"{rank:2d}. " + click.style(proposal.paper.title, bold=True) + f"  #{proposal.paper.id}")
        click.echo(f"    proposed by {proposal.proposer} on {proposal.proposed[:10]} · "
                   f"{_plural(proposal.likes, 'like')} in {group}")


@club.command(name="suggest")
@click.argument("group", type=NAME)
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 25))
@click.option("--json", "as_json", is_flag=True, help="Print the papers as JSON.")
@click.pass_obj
def club_suggest(state: State, group: str, limit: int, as_json: bool) -> None:
    """Papers GROUP likes most that its club has not read, scheduled or shortlisted."""
    _print_ranked(state.library().club_suggestions(group, limit), as_json)


@club.command(name="schedule")
@click.argument("group", type=NAME)
@click.argument("paper", nargs=-1, required=True, type=REF)
@click.option("--when", "when", required=True, metavar='"YYYY-MM-DD HH:MM"',
              help="Local time of the session, in the club's time zone (its digest's, else UTC).")
@click.option("--presenter", type=Text(200), metavar="NAME", help="Who presents the paper.")
@click.option("--place", type=Text(200), help="Where the club meets (a room, a link).")
@click.option("--json", "as_json", is_flag=True, help="Print the session as JSON.")
@click.pass_obj
def club_schedule(state: State, group: str, paper: tuple[str, ...], when: str, presenter: str | None,
                  place: str | None, as_json: bool) -> None:
    """Record a session of GROUP's club on PAPER (no Discord event: the bot makes those)."""
    library = state.library()
    session = _club_call(lambda: library.schedule_session(group, " ".join(paper), when, _now(),
                                                       presenter=presenter, place=place))
    if as_json:
        _emit_json(session.to_dict())
        return
    click.echo(f"Scheduled session #{session.id} of {group}:")
    for line in _session_lines(session):
        click.echo(line)


@club.command(name="next")
@click.argument("group", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the session as JSON (null when none).")
@click.pass_obj
def club_next(state: State, group: str, as_json: bool) -> None:
    """GROUP's next session. Exits with 3 when none is scheduled."""
    session = state.library().next_session(group, _now())
    if as_json:
        _emit_json(session.to_dict() if session else None)
    elif session is None:
        click.echo(f"No session of {group} is scheduled.", err=True)
    else:
        for line in _session_lines(session):
            click.echo(line)
    if session is None:
        sys.exit(EXIT_NOT_FOUND)


@club.command(name="cancel")
@click.argument("group", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the cancelled session as JSON (null when none).")
@click.pass_obj
def club_cancel(state: State, group: str, as_json: bool) -> None:
    """Cancel GROUP's next session (its reminders are not sent). Exits with 3 when none is scheduled."""
    from recommender import ClubError

    try:
        session = state.library().cancel_session(group, _now())
    except ClubError:
        if as_json:
            _emit_json(None)
        click.echo(f"No session of {group} is scheduled.", err=True)
        sys.exit(EXIT_NOT_FOUND)
    if as_json:
        _emit_json(session.to_dict())
    else:
        click.echo(f"Cancelled session #{session.id}: {session.describe()}.")


@club.command(name="history")
@click.argument("group", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the sessions as JSON.")
@click.pass_obj
def club_history(state: State, group: str, as_json: bool) -> None:
    """The sessions GROUP's club held, newest first: date, paper, presenter, how many took part."""
    sessions = state.library().club_history(group, _now())
    if as_json:
        _emit_json([s.to_dict() for s in sessions])
        return
    if not sessions:
        click.echo(f"The paper club of {group} has held no session yet.", err=True)
    for session in sessions:
        took_part = f" · {session.interested} interested" if session.interested is not None else ""
        click.echo(f"{session.local_start:%Y-%m-%d} " + click.style(session.paper.title, bold=True)
                   + (f" · presented by {session.presenter}" if session.presenter else "") + took_part)


REMINDER_STATES = {
    "planned": "to be posted",
    "due": "due now",
    "pending": "being posted",
    "sent": "posted",
    "dropped": "given up (its thread or channel was gone)",
}
REMINDER_SKIPPED = {
    "day": "skipped (the session was scheduled less than a day ahead, or the hour's reminder came first)",
    "hour": "skipped (the session was scheduled less than an hour ahead)",
}


def _reminder_line(reminder: Any, channel_id: int | None) -> str:
    """When a reminder is due, for which session, what became of it, and, while it is still
    to be posted, where it goes."""
    local = reminder.due.astimezone(reminder.session.local_start.tzinfo)
    before = "the day before" if reminder.kind == "day" else "the hour before"
    line = f"{local:%a %d %b %Y, %H:%M} ({reminder.session.timezone}), {before} session #{reminder.session.id} · "
    if reminder.status == "skipped":
        return line + REMINDER_SKIPPED[reminder.kind]
    line += REMINDER_STATES[reminder.status]
    if reminder.status in ("sent", "dropped"):
        return line
    if channel_id is None:
        return line + " but the session has no thread and the club no channel to post in (/club setup sets one)"
    if channel_id == reminder.session.thread_id:
        return line + f" in the session's thread {channel_id}"
    return line + f" in the club's channel {channel_id}"


@club.command(name="remind")
@click.argument("group", type=NAME)
@click.option("--json", "as_json", is_flag=True, help="Print the reminders, with where each goes, as JSON.")
@click.pass_obj
def club_remind(state: State, group: str, as_json: bool) -> None:
    """What the bot would post to remind GROUP of its sessions, where, and when (sends nothing).

    A reminder goes to its session's thread (made when the bot schedules it in Discord), else to
    the club's channel (`/club setup`); a session with neither is not reminded of.
    """
    library = state.library()
    reminders = library.reminders(group, _now())
    settings = library.club_settings(group)
    targets = [library.reminder_channel(r) for r in reminders]
    if as_json:
        _emit_json({"settings": settings.to_dict(),
                    "reminders": [{**r.to_dict(), "channel_id": t} for r, t in zip(reminders, targets)]})
        return
    if not reminders:
        click.echo(f"No session of {group} is to come, so there is nothing to remind of.", err=True)
    mention = f"<@&{settings.role_id}> " if settings.ping and settings.role_id else ""
    for reminder, target in zip(reminders, targets):
        click.echo(_reminder_line(reminder, target) + ":")
        click.echo(f"    {mention}{reminder.text()}")


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def backup(state: State, file: Path | None) -> None:
    """Copy the database to FILE with SQLite's online backup API: safe while the bot runs.

    Without FILE, the copy goes to the backup folder (PAPERCLUB_BACKUP_DIR, else `backups/`
    beside the database) as `<name>-YYYYmmdd-HHMMSS.db`. FILE must not exist yet.
    """
    from recommender import BackupError

    settings = _settings()
    database = Path(state.db_option or settings.db_path)
    if not database.is_file():
        raise Problem(f"There is no database at {_shown_path(database)} to back up.")
    library = state.library(seed=False)
    if file is None:
        folder = dataclasses.replace(settings, db_path=str(database)).backup_folder
        file = folder / f"{database.stem}-{datetime.now():%Y%m%d-%H%M%S}.db"
    try:
        made = library.backup(file)
    except BackupError as exc:
        raise Problem(str(exc)) from exc
    except OSError as exc:
        raise Problem(f"Cannot write the backup {_shown_path(file)}: {describe_os_error(exc)}.") from exc
    size = made.stat().st_size
    click.echo(f"Backed up {_shown_path(database)} to {_shown_path(made)} ({size / 1e6:.1f} MB).")


@cli.command()
@click.pass_obj
def run(state: State) -> None:
    """Run the Discord bot (needs DISCORD_TOKEN: run it without one to see how to get one)."""
    # Imported here so that the terminal-only commands never pay for importing discord.py.
    from .client import SetupProblem, run_bot, setup_guide, token_problem

    settings = _settings()
    if state.db_option:
        settings = dataclasses.replace(settings, db_path=state.db_option)
    problem = token_problem(settings.token)
    if problem:
        click.echo(setup_guide(problem, settings.prefix), err=True)
        sys.exit(1)
    warning = env_file_warning()
    if warning:
        click.echo(warning, err=True)
    configure_logging(settings.log_level)
    try:
        run_bot(settings)
    except SetupProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


def main() -> None:
    """The `paperclub` entry point. Known failures are sentences raised where they happen;
    anything else is caught here so that a person still gets a sentence, not a traceback
    (which PAPERCLUB_LOG_LEVEL=DEBUG adds, for a report)."""
    try:
        cli.main(prog_name="paperclub")
    except Exception as exc:  # noqa: BLE001 - the last line of defence, reported below
        _report_failure(exc)
        sys.exit(EXIT_FAILED)


def _report_failure(exc: Exception) -> None:
    """A known condition of the database in its sentence; anything else as unexpected."""
    from recommender import database_problem

    known = database_problem(exc)
    if known is None:
        _report_unexpected(exc)
    else:
        click.echo(known, err=True)


def _report_unexpected(exc: Exception) -> None:
    if _debugging():
        traceback.print_exception(exc)
        hint = ""
    else:
        hint = " (PAPERCLUB_LOG_LEVEL=DEBUG shows the details)"
    what = shorten(f"{type(exc).__name__}: {exc}", 200)
    click.echo(f"paperclub hit an unexpected error: {what}; please report it{hint}.", err=True)


def _debugging() -> bool:
    try:
        return load_settings().log_level == "DEBUG"
    except ConfigError:
        return False


if __name__ == "__main__":
    main()
