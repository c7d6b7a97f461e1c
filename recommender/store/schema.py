"""The database's schema: each version's migration, and the version this paperclub writes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..merge import title_key
from ..people import Person
from ..text import clean_text
from ..worktypes import guess as guess_kind
from .columns import json_list, people_json, stored_names, write_categories, write_fts

if TYPE_CHECKING:
    import sqlite_utils


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
            [clean[0], None if derived else title_key(clean[0]), clean[1], json_list(clean[2]), paper_id],
        )
        write_fts(conn, paper_id, clean[0], clean[1], clean[2], replace=True)


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
        write_categories(db.conn, paper_id, json.loads(categories), replace=False)


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
        [(people_json([Person.from_dict(a) for a in json.loads(authors)]), guess_kind(venue, arxiv_id).value,
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
            write_fts(conn, paper_id, clean[0], clean[1], stored_names(authors), replace=True)


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


# How many segments of one size the full-text index gathers before merging them into one
# (SQLite's default is 4); it still merges at once when 16 pile up (`crisismerge`, left as it
# is). Each step of a large ingest commits a segment: merging them four at a time rewrote the
# same postings again and again. At 100,000 papers written 600 a step (bench/fts_merge.py),
# 8 wrote their text in 5.22 s instead of 6.11 s and left 13 segments instead of 8, and
# searches of title words took 2.78 ms instead of 2.41 at the median; 16 wrote in 4.58 s but
# left 17, and those searches took 3.44 ms.
FTS_AUTOMERGE = 8


def _v14(db: sqlite_utils.Database) -> None:
    """The full-text index merges its segments eight at a time (kept in its own settings)."""
    db.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('automerge', ?)", [FTS_AUTOMERGE])


# Each migration takes the database from version N to N+1; append, never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13, _v14,
]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The file was written by a newer paperclub than this one."""
