"""Failures as the person at the terminal meets them: one sentence, and the exit status that
says what kind of failure it was (see the package's docstring)."""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, NoReturn

import click

from ..config import ConfigError, load_settings
from .output import shorten

if TYPE_CHECKING:
    from recommender import PaperNotFound

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 3


class Problem(click.ClickException):
    """A failure explained in one sentence (exit status 1)."""

    exit_code = EXIT_FAILED


class BadInput(Problem):
    """Input that cannot be right, explained in one sentence (exit status 2)."""

    exit_code = EXIT_BAD_INPUT


def not_found(exc: PaperNotFound) -> NoReturn:
    """Say why a reference found no paper, and exit with 3."""
    click.echo(not_found_message(exc), err=True)
    sys.exit(EXIT_NOT_FOUND)


def not_found_message(exc: PaperNotFound) -> str:
    """Why a reference found no paper; for an arXiv id or link, how to bring the paper in."""
    if exc.arxiv_id:
        return f"arXiv:{exc.arxiv_id} is not in the library; `paperclub add {exc.arxiv_id}` brings it in from arXiv."
    if exc.doi:
        return (f"No paper with the DOI {exc.doi} is in the library; a file that lists it brings it in "
                "(`paperclub ingest FILE`, or `paperclub import USER FILE` for your own reading list).")
    return str(exc)


def report_failure(exc: Exception) -> None:
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
