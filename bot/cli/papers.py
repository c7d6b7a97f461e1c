"""Finding papers and reading them: search, show, similar, random and recommend."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from .context import State
from .errors import not_found
from .options import group_option, json_option, limit_option, paper_argument, user_argument
from .output import emit_json, quoted
from .params import CATEGORY, NAME, QUERY
from .render import authors, brief, meta_line, print_ranked

if TYPE_CHECKING:
    from recommender import SearchResult


@click.command()
@click.argument("query", nargs=-1, required=True, type=QUERY)
@limit_option()
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 1000))
@json_option("results")
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
        emit_json([_result_json(r) for r in results])
        return
    if not results:
        click.echo("No papers match.", err=True)
        return
    for rank, result in enumerate(results, (page - 1) * limit + 1):
        _print_result(rank, result)


def _result_json(result: SearchResult) -> dict[str, Any]:
    data = brief(result.paper)
    data["score"] = round(result.score, 4)
    data["snippet"] = result.highlighted("", "")
    return data


def _print_result(rank: int, result: SearchResult) -> None:
    paper = result.paper
    click.echo(f"{rank:2d}. " + click.style(paper.title, bold=True) + f"  {meta_line(paper)}")
    if paper.authors:
        click.echo(f"    {authors(paper, 4)}")
    bold_on, bold_off = ("\x1b[1m", "\x1b[22m") if sys.stdout.isatty() else ("", "")
    click.echo(f"    {result.highlighted(bold_on, bold_off)}")


@click.command()
@paper_argument()
@json_option("the paper")
@click.pass_obj
def show(state: State, paper: tuple[str, ...], as_json: bool) -> None:
    """Show one paper by id, arXiv id or URL, DOI, or a unique part of its title."""
    from recommender import PaperNotFound

    library = state.library()
    try:
        found = library.paper(" ".join(paper))
    except PaperNotFound as exc:
        not_found(exc)
    if as_json:
        emit_json(found)
        return
    title = found.title + (" (title derived from the abstract)" if found.title_derived else "")
    click.echo(click.style(title, bold=True))
    click.echo(meta_line(found))
    click.echo(f"Type: {found.work_kind.value}")
    if found.authors:
        click.echo(f"Authors: {authors(found)}")
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


@click.command()
@paper_argument()
@limit_option()
@json_option("the papers")
@click.pass_obj
def similar(state: State, paper: tuple[str, ...], limit: int, as_json: bool) -> None:
    """More like this: the papers closest to PAPER."""
    from recommender import PaperNotFound

    try:
        results = state.library().similar(" ".join(paper), limit=limit)
    except PaperNotFound as exc:
        not_found(exc)
    print_ranked(results, as_json)


@click.command(name="random")
@click.option("--category", type=CATEGORY, help="Only papers in this arXiv category (cs.LG, or just LG).")
@click.option("--for", "for_user", metavar="USER", type=NAME,
              help="A surprise from USER's ranking rather than a uniform pick.")
@group_option("Never a paper this group's paper club read or has scheduled.")
@json_option("the paper")
@click.pass_obj
def random_paper(state: State, category: str | None, for_user: str | None, group: str | None, as_json: bool) -> None:
    """A random paper."""
    from recommender import PaperNotFound

    try:
        paper = state.library().random(category=category, for_user=for_user, group=group)
    except PaperNotFound as exc:
        not_found(exc)
    if as_json:
        emit_json(brief(paper))
    else:
        click.echo(click.style(paper.title, bold=True) + f"  {meta_line(paper)}")


@click.command()
@user_argument
@limit_option()
@group_option("Rank with USER's likes in this group (and ungrouped ones).")
@json_option("the recommendations")
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
                       f"`paperclub taste {quoted(user)} --unmute N` brings one back.", err=True)
            return
    print_ranked(results, as_json)


COMMANDS = (search, show, similar, random_paper, recommend)
