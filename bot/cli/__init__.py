"""The `paperclub` command: the same library the bot uses, from the terminal.

One module per group of commands (`papers`, `likes`, `interests`, `reading_lists`, `admin`,
`feeds`, `digests`, `club`, `run`), on shared pieces: the options several commands take
(`options`), how output is printed (`output`, `render`), failures and exit statuses
(`errors`), and what every command works with (`context`).

Start-up is kept short: the core is imported inside the commands that use it (the lazy
`recommender` package loads a module on first use), so `paperclub --help` never imports numpy,
SciPy or discord, and no command imports scikit-learn (see `recommender.tfidf`).

Exit statuses: 0 done; 1 failed (the database cannot be opened or is read-only, arXiv is
unreachable, nothing could be ingested, an unexpected error); 2 bad usage or input (an unknown
option, an argument that is not UTF-8 or too long, a query that cannot be searched); 3 not
found (a paper not in the library, no paper in a category).
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from . import admin, club, digests, feeds, interests, likes, papers, reading_lists, run
from .context import State
from .database import database_file_problem
from .errors import EXIT_FAILED, report_failure


class _Commands(click.Group):
    """The command group; turns the database's own failures into sentences, whichever
    command met them (a like on a read-only file)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.OperationalError as exc:
            state = ctx.obj if isinstance(ctx.obj, State) else None
            problem = database_file_problem(state.db_path, exc) if state and state.db_path else None
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


for _module in (papers, likes, interests, reading_lists, admin, feeds, digests, club, run):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """The `paperclub` entry point. Known failures are sentences raised where they happen;
    anything else is caught here so that a person still gets a sentence, not a traceback
    (which PAPERCLUB_LOG_LEVEL=DEBUG adds, for a report)."""
    try:
        cli.main(prog_name="paperclub")
    except Exception as exc:  # noqa: BLE001 - the last line of defence, reported below
        report_failure(exc)
        sys.exit(EXIT_FAILED)
