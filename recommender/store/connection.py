"""The SQLite file: its connections, transactions, the undo journal of a file written in steps,
and the `meta` table. Every part of the store (papers, signals, digests, follows, the paper club)
is a class on `StoreBase`, which holds no table's statements but those.

How threads and processes share one file (the model datasette uses over SQLite):

- **One writer.** Every write goes through `transaction()`, which holds a lock for this Store
  and opens `BEGIN IMMEDIATE` on the one writing connection. Taking the write lock at the start,
  rather than at the first write, lets a writer in another process wait on the busy timeout
  (30 s) instead of failing with "database is locked". Nested blocks become savepoints.
- **Reads beside it.** Each thread reads on a connection of its own, opened `query_only`, in
  WAL mode; a read never waits for a write and sees the last committed state. A thread inside
  a transaction reads on the writer, so it sees its own uncommitted writes.
- An in-memory database (`:memory:`) has one connection only, used for everything.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..processes import running
from .schema import MIGRATIONS, SCHEMA_VERSION, SchemaTooNew

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    import sqlite_utils

BUSY_SECONDS = 30
# A file is written in transactions of about this long, so that another writer (a person's like)
# waits at most that long (`ingest.in_steps`, `Store.journaled`).
WRITE_STEP_SECONDS = 0.25
# The writer's page cache. SQLite's default (2 MiB) is a fraction of a large library's indexes,
# so a long ingest read the same pages from the file again and again: at 100,000 papers a
# 64 MiB cache made the writer's statements a fifth faster.
WRITER_CACHE_KIB = 64 * 1024

DAMAGED = ("The database file is damaged: restore it from a backup (`paperclub backup` makes one; the "
           "README's Backups section tells how to put one back).")
LOCKED = (f"The database is locked: another paperclub process has been writing to it for more than "
          f"{BUSY_SECONDS} s. Try again in a moment.")
FULL = "The disk that holds the database is full: free some space, then try again."
_DAMAGE_WORDS = ("malformed", "corrupt")

Row = TypeVar("Row", bound="DataclassInstance")
UndoStep = Callable[[sqlite3.Connection, int, Any], None]
"""How to take back one journaled write: (writer, paper id, the payload it was journaled with)."""


def database_problem(error: BaseException) -> str | None:
    """A sentence for a known condition of the database file behind an SQLite error (damaged,
    locked beyond the busy timeout, its disk full), or None for another error."""
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    message = str(error).lower()
    if any(word in message for word in _DAMAGE_WORDS):
        return DAMAGED
    if "database is locked" in message or "database table is locked" in message:
        return LOCKED
    if "disk is full" in message:
        return FULL
    return None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def now_precise() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


@cache
def columns_of(row_type: type[DataclassInstance]) -> str:
    """The columns a row type is named by, in its fields' order, for a SELECT."""
    return ", ".join(field.name for field in fields(row_type))


class StoreBase:
    """The library's SQLite file; safe to share between threads (see the module docstring)."""

    # How to take back each kind of journaled write (`undo`), by the name it was journaled with.
    undo_steps: ClassVar[Mapping[str, UndoStep]] = {}

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._uri = self.path.startswith("file:")
        self._memory = self.path == ":memory:" or (self._uri and "mode=memory" in self.path)
        if not self._memory and not self._uri:
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._owner: int | None = None
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()  # not the writer's: a new reader never waits
        self._writer = self._connect()
        self._writer.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        self._db: sqlite_utils.Database | None = None
        if not self._memory:
            self._writer.execute("PRAGMA journal_mode = WAL")
        self._migrate()
        self.recover_journals()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_SECONDS,
                               isolation_level=None, uri=self._uri)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the writing connection (imported on first write that uses it)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self._writer, execute_plugins=False)
        return self._db

    def close(self) -> None:
        with self._lock, self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            self._writer.close()

    def _read(self) -> sqlite3.Connection:
        """This thread's read connection (the writer inside a transaction or in memory)."""
        if self._memory or self._owner == threading.get_ident():
            return self._writer
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = 1")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows read by their columns' names."""
        cursor = self._read().cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, list(params)).fetchall()

    def _select(self, row_type: type[Row], rest: str, params: Iterable[Any] = ()) -> list[Row]:
        """Typed rows: `SELECT <the row type's fields> <rest>`."""
        cursor = self._read().execute(f"SELECT {columns_of(row_type)} {rest}", list(params))
        return [row_type(*row) for row in cursor]

    def _select_one(self, row_type: type[Row], rest: str, params: Iterable[Any] = ()) -> Row | None:
        found = self._select(row_type, rest, params)
        return found[0] if found else None

    def _scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = self._read().execute(sql, list(params)).fetchone()
        return row[0] if row else None

    # -- schema and transactions -------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return int(self._read().execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.schema_version == SCHEMA_VERSION:
            return
        with self.transaction():
            current = self.schema_version  # another process may have migrated meanwhile
            if current > SCHEMA_VERSION:
                raise SchemaTooNew(
                    f"{self.path} has schema version {current}, newer than this paperclub "
                    f"understands ({SCHEMA_VERSION}); upgrade paperclub to open it"
                )
            for version in range(current, SCHEMA_VERSION):
                MIGRATIONS[version](self.db)
                self._writer.execute(f"PRAGMA user_version = {version + 1}")

    def in_transaction(self) -> bool:
        """Whether this thread is inside a transaction of this store."""
        return self._owner == threading.get_ident()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all. Blocks other writers (threads here
        wait on the lock, other processes on the busy timeout); readers go on. Nested blocks
        use savepoints."""
        with self._lock:
            if self._owner == threading.get_ident():
                with self.db.atomic():
                    yield
                return
            self._writer.execute("BEGIN IMMEDIATE")
            self._owner = threading.get_ident()
            try:
                yield
            except BaseException:
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
                raise
            else:
                self._writer.execute("COMMIT")
            finally:
                self._owner = None

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """The writer, inside the caller's transaction or a new one of its own."""
        if self._owner == threading.get_ident():
            yield self._writer
        else:
            with self.transaction():
                yield self._writer

    def written_elsewhere(self) -> int | None:
        """A number that changes when another process commits to the database: SQLite's
        `data_version` as this process's writer connection sees it (this process writes only
        through that connection, so its own commits leave it alone). None while another thread
        here is writing: ask again later."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return int(self._writer.execute("PRAGMA data_version").fetchone()[0])
        finally:
            self._lock.release()

    # -- writing a file in steps: the undo journal --------------------------------------------

    @contextmanager
    def journaled(self) -> Iterator[str]:
        """Writes of this thread inside the block are journaled, so that `undo` can take every
        one of them back after they were committed in several short transactions: what a file
        that is written in steps did is undone whole when it fails, is stopped, or (at the next
        start, `recover_journals`) when its process died. The journal is dropped when the block
        ends normally."""
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        with self.transaction():
            self._writer.execute("INSERT INTO import_journals (token, host, pid, started) VALUES (?, ?, ?, ?)",
                                 [token, socket.gethostname(), os.getpid(), now()])
        self._local.journal = token
        self._local.journal_papers = set()
        self._forget_kept()
        try:
            yield token
            self._write_kept()
        except BaseException:
            self._end_journal()
            self.undo(token)
            raise
        else:
            self._end_journal()
            with self.transaction():
                self._drop_journal(token)

    def _write_kept(self) -> None:
        """Write what this thread's journal kept back to write when its block ends (see
        `PaperStore._keep_sketch`)."""

    def _forget_kept(self) -> None:
        """Forget what this thread's journal kept back, written or not."""

    def _end_journal(self) -> None:
        self._local.journal = None
        self._local.journal_papers = set()
        self._forget_kept()

    def _journal(self) -> str | None:
        return getattr(self._local, "journal", None)

    def _journal_added(self, paper_id: int) -> bool:
        """Whether this thread's journal added the paper (its later writes need no undo)."""
        return self._journal() is not None and paper_id in self._local.journal_papers

    def _undo(self, db: sqlite3.Connection, op: str, paper_id: int, payload: Any = None) -> None:
        """Remember how to take back one write, when this thread journals its writes. A paper the
        journal added is taken back with everything that points at it (the "paper" step), so the
        later writes about it need no entry of their own."""
        token = self._journal()
        if token is None:
            return
        added: set[int] = self._local.journal_papers
        if op == "paper":
            added.add(paper_id)
        elif paper_id in added:
            return
        db.execute("INSERT INTO import_undo (token, op, paper_id, payload) VALUES (?, ?, ?, ?)",
                   [token, op, paper_id, None if payload is None else json.dumps(payload)])

    def undo(self, token: str, step: int = 200) -> None:
        """Take back every journaled write of `token`, the last first, in short transactions."""
        while True:
            with self.transaction():
                rows = self._writer.execute(
                    "SELECT id, op, paper_id, payload FROM import_undo WHERE token = ? ORDER BY id DESC LIMIT ?",
                    [token, step],
                ).fetchall()
                for undo_id, op, paper_id, payload in rows:
                    self.undo_steps[op](self._writer, paper_id, json.loads(payload) if payload else None)
                    self._writer.execute("DELETE FROM import_undo WHERE id = ?", [undo_id])
                if not rows:
                    self._drop_journal(token)
                    return

    def _drop_journal(self, token: str) -> None:
        self._writer.execute("DELETE FROM import_undo WHERE token = ?", [token])
        self._writer.execute("DELETE FROM import_journals WHERE token = ?", [token])

    def recover_journals(self) -> int:
        """Undo what files left half-written by processes of this machine that died (a crash,
        `kill -9`); the number of files undone."""
        host = socket.gethostname()
        rows = self._read().execute("SELECT token, pid FROM import_journals WHERE host = ?", [host]).fetchall()
        dead = [token for token, pid in rows if not running(pid)]
        for token in dead:
            self.undo(token)
        return len(dead)

    # -- meta -----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._read().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value]
            )
