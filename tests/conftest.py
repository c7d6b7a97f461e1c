from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from recommender import Library
from recommender.store import Store
from tests.arxiv_server import arxiv_server, fake_gate  # noqa: F401

if TYPE_CHECKING:
    from recommender.digest import DigestBook

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
INGEST_DAY = date(2026, 11, 22)

_opened_stores: dict[str, Store] = {}
_to_close: list[Callable[[], None]] = []


def store_of(library: Library) -> Store:
    """The store of a library's file, opened beside the library's own (and closed after the
    test): a test that checks what the database keeps reads it itself, not through the facade,
    whose parts are private. A library in memory has no file to open beside it."""
    if library.path == ":memory:":
        raise ValueError("a library in memory has no file to open a store on")
    store = _opened_stores.get(library.path)
    if store is None:
        store = _opened_stores[library.path] = Store(library.path)
    return store


def digest_book(library: Library) -> DigestBook:
    """A digest book on a library's file, made of the parts the library makes its own of (see
    `recommender/library/parts.py`): an ingester and a recommender on the file's store, ranking
    over the library's index, and the library told when papers changed. Likes made through the
    library reach its recommender as they reach another process's: on its next ranking."""
    from recommender.digest import DigestBook
    from recommender.ingest import Ingester
    from recommender.recommend import Recommender

    store = store_of(library)
    recommender = Recommender(store, library.index)
    _to_close.append(recommender.close)
    return DigestBook(store, Ingester(store), recommender, library.papers_changed, library.settled_index)


@pytest.fixture(autouse=True)
def _close_opened_stores():
    yield
    while _to_close:
        _to_close.pop()()
    while _opened_stores:
        _opened_stores.popitem()[1].close()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A database file holding the bundled seeds, built once per test session."""
    path = tmp_path_factory.mktemp("seeded") / "paperclub.db"
    with Library(path) as lib:
        lib.ingest([SEEDS], today=INGEST_DAY)
    return path


@pytest.fixture
def seeded(seeded_db, tmp_path) -> Library:
    """A private copy of the seeded library, so a test may change it."""
    path = tmp_path / "paperclub.db"
    shutil.copy(seeded_db, path)
    lib = Library(path)
    yield lib
    lib.close()


@pytest.fixture
def empty(tmp_path) -> Library:
    lib = Library(tmp_path / "empty.db")
    yield lib
    lib.close()
