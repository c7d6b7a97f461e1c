"""Papers: their columns and the rows beside them (sources, abstract sketches, categories, the
full-text index, arXiv look-ups), finding them for a merge, searching and reading them."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..kinds import CheckOutcome, SessionStatus, SignalKind
from ..merge import title_key
from ..papers import Fields, Paper, Source, stored_fields
from ..people import displayed
from .columns import FIELD_SELECT, decoded, encoded, stored_names, write_categories, write_fts
from .connection import WRITE_STEP_SECONDS, StoreBase, UndoStep, now_precise

SNIPPET_START = "\x02"
SNIPPET_END = "\x03"
TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT = 8.0, 1.0, 2.0
# A sketch key shared by more papers than this is a placeholder's, not a paper's (see ids_by_sketch).
COMMON_SKETCH_KEY = 100
SKETCH_ROWS_A_WRITE = 4096
# The most sketch keys a journal keeps in memory (about 130 MB; 8 a paper) before storing them.
KEPT_SKETCH_KEYS = 1_000_000


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: Paper
    rank: float
    snippet: str


@dataclass(frozen=True, slots=True)
class TitleRow:
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the TF-IDF index reads of a paper."""

    id: int
    title: str
    abstract: str
    categories: list[str]


@dataclass(frozen=True, slots=True)
class StatsRow:
    """Figures about the library's papers."""

    papers: int
    sources: int
    files: int
    with_arxiv_id: int
    derived_titles: int
    top_categories: dict[str, int]
    languages: dict[str, int]
    published_from: str | None
    published_to: str | None
    schema_version: int


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
    write_fts(db, paper_id, before["title"], before["abstract"], stored_names(before["authors"]), replace=True)
    write_categories(db, paper_id, json.loads(before["categories"]), replace=True)


def _undo_source(db: sqlite3.Connection, paper_id: int, place: list[Any]) -> None:
    db.execute("DELETE FROM sources WHERE paper_id = ? AND path = ? AND line = ?", [paper_id, *place])


def _undo_sketch(db: sqlite3.Connection, paper_id: int, keys: list[int]) -> None:
    db.executemany("DELETE FROM paper_sketch WHERE key = ? AND paper_id = ?", [(k, paper_id) for k in keys])



PAPER_UNDO: dict[str, UndoStep] = {
    "paper": _undo_paper, "fields": _undo_fields, "source": _undo_source, "sketch": _undo_sketch,
}


class PaperStore(StoreBase):
    """Papers and what the store keeps beside them."""

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
        rows = self._rows(f"SELECT {FIELD_SELECT} FROM papers WHERE id = ?", [paper_id])
        return Fields(**decoded(rows[0])) if rows else None

    # -- papers: writing -------------------------------------------------------------------

    def insert_paper(self, f: Fields, keys: Mapping[str, str | None], shingle_sketch: list[int]) -> int:
        """Store a new paper with the keys merging finds it by (`merge.keys_of`)."""
        now = now_precise()
        values = {**encoded(f), **keys, "added": now, "updated": now}
        names = list(values)
        with self._writing() as db:
            cursor = db.execute(
                f"INSERT INTO papers ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                list(values.values()),
            )
            paper_id = cursor.lastrowid
            assert paper_id is not None
            self._undo(db, "paper", paper_id)
            write_fts(db, paper_id, f.title, f.abstract, displayed(f.authors), replace=False)
            write_categories(db, paper_id, f.categories, replace=False)
            if not self._keep_sketch(paper_id, shingle_sketch):
                self._add_sketch(db, paper_id, shingle_sketch)
        return paper_id

    def update_paper(self, paper_id: int, f: Fields, old: Fields, keys: Mapping[str, str | None]) -> None:
        """Rewrite a paper's fields (and its keys, `merge.keys_of`) after a merge."""
        values = {**encoded(f), **keys, "updated": now_precise()}
        with self._writing() as db:
            if self._journal() is not None:
                before = db.execute(f"SELECT {', '.join(values)} FROM papers WHERE id = ?", [paper_id]).fetchone()
                self._undo(db, "fields", paper_id, dict(zip(values, before)))
            db.execute(
                f"UPDATE papers SET {', '.join(f'{name} = ?' for name in values)} WHERE id = ?",
                [*values.values(), paper_id],
            )
            if (f.title, f.abstract, f.authors) != (old.title, old.abstract, old.authors):
                write_fts(db, paper_id, f.title, f.abstract, displayed(f.authors), replace=True)
            if f.categories != old.categories:
                write_categories(db, paper_id, f.categories, replace=True)

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
        if not self._journal_added(paper_id):
            return False
        pending: dict[int, tuple[int, ...]] = self._local.journal_sketches
        for key in shingle_sketch:
            held = pending.get(key, ())
            if paper_id not in held:
                pending[key] = (*held, paper_id)
        return True

    def _write_kept(self) -> None:
        self._write_sketches(self._local.journal_sketches)

    def _forget_kept(self) -> None:
        self._local.journal_sketches = {}

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

    def record_arxiv_check(self, paper_id: int, outcome: CheckOutcome, checked: str) -> None:
        """Remember that a paper was looked up on arXiv, and what came of it."""
        with self._writing() as db:
            db.execute(
                "INSERT INTO arxiv_checks (paper_id, checked, outcome) VALUES (?, ?, ?) "
                "ON CONFLICT(paper_id) DO UPDATE SET checked = excluded.checked, "
                "outcome = excluded.outcome", [paper_id, checked, outcome],
            )

    def arxiv_checks(self) -> dict[CheckOutcome, int]:
        """How many papers each look-up outcome has."""
        rows = self._read().execute("SELECT outcome, count(*) FROM arxiv_checks GROUP BY outcome")
        return {CheckOutcome(r[0]): r[1] for r in rows}

    # -- papers: reading -------------------------------------------------------------------

    _PAPER_COLUMNS = "p.id, p.added, " + ", ".join(f"p.{name}" for name, _ in stored_fields())

    def _paper(self, row: sqlite3.Row, with_sources: bool = False) -> Paper:
        paper_id = row["id"]
        sources = self.sources(paper_id) if with_sources else []
        return Paper(id=paper_id, added=row["added"], sources=sources, **decoded(row))

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

    def ids_by_title_phrase(self, phrase_match: str, limit: int = 50) -> list[TitleRow]:
        """Papers matching a full-text expression, best first."""
        rows = self._read().execute(
            "SELECT p.id, p.title FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid "
            "WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, ?, ?, ?) LIMIT ?",
            [phrase_match, TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT, limit],
        )
        return [TitleRow(*row) for row in rows]

    def ids_by_exact_title(self, title: str) -> list[int]:
        key = title_key(title)
        if key is None:
            rows = self._read().execute("SELECT id FROM papers WHERE lower(title) = lower(?)", [title])
            return [r[0] for r in rows]
        return self.ids_by_title_key(key)

    def titles(self, limit: int | None = None) -> list[TitleRow]:
        sql = "FROM papers ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._select(TitleRow, sql)

    def count_papers(self) -> int:
        return int(self._scalar("SELECT count(*) FROM papers"))

    def all_ids(self) -> list[int]:
        return [r[0] for r in self._read().execute("SELECT id FROM papers ORDER BY id")]

    def random_id(self, category: str | None = None, offset_fraction: float = 0.0,
                  skip_disliked_by: str | None = None, skip_club_of: str | None = None) -> int | None:
        """The paper at a uniform position of the (optionally category-filtered) id order,
        leaving out papers one person marked "not for me" and those a group's paper club read
        (or will read)."""
        where, params = self._category_clause(category)
        if skip_disliked_by is not None:
            where += " AND p.id NOT IN (SELECT paper_id FROM signals WHERE user = ? AND kind = ?)"
            params += [skip_disliked_by, SignalKind.DISLIKE]
        if skip_club_of is not None:
            where += " AND p.id NOT IN (SELECT paper_id FROM club_sessions WHERE grp = ? AND status != ?)"
            params += [skip_club_of, SessionStatus.CANCELLED]
        total = self._read().execute(f"SELECT count(*) FROM papers p WHERE {where}", params).fetchone()[0]
        if total == 0:
            return None
        offset = min(total - 1, int(offset_fraction * total))
        row = self._read().execute(
            f"SELECT p.id FROM papers p WHERE {where} ORDER BY p.id LIMIT 1 OFFSET ?", params + [offset]
        ).fetchone()
        return int(row[0])

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
        clauses: list[str] | None = None, params: list[Any] | None = None, venues: Iterable[str] = (),
    ) -> tuple[str, list[Any]]:
        """A WHERE clause (over `papers p`) for category, year and venue filters, after any given."""
        more, more_params = self._filter_clauses(categories, years, venues, "p.id")
        return " AND ".join([*(clauses or ["1"]), *more]), [*(params or []), *more_params]

    def _filter_clauses(self, categories: Iterable[str], years: tuple[int, int] | None, venues: Iterable[str],
                        category_column: str) -> tuple[list[str], list[Any]]:
        """The clauses (and their parameters) of category, year and venue filters: a category
        checked on `category_column`, a year and a venue on `papers p`."""
        clauses: list[str] = []
        params: list[Any] = []
        for category in categories:
            clause, args = self._category_clause(category, category_column)
            clauses.append(clause)
            params += args
        if years:
            clauses.append("p.year BETWEEN ? AND ?")
            params += [years[0], years[1]]
        for venue in venues:
            clause, args = self._venue_clause(venue)
            clauses.append(clause)
            params += args
        return clauses, params

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
                        venues: Iterable[str] = ()) -> tuple[str, str, list[Any]]:
        """A join and ` AND ...` clauses for category and year filters on the full-text table.

        A category is checked as `+rowid IN (...)`: matches are read in rowid order from the
        full-text index and each is looked up in the (small, indexed) set of the category's
        papers before bm25 scores it; the unary `+` keeps SQLite from instead starting one
        full-text query per paper of the category, and no paper row is read for a match.
        (Joining `papers` for it cost a row look-up per match: a common word with `cat:` took
        five times as long.) A year range or a venue still joins `papers`, which holds them."""
        venues = list(venues)
        clauses, params = self._filter_clauses(categories, years, venues, "+papers_fts.rowid")
        join = "JOIN papers p ON p.id = papers_fts.rowid " if years or venues else ""
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

    def index_rows(self, since: str = "") -> Iterator[IndexRow]:
        """What the index reads of the papers changed at or after `since`."""
        rows = self._read().execute(
            "SELECT id, title, abstract, categories FROM papers WHERE updated >= ? ORDER BY id", [since]
        )
        for paper_id, title, abstract, categories in rows:
            yield IndexRow(paper_id, title, abstract, json.loads(categories))

    def last_update(self) -> str:
        row = self._read().execute("SELECT max(updated) FROM papers").fetchone()
        return row[0] or ""

    # -- stats -----------------------------------------------------------------------------

    def stats(self) -> StatsRow:
        categories = self._read().execute(
            "SELECT primary_category, count(*) FROM papers WHERE primary_category IS NOT NULL "
            "GROUP BY primary_category ORDER BY count(*) DESC, primary_category LIMIT 10"
        ).fetchall()
        langs = self._read().execute("SELECT lang, count(*) FROM papers GROUP BY lang ORDER BY 2 DESC").fetchall()
        published_from, published_to = self._read().execute(
            "SELECT min(published), max(published) FROM papers").fetchone()
        return StatsRow(
            papers=self.count_papers(),
            sources=int(self._scalar("SELECT count(*) FROM sources")),
            files=int(self._scalar("SELECT count(DISTINCT path) FROM sources")),
            with_arxiv_id=int(self._scalar("SELECT count(*) FROM papers WHERE arxiv_id IS NOT NULL")),
            derived_titles=int(self._scalar("SELECT count(*) FROM papers WHERE title_derived = 1")),
            top_categories={c: n for c, n in categories},
            languages={lang: n for lang, n in langs},
            published_from=published_from,
            published_to=published_to,
            schema_version=self.schema_version,
        )
