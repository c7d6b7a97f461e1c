"""Copies of the database made with SQLite's online backup API, and a rotating set of them, one a
night.

The backup API reads the database the way a reader does: in WAL mode it never stops a writer, and
the copy is one consistent state of the whole file. A copy is written under a name carrying the
process id and renamed when complete, so a half-written copy is never taken for a backup, and
the one a killed process left is removed by the next backup.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from .processes import glob_escape, running

_STAMP = "%Y%m%d-%H%M%S"
_PART = ".part-"


class BackupError(Exception):
    """A backup that could not be made, said in a sentence."""


def backup_database(source: str | Path, target: str | Path) -> Path:
    """Copy the database `source` to `target` (a new file) while others may read and write it."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise BackupError(f"There is no database at {source} to back up.")
    if target.exists():
        raise BackupError(f"{target} exists already: give the backup a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}{_PART}{os.getpid()}")
    try:
        with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(partial)) as copy:
            original.backup(copy)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def backups(folder: str | Path, database: str | Path) -> list[Path]:
    """The rotating backups of `database` in `folder`, oldest first."""
    pattern = re.compile(re.escape(Path(database).stem) + r"-\d{8}-\d{6}\.db")
    found = [path for path in Path(folder).glob(f"{glob_escape(Path(database).stem)}-*.db")
             if pattern.fullmatch(path.name)]
    return sorted(found, key=lambda path: path.name)


def rotating_backup(database: str | Path, folder: str | Path, keep: int, now: datetime,
                    hour: int) -> Path | None:
    """A new backup of `database` in `folder` (`<name>-YYYYmmdd-HHMMSS.db`) when one is due
    (`backup_due`), keeping the `keep` newest; None when none was due. `now` is the local time,
    without a time zone, as the names are."""
    folder = Path(folder)
    _remove_dead_parts(folder)
    existing = backups(folder, database)
    if not backup_due(_made(existing[-1]) if existing else None, now, hour):
        return None
    made = backup_database(database, folder / f"{Path(database).stem}-{now:{_STAMP}}.db")
    for old in backups(folder, database)[:-keep]:
        old.unlink(missing_ok=True)
    return made


def backup_due(newest: datetime | None, now: datetime, hour: int) -> bool:
    """Whether the nightly backup is due at `now`: none was made since the last time the clock
    struck `hour` (local times). A night that passed without one (the bot was not running) is
    made up at once; after that, backups fall at that hour."""
    struck = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if struck > now:
        struck -= timedelta(days=1)
    return newest is None or newest < struck


def _made(path: Path) -> datetime:
    """When a backup was made, from its name (local time)."""
    return datetime.strptime(path.stem[-len("YYYYmmdd-HHMMSS"):], _STAMP)


def _remove_dead_parts(folder: Path) -> None:
    """Delete the half-written copies of processes that no longer run."""
    for part in folder.glob(f"*.db{_PART}*"):
        pid = part.name.rsplit(_PART, 1)[-1]
        if pid.isdigit() and not running(int(pid)):
            part.unlink(missing_ok=True)
