"""The only SQL in paperclub: the SQLite file, its schema and migrations, and every query.

One `Store` owns one connection. It is opened with `check_same_thread=False` so that the bot can
hand it to its single worker thread; it must only ever be used from one thread at a time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import sqlite_utils

from .merge import Fields, title_key
from .papers import Paper, Source
from .text import spaced_cjk

SNIPPET_START = "\x02"
SNIPPET_END = "\x03"
TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT = 8.0, 1.0, 2.0


def _v1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["papers"].create(
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
    db["papers"].create_index(["arxiv_id"], unique=True)
    db["papers"].create_index(["title_key"])
    db["papers"].create_index(["primary_category"])
    db["papers"].create_index(["published"])
    db["sources"].create(
        {"paper_id": int, "path": str, "line": int, "format": str},
        pk=("path", "line", "paper_id"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db["sources"].create_index(["paper_id"])
    db["paper_sketch"].create({"key": int, "paper_id": int}, pk=("key", "paper_id"))
    db["paper_sketch"].create_index(["paper_id"])
    db.execute(
        "CREATE VIRTUAL TABLE papers_fts USING fts5("
        "title, abstract, authors, tokenize = 'porter unicode61 remove_diacritics 2')"
    )


def _v2(db: sqlite_utils.Database) -> None:
    db["signals"].create(
        {"user": str, "paper_id": int, "grp": str, "kind": str, "created": str},
        pk=("user", "paper_id", "grp"),
        not_null={"kind", "created"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db["signals"].create_index(["grp", "kind"])
    db["signals"].create_index(["paper_id"])
    db["deliveries"].create(
        {"recipient": str, "paper_id": int, "delivered": str},
        pk=("recipient", "paper_id"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db["papers"].create_index(["updated"])


def _v3(db: sqlite_utils.Database) -> None:
    db["subscriptions"].create(
        {"target": str, "kind": str, "grp": str, "channel_id": int, "user_id": str,
         "categories": str, "post_time": str, "timezone": str, "size": int, "cross_lists": int,
         "say_when_empty": int, "paused": str, "created_by": str, "updated": str},
        pk="target",
        not_null={"kind", "categories", "post_time", "timezone", "size", "updated"},
    )
    db["channel_options"].create({"channel_id": int, "links": int, "updated": str}, pk="channel_id")
    db["feed_fetches"].create(
        {"category": str, "day": str, "status": str, "fetched": str, "message": str},
        pk=("category", "day"),
    )
    db["announcements"].create(
        {"category": str, "day": str, "paper_id": int, "type": str},
        pk=("category", "day", "paper_id"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db["digests"].create(
        {"id": int, "target": str, "local_day": str, "announce_day": str, "status": str,
         "kind": str, "categories": str, "paper_ids": str, "reasons": str, "parts_sent": int, "created": str, "sent": str},
        pk="id",
        not_null={"target", "local_day", "status", "kind", "created"},
    )
    db["digests"].create_index(["target", "local_day"], unique=True)
    db["digests"].create_index(["status"])


# Each migration takes the database from version N to N+1; append, never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The file was written by a newer paperclub than this one."""


@dataclass(frozen=True)
class SearchHit:
    paper: Paper
    rank: float
    snippet: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _now_precise() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _json(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            with self.db.ensure_autocommit_on():
                self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    # -- schema ---------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{self.path} has schema version {current}, newer than this paperclub "
                f"understands ({SCHEMA_VERSION}); upgrade paperclub to open it"
            )
        for version in range(current, SCHEMA_VERSION):
            with self.db.atomic():
                MIGRATIONS[version](self.db)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested blocks use savepoints)."""
        with self.db.atomic():
            yield

    # -- meta -----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value]
            )

    # -- papers: finding candidates for a merge ---------------------------------------------

    def id_by_arxiv(self, arxiv_id: str) -> int | None:
        row = self.db.conn.execute("SELECT id FROM papers WHERE arxiv_id = ?", [arxiv_id]).fetchone()
        return row[0] if row else None

    def ids_by_title_key(self, key: str) -> list[int]:
        return [r[0] for r in self.db.conn.execute("SELECT id FROM papers WHERE title_key = ?", [key])]

    def ids_by_sketch(self, keys: list[int], min_shared: int = 2) -> list[int]:
        """Papers whose abstract sketch shares at least `min_shared` keys with `keys`."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self.db.conn.execute(
            f"SELECT paper_id, count(*) AS n FROM paper_sketch WHERE key IN ({marks}) "
            "GROUP BY paper_id HAVING n >= ? ORDER BY n DESC LIMIT 20", keys + [min_shared]
        )
        return [r[0] for r in rows]

    def fields(self, paper_id: int) -> Fields | None:
        row = self.db.execute(
            "SELECT title, title_derived, abstract, authors, authors_truncated, organisations, "
            "categories, published, arxiv_id, version, has_code, lang FROM papers WHERE id = ?",
            [paper_id],
        ).fetchone()
        if row is None:
            return None
        return Fields(
            title=row[0], title_derived=bool(row[1]), abstract=row[2], authors=json.loads(row[3]),
            authors_truncated=bool(row[4]), organisations=json.loads(row[5]),
            categories=json.loads(row[6]), published=date.fromisoformat(row[7]) if row[7] else None,
            arxiv_id=row[8], version=row[9], has_code=None if row[10] is None else bool(row[10]),
            lang=row[11],
        )

    # -- papers: writing -------------------------------------------------------------------

    def insert_paper(self, f: Fields, shingle_sketch: list[int]) -> int:
        now = _now_precise()
        cursor = self.db.conn.execute(
            "INSERT INTO papers (arxiv_id, title, title_derived, title_key, abstract, authors, "
            "authors_truncated, organisations, categories, primary_category, published, year, "
            "version, has_code, lang, added, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._row(f) + [now, now],
        )
        paper_id = cursor.lastrowid
        self._index_text(paper_id, f, replace=False)
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO paper_sketch (key, paper_id) VALUES (?, ?)",
            [(k, paper_id) for k in shingle_sketch],
        )
        return paper_id

    def update_paper(self, paper_id: int, f: Fields, old: Fields) -> None:
        self.db.execute(
            "UPDATE papers SET arxiv_id = ?, title = ?, title_derived = ?, title_key = ?, "
            "abstract = ?, authors = ?, authors_truncated = ?, organisations = ?, categories = ?, "
            "primary_category = ?, published = ?, year = ?, version = ?, has_code = ?, lang = ?, "
            "updated = ? WHERE id = ?",
            self._row(f) + [_now_precise(), paper_id],
        )
        if (f.title, f.abstract, f.authors) != (old.title, old.abstract, old.authors):
            self._index_text(paper_id, f, replace=True)

    def add_sketch(self, paper_id: int, shingle_sketch: list[int]) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO paper_sketch (key, paper_id) VALUES (?, ?)",
            [(k, paper_id) for k in shingle_sketch],
        )

    def add_source(self, paper_id: int, source: Source) -> bool:
        """Record where a paper was seen; False when that place was already recorded."""
        cursor = self.db.conn.execute(
            "INSERT OR IGNORE INTO sources (paper_id, path, line, format) VALUES (?, ?, ?, ?)",
            [paper_id, source.path, source.line, source.format],
        )
        return cursor.rowcount > 0

    @staticmethod
    def _row(f: Fields) -> list:
        return [
            f.arxiv_id, f.title, int(f.title_derived), title_key(f.title) if not f.title_derived else None,
            f.abstract, _json(f.authors), int(f.authors_truncated), _json(f.organisations),
            _json(f.categories), f.categories[0] if f.categories else None,
            f.published.isoformat() if f.published else None,
            f.published.year if f.published else None, f.version,
            None if f.has_code is None else int(f.has_code), f.lang,
        ]

    def _index_text(self, paper_id: int, f: Fields, replace: bool) -> None:
        if replace:
            self.db.conn.execute("DELETE FROM papers_fts WHERE rowid = ?", [paper_id])
        self.db.conn.execute(
            "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
            [paper_id, spaced_cjk(f.title), spaced_cjk(f.abstract), spaced_cjk(", ".join(f.authors))],
        )

    # -- papers: reading -------------------------------------------------------------------

    _PAPER_COLUMNS = (
        "p.id, p.title, p.title_derived, p.authors, p.authors_truncated, p.abstract, p.categories, "
        "p.published, p.arxiv_id, p.lang, p.has_code, p.organisations, p.added"
    )

    def _paper(self, row: sqlite3.Row | tuple, with_sources: bool = False) -> Paper:
        paper_id = row[0]
        sources = self.sources(paper_id) if with_sources else []
        return Paper(
            id=paper_id, title=row[1], title_derived=bool(row[2]), authors=json.loads(row[3]),
            authors_truncated=bool(row[4]), abstract=row[5], categories=json.loads(row[6]),
            published=date.fromisoformat(row[7]) if row[7] else None, arxiv_id=row[8], lang=row[9],
            has_code=None if row[10] is None else bool(row[10]), organisations=json.loads(row[11]),
            sources=sources, added=row[12],
        )

    def sources(self, paper_id: int) -> list[Source]:
        rows = self.db.execute(
            "SELECT path, line, format FROM sources WHERE paper_id = ? ORDER BY path, line", [paper_id]
        )
        return [Source(*r) for r in rows]

    def paper(self, paper_id: int) -> Paper | None:
        row = self.db.execute(
            f"SELECT {self._PAPER_COLUMNS} FROM papers p WHERE p.id = ?", [paper_id]
        ).fetchone()
        return self._paper(row, with_sources=True) if row else None

    def papers(self, ids: Iterable[int]) -> list[Paper]:
        """Papers by id, in the order asked for (unknown ids are skipped)."""
        ids = list(ids)
        if not ids:
            return []
        found: dict[int, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT {self._PAPER_COLUMNS} FROM papers p WHERE p.id IN ({marks})", chunk
            ):
                found[row[0]] = self._paper(row)
        return [found[i] for i in ids if i in found]

    def ids_by_title_phrase(self, phrase_match: str, limit: int = 50) -> list[tuple[int, str]]:
        rows = self.db.execute(
            "SELECT p.id, p.title FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid "
            "WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, ?, ?, ?) LIMIT ?",
            [phrase_match, TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT, limit],
        )
        return [(r[0], r[1]) for r in rows]

    def ids_by_exact_title(self, title: str) -> list[int]:
        key = title_key(title)
        if key is None:
            rows = self.db.execute("SELECT id FROM papers WHERE lower(title) = lower(?)", [title])
            return [r[0] for r in rows]
        return self.ids_by_title_key(key)

    def titles(self, limit: int | None = None) -> list[tuple[int, str]]:
        sql = "SELECT id, title FROM papers ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [(r[0], r[1]) for r in self.db.execute(sql)]

    def count_papers(self) -> int:
        return self.db.execute("SELECT count(*) FROM papers").fetchone()[0]

    def all_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM papers ORDER BY id")]

    def random_id(self, category: str | None = None, offset_fraction: float = 0.0) -> int | None:
        """The paper at a uniform position of the (optionally category-filtered) id order."""
        where, params = self._category_clause(category)
        total = self.db.execute(f"SELECT count(*) FROM papers p WHERE {where}", params).fetchone()[0]
        if total == 0:
            return None
        offset = min(total - 1, int(offset_fraction * total))
        row = self.db.execute(
            f"SELECT p.id FROM papers p WHERE {where} ORDER BY p.id LIMIT 1 OFFSET ?", params + [offset]
        ).fetchone()
        return row[0]

    @staticmethod
    def _category_clause(category: str | None) -> tuple[str, list]:
        if not category:
            return "1", []
        return (
            "EXISTS (SELECT 1 FROM json_each(p.categories) c WHERE lower(c.value) = lower(?) "
            "OR lower(c.value) LIKE '%.' || lower(?))",
            [category, category],
        )

    def _filters(
        self, categories: Iterable[str], years: tuple[int, int] | None,
        clauses: list[str] | None = None, params: list | None = None,
    ) -> tuple[str, list]:
        """A WHERE clause (over `papers p`) for category and year filters, after any given."""
        clauses, params = list(clauses or ["1"]), list(params or [])
        for category in categories:
            clause, args = self._category_clause(category)
            clauses.append(clause)
            params += args
        if years:
            clauses.append("p.year BETWEEN ? AND ?")
            params += [years[0], years[1]]
        return " AND ".join(clauses), params

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        match: str,
        categories: Iterable[str] = (),
        years: tuple[int, int] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Papers matching an FTS5 expression, best first (bm25 with the title weighted most).

        Ranking reads only the full-text index; paper rows and snippets are fetched for the
        page alone, so a query on a common word stays fast in a large library.
        """
        join = ""
        if categories or years:
            join = "JOIN papers p ON p.id = papers_fts.rowid "
        where, params = self._filters(categories, years, ["papers_fts MATCH ?"], [match])
        ranked = self.db.conn.execute(
            f"SELECT papers_fts.rowid, bm25(papers_fts, ?, ?, ?) AS rank FROM papers_fts {join}"
            f"WHERE {where} ORDER BY rank LIMIT ? OFFSET ?",
            [TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT] + params + [limit, offset],
        ).fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        marks = ",".join("?" * len(ids))
        snippets = dict(self.db.conn.execute(
            f"SELECT rowid, snippet(papers_fts, 1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 40) "
            f"FROM papers_fts WHERE papers_fts MATCH ? AND rowid IN ({marks})", [match] + ids
        ).fetchall())
        papers = {paper.id: paper for paper in self.papers(ids)}
        return [
            SearchHit(papers[pid], rank, snippets.get(pid) or "") for pid, rank in ranked if pid in papers
        ]

    def filter_papers(
        self, categories: Iterable[str] = (), years: tuple[int, int] | None = None,
        limit: int = 10, offset: int = 0,
    ) -> list[Paper]:
        """Papers by category and year alone, newest first."""
        where, params = self._filters(categories, years)
        rows = self.db.execute(
            f"SELECT {self._PAPER_COLUMNS} FROM papers p WHERE {where} "
            "ORDER BY p.published IS NULL, p.published DESC, p.id LIMIT ? OFFSET ?",
            params + [limit, offset],
        )
        return [self._paper(row) for row in rows]

    # -- likes and deliveries ----------------------------------------------------------------

    def set_signal(self, user: str, paper_id: int, kind: str, group: str | None) -> bool:
        """Record a like or dislike (replacing the other); False when it was already there."""
        grp = group or ""
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT kind FROM signals WHERE user = ? AND paper_id = ? AND grp = ?",
                [user, paper_id, grp],
            ).fetchone()
            if existing and existing[0] == kind:
                return False
            self.db.execute(
                "INSERT INTO signals (user, paper_id, grp, kind, created) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(user, paper_id, grp) DO UPDATE SET kind = excluded.kind, "
                "created = excluded.created",
                [user, paper_id, grp, kind, _now_precise()],
            )
        return True

    def clear_signals(self, user: str, paper_id: int) -> int:
        with self.db.atomic():
            cursor = self.db.execute("DELETE FROM signals WHERE user = ? AND paper_id = ?", [user, paper_id])
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
        rows = self.db.execute(
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
        return [(r[0], r[1]) for r in self.db.execute(sql + " ORDER BY created", params)]

    def mark_delivered(self, recipient: str, paper_ids: Iterable[int]) -> None:
        now = _now()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO deliveries (recipient, paper_id, delivered) VALUES (?, ?, ?)",
                [(recipient, pid, now) for pid in paper_ids],
            )

    def delivered(self, recipient: str) -> set[int]:
        rows = self.db.execute("SELECT paper_id FROM deliveries WHERE recipient = ?", [recipient])
        return {r[0] for r in rows}

    def seed_paper_ids(self) -> list[int]:
        """Papers that came with paperclub (seen in the bundled seed listings)."""
        rows = self.db.execute(
            "SELECT DISTINCT paper_id FROM sources WHERE path LIKE 'seeds/%' ORDER BY paper_id"
        )
        return [r[0] for r in rows]

    def recent_ids(self, limit: int) -> list[int]:
        rows = self.db.execute(
            "SELECT id FROM papers WHERE published IS NOT NULL ORDER BY published DESC, id DESC LIMIT ?",
            [limit],
        )
        return [r[0] for r in rows]

    # -- text for the TF-IDF index ----------------------------------------------------------

    def index_rows(self, since: str = "") -> Iterator[tuple[int, str, str, list[str]]]:
        """(id, title, abstract, categories) of papers changed at or after `since`."""
        rows = self.db.execute(
            "SELECT id, title, abstract, categories FROM papers WHERE updated >= ? ORDER BY id", [since]
        )
        for row in rows:
            yield row[0], row[1], row[2], json.loads(row[3])

    def last_update(self) -> str:
        row = self.db.execute("SELECT max(updated) FROM papers").fetchone()
        return row[0] or ""

    # -- digests ---------------------------------------------------------------------------

    def save_subscription(self, row: dict) -> None:
        """Insert or replace one subscription row (columns as in the `subscriptions` table)."""
        with self.db.atomic():
            self.db["subscriptions"].upsert({**row, "updated": row.get("updated") or _now()}, pk="target")

    def subscription(self, target: str) -> dict | None:
        rows = list(self.db["subscriptions"].rows_where("target = ?", [target]))
        return rows[0] if rows else None

    def subscriptions(self, group: str | None = None) -> list[dict]:
        if group is None:
            return list(self.db["subscriptions"].rows_where(order_by="target"))
        return list(self.db["subscriptions"].rows_where("grp = ?", [group], order_by="target"))

    def delete_subscription(self, target: str) -> bool:
        with self.db.atomic():
            cursor = self.db.execute("DELETE FROM subscriptions WHERE target = ?", [target])
        return cursor.rowcount > 0

    def set_paused(self, target: str, reason: str | None) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE subscriptions SET paused = ? WHERE target = ?", [reason, target]
            )

    def set_links(self, channel_id: int, on: bool) -> None:
        with self.db.atomic():
            self.db["channel_options"].upsert(
                {"channel_id": channel_id, "links": int(on), "updated": _now()}, pk="channel_id"
            )

    def links_on(self, channel_id: int) -> bool:
        row = self.db.execute("SELECT links FROM channel_options WHERE channel_id = ?", [channel_id]).fetchone()
        return bool(row and row[0])

    def feed_fetch(self, category: str, day: str) -> dict | None:
        rows = list(self.db["feed_fetches"].rows_where("category = ? AND day = ?", [category, day]))
        return rows[0] if rows else None

    def record_feed_fetch(self, category: str, day: str, status: str, message: str, fetched: str) -> None:
        self.db["feed_fetches"].upsert(
            {"category": category, "day": day, "status": status, "fetched": fetched, "message": message},
            pk=("category", "day"),
        )

    def add_announced(self, category: str, day: str, entries: Iterable[tuple[int, str]]) -> None:
        """Remember which papers a category announced on a day (and how: new or cross)."""
        self.db.conn.executemany(
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
        rows = self.db.execute(
            f"SELECT paper_id FROM announcements WHERE day = ? "
            f"AND category IN ({','.join('?' * len(categories))}) "
            f"AND type IN ({','.join('?' * len(types))}) GROUP BY paper_id ORDER BY min(rowid)",
            [day, *categories, *types],
        )
        return [r[0] for r in rows]

    def create_digest(self, row: dict) -> int:
        """Record a digest (columns as in the `digests` table, without id); returns its id."""
        return self.db["digests"].insert({**row, "created": _now()}).last_pk

    def digest(self, digest_id: int) -> dict | None:
        rows = list(self.db["digests"].rows_where("id = ?", [digest_id]))
        return rows[0] if rows else None

    def digest_for(self, target: str, local_day: str) -> dict | None:
        rows = list(self.db["digests"].rows_where("target = ? AND local_day = ?", [target, local_day]))
        return rows[0] if rows else None

    def digests_with_status(self, status: str) -> list[dict]:
        return list(self.db["digests"].rows_where("status = ?", [status], order_by="id"))

    def digested_announcement(self, target: str, announce_day: str) -> bool:
        """True when a digest of that announcement day was already recorded for the target."""
        row = self.db.execute(
            "SELECT 1 FROM digests WHERE target = ? AND announce_day = ? AND status IN ('pending', 'sent', 'skipped') LIMIT 1",
            [target, announce_day],
        ).fetchone()
        return row is not None

    def update_digest(self, digest_id: int, **changes) -> None:
        with self.db.atomic():
            self.db["digests"].update(digest_id, changes)

    # -- stats -----------------------------------------------------------------------------

    def stats(self) -> dict:
        count = self.count_papers()
        categories = self.db.execute(
            "SELECT primary_category, count(*) FROM papers WHERE primary_category IS NOT NULL "
            "GROUP BY primary_category ORDER BY count(*) DESC, primary_category LIMIT 10"
        ).fetchall()
        langs = self.db.execute("SELECT lang, count(*) FROM papers GROUP BY lang ORDER BY 2 DESC").fetchall()
        span = self.db.execute("SELECT min(published), max(published) FROM papers").fetchone()
        return {
            "papers": count,
            "sources": self.db.execute("SELECT count(*) FROM sources").fetchone()[0],
            "files": self.db.execute("SELECT count(DISTINCT path) FROM sources").fetchone()[0],
            "with_arxiv_id": self.db.execute("SELECT count(*) FROM papers WHERE arxiv_id IS NOT NULL").fetchone()[0],
            "derived_titles": self.db.execute("SELECT count(*) FROM papers WHERE title_derived = 1").fetchone()[0],
            "top_categories": {c: n for c, n in categories},
            "languages": {lang: n for lang, n in langs},
            "published_from": span[0],
            "published_to": span[1],
            "schema_version": self.schema_version,
        }

