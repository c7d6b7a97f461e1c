"""`paperclub run`: the Discord bot."""

from __future__ import annotations

import dataclasses
import sys

import click

from ..config import configure_logging, env_file_warning
from .context import State, settings
from .errors import EXIT_FAILED


@click.command()
@click.pass_obj
def run(state: State) -> None:
    """Run the Discord bot (needs DISCORD_TOKEN: run it without one to see how to get one)."""
    # Imported here so that the terminal-only commands never pay for importing discord.py.
    from ..client import SetupProblem, run_bot, setup_guide, token_problem

    chosen = settings()
    if state.db_option:
        chosen = dataclasses.replace(chosen, db_path=state.db_option)
    problem = token_problem(chosen.token)
    if problem:
        click.echo(setup_guide(problem, chosen.prefix), err=True)
        sys.exit(EXIT_FAILED)
    warning = env_file_warning()
    if warning:
        click.echo(warning, err=True)
    configure_logging(chosen.log_level)
    try:
        run_bot(chosen)
    except SetupProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


COMMANDS = (run,)
