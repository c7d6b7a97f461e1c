"""Keeping the library: ingest files, add papers from arXiv, enrich papers with arXiv's
records, the library's figures, and a backup of its database."""

from __future__ import annotations

import dataclasses
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recommender.files import describe_os_error

from .context import State, arxiv_client, settings
from .errors import EXIT_FAILED, Problem
from .options import json_option, paths_argument
from .output import emit_json, plural, print_report, shown_path
from .params import REF
from .paths import sort_paths
from .progress import PaperProgress, line_progress
from .render import brief

if TYPE_CHECKING:
    from recommender import EnrichReport

# The largest enrich batch taken (more is a typo, and past 2**63 SQLite fails).
MAX_ENRICH = 10_000_000


@click.command()
@paths_argument(required=False)
@json_option("the report")
@click.pass_obj
def ingest(state: State, paths: tuple[Path, ...], as_json: bool) -> None:
    """Add papers from listing, CSV, arXiv JSON-lines, Atom/RSS, BibTeX, RIS or CSL-JSON files
    or folders.

    With no PATHS, ingests the bundled seed listings. Exits with 1 when no file could be read.
    """
    from recommender import IngestReport, bundled_seeds

    readable, refused = sort_paths(paths)
    report = IngestReport()
    if readable or not paths:
        report = state.library(seed=False).ingest(readable or [bundled_seeds()], progress=line_progress())
    report.files[:0] = refused
    total = (f"Total: {report.added} added, {report.merged} merged, {report.unchanged} unchanged, "
             f"{len(report.rejected)} rejected")
    print_report(report, as_json, lambda f: f"{f.added} added, {f.merged} merged, {f.unchanged} unchanged, "
                                            f"{len(f.rejected)} rejected", total)
    if report.errors and not (report.added or report.merged or report.unchanged):
        sys.exit(EXIT_FAILED)


@click.command()
@click.argument("refs", nargs=-1, required=True, metavar="ARXIV_ID_OR_URL...", type=REF)
@json_option("the papers")
@click.pass_obj
def add(state: State, refs: tuple[str, ...], as_json: bool) -> None:
    """Add papers from arXiv by id (2310.13548, hep-th/9711200) or abs/pdf link.

    Exits with 1 when some were not found, were not arXiv references, or arXiv was unreachable.
    """
    from recommender import ArxivError

    library = state.library()
    with arxiv_client(settings()) as client:
        try:
            found = library.add_from_arxiv(refs, client.lookup)
        except ArxivError as exc:
            click.echo(f"Nothing added: {exc}", err=True)
            sys.exit(EXIT_FAILED)
    papers = found.papers
    if as_json:
        emit_json({
            "added": [brief(p) for p in papers], "not_found": found.not_found, "invalid": found.invalid,
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
        sys.exit(EXIT_FAILED)


@click.command()
@click.option("-n", "--limit", type=click.IntRange(1, MAX_ENRICH), metavar="N",
              help="Look up at most N papers (oldest first).")
@click.option("--retry", is_flag=True, help="Also ask again about papers looked up in the last 30 days.")
@json_option("the report")
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
    progress = PaperProgress("Looking up on arXiv") if sys.stderr.isatty() else None
    with arxiv_client(settings()) as client:
        try:
            report = library.enrich(client, limit=limit, retry=retry, progress=progress)
        finally:
            if progress is not None:
                progress.close()
    if as_json:
        emit_json(report)
    elif report.done or not report.error:
        _print_enrich(report)
    if report.error:
        linked = plural(len(report.matched), "paper")
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
    click.echo(f"Looked up {report.done} of {plural(report.due, 'paper')}: {len(report.matched)} linked, "
               f"{len(report.missed)} not found, {len(report.skipped)} with nothing to ask"
               + (f", {plural(len(report.duplicates), 'duplicate')}" if report.duplicates else ""))


@click.command()
@json_option("the figures")
@click.pass_obj
def stats(state: State, as_json: bool) -> None:
    """Counts of papers, sources, categories and languages in the library."""
    figures = state.library().stats()
    if as_json:
        emit_json(figures)
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


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def backup(state: State, file: Path | None) -> None:
    """Copy the database to FILE with SQLite's online backup API: safe while the bot runs.

    Without FILE, the copy goes to the backup folder (PAPERCLUB_BACKUP_DIR, else `backups/`
    beside the database) as `<name>-YYYYmmdd-HHMMSS.db`. FILE must not exist yet.
    """
    from recommender import BackupError

    chosen = settings()
    database = Path(state.db_option or chosen.db_path)
    if not database.is_file():
        raise Problem(f"There is no database at {shown_path(database)} to back up.")
    library = state.library(seed=False)
    if file is None:
        folder = dataclasses.replace(chosen, db_path=str(database)).backup_folder
        file = folder / f"{database.stem}-{datetime.now():%Y%m%d-%H%M%S}.db"
    try:
        made = library.backup(file)
    except BackupError as exc:
        raise Problem(str(exc)) from exc
    except OSError as exc:
        raise Problem(f"Cannot write the backup {shown_path(file)}: {describe_os_error(exc)}.") from exc
    size = made.stat().st_size
    click.echo(f"Backed up {shown_path(database)} to {shown_path(made)} ({size / 1e6:.1f} MB).")


COMMANDS = (ingest, add, enrich, stats, backup)
