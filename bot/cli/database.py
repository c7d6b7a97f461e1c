"""Opening the library's database from a path a person typed, and what SQLite's failures on
that file mean in words."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recommender.files import FileProblem, check_regular_file, describe_os_error

from .errors import BadInput, Problem
from .output import shown_path

if TYPE_CHECKING:
    from recommender import Library


def open_library(path: str) -> Library:
    """The library in `path`, or a Problem saying in words why it cannot be opened."""
    from recommender import Library, SchemaTooNew, database_problem

    _check_database_path(path)
    shown = shown_path(path)
    try:
        return Library(path)
    except SchemaTooNew as exc:
        raise click.ClickException(str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        known = database_file_problem(path, exc) if isinstance(exc, sqlite3.OperationalError) else None
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
        raise BadInput(f"The folder of the database, {shown_path(folder)}, {what}: check the path "
                       "(--db or PAPERCLUB_DB), or make the folder first.")
    try:
        check_regular_file(Path(path))
    except FileProblem as exc:
        raise Problem(f"Cannot use {shown_path(path)} as the database: {exc}.") from exc
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise BadInput(
                f"The database file name is too long for the system ({len(path):,} characters): "
                f"{shown_path(path)}."
            ) from exc
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise Problem(f"Cannot open the database {shown_path(path)}: {describe_os_error(exc)}.") from exc


def database_file_problem(path: str, exc: sqlite3.OperationalError) -> Problem | None:
    """What an SQLite error on the library's file means for the person who typed the command;
    None for an error that is no known condition of the file (a bug, to be reported)."""
    shown = shown_path(path)
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
