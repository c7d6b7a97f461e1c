"""The files and folders a command is given to read (ingest, import), looked at before the
core reads them."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from recommender.files import FileProblem, check_regular_file, describe_os_error

from .output import shown_path
from .params import first_surrogate

if TYPE_CHECKING:
    from recommender import FileReport


def sort_paths(paths: Sequence[Path]) -> tuple[list[Path], list[FileReport]]:
    """The paths worth handing to ingest, and a report for each one refused beforehand: a
    FIFO or a device (reading would hang or never end), a name too long for the system, one
    that cannot be looked at, a name that is not UTF-8 (a paper's source is recorded as text).
    Missing files and folders go on: ingest reports and expands them."""
    from recommender import FileReport

    readable: list[Path] = []
    refused: list[FileReport] = []
    for path in paths:
        if first_surrogate(str(path)) is not None:
            refused.append(FileReport(shown_path(path), error="the file name is not UTF-8; rename the file"))
            continue
        try:
            check_regular_file(path, folders=True)
        except FileProblem as exc:
            refused.append(FileReport(shown_path(path), error=str(exc)))
            continue
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                refused.append(FileReport(shown_path(path), error=describe_os_error(exc)))
                continue
        readable.append(path)
    return readable, refused
