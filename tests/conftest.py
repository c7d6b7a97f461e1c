from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from recommender import Library
from recommender.store import Store
from tests.arxiv_server import arxiv_server, fake_gate  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
INGEST_DAY = date(2026, 11, 22)

_opened_stores: dict[str, Store] = {}


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


@pytest.fixture(autouse=True)
def _close_opened_stores():
    yield
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
