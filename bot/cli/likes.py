"""A person's signals on papers: like, dislike ("not for me"), unlike, and the list of likes."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .context import State
from .errors import EXIT_NOT_FOUND, not_found_message
from .options import group_option, json_option, paper_argument, user_argument
from .output import emit_json
from .render import brief

if TYPE_CHECKING:
    from recommender import Paper


def _signal_command(name: str, summary: str) -> click.Command:
    """The command that gives (or, as `unlike`, takes back) USER's signal on each paper named."""

    @click.command(name=name, help=summary)
    @user_argument
    @paper_argument("papers")
    @group_option("The group (lab) the signal belongs to.")
    @json_option("the papers")
    @click.pass_obj
    def command(state: State, user: str, papers: tuple[str, ...], group: str | None, as_json: bool) -> None:
        from recommender import PaperNotFound

        library = state.library()
        done: list[Paper] = []
        missing = False
        for ref in papers:
            try:
                if name == "unlike":
                    done.append(library.unlike(user, ref))
                else:
                    done.append(getattr(library, name)(user, ref, group=group))
            except PaperNotFound as exc:
                click.echo(not_found_message(exc), err=True)
                missing = True
        if as_json:
            emit_json([{"id": p.id, "title": p.title} for p in done])
        else:
            for paper in done:
                click.echo(f"{name}d #{paper.id} {paper.title}" if name != "like" else f"liked #{paper.id} {paper.title}")
        if missing:
            sys.exit(EXIT_NOT_FOUND)

    return command


like = _signal_command("like", "Like papers for USER: by id, arXiv id or link, DOI, or title.")
dislike = _signal_command("dislike", "Mark papers \"not for me\" for USER: by id, arXiv id or link, DOI, or title.")
unlike = _signal_command("unlike", "Forget USER's like or \"not for me\" on papers (by id, arXiv id or link, DOI, "
                         "or title).")


@click.command()
@user_argument
@json_option("the likes")
@click.pass_obj
def likes(state: State, user: str, as_json: bool) -> None:
    """The papers USER liked, newest first."""
    signals = state.library().likes(user)
    if as_json:
        emit_json([{**brief(s.paper), "liked": s.created, "group": s.group} for s in signals])
        return
    if not signals:
        click.echo(f"{user} has not liked any papers yet.", err=True)
    for signal in signals:
        click.echo(f"{signal.created[:10]}  #{signal.paper.id} {signal.paper.title}")


COMMANDS = (like, dislike, unlike, likes)
