"""Reading a file named by a person: refuse what is not a regular file, cap the size, and say
what went wrong in words (`FileProblem`) instead of an OSError or a hang.

A FIFO would block `open()` until someone writes to it and `/dev/zero` never ends, so a path
is looked at (`stat`) before it is opened, opened without blocking, and looked at again.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class FileProblem(Exception):
    """A file that cannot be read as text; the message says why, without the path
    (callers name the file themselves: `f"{path}: {problem}"`)."""


def read_text_file(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of a regular file of at most `max_bytes` bytes, read as `open()` reads
    text: a leading BOM dropped, and `\\r\\n` or `\\r` line ends turned into `\\n`.

    Raises FileProblem for a special file (FIFO, device, socket, folder), a name too long
    for the system, a missing or unreadable file, a file over the size limit, or bytes that
    are not UTF-8 (naming the offset of the first bad byte).
    """
    return decode_text(read_bytes(path, max_bytes))


def decode_text(data: bytes) -> str:
    """Bytes read as text the way `read_text_file` reads a file (an upload's, say): UTF-8, a
    leading BOM dropped, line ends made `\\n`; FileProblem for bytes that are not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        raise FileProblem(f"not UTF-8 text (byte {exc.start + bom})") from exc
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
