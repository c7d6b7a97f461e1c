"""A person's reading list in and out: `import` likes every paper of a reference manager's
export, `export` writes one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recommender.files import describe_os_error

from . import context
from .context import State
from .errors import EXIT_FAILED, EXIT_NOT_FOUND, BadInput, Problem
from .options import group_option, json_option, paths_argument, user_argument, user_option
from .output import entries, plural, print_report, shown_path
from .params import NAME
from .paths import sort_paths
from .progress import line_progress

if TYPE_CHECKING:
    from recommender.reading_list import FileImport, ImportReport

# The merges by title or abstract an import lists in text (`--json` lists every one).
MERGES_SHOWN = 10


@click.command(name="import")
@user_argument
@paths_argument(required=True)
@group_option("The group (lab) the likes belong to.")
@json_option("the report")
@click.pass_obj
def import_(state: State, user: str, paths: tuple[Path, ...], group: str | None, as_json: bool) -> None:
    """Bring USER's own reading list in: ingest the files and like every paper for USER.

    Reads BibTeX/BibLaTeX, RIS, CSL-JSON and Zotero CSV exports (and every format `ingest`
    reads). Importing the same files again changes nothing. Exits with 1 when no file could
    be read.
    """
    from recommender.reading_list import FileImport, ImportReport

    readable, refused = sort_paths(paths)
    report = ImportReport(user, group)
    if readable:
        report = state.library().import_likes(user, readable, group=group, progress=line_progress())
    report.files[:0] = [FileImport(f.path, error=f.error) for f in refused]
    print_report(report, as_json, lambda f: _import_sentence(f, report.user), _import_total(report), _merge_lines)
    if report.errors and not (report.added or report.matched):
        sys.exit(EXIT_FAILED)


def _import_total(report: ImportReport) -> str | None:
    """What the files did together; for a single file its own line says it all."""
    if len([f for f in report.files if not f.error]) == 1:
        return None
    rejected = f", {entries(len(report.rejected))} rejected" if report.rejected else ""
    return (f"In all, {report.user} likes {plural(len(report.paper_ids), 'paper')} from these files "
            f"({report.liked} newly liked); {report.added} new to the library{rejected}.")


def _merge_lines(file: FileImport) -> Iterator[str]:
    """The entries that changed a paper they were taken for by its title or abstract (not its
    arXiv id or DOI): the merges a person may want to check; `--json` lists every one."""
    fuzzy = [m for m in file.merges if m.changed and m.reason in ("title", "abstract")]
    for merge in fuzzy[:MERGES_SHOWN]:
        title = merge.paper_title if len(merge.paper_title) <= 70 else merge.paper_title[:69] + "…"
        yield f"  merged by {merge.reason}: {merge.source} into #{merge.paper_id} {title}"
    if len(fuzzy) > MERGES_SHOWN:
        yield f"  … and {len(fuzzy) - MERGES_SHOWN} more merged by title or abstract (--json lists every merge)"


def _import_sentence(f: FileImport, user: str) -> str:
    """What importing one file did, in words: `8 papers, all new to the library; ada likes 8
    more papers; 1 entry rejected.`"""
    if not f.matched:
        where = "all new to the library" if f.added > 1 else "new to the library"
    elif not f.added:
        where = "all already in the library" if f.matched > 1 else "already in the library"
    else:
        where = f"{f.added} new to the library, {f.matched} already in it"
    if not f.already_liked:
        likes = f"{user} likes {plural(f.liked, 'more paper')}"
    elif not f.liked:
        likes = f"{user} liked {'them' if f.already_liked > 1 else 'it'} already"
    else:
        likes = f"{user} likes {plural(f.liked, 'more paper')} ({f.already_liked} liked already)"
    rejected = f"; {entries(len(f.rejected))} rejected" if f.rejected else ""
    if not f.entries:
        return f"no papers{rejected}."
    return f"{plural(f.entries, 'paper')}, {where}; {likes}{rejected}."


@click.command()
@user_option("The papers USER liked.")
@group_option("The papers liked in this group (with --user: USER's likes there).")
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
    exported = state.library().export(fmt, user=user, group=group, club=club_group, now=context.now())
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
            raise Problem(f"Cannot write {shown_path(output)}: {describe_os_error(exc)}.") from exc
    whose = (f"{user}'s likes" if user else f"the likes in {group}" if group
             else f"the paper club of {club_group}" if club_group else "the library")
    where = f" to {shown_path(output)}" if output else ""
    click.echo(f"Wrote {plural(exported.papers, 'paper')} ({whose}, {fmt}){where}.", err=True)


COMMANDS = (import_, export)
