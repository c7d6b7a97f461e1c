"""The only SQL in paperclub: the SQLite file, its schema and migrations, and every query.

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
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .merge import title_key
from .papers import Fields, Paper, Precision, Source, stored_fields
from .people import Person, displayed
from .processes import running
from .worktypes import Kind
from .worktypes import guess as guess_kind
from .text import clean_text, spaced_cjk

if TYPE_CHECKING:
    import sqlite_utils

SNIPPET_START = "\x02"
SNIPPET_END = "\x03"
TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT = 8.0, 1.0, 2.0
BUSY_SECONDS = 30
# A sketch key shared by more papers than this is a placeholder's, not a paper's (see ids_by_sketch).
COMMON_SKETCH_KEY = 100
# A file is written in transactions of about this long, so that another writer (a person's like)
# waits at most that long (`ingest.in_steps`, `Store.journaled`).
WRITE_STEP_SECONDS = 0.25
SKETCH_ROWS_A_WRITE = 4096
# The most sketch keys a journal keeps in memory (about 130 MB; 8 a paper) before storing them.
KEPT_SKETCH_KEYS = 1_000_000
# The writer's page cache. SQLite's default (2 MiB) is a fraction of a large library's indexes,
# so a long ingest read the same pages from the file again and again: at 100,000 papers a
# 64 MiB cache made the writer's statements a fifth faster.
WRITER_CACHE_KIB = 64 * 1024


def _v1(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("papers").create(
        {
            "id": int, "arxiv_id": str, "title": str, "title_derived": int, "title_key": str,
            "abstract": str, "authors": str, "authors_truncated": int, "organisations": str,
            "categories": str, "primary_category": str, "published": str, "year": int,
            "version": int, "has_code": int, "lang": str, "added": str, "updated": str,
        },
        pk="id",
        not_null={"title", "title_derived", "abstract", "authors", "authors_truncated",
                  "organisations", "categories", "lang", "added", "updated"},
    )
    db.table("papers").create_index(["arxiv_id"], unique=True)
    db.table("papers").create_index(["title_key"])
    db.table("papers").create_index(["primary_category"])
    db.table("papers").create_index(["published"])
    db.table("sources").create(
        {"paper_id": int, "path": str, "line": int, "format": str},
        pk=("path", "line", "paper_id"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("sources").create_index(["paper_id"])
    db.table("paper_sketch").create({"key": int, "paper_id": int}, pk=("key", "paper_id"))
    db.table("paper_sketch").create_index(["paper_id"])
    db.execute(
        "CREATE VIRTUAL TABLE papers_fts USING fts5("
        "title, abstract, authors, tokenize = 'porter unicode61 remove_diacritics 2')"
    )


def _v2(db: sqlite_utils.Database) -> None:
    db.table("signals").create(
        {"user": str, "paper_id": int, "grp": str, "kind": str, "created": str},
        pk=("user", "paper_id", "grp"),
        not_null={"kind", "created"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("signals").create_index(["grp", "kind"])
    db.table("signals").create_index(["paper_id"])
    db.table("deliveries").create(
        {"recipient": str, "paper_id": int, "delivered": str},
        pk=("recipient", "paper_id"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("papers").create_index(["updated"])


def _v3(db: sqlite_utils.Database) -> None:
    db.table("subscriptions").create(
        {"target": str, "kind": str, "grp": str, "channel_id": int, "user_id": str,
         "categories": str, "post_time": str, "timezone": str, "size": int, "cross_lists": int,
         "say_when_empty": int, "paused": str, "created_by": str, "updated": str},
        pk="target",
        not_null={"kind", "categories", "post_time", "timezone", "size", "updated"},
    )
    db.table("channel_options").create({"channel_id": int, "links": int, "updated": str}, pk="channel_id")
    db.table("feed_fetches").create(
        {"category": str, "day": str, "status": str, "fetched": str, "message": str},
        pk=("category", "day"),
    )
    db.table("announcements").create(
        {"category": str, "day": str, "paper_id": int, "type": str},
        pk=("category", "day", "paper_id"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("digests").create(
        {"id": int, "target": str, "local_day": str, "announce_day": str, "status": str,
         "kind": str, "categories": str, "paper_ids": str, "reasons": str, "parts_sent": int, "created": str, "sent": str},
        pk="id",
        not_null={"target", "local_day", "status", "kind", "created"},
    )
    db.table("digests").create_index(["target", "local_day"], unique=True)
    db.table("digests").create_index(["status"])


def _v4(db: sqlite_utils.Database) -> None:
    """DOIs, month-only dates, arXiv look-ups, and stored text cleaned of TeX and entities."""
    db.execute("ALTER TABLE papers ADD COLUMN doi TEXT")
    db.execute("ALTER TABLE papers ADD COLUMN date_approx INTEGER NOT NULL DEFAULT 0")
    db.table("papers").create_index(["doi"])
    db.table("arxiv_checks").create(
        {"paper_id": int, "checked": str, "outcome": str},
        pk="paper_id",
        not_null={"checked", "outcome"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    _clean_stored_text(db.conn)


def _clean_stored_text(conn: sqlite3.Connection) -> None:
    """Rewrite titles, abstracts and author names written before text was cleaned on the way
    in (TeX accents, HTML entities), keeping the full-text index in step."""
    rows = conn.execute("SELECT id, title, title_derived, abstract, authors FROM papers").fetchall()
    for paper_id, title, derived, abstract, authors_json in rows:
        authors = json.loads(authors_json)
        clean = (clean_text(title), clean_text(abstract), [clean_text(a) for a in authors])
        if clean == (title, abstract, authors):
            continue
        conn.execute(
            "UPDATE papers SET title = ?, title_key = ?, abstract = ?, authors = ? WHERE id = ?",
            [clean[0], None if derived else title_key(clean[0]), clean[1], _json(clean[2]), paper_id],
        )
        _write_fts(conn, paper_id, clean[0], clean[1], clean[2], replace=True)


def _write_fts(conn: sqlite3.Connection, paper_id: int, title: str, abstract: str,
               authors: list[str], replace: bool) -> None:
    if replace:
        conn.execute("DELETE FROM papers_fts WHERE rowid = ?", [paper_id])
    conn.execute(
        "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
        [paper_id, spaced_cjk(title), spaced_cjk(abstract), spaced_cjk(", ".join(authors))],
    )


def _v5(db: sqlite_utils.Database) -> None:
    """When arXiv asked not to be asked again before a time (HTTP 429 with Retry-After)."""
    db.execute("ALTER TABLE feed_fetches ADD COLUMN retry_at TEXT")


def _v6(db: sqlite_utils.Database) -> None:
    """Each paper's categories as rows with an index, so a category filter is a look-up
    instead of reading every candidate's JSON list."""
    db.execute(
        "CREATE TABLE paper_categories (name TEXT NOT NULL, short TEXT NOT NULL, "
        "paper_id INTEGER NOT NULL REFERENCES papers(id), PRIMARY KEY (name, paper_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX paper_categories_short ON paper_categories (short, paper_id)")
    db.execute("CREATE INDEX paper_categories_paper ON paper_categories (paper_id)")
    rows = db.execute("SELECT id, categories FROM papers").fetchall()
    for paper_id, categories in rows:
        _write_categories(db.conn, paper_id, json.loads(categories), replace=False)


def _write_categories(conn: sqlite3.Connection, paper_id: int, categories: list[str], replace: bool) -> None:
    """A paper's categories, whole (`cs.lg`) and by their part after the dot (`lg`), in lower case."""
    if replace:
        conn.execute("DELETE FROM paper_categories WHERE paper_id = ?", [paper_id])
    conn.executemany(
        "INSERT OR IGNORE INTO paper_categories (name, short, paper_id) VALUES (?, ?, ?)",
        [(c.lower(), c.lower().partition(".")[2] or c.lower(), paper_id) for c in categories],
    )


def _v7(db: sqlite_utils.Database) -> None:
    """Follows (authors and phrases), muted interests (kept as the likes they were made of),
    and a digest's relevance floor."""
    db.table("follows").create(
        {"user": str, "grp": str, "kind": str, "text": str, "key": str, "created": str},
        pk=("user", "grp", "kind", "key"),
        not_null={"text", "created"},
    )
    db.table("follows").create_index(["grp"])
    db.table("muted_likes").create(
        {"user": str, "paper_id": int, "created": str},
        pk=("user", "paper_id"),
        not_null={"created"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.execute("ALTER TABLE subscriptions ADD COLUMN min_score REAL")
    db.execute("ALTER TABLE digests ADD COLUMN below_floor INTEGER NOT NULL DEFAULT 0")


# The full-text index gathers this many bytes of new postings in memory, within a transaction,
# before writing them out as a segment (SQLite's default is 1 MiB). Fewer, larger segments made
# writing 100,000 papers' text a quarter faster and leave fewer for searches to merge
# (bench/fts_buffer.py); 64 MiB was no faster and held 48 MiB more during a large ingest.
FTS_HASH_BYTES = 16 * 1024 * 1024


def _v8(db: sqlite_utils.Database) -> None:
    """The full-text index's pending postings buffer (kept in the index's own settings)."""
    db.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('hashsize', ?)", [FTS_HASH_BYTES])


def _v9(db: sqlite_utils.Database) -> None:
    """The journal or proceedings a paper appeared in (unknown for the papers stored before)."""
    db.execute("ALTER TABLE papers ADD COLUMN venue TEXT")


def _v10(db: sqlite_utils.Database) -> None:
    """The bibliographic record: names with their parts (stored names split best-effort), a kind
    of work, citation fields, a date's precision instead of `date_approx`, the DOI as given
    beside its key, the cite key, and title keys for short titles too."""
    for name in ("kind", "volume", "issue", "pages", "publisher", "place", "edition", "isbn",
                 "cite_key", "doi_key"):
        db.execute(f"ALTER TABLE papers ADD COLUMN {name} TEXT")
    db.execute("ALTER TABLE papers ADD COLUMN editors TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE papers ADD COLUMN date_precision TEXT NOT NULL DEFAULT 'day'")
    db.execute(
        "UPDATE papers SET doi_key = doi, date_precision = CASE WHEN date_approx = 0 THEN 'day' "
        "WHEN substr(published, 6, 5) = '01-01' THEN 'year' ELSE 'month' END"
    )
    db.execute("DROP INDEX IF EXISTS idx_papers_doi")
    db.execute("ALTER TABLE papers DROP COLUMN date_approx")
    db.execute("CREATE INDEX idx_papers_doi_key ON papers (doi_key)")
    _clean_stored_math(db.conn)
    rows = db.execute("SELECT id, title, title_derived, authors, venue, arxiv_id FROM papers").fetchall()
    db.conn.executemany(
        "UPDATE papers SET authors = ?, kind = ?, title_key = ? WHERE id = ?",
        [(_people_json([Person.from_dict(a) for a in json.loads(authors)]), guess_kind(venue, arxiv_id).value,
          None if derived else title_key(title), paper_id)
         for paper_id, title, derived, authors, venue, arxiv_id in rows],
    )


def _clean_stored_math(conn: sqlite3.Connection) -> None:
    """Titles and abstracts stored with simple inline math (`Cu$_2$O`) cleaned as text is now
    cleaned on the way in (`Cu₂O`), keeping the full-text index in step."""
    rows = conn.execute(
        "SELECT id, title, abstract, authors FROM papers WHERE title LIKE '%$%' OR abstract LIKE '%$%' "
        "OR title LIKE '%\\(%' OR abstract LIKE '%\\(%'"
    ).fetchall()
    for paper_id, title, abstract, authors in rows:
        clean = (clean_text(title), clean_text(abstract))
        if clean != (title, abstract):
            conn.execute("UPDATE papers SET title = ?, abstract = ? WHERE id = ?", [*clean, paper_id])
            _write_fts(conn, paper_id, clean[0], clean[1], _stored_names(authors), replace=True)


def _stored_names(authors_json: str) -> list[str]:
    """The names of a stored author list as cards show them (for the full-text index)."""
    return [Person.from_dict(a).display for a in json.loads(authors_json)]


def _v11(db: sqlite_utils.Database) -> None:
    """The undo journal of a file being written in steps (see `Store.journaled`)."""
    db.execute("CREATE TABLE import_journals (token TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, "
               "started TEXT NOT NULL)")
    db.execute("CREATE TABLE import_undo (id INTEGER PRIMARY KEY, token TEXT NOT NULL, op TEXT NOT NULL, "
               "paper_id INTEGER NOT NULL, payload TEXT)")
    db.execute("CREATE INDEX import_undo_token ON import_undo (token, id)")


def _v12(db: sqlite_utils.Database) -> None:
    """Each group's learned blend weight of co-likes beside text, and an index for reading a
    group's likes in order of time."""
    db.table("group_blends").create(
        {"grp": str, "weight": float, "recall": float, "text_recall": float, "members": int,
         "likes": int, "learned": str},
        pk="grp", not_null={"weight", "learned"},
    )
    db.execute("CREATE INDEX idx_signals_grp_kind_created ON signals (grp, kind, created)")


def _v13(db: sqlite_utils.Database) -> None:
    """The paper club: each server's settings, its shortlist, its sessions, its polls, and the
    reminders recorded before they are posted."""
    db.table("club_settings").create(
        {"grp": str, "channel_id": int, "role_id": int, "ping": int, "timezone": str, "updated": str},
        pk="grp", not_null={"ping", "updated"},
    )
    db.table("club_shortlist").create(
        {"grp": str, "paper_id": int, "proposer": str, "proposed": str},
        pk=("grp", "paper_id"), not_null={"proposer", "proposed"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("club_sessions").create(
        {"id": int, "grp": str, "paper_id": int, "starts": str, "timezone": str, "presenter": str,
         "place": str, "event_id": int, "thread_id": int, "channel_id": int, "status": str,
         "interested": int, "created_by": str, "created": str},
        pk="id", not_null={"grp", "paper_id", "starts", "timezone", "status", "created"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("club_sessions").create_index(["grp", "status", "starts"])
    db.table("club_polls").create(
        {"id": int, "grp": str, "channel_id": int, "message_id": int, "paper_ids": str, "ends": str,
         "state": str, "winner_id": int, "counts": str, "created": str},
        pk="id", not_null={"grp", "paper_ids", "ends", "state", "created"},
    )
    db.table("club_polls").create_index(["state"])
    db.table("club_reminders").create(
        {"session_id": int, "kind": str, "status": str, "created": str, "sent": str},
        pk=("session_id", "kind"), not_null={"status", "created"},
        foreign_keys=[("session_id", "club_sessions", "id")],
    )


# Each migration takes the database from version N to N+1; append, never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13,
]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The file was written by a newer paperclub than this one."""


DAMAGED = ("The database file is damaged: restore it from a backup (`paperclub backup` makes one; the "
           "README's Backups section tells how to put one back).")
LOCKED = (f"The database is locked: another paperclub process has been writing to it for more than "
          f"{BUSY_SECONDS} s. Try again in a moment.")
FULL = "The disk that holds the database is full: free some space, then try again."
_DAMAGE_WORDS = ("malformed", "corrupt")


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


@dataclass(frozen=True)
class SearchHit:
    paper: Paper
    rank: float
    snippet: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _now_precise() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


_JSON = json.JSONEncoder(ensure_ascii=False)  # one encoder: json.dumps makes one a call for these settings


def _json(values: Iterable[str]) -> str:
    return _JSON.encode(list(values))


def _people_json(people: Iterable[Person]) -> str:
    return _JSON.encode([person.to_dict() for person in people])


def _people(text: str) -> list[Person]:
    return [Person.from_dict(value) for value in json.loads(text)]


# How each codec of a stored field (`papers.stored`) is written to its column and read back.
_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "text": lambda v: v, "int": lambda v: v, "bool": int,
    "maybe_bool": lambda v: None if v is None else int(v),
    "date": lambda v: v.isoformat() if v else None,
    "json": _json, "people": _people_json,
    "kind": lambda v: v.value if v else None, "precision": lambda v: v.value,
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "text": lambda v: v, "int": lambda v: v, "bool": bool,
    "maybe_bool": lambda v: None if v is None else bool(v),
    "date": lambda v: date.fromisoformat(v) if v else None,
    "json": json.loads, "people": _people,
    "kind": lambda v: Kind(v) if v else None, "precision": Precision,
}
# Columns kept beside the fields, for look-ups: what the store derives itself, and the keys
# merging finds papers by (`merge.keys_of`, given by the caller).
_DERIVED = ("primary_category", "year")
_FIELD_SELECT = ", ".join(name for name, _ in stored_fields())


def _undo_paper(db: sqlite3.Connection, paper_id: int, _: Any) -> None:
    """A paper a half-written file added, gone with everything that points at it."""
    for table in ("sources", "paper_sketch", "paper_categories", "signals", "deliveries", "announcements",
                  "arxiv_checks", "muted_likes", "club_shortlist"):
        db.execute(f"DELETE FROM {table} WHERE paper_id = ?", [paper_id])
    db.execute("DELETE FROM papers_fts WHERE rowid = ?", [paper_id])
    db.execute("DELETE FROM papers WHERE id = ?", [paper_id])


def _undo_fields(db: sqlite3.Connection, paper_id: int, before: dict[str, Any]) -> None:
    """A paper's columns as they were before a merge, its full-text row and categories too."""
    db.execute(f"UPDATE papers SET {', '.join(f'{name} = ?' for name in before)} WHERE id = ?",
               [*before.values(), paper_id])
    _write_fts(db, paper_id, before["title"], before["abstract"], _stored_names(before["authors"]), replace=True)
    _write_categories(db, paper_id, json.loads(before["categories"]), replace=True)


def _undo_source(db: sqlite3.Connection, paper_id: int, place: list[Any]) -> None:
    db.execute("DELETE FROM sources WHERE paper_id = ? AND path = ? AND line = ?", [paper_id, *place])


def _undo_sketch(db: sqlite3.Connection, paper_id: int, keys: list[int]) -> None:
    db.executemany("DELETE FROM paper_sketch WHERE key = ? AND paper_id = ?", [(k, paper_id) for k in keys])


def _undo_signal(db: sqlite3.Connection, paper_id: int, before: list[Any]) -> None:
    """A like or "not for me" as it was: none, or the other kind made at its own time."""
    user, grp, kind, created = before
    if kind is None:
        db.execute("DELETE FROM signals WHERE user = ? AND paper_id = ? AND grp = ?", [user, paper_id, grp])
    else:
        db.execute("UPDATE signals SET kind = ?, created = ? WHERE user = ? AND paper_id = ? AND grp = ?",
                   [kind, created, user, paper_id, grp])


_UNDO: dict[str, Callable[[sqlite3.Connection, int, Any], None]] = {
    "paper": _undo_paper, "fields": _undo_fields, "source": _undo_source, "sketch": _undo_sketch,
    "signal": _undo_signal,
}


def _encoded(f: Fields) -> dict[str, Any]:
    """A paper's columns: its stored fields and what is derived from them."""
    values = {name: _ENCODERS[codec](getattr(f, name)) for name, codec in stored_fields()}
    return {**values, **{name: getattr(f, name) for name in _DERIVED}}


def _decoded(row: sqlite3.Row) -> dict[str, Any]:
    """A paper's stored fields from its row, by column name."""
    return {name: _DECODERS[codec](row[name]) for name, codec in stored_fields()}


class Store:
    """The library's SQLite file; safe to share between threads (see the module docstring)."""

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

    def _dicts(self, sql: str, params: Iterable[Any] = ()) -> list[dict]:
        cursor = self._read().execute(sql, list(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

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
                                 [token, socket.gethostname(), os.getpid(), _now()])
        self._local.journal = token
        self._local.journal_papers = set()
        self._local.journal_sketches = {}
        try:
            yield token
            self._write_sketches(self._local.journal_sketches)
        except BaseException:
            self._end_journal()
            self.undo(token)
            raise
        else:
            self._end_journal()
            with self.transaction():
                self._drop_journal(token)

    def _end_journal(self) -> None:
        self._local.journal = None
        self._local.journal_papers = set()
        self._local.journal_sketches = {}

    def _journal(self) -> str | None:
        return getattr(self._local, "journal", None)

    def _undo(self, db: sqlite3.Connection, op: str, paper_id: int, payload: Any = None) -> None:
        """Remember how to take back one write, when this thread journals its writes. A paper the
        journal added is taken back with everything that points at it (`_undo_paper`), so the
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
                    _UNDO[op](self._writer, paper_id, json.loads(payload) if payload else None)
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

    # -- papers: finding candidates for a merge ---------------------------------------------

    def id_by_arxiv(self, arxiv_id: str) -> int | None:
        row = self._read().execute("SELECT id FROM papers WHERE arxiv_id = ?", [arxiv_id]).fetchone()
        return row[0] if row else None

    def id_by_doi(self, doi_key: str) -> int | None:
        """The paper of a DOI, by its key (`merge.doi_norm`)."""
        row = self._read().execute(
            "SELECT id FROM papers WHERE doi_key = ? ORDER BY id LIMIT 1", [doi_key]
        ).fetchone()
        return row[0] if row else None

    def ids_by_title_key(self, key: str, limit: int = 200) -> list[int]:
        """Papers of a title key, the first `limit` of them (a title that hundreds of entries
        carry, such as "Untitled", is compared with that many, not with every one)."""
        rows = self._read().execute("SELECT id FROM papers WHERE title_key = ? ORDER BY id LIMIT ?", [key, limit])
        return [r[0] for r in rows]

    def ids_by_sketch(self, keys: list[int], min_shared: int = 2) -> list[int]:
        """Papers whose abstract sketch shares at least `min_shared` keys with `keys` (also the
        papers of a file being written whose sketches are not yet stored, `journaled`). A key
        that more than COMMON_SKETCH_KEY papers share (a placeholder abstract that thousands of
        entries carry) tells no paper apart and is skipped, so a look-up reads a bounded number
        of rows however many papers share an abstract."""
        if not keys:
            return []
        # Counted here rather than by GROUP BY, whose sorters cost more than the few rows found
        # (a look-up in 100,000 papers: 72 -> 20 us); each key's rows read up to one past the cut.
        per_key = " UNION ALL ".join(
            ["SELECT * FROM (SELECT key, paper_id FROM paper_sketch WHERE key = ? LIMIT ?)"] * len(keys)
        )
        rows = self._read().execute(per_key, [v for key in keys for v in (key, COMMON_SKETCH_KEY + 1)]).fetchall()
        pending: dict[int, tuple[int, ...]] | None = getattr(self._local, "journal_sketches", None)
        if pending:
            rows += [(key, paper_id) for key in keys for paper_id in pending.get(key, ())[:COMMON_SKETCH_KEY + 1]]
        common = {key for key, n in Counter(r[0] for r in rows).items() if n > COMMON_SKETCH_KEY}
        shared = Counter(paper_id for key, paper_id in rows if key not in common)
        ranked = sorted((-n, paper_id) for paper_id, n in shared.items() if n >= min_shared)
        return [paper_id for _, paper_id in ranked[:20]]

    def fields(self, paper_id: int) -> Fields | None:
        rows = self._rows(f"SELECT {_FIELD_SELECT} FROM papers WHERE id = ?", [paper_id])
        return Fields(**_decoded(rows[0])) if rows else None

    # -- papers: writing -------------------------------------------------------------------

    def insert_paper(self, f: Fields, keys: Mapping[str, str | None], shingle_sketch: list[int]) -> int:
        """Store a new paper with the keys merging finds it by (`merge.keys_of`)."""
        now = _now_precise()
        values = {**_encoded(f), **keys, "added": now, "updated": now}
        names = list(values)
        with self._writing() as db:
            cursor = db.execute(
                f"INSERT INTO papers ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                list(values.values()),
            )
            paper_id = cursor.lastrowid
            assert paper_id is not None
            self._undo(db, "paper", paper_id)
            _write_fts(db, paper_id, f.title, f.abstract, displayed(f.authors), replace=False)
            _write_categories(db, paper_id, f.categories, replace=False)
            if not self._keep_sketch(paper_id, shingle_sketch):
                self._add_sketch(db, paper_id, shingle_sketch)
        return paper_id

    def update_paper(self, paper_id: int, f: Fields, old: Fields, keys: Mapping[str, str | None]) -> None:
        """Rewrite a paper's fields (and its keys, `merge.keys_of`) after a merge."""
        values = {**_encoded(f), **keys, "updated": _now_precise()}
        with self._writing() as db:
            if self._journal() is not None:
                before = db.execute(f"SELECT {', '.join(values)} FROM papers WHERE id = ?", [paper_id]).fetchone()
                self._undo(db, "fields", paper_id, dict(zip(values, before)))
            db.execute(
                f"UPDATE papers SET {', '.join(f'{name} = ?' for name in values)} WHERE id = ?",
                [*values.values(), paper_id],
            )
            if (f.title, f.abstract, f.authors) != (old.title, old.abstract, old.authors):
                _write_fts(db, paper_id, f.title, f.abstract, displayed(f.authors), replace=True)
            if f.categories != old.categories:
                _write_categories(db, paper_id, f.categories, replace=True)

    def add_sketch(self, paper_id: int, shingle_sketch: list[int]) -> None:
        if self._keep_sketch(paper_id, shingle_sketch):
            return
        with self._writing() as db:
            if self._journal() is not None and shingle_sketch:
                marks = ",".join("?" * len(shingle_sketch))
                had = {r[0] for r in db.execute(
                    f"SELECT key FROM paper_sketch WHERE paper_id = ? AND key IN ({marks})", [paper_id, *shingle_sketch])}
                self._undo(db, "sketch", paper_id, [k for k in shingle_sketch if k not in had])
            self._add_sketch(db, paper_id, shingle_sketch)

    @staticmethod
    def _add_sketch(db: sqlite3.Connection, paper_id: int, shingle_sketch: list[int]) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO paper_sketch (key, paper_id) VALUES (?, ?)",
            [(k, paper_id) for k in shingle_sketch],
        )

    def _keep_sketch(self, paper_id: int, shingle_sketch: list[int]) -> bool:
        """Keep the sketch of a paper that this thread's journal added, to be written with the
        others when the journal ends (`_write_sketches`); False when it is to be written now.

        Each step of a large file inserted its papers' sketch keys, random numbers, all over the
        sketch index, and so wrote most of its pages to the WAL at every commit (a fifth of the
        writer's time at 100,000 papers). Written at the end in the keys' order, each page is
        written about once. Only the look-alike check reads the keys (`ids_by_sketch`, which
        looks at the kept ones too), and a paper whose sketch is kept goes with its journal."""
        pending: dict[int, tuple[int, ...]] | None = getattr(self._local, "journal_sketches", None)
        if pending is None or self._journal() is None or paper_id not in self._local.journal_papers:
            return False
        for key in shingle_sketch:
            held = pending.get(key, ())
            if paper_id not in held:
                pending[key] = (*held, paper_id)
        return True

    def write_kept_sketches(self, at_most: int | None = None) -> None:
        """Store the sketch keys this thread's journal keeps (`_keep_sketch`) when they are more
        than `at_most` (KEPT_SKETCH_KEYS): a file of millions of papers keeps a bounded number
        in memory. Called between a file's steps, outside any transaction."""
        pending: dict[int, tuple[int, ...]] | None = getattr(self._local, "journal_sketches", None)
        if not pending or len(pending) <= (KEPT_SKETCH_KEYS if at_most is None else at_most):
            return
        if self.in_transaction():
            return
        self._local.journal_sketches = {}
        self._write_sketches(pending)

    def _write_sketches(self, pending: dict[int, tuple[int, ...]]) -> None:
        """The kept sketch keys of a journal's papers, in the keys' order, in transactions of
        about WRITE_STEP_SECONDS each."""
        rows = [(key, paper_id) for key in sorted(pending) for paper_id in pending[key]]
        position = 0
        while position < len(rows):
            with self.transaction():
                deadline = time.monotonic() + WRITE_STEP_SECONDS
                while position < len(rows) and time.monotonic() < deadline:
                    self._writer.executemany("INSERT OR IGNORE INTO paper_sketch (key, paper_id) VALUES (?, ?)",
                                             rows[position:position + SKETCH_ROWS_A_WRITE])
                    position += SKETCH_ROWS_A_WRITE

    def add_source(self, paper_id: int, source: Source) -> bool:
        """Record where a paper was seen; False when that place was already recorded."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO sources (paper_id, path, line, format) VALUES (?, ?, ?, ?)",
                [paper_id, source.path, source.line, source.format],
            )
            if cursor.rowcount > 0:
                self._undo(db, "source", paper_id, [source.path, source.line])
        return cursor.rowcount > 0

    # -- papers: matching to arXiv -----------------------------------------------------------

    def ids_to_match(self, checked_before: str | None, limit: int | None = None) -> list[int]:
        """Papers without an arXiv id, oldest first, leaving out those looked up on arXiv at
        or after `checked_before` (None: ask for every one)."""
        sql = ("SELECT p.id FROM papers p LEFT JOIN arxiv_checks c ON c.paper_id = p.id "
               "WHERE p.arxiv_id IS NULL")
        params: list[Any] = []
        if checked_before is not None:
            sql += " AND (c.checked IS NULL OR c.checked < ?)"
            params.append(checked_before)
        sql += " ORDER BY p.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [r[0] for r in self._read().execute(sql, params)]

    def record_arxiv_check(self, paper_id: int, outcome: str, checked: str) -> None:
        """Remember that a paper was looked up on arXiv, and what came of it."""
        with self._writing() as db:
            db.execute(
                "INSERT INTO arxiv_checks (paper_id, checked, outcome) VALUES (?, ?, ?) "
                "ON CONFLICT(paper_id) DO UPDATE SET checked = excluded.checked, "
                "outcome = excluded.outcome", [paper_id, checked, outcome],
            )

    def arxiv_checks(self) -> dict[str, int]:
        """How many papers each look-up outcome has."""
        rows = self._read().execute("SELECT outcome, count(*) FROM arxiv_checks GROUP BY outcome")
        return {r[0]: r[1] for r in rows}

    # -- papers: reading -------------------------------------------------------------------

    _PAPER_COLUMNS = "p.id, p.added, " + ", ".join(f"p.{name}" for name, _ in stored_fields())

    def _paper(self, row: sqlite3.Row, with_sources: bool = False) -> Paper:
        paper_id = row["id"]
        sources = self.sources(paper_id) if with_sources else []
        return Paper(id=paper_id, added=row["added"], sources=sources, **_decoded(row))

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows read by their columns' names."""
        cursor = self._read().cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, list(params)).fetchall()

    def sources(self, paper_id: int) -> list[Source]:
        rows = self._read().execute(
            "SELECT path, line, format FROM sources WHERE paper_id = ? ORDER BY path, line", [paper_id]
        )
        return [Source(*r) for r in rows]

    def paper(self, paper_id: int) -> Paper | None:
        rows = self._rows(f"SELECT {self._PAPER_COLUMNS} FROM papers p WHERE p.id = ?", [paper_id])
        return self._paper(rows[0], with_sources=True) if rows else None

    def papers(self, ids: Iterable[int]) -> list[Paper]:
        """Papers by id, in the order asked for (unknown ids are skipped)."""
        ids = list(ids)
        if not ids:
            return []
        found: dict[int, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"SELECT {self._PAPER_COLUMNS} FROM papers p WHERE p.id IN ({marks})", chunk):
                found[row["id"]] = self._paper(row)
        return [found[i] for i in ids if i in found]

    def ids_by_title_phrase(self, phrase_match: str, limit: int = 50) -> list[tuple[int, str]]:
        rows = self._read().execute(
            "SELECT p.id, p.title FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid "
            "WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, ?, ?, ?) LIMIT ?",
            [phrase_match, TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT, limit],
        )
        return [(r[0], r[1]) for r in rows]

    def ids_by_exact_title(self, title: str) -> list[int]:
        key = title_key(title)
        if key is None:
            rows = self._read().execute("SELECT id FROM papers WHERE lower(title) = lower(?)", [title])
            return [r[0] for r in rows]
        return self.ids_by_title_key(key)

    def titles(self, limit: int | None = None) -> list[tuple[int, str]]:
        sql = "SELECT id, title FROM papers ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [(r[0], r[1]) for r in self._read().execute(sql)]

    def count_papers(self) -> int:
        return self._read().execute("SELECT count(*) FROM papers").fetchone()[0]

    def all_ids(self) -> list[int]:
        return [r[0] for r in self._read().execute("SELECT id FROM papers ORDER BY id")]

    def random_id(self, category: str | None = None, offset_fraction: float = 0.0,
                  skip_disliked_by: str | None = None, skip_club_of: str | None = None) -> int | None:
        """The paper at a uniform position of the (optionally category-filtered) id order,
        leaving out papers one person marked "not for me" and those a group's paper club read
        (or will read)."""
        where, params = self._category_clause(category)
        if skip_disliked_by is not None:
            where += " AND p.id NOT IN (SELECT paper_id FROM signals WHERE user = ? AND kind = 'dislike')"
            params.append(skip_disliked_by)
        if skip_club_of is not None:
            where += " AND p.id NOT IN (SELECT paper_id FROM club_sessions WHERE grp = ? AND status != 'cancelled')"
            params.append(skip_club_of)
        total = self._read().execute(f"SELECT count(*) FROM papers p WHERE {where}", params).fetchone()[0]
        if total == 0:
            return None
        offset = min(total - 1, int(offset_fraction * total))
        row = self._read().execute(
            f"SELECT p.id FROM papers p WHERE {where} ORDER BY p.id LIMIT 1 OFFSET ?", params + [offset]
        ).fetchone()
        return row[0]

    @staticmethod
    def _category_clause(category: str | None, column: str = "p.id") -> tuple[str, list[Any]]:
        """Papers in a category named whole (`cs.LG`) or by its part after the dot (`LG`);
        compared as text, so `%` and `_` in a name are no wildcards."""
        if not category:
            return "1", []
        wanted = category.lower()
        return (
            f"{column} IN (SELECT paper_id FROM paper_categories WHERE name = ? "
            "UNION SELECT paper_id FROM paper_categories WHERE short = ?)",
            [wanted, wanted],
        )

    def _filters(
        self, categories: Iterable[str], years: tuple[int, int] | None,
        clauses: list[str] | None = None, params: list | None = None, venues: Iterable[str] = (),
    ) -> tuple[str, list]:
        """A WHERE clause (over `papers p`) for category, year and venue filters, after any given."""
        clauses, params = list(clauses or ["1"]), list(params or [])
        for category in categories:
            clause, args = self._category_clause(category)
            clauses.append(clause)
            params += args
        if years:
            clauses.append("p.year BETWEEN ? AND ?")
            params += [years[0], years[1]]
        for venue in venues:
            clause, args = self._venue_clause(venue)
            clauses.append(clause)
            params += args
        return " AND ".join(clauses), params

    @staticmethod
    def _venue_clause(venue: str) -> tuple[str, list[Any]]:
        """Papers whose venue holds every word of `venue` (without case; `%` and `_` are no
        wildcards)."""
        words = venue.split() or [venue]
        escaped = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        return " AND ".join(["p.venue LIKE ? ESCAPE '\\'"] * len(words)), escaped

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        match: str,
        categories: Iterable[str] = (),
        years: tuple[int, int] | None = None,
        limit: int = 10,
        offset: int = 0,
        venues: Iterable[str] = (),
    ) -> list[SearchHit]:
        """Papers matching an FTS5 expression, best first (bm25 with the title weighted most).

        Ranking reads only the full-text index; paper rows and snippets are fetched for the
        page alone, so a query on a common word stays fast in a large library.
        """
        join, where, params = self._search_filters(categories, years, venues)
        ranked = self._read().execute(
            f"SELECT papers_fts.rowid, bm25(papers_fts, ?, ?, ?) AS rank FROM papers_fts {join}"
            f"WHERE papers_fts MATCH ?{where} ORDER BY rank LIMIT ? OFFSET ?",
            [TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT, match] + params + [limit, offset],
        ).fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        marks = ",".join("?" * len(ids))
        # FTS5 answers `rowid IN (...)` with one look-up per id, each of which expands a
        # `prefix*` term anew (about as costly as the whole ranking, ten times over); for a
        # prefix query the page's rows are instead picked from one scan of the matches.
        picked = f"+rowid IN ({marks}) AND rowid BETWEEN ? AND ?" if '"*' in match else f"rowid IN ({marks})"
        bounds = [min(ids), max(ids)] if '"*' in match else []
        snippets = dict(self._read().execute(
            f"SELECT rowid, snippet(papers_fts, 1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 40) "
            f"FROM papers_fts WHERE papers_fts MATCH ? AND {picked}", [match] + ids + bounds
        ).fetchall())
        papers = {paper.id: paper for paper in self.papers(ids)}
        return [
            SearchHit(papers[pid], rank, snippets.get(pid) or "") for pid, rank in ranked if pid in papers
        ]

    def _search_filters(self, categories: Iterable[str], years: tuple[int, int] | None,
                        venues: Iterable[str] = ()) -> tuple[str, str, list]:
        """A join and ` AND ...` clauses for category and year filters on the full-text table.

        A category is checked as `+rowid IN (...)`: matches are read in rowid order from the
        full-text index and each is looked up in the (small, indexed) set of the category's
        papers before bm25 scores it; the unary `+` keeps SQLite from instead starting one
        full-text query per paper of the category, and no paper row is read for a match.
        (Joining `papers` for it cost a row look-up per match: a common word with `cat:` took
        five times as long.) A year range or a venue still joins `papers`, which holds them."""
        join, clauses, params = "", [], []
        for category in categories:
            clause, args = self._category_clause(category, "+papers_fts.rowid")
            clauses.append(clause)
            params += args
        if years:
            clauses.append("p.year BETWEEN ? AND ?")
            params += [years[0], years[1]]
        for venue in venues:
            clause, args = self._venue_clause(venue)
            clauses.append(clause)
            params += args
        if years or venues:
            join = "JOIN papers p ON p.id = papers_fts.rowid "
        return join, "".join(f" AND {clause}" for clause in clauses), params

    def filter_papers(
        self, categories: Iterable[str] = (), years: tuple[int, int] | None = None,
        limit: int = 10, offset: int = 0, venues: Iterable[str] = (),
    ) -> list[Paper]:
        """Papers by category, year and venue alone, newest first."""
        where, params = self._filters(categories, years, venues=venues)
        rows = self._rows(
            f"SELECT {self._PAPER_COLUMNS} FROM papers p WHERE {where} "
            "ORDER BY p.published IS NULL, p.published DESC, p.id LIMIT ? OFFSET ?",
            params + [limit, offset],
        )
        return [self._paper(row) for row in rows]

    # -- likes and deliveries ----------------------------------------------------------------

    def set_signal(self, user: str, paper_id: int, kind: str, group: str | None) -> bool:
        """Record a like or dislike (replacing the other); False when it was already there."""
        grp = group or ""
        with self._writing() as db:
            existing = db.execute(
                "SELECT kind, created FROM signals WHERE user = ? AND paper_id = ? AND grp = ?",
                [user, paper_id, grp],
            ).fetchone()
            if existing and existing[0] == kind:
                return False
            self._undo(db, "signal", paper_id, [user, grp, *(existing or (None, None))])
            db.execute(
                "INSERT INTO signals (user, paper_id, grp, kind, created) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(user, paper_id, grp) DO UPDATE SET kind = excluded.kind, "
                "created = excluded.created",
                [user, paper_id, grp, kind, _now_precise()],
            )
        return True

    def clear_signals(self, user: str, paper_id: int) -> int:
        with self._writing() as db:
            cursor = db.execute("DELETE FROM signals WHERE user = ? AND paper_id = ?", [user, paper_id])
        return cursor.rowcount

    def signals(self, user: str, kind: str | None = None, group: str | None = None) -> list[tuple[int, str, str, str]]:
        """A person's (paper_id, kind, group, created), newest first; with a group, that
        group's signals and the ungrouped ones."""
        clauses, params = ["user = ?"], [user]
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        if group is not None:
            clauses.append("grp IN (?, '')")
            params.append(group)
        rows = self._read().execute(
            f"SELECT paper_id, kind, grp, created FROM signals WHERE {' AND '.join(clauses)} "
            "ORDER BY created DESC, rowid DESC", params
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def group_signals(self, group: str, kind: str = "like", since: str | None = None) -> list[tuple[str, int]]:
        """(user, paper_id) of every signal of a kind made in a group."""
        sql = "SELECT user, paper_id FROM signals WHERE grp = ? AND kind = ?"
        params: list = [group, kind]
        if since:
            sql += " AND created >= ?"
            params.append(since)
        return [(r[0], r[1]) for r in self._read().execute(sql + " ORDER BY created", params)]

    def count_group_likes(self, group: str) -> int:
        return self._read().execute(
            "SELECT count(*) FROM signals WHERE grp = ? AND kind = 'like'", [group]).fetchone()[0]

    def group_favourites(self, group: str, limit: int) -> list[tuple[int, int]]:
        """The papers liked most in a group, with their likes, most liked first."""
        rows = self._read().execute(
            "SELECT paper_id, count(*) AS n FROM signals WHERE grp = ? AND kind = 'like' "
            "GROUP BY paper_id ORDER BY n DESC, min(created), paper_id LIMIT ?", [group, limit])
        return [(r[0], r[1]) for r in rows]

    def group_blend(self, group: str) -> dict[str, Any] | None:
        """A group's learned blend (weight, recall, text_recall, members, likes, learned), if any."""
        row = self._read().execute(
            "SELECT weight, recall, text_recall, members, likes, learned FROM group_blends WHERE grp = ?", [group]
        ).fetchone()
        names = ("weight", "recall", "text_recall", "members", "likes", "learned")
        return dict(zip(names, row)) if row else None

    def group_blends(self) -> dict[str, dict[str, Any]]:
        rows = self._read().execute("SELECT grp FROM group_blends ORDER BY grp").fetchall()
        return {r[0]: found for r in rows if (found := self.group_blend(r[0])) is not None}

    def set_group_blend(self, group: str, weight: float, recall: float, text_recall: float,
                        members: int, likes: int) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO group_blends (grp, weight, recall, text_recall, members, likes, learned) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(grp) DO UPDATE SET weight = excluded.weight, "
                "recall = excluded.recall, text_recall = excluded.text_recall, members = excluded.members, "
                "likes = excluded.likes, learned = excluded.learned",
                [group, weight, recall, text_recall, members, likes, _now_precise()],
            )

    def disliked_anywhere(self, user: str) -> set[int]:
        """Every paper a person marked "not for me", in any group."""
        rows = self._read().execute("SELECT paper_id FROM signals WHERE user = ? AND kind = 'dislike'", [user])
        return {r[0] for r in rows}

    # -- muted interests ---------------------------------------------------------------------

    def set_muted_likes(self, user: str, paper_ids: Iterable[int], muted: bool) -> None:
        """Remember (or forget) liked papers as belonging to an interest the person muted."""
        ids = list(paper_ids)
        with self._writing() as db:
            if muted:
                now = _now()
                db.executemany(
                    "INSERT OR IGNORE INTO muted_likes (user, paper_id, created) VALUES (?, ?, ?)",
                    [(user, pid, now) for pid in ids],
                )
            else:
                db.executemany("DELETE FROM muted_likes WHERE user = ? AND paper_id = ?", [(user, pid) for pid in ids])

    def muted_likes(self, user: str) -> set[int]:
        rows = self._read().execute("SELECT paper_id FROM muted_likes WHERE user = ?", [user])
        return {r[0] for r in rows}

    # -- follows -----------------------------------------------------------------------------

    def add_follow(self, user: str, group: str | None, kind: str, text: str, key: str) -> bool:
        """Follow an author or a phrase; False when the person already followed it there."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO follows (user, grp, kind, text, key, created) VALUES (?, ?, ?, ?, ?, ?)",
                [user, group or "", kind, text, key, _now_precise()],
            )
        return cursor.rowcount > 0

    def remove_follow(self, user: str, kind: str, key: str, group: str | None = None) -> int:
        """Stop following (in one group, or everywhere when `group` is None); the rows removed."""
        sql, params = "DELETE FROM follows WHERE user = ? AND kind = ? AND key = ?", [user, kind, key]
        if group is not None:
            sql += " AND grp = ?"
            params.append(group)
        with self._writing() as db:
            cursor = db.execute(sql, params)
        return cursor.rowcount

    def follows(self, user: str | None = None, group: str | None = None) -> list[dict]:
        """Follows as rows (user, grp, kind, text, key, created), oldest first: one person's,
        one group's, or both filters at once."""
        clauses, params = [], []
        if user is not None:
            clauses.append("user = ?")
            params.append(user)
        if group is not None:
            clauses.append("grp = ?")
            params.append(group)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._dicts(f"SELECT user, grp, kind, text, key, created FROM follows{where} ORDER BY created, rowid",
                           params)

    def mark_delivered(self, recipient: str, paper_ids: Iterable[int]) -> None:
        now = _now()
        with self._writing() as db:
            db.executemany(
                "INSERT OR IGNORE INTO deliveries (recipient, paper_id, delivered) VALUES (?, ?, ?)",
                [(recipient, pid, now) for pid in paper_ids],
            )

    def delivered(self, recipient: str) -> set[int]:
        rows = self._read().execute("SELECT paper_id FROM deliveries WHERE recipient = ?", [recipient])
        return {r[0] for r in rows}

    def seed_paper_ids(self) -> list[int]:
        """Papers that came with paperclub (seen in the bundled seed listings)."""
        rows = self._read().execute(
            "SELECT DISTINCT paper_id FROM sources WHERE path LIKE 'seeds/%' ORDER BY paper_id"
        )
        return [r[0] for r in rows]

    def recent_ids(self, limit: int) -> list[int]:
        rows = self._read().execute(
            "SELECT id FROM papers WHERE published IS NOT NULL ORDER BY published DESC, id DESC LIMIT ?",
            [limit],
        )
        return [r[0] for r in rows]

    # -- text for the TF-IDF index ----------------------------------------------------------

    def index_rows(self, since: str = "") -> Iterator[tuple[int, str, str, list[str]]]:
        """(id, title, abstract, categories) of papers changed at or after `since`."""
        rows = self._read().execute(
            "SELECT id, title, abstract, categories FROM papers WHERE updated >= ? ORDER BY id", [since]
        )
        for row in rows:
            yield row[0], row[1], row[2], json.loads(row[3])

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

    def last_update(self) -> str:
        row = self._read().execute("SELECT max(updated) FROM papers").fetchone()
        return row[0] or ""

    # -- digests ---------------------------------------------------------------------------

    def save_subscription(self, row: dict) -> None:
        """Insert or replace one subscription row (columns as in the `subscriptions` table)."""
        with self._writing():
            self.db.table("subscriptions").upsert({**row, "updated": row.get("updated") or _now()}, pk="target")

    def subscription(self, target: str) -> dict | None:
        rows = self._dicts("SELECT * FROM subscriptions WHERE target = ?", [target])
        return rows[0] if rows else None

    def subscriptions(self, group: str | None = None) -> list[dict]:
        if group is None:
            return self._dicts("SELECT * FROM subscriptions ORDER BY target")
        return self._dicts("SELECT * FROM subscriptions WHERE grp = ? ORDER BY target", [group])

    def delete_subscription(self, target: str) -> bool:
        with self._writing() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE target = ?", [target])
        return cursor.rowcount > 0

    def set_paused(self, target: str, reason: str | None) -> None:
        with self._writing() as db:
            db.execute("UPDATE subscriptions SET paused = ? WHERE target = ?", [reason, target])

    def set_links(self, channel_id: int, on: bool) -> None:
        with self._writing():
            self.db.table("channel_options").upsert(
                {"channel_id": channel_id, "links": int(on), "updated": _now()}, pk="channel_id"
            )

    def links_on(self, channel_id: int) -> bool:
        row = self._read().execute(
            "SELECT links FROM channel_options WHERE channel_id = ?", [channel_id]
        ).fetchone()
        return bool(row and row[0])

    def feed_fetch(self, category: str, day: str) -> dict | None:
        rows = self._dicts("SELECT * FROM feed_fetches WHERE category = ? AND day = ?", [category, day])
        return rows[0] if rows else None

    def record_feed_fetch(self, category: str, day: str, status: str, message: str, fetched: str,
                          retry_at: str | None = None) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO feed_fetches (category, day, status, fetched, message, retry_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(category, day) DO UPDATE SET "
                "status = excluded.status, fetched = excluded.fetched, message = excluded.message, "
                "retry_at = excluded.retry_at",
                [category, day, status, fetched, message, retry_at],
            )

    def add_announced(self, category: str, day: str, entries: Iterable[tuple[int, str]]) -> None:
        """Remember which papers a category announced on a day (and how: new or cross)."""
        with self._writing() as db:
            db.executemany(
                "INSERT INTO announcements (category, day, paper_id, type) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(category, day, paper_id) DO UPDATE SET type = "
                "CASE WHEN announcements.type = 'new' THEN 'new' ELSE excluded.type END",
                [(category, day, pid, kind) for pid, kind in entries],
            )

    def announced(self, categories: Iterable[str], day: str, types: Iterable[str]) -> list[int]:
        """Papers the categories announced on a day with one of the types, in feed order."""
        categories, types = list(categories), list(types)
        if not categories or not types:
            return []
        rows = self._read().execute(
            f"SELECT paper_id FROM announcements WHERE day = ? "
            f"AND category IN ({','.join('?' * len(categories))}) "
            f"AND type IN ({','.join('?' * len(types))}) GROUP BY paper_id ORDER BY min(rowid)",
            [day, *categories, *types],
        )
        return [r[0] for r in rows]

    def create_digest(self, row: dict) -> int:
        """Record a digest (columns as in the `digests` table, without id); returns its id."""
        with self._writing():
            digest_id = self.db.table("digests").insert({**row, "created": _now()}).last_pk
        assert digest_id is not None        # an insert into a table with an integer key sets it
        return int(digest_id)

    def digest(self, digest_id: int) -> dict | None:
        rows = self._dicts("SELECT * FROM digests WHERE id = ?", [digest_id])
        return rows[0] if rows else None

    def digest_for(self, target: str, local_day: str) -> dict | None:
        rows = self._dicts("SELECT * FROM digests WHERE target = ? AND local_day = ?", [target, local_day])
        return rows[0] if rows else None

    def digests_with_status(self, status: str) -> list[dict]:
        return self._dicts("SELECT * FROM digests WHERE status = ? ORDER BY id", [status])

    def digested_announcement(self, target: str, announce_day: str) -> bool:
        """True when a digest of that announcement day was already recorded for the target."""
        row = self._read().execute(
            "SELECT 1 FROM digests WHERE target = ? AND announce_day = ? AND status IN ('pending', 'sent', 'skipped') LIMIT 1",
            [target, announce_day],
        ).fetchone()
        return row is not None

    def update_digest(self, digest_id: int, **changes) -> None:
        with self._writing():
            self.db.table("digests").update(digest_id, changes)

    # -- the paper club ----------------------------------------------------------------------

    def club_settings(self, group: str) -> dict | None:
        rows = self._dicts("SELECT * FROM club_settings WHERE grp = ?", [group])
        return rows[0] if rows else None

    def save_club_settings(self, group: str, channel_id: int | None, role_id: int | None, ping: bool,
                           timezone_name: str | None) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO club_settings (grp, channel_id, role_id, ping, timezone, updated) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(grp) DO UPDATE SET channel_id = excluded.channel_id, "
                "role_id = excluded.role_id, ping = excluded.ping, timezone = excluded.timezone, "
                "updated = excluded.updated",
                [group, channel_id, role_id, int(ping), timezone_name, _now()],
            )

    def digest_timezone(self, group: str, channel_id: int | None = None) -> str | None:
        """The time zone of a group's channel digest: the one posted in `channel_id` if there
        is one, else the group's oldest; None when the group has no channel digest."""
        row = self._read().execute(
            "SELECT timezone FROM subscriptions WHERE grp = ? AND kind = 'channel' "
            "ORDER BY channel_id IS NOT ?, updated, target LIMIT 1",
            [group, channel_id],
        ).fetchone()
        return row[0] if row else None

    def propose(self, group: str, paper_id: int, proposer: str) -> dict | None:
        """Put a paper on a group's shortlist; None when it is there already (the proposal
        stays its first proposer's), else the new row."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO club_shortlist (grp, paper_id, proposer, proposed) VALUES (?, ?, ?, ?)",
                [group, paper_id, proposer, _now_precise()],
            )
        return self.proposal(group, paper_id) if cursor.rowcount else None

    def proposal(self, group: str, paper_id: int) -> dict | None:
        rows = self._dicts("SELECT * FROM club_shortlist WHERE grp = ? AND paper_id = ?", [group, paper_id])
        return rows[0] if rows else None

    def withdraw(self, group: str, paper_id: int) -> bool:
        with self._writing() as db:
            cursor = db.execute("DELETE FROM club_shortlist WHERE grp = ? AND paper_id = ?", [group, paper_id])
        return cursor.rowcount > 0

    def shortlist(self, group: str) -> list[dict]:
        """A group's proposals (grp, paper_id, proposer, proposed, likes: its likes in the
        group), oldest first."""
        return self._dicts(
            "SELECT s.grp, s.paper_id, s.proposer, s.proposed, "
            "(SELECT count(*) FROM signals g WHERE g.grp = s.grp AND g.paper_id = s.paper_id AND g.kind = 'like') "
            "AS likes FROM club_shortlist s WHERE s.grp = ? ORDER BY s.proposed, s.paper_id", [group],
        )

    def group_like_counts(self, group: str, paper_ids: Iterable[int]) -> dict[int, int]:
        """How many people liked each of these papers in a group (papers nobody liked: absent)."""
        ids = list(paper_ids)
        if not ids:
            return {}
        rows = self._read().execute(
            f"SELECT paper_id, count(*) FROM signals WHERE grp = ? AND kind = 'like' "
            f"AND paper_id IN ({','.join('?' * len(ids))}) GROUP BY paper_id", [group, *ids])
        return {r[0]: r[1] for r in rows}

    def add_session(self, row: dict) -> int:
        """Record a session (columns as in `club_sessions`, without id; `created` now unless
        given) and take its paper off the shortlist, together; returns its id."""
        row = {**row, "created": row.get("created") or _now()}
        with self._writing() as db:
            cursor = db.execute(
                f"INSERT INTO club_sessions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()),
            )
            db.execute("DELETE FROM club_shortlist WHERE grp = ? AND paper_id = ?", [row["grp"], row["paper_id"]])
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def session(self, session_id: int) -> dict | None:
        rows = self._dicts("SELECT * FROM club_sessions WHERE id = ?", [session_id])
        return rows[0] if rows else None

    def sessions(self, group: str | None = None, statuses: Iterable[str] = (), after: str | None = None,
                 before: str | None = None, newest_first: bool = False) -> list[dict]:
        """Sessions (of a group, in some states, starting after and before given UTC times), in
        order of their start."""
        clauses, params = ["1"], []
        if group is not None:
            clauses.append("grp = ?")
            params.append(group)
        wanted = list(statuses)
        if wanted:
            clauses.append(f"status IN ({','.join('?' * len(wanted))})")
            params += wanted
        if after is not None:
            clauses.append("starts > ?")
            params.append(after)
        if before is not None:
            clauses.append("starts <= ?")
            params.append(before)
        order = "DESC" if newest_first else ""
        return self._dicts(f"SELECT * FROM club_sessions WHERE {' AND '.join(clauses)} "
                           f"ORDER BY starts {order}, id {order}", params)

    def update_session(self, session_id: int, **changes: Any) -> None:
        with self._writing():
            self.db.table("club_sessions").update(session_id, changes)

    def club_paper_ids(self, group: str, before: str | None = None) -> set[int]:
        """Papers a group's sessions were (or, without `before`, are to be) about, cancelled
        ones aside; with `before`, only those that started by then."""
        sql = "SELECT paper_id FROM club_sessions WHERE grp = ? AND status != 'cancelled'"
        params: list[Any] = [group]
        if before is not None:
            sql += " AND starts <= ?"
            params.append(before)
        return {r[0] for r in self._read().execute(sql, params)}

    def add_poll(self, row: dict) -> int:
        with self._writing() as db:
            cursor = db.execute(
                f"INSERT INTO club_polls ({', '.join(row)}, created) VALUES ({', '.join('?' * len(row))}, ?)",
                [*row.values(), _now()],
            )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def poll(self, poll_id: int) -> dict | None:
        rows = self._dicts("SELECT * FROM club_polls WHERE id = ?", [poll_id])
        return rows[0] if rows else None

    def polls(self, states: Iterable[str], group: str | None = None) -> list[dict]:
        wanted = list(states)
        sql = f"SELECT * FROM club_polls WHERE state IN ({','.join('?' * len(wanted))})"
        params: list[Any] = wanted
        if group is not None:
            sql += " AND grp = ?"
            params = [*wanted, group]
        return self._dicts(sql + " ORDER BY id", params)

    def update_poll(self, poll_id: int, **changes: Any) -> None:
        with self._writing():
            self.db.table("club_polls").update(poll_id, changes)

    def reminder(self, session_id: int, kind: str) -> dict | None:
        rows = self._dicts("SELECT * FROM club_reminders WHERE session_id = ? AND kind = ?", [session_id, kind])
        return rows[0] if rows else None

    def reminders(self, status: str) -> list[dict]:
        return self._dicts("SELECT * FROM club_reminders WHERE status = ? ORDER BY session_id, kind", [status])

    def record_reminder(self, session_id: int, kind: str, status: str) -> bool:
        """Record a reminder as pending (or skipped) once; False when it was recorded before."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO club_reminders (session_id, kind, status, created) VALUES (?, ?, ?, ?)",
                [session_id, kind, status, _now()],
            )
        return cursor.rowcount > 0

    def set_reminder_status(self, session_id: int, kind: str, status: str, sent: str | None = None) -> None:
        with self._writing() as db:
            db.execute("UPDATE club_reminders SET status = ?, sent = ? WHERE session_id = ? AND kind = ?",
                       [status, sent, session_id, kind])

    # -- stats -----------------------------------------------------------------------------

    def stats(self) -> dict:
        count = self.count_papers()
        categories = self._read().execute(
            "SELECT primary_category, count(*) FROM papers WHERE primary_category IS NOT NULL "
            "GROUP BY primary_category ORDER BY count(*) DESC, primary_category LIMIT 10"
        ).fetchall()
        langs = self._read().execute("SELECT lang, count(*) FROM papers GROUP BY lang ORDER BY 2 DESC").fetchall()
        span = self._read().execute("SELECT min(published), max(published) FROM papers").fetchone()
        return {
            "papers": count,
            "sources": self._read().execute("SELECT count(*) FROM sources").fetchone()[0],
            "files": self._read().execute("SELECT count(DISTINCT path) FROM sources").fetchone()[0],
            "with_arxiv_id": self._read().execute("SELECT count(*) FROM papers WHERE arxiv_id IS NOT NULL").fetchone()[0],
            "derived_titles": self._read().execute("SELECT count(*) FROM papers WHERE title_derived = 1").fetchone()[0],
            "top_categories": {c: n for c, n in categories},
            "languages": {lang: n for lang, n in langs},
            "published_from": span[0],
            "published_to": span[1],
            "schema_version": self.schema_version,
        }

