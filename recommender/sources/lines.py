"""A file's text as its parsers stream it: its lines, read anew each time they are asked for.

A parser that reads a file entry by entry takes `Lines` (a file on disk gives them with
`files.TextFile.lines`, text in memory with `lines_of`), so that a large file is never held whole.
Each line ends in `\\n` but perhaps the last; line ends are `\\n` only (`\\r\\n` and `\\r` were
made `\\n` when the file was read).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

Lines = Callable[[], Iterator[str]]


def lines_of(text: str) -> Lines:
    """The lines of a text in memory, cut at `\\n` only (not at the other breaks
    `str.splitlines` knows, which a file's lines never are cut at)."""
    def lines() -> Iterator[str]:
        start = 0
        while start < len(text):
            end = text.find("\n", start) + 1 or len(text)
            yield text[start:end]
            start = end

    return lines


def numbered(lines: Iterator[str]) -> Iterator[tuple[int, str]]:
    """Each line's number (from 1) and its text without its `\\n`."""
    for number, line in enumerate(lines, 1):
        yield number, line[:-1] if line.endswith("\n") else line
