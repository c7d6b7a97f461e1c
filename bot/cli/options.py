"""The arguments and options several commands take, each declared once and applied as a
decorator (`@json_option("the papers")`), so that the same option reads the same everywhere.

Options used by one command stay beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .params import CATEGORY_LIST, DISCORD_ID, NAME, REF, Number

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def together(*decorators: Decorator[Any]) -> Decorator[Any]:
    """Several decorators as one, in the order written: the first written is the first
    parameter of the command (and the first line of its help)."""

    def apply(f: F) -> F:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


# -- output ------------------------------------------------------------------------------------


def json_option(what: str, or_null: bool = False) -> Decorator[Any]:
    """`--json`: print `what` (the papers, the report…) as JSON instead of text; `or_null` for
    a command that may find nothing to print."""
    when_none = " (null when none)" if or_null else ""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON{when_none}.")


def limit_option(default: int = 10, most: int = 100) -> Decorator[Any]:
    """`-n/--limit`: how many papers a ranked list shows."""
    return click.option("-n", "--limit", default=default, show_default=True, type=click.IntRange(1, most))


# -- who and where -----------------------------------------------------------------------------

user_argument = click.argument("user", type=NAME)
group_argument = click.argument("group", type=NAME)


def group_option(help: str) -> Decorator[Any]:
    """`--group NAME`: a group (a lab, a Discord server), with what it means to the command."""
    return click.option("--group", type=NAME, help=help)


def user_option(help: str, required: bool = False) -> Decorator[Any]:
    """`--user NAME`: a person, by the name their likes are kept under."""
    return click.option("--user", required=required, type=NAME, help=help)


def discord_user_option(help: str) -> Decorator[Any]:
    """`--user USER_ID`: a person on Discord, by id (a digest sent in direct messages)."""
    return click.option("--user", type=DISCORD_ID, metavar="USER_ID", help=help)


def channel_option(help: str) -> Decorator[Any]:
    """`--channel CHANNEL_ID`: a Discord channel, by id."""
    return click.option("--channel", type=DISCORD_ID, metavar="CHANNEL_ID", help=help)


# -- what --------------------------------------------------------------------------------------


def paper_argument(name: str = "paper") -> Decorator[Any]:
    """One paper in any number of words (PAPER), or several references (PAPERS): ids, arXiv
    ids or links, DOIs or titles."""
    return click.argument(name, nargs=-1, required=True, type=REF)


def paths_argument(required: bool) -> Decorator[Any]:
    """Files and folders to read."""
    return click.argument("paths", nargs=-1, required=required, type=click.Path(path_type=Path))


phrase_argument = click.argument("phrase", nargs=-1, type=NAME)


def author_option(help: str) -> Decorator[Any]:
    """`--author NAME`: a follow of an author rather than of a phrase."""
    return click.option("--author", type=NAME, metavar="NAME", help=help)


# -- digests -----------------------------------------------------------------------------------


def categories_option(required: bool) -> Decorator[Any]:
    """`--categories cs.LG stat.ML` (greedy in a command of `GreedyCategories`)."""
    return click.option("--categories", multiple=True, required=required, metavar="CATEGORY...",
                        type=CATEGORY_LIST, help="The arXiv categories: --categories cs.LG stat.ML")


size_option = click.option("-n", "--size", default=5, show_default=True, type=click.IntRange(1, 10),
                           help="How many papers.")
cross_lists_option = click.option("--cross-lists", is_flag=True,
                                  help="Also pick papers cross-listed into the categories.")

floor_options = together(
    click.option("--min-score", type=Number(0, 1, max_open=True), metavar="FLOAT",
                 help="Leave out papers whose similarity to the likes (0 to 1) is under FLOAT."),
    click.option("--only-relevant", is_flag=True,
                 help="Only papers close enough to the likes to be worth reading (the bot's \"only relevant\")."),
)
"""--min-score FLOAT and --only-relevant (one or the other: `digests._floor`), for previews and
subscriptions."""

feed_options = together(
    click.option("--feed", "feeds", multiple=True, metavar="FILE_OR_URL", type=REF,
                 help="A saved arXiv RSS feed (a file, or a link) to read as its category's announcement, "
                      "instead of asking arXiv; repeat it for several."),
    click.option("--day", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                 help="The announcement day (default: today's, or the day a --feed is for)."),
)
"""--feed FILE_OR_URL (repeatable) and --day YYYY-MM-DD, for fetches and previews."""
