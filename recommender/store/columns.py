"""How a paper's fields are written to its columns and read back, and the rows kept beside a
paper's columns: its full-text row and its categories. Used by the migrations and by the papers'
statements alike."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from ..papers import Fields, Precision, stored_fields
from ..people import Person
from ..text import spaced_cjk
from ..worktypes import Kind

_JSON = json.JSONEncoder(ensure_ascii=False)  # one encoder: json.dumps makes one a call for these settings


def json_list(values: Iterable[str]) -> str:
    return _JSON.encode(list(values))


def people_json(people: Iterable[Person]) -> str:
    return _JSON.encode([person.to_dict() for person in people])


def people(text: str) -> list[Person]:
    return [Person.from_dict(value) for value in json.loads(text)]


def stored_names(authors_json: str) -> list[str]:
    """The names of a stored author list as cards show them (for the full-text index)."""
    return [Person.from_dict(a).display for a in json.loads(authors_json)]


# How each codec of a stored field (`papers.stored`) is written to its column and read back.
_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "text": lambda v: v, "int": lambda v: v, "bool": int,
    "maybe_bool": lambda v: None if v is None else int(v),
    "date": lambda v: v.isoformat() if v else None,
    "json": json_list, "people": people_json,
    "kind": lambda v: v.value if v else None, "precision": lambda v: v.value,
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "text": lambda v: v, "int": lambda v: v, "bool": bool,
    "maybe_bool": lambda v: None if v is None else bool(v),
    "date": lambda v: date.fromisoformat(v) if v else None,
    "json": json.loads, "people": people,
    "kind": lambda v: Kind(v) if v else None, "precision": Precision,
}
# Columns kept beside the fields, for look-ups: what the store derives itself, and the keys
# merging finds papers by (`merge.keys_of`, given by the caller).
_DERIVED = ("primary_category", "year")
FIELD_SELECT = ", ".join(name for name, _ in stored_fields())


def encoded(f: Fields) -> dict[str, Any]:
    """A paper's columns: its stored fields and what is derived from them."""
    values = {name: _ENCODERS[codec](getattr(f, name)) for name, codec in stored_fields()}
    return {**values, **{name: getattr(f, name) for name in _DERIVED}}


def decoded(row: sqlite3.Row) -> dict[str, Any]:
    """A paper's stored fields from its row, by column name."""
    return {name: _DECODERS[codec](row[name]) for name, codec in stored_fields()}


def write_fts(conn: sqlite3.Connection, paper_id: int, title: str, abstract: str,
              authors: list[str], replace: bool) -> None:
    if replace:
        conn.execute("DELETE FROM papers_fts WHERE rowid = ?", [paper_id])
    conn.execute(
        "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
        [paper_id, spaced_cjk(title), spaced_cjk(abstract), spaced_cjk(", ".join(authors))],
    )


def write_categories(conn: sqlite3.Connection, paper_id: int, categories: list[str], replace: bool) -> None:
    """A paper's categories, whole (`cs.lg`) and by their part after the dot (`lg`), in lower case."""
    if replace:
        conn.execute("DELETE FROM paper_categories WHERE paper_id = ?", [paper_id])
    conn.executemany(
        "INSERT OR IGNORE INTO paper_categories (name, short, paper_id) VALUES (?, ?, ?)",
        [(c.lower(), c.lower().partition(".")[2] or c.lower(), paper_id) for c in categories],
    )
