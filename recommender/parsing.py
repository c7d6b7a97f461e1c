"""Turning a file into records ready to store, here or in a process beside the writer.

Parsing (format detection, JSON or CSV or XML, cleaning TeX) and shingling abstracts for the
duplicate check cost as much as writing the papers. For a large file both run in a process of
their own (`python -m recommender.parsing`) while this one writes, so the two cores work at
once; records arrive pickled in batches through a pipe, whose buffer keeps the parser from
running far ahead of the writer.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from . import sources
from .files import FileProblem, read_text_file
from .merge import shingles, sketch
from .papers import Record, Rejection
from .processes import child_environment, last_words, module_command, run_in_background

MAX_FILE_BYTES = 2 * 1024**3
# Files at least this large are parsed in a process of their own (starting one costs ~0.3 s).
PARSE_ASIDE_BYTES = 4 * 1024**2
BATCH = 256


class ParseProblem(Exception):
    """A file that could not be parsed; the message says why, without the path."""


@dataclass(frozen=True)
class Prepared:
    """A record with what the duplicate check needs: the sketch of its abstract, computed
    where it was parsed, and the abstract's shingles, kept when at hand and otherwise
    computed again when first asked for. A parsing process sends no shingles: unpickling a
    set of some hundred numbers a paper cost the writer more than the few papers that have
    look-alikes to compare with cost to shingle again."""

    record: Record
    sketch: list[int]
    known_shingles: set[int] | None = field(default=None, repr=False, compare=False)

    @property
    def shingles(self) -> set[int]:
        if self.known_shingles is None:
            object.__setattr__(self, "known_shingles", shingles(self.record.abstract))
        assert self.known_shingles is not None
        return self.known_shingles


@dataclass
class ParsedFile:
    format: str
    total_lines: int
    items: Iterator[Prepared | Rejection]
    aside: bool = False  # parsed by a process beside this one (a large file)


def parse_file(path: Path, label: str, today: date) -> ParsedFile:
    """The records of a file, parsed aside when the file is large. Raises ParseProblem for a
    file that cannot be read or whose format is unknown, and later from `items` when the
    parsing process fails."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size >= PARSE_ASIDE_BYTES:
        return _parse_aside(path, label, today)
    return parse_here(path, label, today)


def parse_here(path: Path, label: str, today: date) -> ParsedFile:
    """The records of a file, parsed in this process."""
    try:
        text = read_text_file(path, MAX_FILE_BYTES)
        fmt, items = sources.parse_text(text, label, today)
    except (FileProblem, sources.UnknownFormat) as exc:
        raise ParseProblem(str(exc)) from exc
    return ParsedFile(fmt, text.count("\n") + 1, (prepare(item) for item in items))


def prepare(item: Record | Rejection) -> Prepared | Rejection:
    return item if isinstance(item, Rejection) else prepare_record(item)


def prepare_record(record: Record) -> Prepared:
    """A record with its abstract's shingles and their sketch."""
    record_shingles = shingles(record.abstract)
    return Prepared(record, sketch(record_shingles), record_shingles)


def _parse_aside(path: Path, label: str, today: date) -> ParsedFile:
    """Run `python -m recommender.parsing` on the file and read its pickled messages: the
    format and line count, then batches of prepared records, then the end."""
    child = subprocess.Popen(
        module_command(__name__, str(path), label, today.isoformat()),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_environment(),
    )
    try:
        kind, payload = _receive(child)
        if kind == "error":
            raise ParseProblem(payload)
    except BaseException:
        _stop(child)
        raise
    fmt, total_lines = payload
    return ParsedFile(fmt, total_lines, _received_items(child), aside=True)


def _received_items(child: subprocess.Popen[bytes]) -> Iterator[Prepared | Rejection]:
    try:
        while True:
            kind, payload = _receive(child)
            if kind == "batch":
                yield from payload
            elif kind == "error":
                raise ParseProblem(payload)
            else:
                return
    finally:
        _stop(child)


def _receive(child: subprocess.Popen[bytes]) -> tuple[str, Any]:
    assert child.stdout is not None
    try:
        message: tuple[str, Any] = pickle.load(child.stdout)
    except (EOFError, pickle.UnpicklingError) as exc:
        child.wait()
        last = last_words(child.stderr.read() if child.stderr else b"", child.returncode)
        raise ParseProblem(f"the parsing process stopped unexpectedly ({last})") from exc
    return message


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
    child.wait()
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()


def _parse_to(out: BinaryIO, path: str, label: str, today: date) -> None:
    """In the parsing process: send the format and line count, then batches, then the end."""
    def send(kind: str, payload: Any) -> None:
        pickle.dump((kind, payload), out, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        parsed = parse_here(Path(path), label, today)
        send("start", (parsed.format, parsed.total_lines))
        batch: list[Prepared | Rejection] = []
        for item in parsed.items:
            batch.append(replace(item, known_shingles=None) if isinstance(item, Prepared) else item)
            if len(batch) == BATCH:
                send("batch", batch)
                batch = []
        send("batch", batch)
        send("end", None)
    except ParseProblem as exc:
        send("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure is the file's, told in words
        send("error", f"parsing failed: {type(exc).__name__}: {exc}")
    out.flush()


if __name__ == "__main__":
    # Run as the module itself, so that what is pickled names recommender.parsing, not __main__.
    from recommender import parsing  # noqa: PLW0406 - the module, not this __main__ copy

    run_in_background()
    parsing._parse_to(sys.stdout.buffer, sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3]))
