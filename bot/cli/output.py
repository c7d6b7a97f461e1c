"""How the commands print: JSON for `--json`, the report of files read (ingest, import), and the
small pieces of wording every command shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import click

SHOWN_CHARS = 80


def emit_json(data: Any) -> None:
    """`data` as indented JSON on standard output; an object the core answers in (a paper, a
    report, a subscription…) is written as its `to_dict()`."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_as_dict))


def _as_dict(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"{type(value).__name__} cannot be written as JSON")
    return to_dict()


class FileRead(Protocol):
    """One file of a report: where it was, how it was read, what it refused, or why it was
    skipped (`recommender.ingest.FileReport`, `recommender.reading_list.FileImport`)."""

    @property
    def path(self) -> str: ...
    @property
    def format(self) -> str | None: ...
    @property
    def encoding(self) -> str | None: ...
    @property
    def rejected(self) -> Sequence[object]: ...
    @property
    def error(self) -> str | None: ...


File = TypeVar("File", bound=FileRead)
File_co = TypeVar("File_co", bound=FileRead, covariant=True)


class FilesReport(Protocol[File_co]):
    """A report of files read, file by file (an ingest's, an import's)."""

    @property
    def files(self) -> Sequence[File_co]: ...
    def to_dict(self) -> dict[str, Any]: ...


def print_report(
    report: FilesReport[File], as_json: bool, outcome: Callable[[File], str], total: str | None = None,
    details: Callable[[File], Iterable[str]] = lambda _file: (),
) -> None:
    """The report of reading files, as JSON or as a line per file: a file skipped says why
    (on standard error); a file read, its format and its `outcome`, then each entry it
    rejected (on standard error) and its `details`. `total` ends the report."""
    if as_json:
        emit_json(report.to_dict())
        return
    for file in report.files:
        if file.error:
            click.echo(f"{file.path}: skipped: {file.error}", err=True)
            continue
        click.echo(f"{file.path} ({format_and_encoding(file)}): {outcome(file)}")
        for rejection in file.rejected:
            click.echo(f"  rejected {rejection}", err=True)
        for line in details(file):
            click.echo(line)
    if total is not None:
        click.echo(total)


def format_and_encoding(file: FileRead) -> str:
    """A file's format, and the encoding it was read in when that is not UTF-8:
    `bibtex, read as iso8859-1`."""
    if file.encoding and file.encoding != "utf-8":
        return f"{file.format}, read as {file.encoding}"
    return str(file.format)


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """Text cut to `limit` characters for a message, keeping both ends of a long path."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def shown_path(path: str | Path) -> str:
    """A path as a message shows it: printable, and shortened when long."""
    return shorten(click.format_filename(path))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def quoted(text: str) -> str:
    """`text` as a shell takes it, for a command a message suggests."""
    import shlex

    return shlex.quote(text)
