"""Reading a file named by a person: refuse what is not a regular file, cap the size, and say
what went wrong in words (`FileProblem`) instead of an OSError or a hang.

A FIFO would block `open()` until someone writes to it and `/dev/zero` never ends, so a path
is looked at (`stat`) before it is opened, opened without blocking, and looked at again.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path


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


def decode_text(data: bytes) -> str:
    """Bytes read as text the way `read_text_file` reads a file (an upload's, say)."""
    return decode(data).text


def decode(data: bytes) -> Text:
    """Bytes read as text, and the encoding used: the one a JabRef `% Encoding:` line declares
    when the bytes decode in it, else UTF-8 (a leading BOM dropped) when they are UTF-8, else
    Windows-1252, else Latin-1. Line ends are made `\\n`. Bytes that are neither UTF-8 nor free of
    NUL bytes are binary data, not text: FileProblem."""
    declared = declared_encoding(data)
    for encoding in ([declared] if declared else []) + [UTF8]:
        text = _decoded(data, encoding)
        if text is not None:
            return Text(_unix_lines(text), encoding)
    if b"\0" in data:
        raise FileProblem(f"not a text file (not UTF-8, and byte {data.index(0)} is NUL)")
    for encoding in FALLBACK_ENCODINGS:
        text = _decoded(data, encoding)
        if text is not None:
            return Text(_unix_lines(text), encoding)
    raise AssertionError("Latin-1 decodes any bytes")


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
    try:
        if check_regular_file(path).st_size > max_bytes:
            raise FileProblem(f"file is larger than {describe_size(max_bytes)}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with open(fd, "rb", closefd=True) as handle:
            # Looked at again through the open descriptor, in case the path changed meanwhile.
            _refuse_special(os.fstat(fd).st_mode)
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileProblem(describe_os_error(exc)) from exc
    if len(data) > max_bytes:
        raise FileProblem(f"file is larger than {describe_size(max_bytes)}")
    return data


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
