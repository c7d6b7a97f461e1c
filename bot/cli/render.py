"""How papers read in the terminal, for every command that lists them: a paper's line of
facts, its authors, where to find it, its JSON in brief, and a ranked list with reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .output import emit_json

if TYPE_CHECKING:
    from recommender import Paper, Recommendation


def meta_line(paper: Paper) -> str:
    """`(#43, arXiv:1806.07366, 2018, cs.LG)`: the paper's number, arXiv id, date and first category."""
    bits = [f"#{paper.id}"]
    if paper.arxiv_id:
        bits.append(f"arXiv:{paper.arxiv_id}")
    if paper.date_label:
        bits.append(paper.date_label)
    if paper.categories:
        bits.append(paper.categories[0])
    return "(" + ", ".join(bits) + ")"


def authors(paper: Paper, limit: int | None = None) -> str:
    names = [person.display for person in (paper.authors if limit is None else paper.authors[:limit])]
    text = ", ".join(names)
    if paper.authors_truncated or (limit is not None and len(paper.authors) > limit):
        text += " et al."
    return text


def where(paper: Paper) -> str:
    """Where to find a paper: its number in the library, its arXiv id and its link."""
    bits = [f"#{paper.id}"]
    if paper.arxiv_id:
        bits.append(f"arXiv:{paper.arxiv_id}")
    if paper.url:
        bits.append(paper.url)
    return "(" + " · ".join(bits) + ")"


def brief(paper: Paper) -> dict[str, Any]:
    """A paper's JSON without the list of files it was seen in."""
    data = paper.to_dict()
    data.pop("sources")
    return data


def print_ranked(results: list[Recommendation], as_json: bool) -> None:
    """Ranked papers, each with its reason, or their JSON."""
    if as_json:
        emit_json(results)
        return
    if not results:
        click.echo("Nothing to suggest yet.", err=True)
    for rank, result in enumerate(results, 1):
        click.echo(f"{rank:2d}. " + click.style(result.paper.title, bold=True) + f"  {meta_line(result.paper)}")
        click.echo(f"    {result.plain_reason}")
