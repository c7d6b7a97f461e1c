"""Reading a file named by a person: refuse what is not a regular file, cap the size, and say
what went wrong in words (`FileProblem`) instead of an OSError or a hang.

A FIFO would block `open()` until someone writes to it and `/dev/zero` never ends, so a path
is looked at (`stat`) before it is opened, opened without blocking, and looked at again.

A large file is read as a stream of lines (`survey`, then `TextFile.lines`), never whole: its
encoding and line count are found by reading it once through, chunk by chunk, without keeping it.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class FileProblem(Exception):
    """A file that cannot be read as text; the message says why, without the path
    (callers name the file themselves: `f"{path}: {problem}"`)."""


UTF8 = "utf-8"
# Single-byte encodings tried, in order, for bytes that are not UTF-8: Windows-1252 (what
# Windows tools write for Western languages) decodes all but five bytes, Latin-1 every byte.
FALLBACK_ENCODINGS = ("cp1252", "iso8859-1")
# JabRef's first lines name the file's encoding: `% Encoding: ISO8859_1` (Java's names).
_DECLARED = re.compile(rb"^[ \t]*%[ \t]*Encoding[ \t]*:[ \t]*([A-Za-z][A-Za-z0-9_.:-]{1,40})", re.MULTILINE)
_DECLARATION_BYTES = 4096
CHUNK = 256 * 1024  # what is read of a streamed file at a time, in bytes or characters


@dataclass(frozen=True)
class Text:
    """A file's text, and the encoding it was read in (Python's name: `utf-8`, `cp1252`,
    `iso8859-1`…)."""

    text: str
    encoding: str = UTF8


def read_text_file(path: Path, max_bytes: int) -> str:
    """The text of a regular file of at most `max_bytes` bytes, as `read_text` reads it."""
    return read_text(path, max_bytes).text


def read_text(path: Path, max_bytes: int) -> Text:
    """The text of a regular file of at most `max_bytes` bytes and its encoding, read as
    `open()` reads text: a leading BOM dropped, and `\\r\\n` or `\\r` line ends turned into
    `\\n`. The encoding is the one the file declares (`% Encoding: …`), else UTF-8, else
    Windows-1252 or Latin-1 (see `decode`).

    Raises FileProblem for a special file (FIFO, device, socket, folder), a name too long
    for the system, a missing or unreadable file, a file over the size limit, or binary data.
    """
    return decode(read_bytes(path, max_bytes))


def decode(data: bytes) -> Text:
    """Bytes read as text, and the encoding used: the one a JabRef `% Encoding:` line declares
    when the bytes decode in it, else UTF-8 (a leading BOM dropped) when they are UTF-8, else
    Windows-1252, else Latin-1. Line ends are made `\\n`. Bytes that are neither UTF-8 nor free of
    NUL bytes are binary data, not text: FileProblem."""
    for encoding in _encodings(data[:_DECLARATION_BYTES], lambda: _nul_at(data)):
        text = _decoded(data, encoding)
        if text is not None:
            return Text(_unix_lines(text), encoding)
    raise AssertionError("Latin-1 decodes any bytes")


def _encodings(head: bytes, nul_at: Callable[[], int | None]) -> Iterator[str]:
    """The encodings to try in turn on bytes opening with `head` (see `decode`); `nul_at` tells
    where the first NUL byte is, asked only when the bytes are not UTF-8."""
    declared = declared_encoding(head)
    yield from ([declared] if declared else []) + [UTF8]
    nul = nul_at()
    if nul is not None:
        raise FileProblem(f"not a text file (not UTF-8, and byte {nul} is NUL)")
    yield from FALLBACK_ENCODINGS


def _nul_at(data: bytes) -> int | None:
    position = data.find(0)
    return None if position < 0 else position


def declared_encoding(data: bytes) -> str | None:
    """The encoding a JabRef `% Encoding: ISO8859_1` line near the top names (`iso8859-1`), or
    None when there is none or Python does not know the name."""
    match = _DECLARED.search(data[:_DECLARATION_BYTES])
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    try:
        return codecs.lookup(name.removeprefix("x-")).name
    except LookupError:
        return None


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode("utf-8-sig" if encoding == UTF8 else encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _unix_lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing special files and anything over `max_bytes`."""
    with _opened(path, max_bytes) as handle:
        return handle.read()


@dataclass(frozen=True)
class TextFile:
    """A file read as a stream of lines: its encoding (as `decode` would choose it for the
    whole file) and its number of lines (as `text.count("\\n") + 1` counts them)."""

    path: Path
    encoding: str
    line_count: int
    max_bytes: int

    def lines(self) -> Iterator[str]:
        """The file's lines, read anew at each call, each ending in `\\n` (the last perhaps
        not): line ends made `\\n` and a leading BOM dropped, as `read_text` reads it."""
        with self._stream() as stream:
            yield from stream

    def read(self) -> str:
        """The whole text, as `read_text` reads it."""
        with self._stream() as stream:
            return stream.read()

    def head(self, chars: int) -> str:
        """The first `chars` characters."""
        with self._stream() as stream:
            return stream.read(chars)

    @contextmanager
    def _stream(self) -> Iterator[io.TextIOWrapper]:
        with _opened(self.path, self.max_bytes) as handle:
            yield _text(handle, self.encoding)


def survey(path: Path, max_bytes: int) -> TextFile:
    """A regular file of at most `max_bytes` bytes, ready to read as a stream of lines: its
    encoding is chosen as `decode` chooses it, each candidate tried by decoding the file once
    through, chunk by chunk. Raises FileProblem as `read_text` does."""
    with _opened(path, max_bytes) as handle:
        head = handle.read(_DECLARATION_BYTES)
    for encoding in _encodings(head, lambda: _file_nul_at(path, max_bytes)):
        lines = _line_count(path, max_bytes, encoding)
        if lines is not None:
            return TextFile(path, encoding, lines, max_bytes)
    raise AssertionError("Latin-1 decodes any bytes")


def _line_count(path: Path, max_bytes: int, encoding: str) -> int | None:
    """The file's number of lines read in `encoding`, or None when it does not decode in it."""
    newlines = 0
    with _opened(path, max_bytes) as handle:
        stream = _text(handle, encoding)
        try:
            while chunk := stream.read(CHUNK):
                newlines += chunk.count("\n")
        except (UnicodeDecodeError, LookupError):
            return None
    return newlines + 1


def _file_nul_at(path: Path, max_bytes: int) -> int | None:
    done = 0
    with _opened(path, max_bytes) as handle:
        while chunk := handle.read(CHUNK):
            position = chunk.find(0)
            if position >= 0:
                return done + position
            done += len(chunk)
    return None


def _text(handle: io.BufferedReader, encoding: str) -> io.TextIOWrapper:
    """The bytes of `handle` as text in `encoding`, as `decode` reads them."""
    return io.TextIOWrapper(handle, encoding="utf-8-sig" if encoding == UTF8 else encoding, newline=None)


@contextmanager
def _opened(path: Path, max_bytes: int) -> Iterator[io.BufferedReader]:
    """A regular file of at most `max_bytes` bytes opened for reading bytes; reading past
    `max_bytes` (a file that grew) raises FileProblem."""
    try:
        if check_regular_file(path).st_size > max_bytes:
            raise FileProblem(f"file is larger than {describe_size(max_bytes)}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise FileProblem(describe_os_error(exc)) from exc
    with io.FileIO(fd, "rb", closefd=True) as raw:
        try:
            # Looked at again through the open descriptor, in case the path changed meanwhile.
            _refuse_special(os.fstat(fd).st_mode)
        except OSError as exc:
            raise FileProblem(describe_os_error(exc)) from exc
        yield io.BufferedReader(_Capped(raw, max_bytes), CHUNK)


class _Capped(io.RawIOBase):
    """A raw file that refuses to be read past `max_bytes` bytes."""

    def __init__(self, raw: io.FileIO, max_bytes: int):
        super().__init__()
        self.raw, self.max_bytes, self.done = raw, max_bytes, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            count = self.raw.readinto(buffer) or 0
        except OSError as exc:
            raise FileProblem(describe_os_error(exc)) from exc
        self.done += count
        if self.done > self.max_bytes:
            raise FileProblem(f"file is larger than {describe_size(self.max_bytes)}")
        return count


def check_regular_file(path: Path, folders: bool = False) -> os.stat_result:
    """`os.stat(path)`, raising FileProblem unless the path names a regular file (or, with
    `folders`, a folder).

    Never opens the file. OSErrors (missing, too long a name, no permission) pass through
    for the caller to describe with `describe_os_error`.
    """
    info = os.stat(path)
    if not (folders and stat.S_ISDIR(info.st_mode)):
        _refuse_special(info.st_mode)
    return info


def _refuse_special(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise FileProblem(f"not a regular file ({file_kind(mode)})")


def file_kind(mode: int) -> str:
    """What a file of this `st_mode` is, in words: "a folder", "a FIFO"…"""
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISREG, "a regular file"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


def describe_os_error(exc: OSError) -> str:
    """An OSError about a file as a short phrase, without the file name it carries."""
    phrases = {
        errno.ENOENT: "no such file",
        errno.ENAMETOOLONG: "file name too long for the system",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EISDIR: "is a folder",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.ELOOP: "too many levels of symbolic links",
        errno.EROFS: "the file system is read-only",
    }
    if exc.errno in phrases:
        return phrases[exc.errno]
    return (exc.strerror or str(exc)).lower()


def describe_size(size: int) -> str:
    """A byte count the way a person reads it: 2 GiB, 10 MiB, 512 bytes."""
    for unit, power in (("GiB", 3), ("MiB", 2), ("KiB", 1)):
        if size >= 1024**power and size % 1024**power == 0:
            return f"{size // 1024**power} {unit}"
    return f"{size} bytes"
