"""Turning a file into records ready to store, here or in a process beside the writer.

Parsing (format detection, JSON or CSV or XML, cleaning TeX) and shingling abstracts for the
duplicate check cost as much as writing the papers. For a large file both run in a process of
their own (`python -m recommender.parsing`) while this one writes, so the cores work at once;
records arrive pickled in batches through a pipe, whose buffer keeps the parser from running
far ahead of the writer. A large file of one record a line (arXiv's snapshot) or BibTeX is parsed
by a process a core, each taking its turn of blocks.

A file is streamed (`files.survey`, `sources.read_part`): its formats are read entry by entry
from its lines, and the records go on in batches as they are parsed, so that memory does not
grow with the file (the feed and listing formats, which are read whole, excepted).
"""

from __future__ import annotations

import gc
import itertools
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from . import sources
from .files import UTF8, FileProblem, survey
from .merge import abstract_sketch, shingles, sketch
from .papers import Record, Rejection
from .processes import child_environment, last_words, module_command, run_in_background, usable_cores

T = TypeVar("T")
MAX_FILE_BYTES = 2 * 1024**3
# Files at least this large are parsed in a process of their own (starting one costs ~0.3 s).
PARSE_ASIDE_BYTES = 4 * 1024**2
BATCH = 256
HEAD_BYTES = 256 * 1024  # what is read of a file to guess whether it is one record a line


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
    aside: bool = False  # parsed by processes beside this one (a large file)
    encoding: str = UTF8  # what the file's bytes were read as (`files.decode`)


def parse_file(path: Path, label: str, today: date) -> ParsedFile:
    """The records of a file, parsed aside when the file is large. Raises ParseProblem for a
    file that cannot be read or whose format is unknown, and later from `items` when a parsing
    process fails."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size >= PARSE_ASIDE_BYTES:
        return _parse_aside(path, label, today)
    return parse_here(path, label, today)


def parse_here(path: Path, label: str, today: date) -> ParsedFile:
    """The records of a file, parsed in this process."""
    head, blocks = _parse_part(path, label, today, 0, 1)
    items = guarded(prepare(item) for block in blocks for item in block)
    return ParsedFile(head.format, head.total_lines, items, encoding=head.encoding)


# A parser's own failures, each told as a sentence: the file is refused, the others are read.
PARSER_FAILURES = (RecursionError, MemoryError, UnicodeError)


def told(exc: BaseException) -> ParseProblem:
    """A parser's failure (`PARSER_FAILURES`) as the sentence that refuses the file."""
    if isinstance(exc, RecursionError):
        return ParseProblem("its structure is nested too deep to read (thousands of levels)")
    if isinstance(exc, MemoryError):
        return ParseProblem("reading it needs more memory than this machine has")
    return ParseProblem(f"it holds text that cannot be read ({exc})")


def guarded(items: Iterator[T]) -> Iterator[T]:
    """The items, a parser's own failure on the way raised as a ParseProblem (`told`), as is a
    file that can no longer be read part-way through."""
    try:
        yield from items
    except PARSER_FAILURES as exc:
        raise told(exc) from None
    except FileProblem as exc:
        raise ParseProblem(str(exc)) from None


@dataclass(frozen=True)
class _Head:
    """What is known of a file before its records: what a parsing process tells first."""

    format: str
    total_lines: int
    parts: int
    encoding: str


def _parse_part(path: Path, label: str, today: date, part: int,
                parts: int) -> tuple[_Head, Iterator[Iterator[Record | Rejection]]]:
    """The format, line count, parts and encoding of a file, and part `part`'s blocks of
    records, read from the file as they are asked for (see `sources.read_part`)."""
    try:
        file = survey(path, MAX_FILE_BYTES)
        fmt, parts, blocks = sources.read_part(file, label, today, part, parts, BATCH)
    except (FileProblem, sources.UnknownFormat) as exc:
        raise ParseProblem(str(exc)) from exc
    except PARSER_FAILURES as exc:
        raise told(exc) from None
    return _Head(fmt, file.line_count, parts, file.encoding), blocks


def prepare(item: Record | Rejection) -> Prepared | Rejection:
    return item if isinstance(item, Rejection) else prepare_record(item)


def prepare_record(record: Record) -> Prepared:
    """A record with its abstract's shingles and their sketch."""
    record_shingles = shingles(record.abstract)
    return Prepared(record, sketch(record_shingles), record_shingles)


def _parse_aside(path: Path, label: str, today: date) -> ParsedFile:
    """Run `python -m recommender.parsing` on the file and read its pickled messages: the
    format, line count, number of parts and encoding, then batches of prepared records, then
    the end.

    A file of one record a line is parsed by as many processes at once as there are cores,
    each taking every so many blocks of lines (see `sources.read_part`); their batches are
    read in turn, which gives the records in the file's order. Each process waits on its pipe
    while the writer reads the others', so none runs far ahead. When the file's opening looks
    like such a format, all start at once; the first tells how many parts there are."""
    cores = usable_cores()
    guess = cores if _opens_by_lines(path) else 1
    children = [_start_parsing(path, label, today, part, cores) for part in range(guess)]
    try:
        kind, payload = _receive(children[0])
        if kind == "error":
            raise ParseProblem(payload)
        head: _Head = payload
        parts = head.parts
        _stop(children[parts:])
        children = children[:parts]
        children += [_start_parsing(path, label, today, part, parts) for part in range(len(children), parts)]
    except BaseException:
        _stop(children)
        raise
    return ParsedFile(head.format, head.total_lines, _received_items(children), aside=True,
                      encoding=head.encoding)


def _opens_by_lines(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8", "ignore")
    except OSError:
        return False
    return sources.read_by_lines(head)


# What a parsing process may write ahead of the writer: a few batches. At the pipe's default
# 64 KiB (less than one batch) a parsing process stopped part-way through its next batch
# whenever the writer was writing a step, so parsing and writing took turns instead of running
# at once.
PIPE_BYTES = 1024 * 1024


# How much lower than the writer the parsing processes run. Writing is the slower stage of a
# large ingest, and on two cores the writer and two parsing processes got a third of the CPU
# each while all three could run: the writer fell behind, then waited for the parsing. A little
# lower, they leave the writer its core and take the rest (50,000 papers on two cores, medians
# of three alternated runs: 1,949 papers/s at the writer's priority, 2,125 at 3 below); on a
# busy machine they still get half the share of other work, where 10 below got a ninth.
PARSING_BELOW_WRITER = 3


def _start_parsing(path: Path, label: str, today: date, part: int, parts: int) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        module_command(__name__, str(path), label, today.isoformat(), str(part), str(parts)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_environment(below=PARSING_BELOW_WRITER),
    )
    if child.stdout is not None:
        _widen(child.stdout.fileno())
    return child


def _widen(pipe: int) -> None:
    """Let the pipe hold PIPE_BYTES (on Linux; up to what the system allows, else as it is)."""
    try:
        import fcntl
    except ImportError:  # Windows
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is None:
        return
    for size in (PIPE_BYTES, PIPE_BYTES // 4):
        try:
            fcntl.fcntl(pipe, set_size, size)
            return
        except OSError:  # past /proc/sys/fs/pipe-max-size, or past the user's allowance of pipe memory
            continue


def _received_items(children: list[subprocess.Popen[bytes]]) -> Iterator[Prepared | Rejection]:
    """The records the parsing processes send, a batch from each in turn, until one says the
    file is done (the others, whose turn came after the last block, are done too)."""
    started = {0}
    try:
        for number, child in itertools.cycle(enumerate(children)):
            kind, payload = _receive(child)
            if number not in started:
                started.add(number)
                if kind == "start":  # told by the first already
                    kind, payload = _receive(child)
            if kind == "batch":
                yield from payload
            elif kind == "error":
                raise ParseProblem(payload)
            else:
                return
    finally:
        _stop(children)


def _receive(child: subprocess.Popen[bytes]) -> tuple[str, Any]:
    assert child.stdout is not None
    try:
        message: tuple[str, Any] = pickle.load(child.stdout)
    except (EOFError, pickle.UnpicklingError) as exc:
        child.wait()
        last = last_words(child.stderr.read() if child.stderr else b"", child.returncode)
        raise ParseProblem(f"the parsing process stopped unexpectedly ({last})") from exc
    return message


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


# The garbage collector's thresholds in a parsing process (the default is 700, 10, 10).
PARSING_GC_THRESHOLDS = (20_000, 50, 100)


def _parse_to(out: BinaryIO, path: str, label: str, today: date, part: int, parts: int) -> None:
    """In a parsing process: send the format, line count, number of parts and encoding, then
    batches of prepared records (one a block when the file is parsed in parts), then the end."""
    def send(kind: str, payload: Any) -> None:
        pickle.dump((kind, payload), out, protocol=pickle.HIGHEST_PROTOCOL)

    def sent(item: Record | Rejection) -> Prepared | Rejection:
        return Prepared(item, abstract_sketch(item.abstract)) if isinstance(item, Record) else item

    try:
        head, blocks = _parse_part(Path(path), label, today, part, parts)
        send("start", head)
        for block in guarded(blocks):
            items = guarded(map(sent, block))
            if head.parts > 1:
                send("batch", list(items))
                gc.collect()
                continue
            while batch := list(itertools.islice(items, BATCH)):
                send("batch", batch)
                gc.collect()
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
    # A parsing process makes a few hundred thousand small objects that live until their batch
    # is sent: at the default thresholds the collector ran over them again and again (a tenth of
    # the parsing). Collections still come, less often; what was imported is left out of them.
    # bibtexparser's blocks hold reference cycles, which the rarer collections let pile up (a
    # parsing process of a 150 MB .bib grew to 146 MB): a full collection after each batch sent,
    # over the little that is alive then, frees them at no measurable cost.
    gc.freeze()
    gc.set_threshold(*parsing.PARSING_GC_THRESHOLDS)
    parsing._parse_to(sys.stdout.buffer, sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3]),
                      int(sys.argv[4]), int(sys.argv[5]))
