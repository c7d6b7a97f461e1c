"""The store on its own: migrating an older file, DOIs, and filters that take text as text."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from recommender import Library, PaperNotFound
from recommender.merge import title_key
from recommender.papers import Record, SourceRef
from recommender.ingest import Ingester
from recommender.people import displayed
from recommender.store import FTS_AUTOMERGE, FTS_HASH_BYTES, MIGRATIONS, SCHEMA_VERSION, Store

from tests.conftest import store_of

DIPHOTON_TITLE = "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
SNAPSHOT = Path(__file__).resolve().parent / "data" / "arxiv-metadata-snapshot-sample.jsonl"
ERDOS_TITLE = r"On the evolution of Erd\H{o}s-R\'enyi graphs"
ERDOS_ABSTRACT = r"We study the giant component of Erd\H{o}s--R\'enyi random graphs \emph{near} criticality."


def older_file(path, version: int, paper: dict, authors: list[str]) -> None:
    """A database as paperclub wrote it at schema `version`, holding one paper (id 1)."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    for migrate in MIGRATIONS[:version]:
        migrate(db)
    row = {"id": 1, "title_derived": 0, "authors": json.dumps(authors), "authors_truncated": 0,
           "organisations": "[]", "lang": "en", "added": "x", "updated": "x", **paper}
    db.execute(f"INSERT INTO papers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    db.execute("INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (1, ?, ?, ?)",
               [paper["title"], paper["abstract"], ", ".join(authors)])
    db.execute(f"PRAGMA user_version = {version}")
    db.conn.commit()
    db.close()


def version_3_file(path) -> None:
    """A database as paperclub wrote it at schema version 3, with TeX left in its text."""
    older_file(path, 3, {"arxiv_id": "0704.1144", "title": ERDOS_TITLE, "title_key": "old key",
                         "abstract": ERDOS_ABSTRACT, "categories": '["math.PR"]'}, [r"P. Erd\H{o}s"])


def test_an_older_file_is_migrated_and_its_text_cleaned_once(tmp_path):
    path = tmp_path / "old.db"
    version_3_file(path)
    with Library(path) as lib:
        assert store_of(lib).schema_version == SCHEMA_VERSION
        paper = lib.paper("0704.1144")
        assert paper.title == "On the evolution of Erdős-Rényi graphs"
        assert displayed(paper.authors) == ["P. Erdős"]
        assert "\\" not in paper.abstract and "Erdős–Rényi" in paper.abstract
        assert [r.paper.id for r in lib.search("renyi")] == [1]
        assert [r.paper.id for r in lib.search("author:erdos")] == [1]
        assert paper.doi is None and not paper.date_approx
        assert fts_settings(lib) == {"hashsize": FTS_HASH_BYTES, "automerge": FTS_AUTOMERGE, "version": 4}


def version_8_file(path) -> None:
    """A database as paperclub wrote it at schema version 8, before papers had a venue."""
    older_file(path, 8, {"arxiv_id": "0704.0001", "title": DIPHOTON_TITLE, "title_key": title_key(DIPHOTON_TITLE),
                         "abstract": "Diphoton production at hadron colliders.", "categories": '["hep-ph"]',
                         "doi": "10.1103/physrevd.76.013009", "date_approx": 0}, ["C. Balázs"])


def test_a_version_8_file_gains_the_venue_column_and_its_papers_a_venue_later(tmp_path):
    path = tmp_path / "v8.db"
    version_8_file(path)
    with Library(path) as lib:
        assert store_of(lib).schema_version == SCHEMA_VERSION == 14
        assert "venue" in {column.name for column in store_of(lib).db["papers"].columns}
        assert lib.paper("0704.0001").venue is None
        # the snapshot's first line is the same paper, with its journal-ref
        snapshot = tmp_path / "one.jsonl"
        snapshot.write_text(SNAPSHOT.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
        report = lib.ingest([snapshot], today=date(2026, 11, 22))
        assert (report.added, report.merged) == (0, 1)
        assert lib.paper("0704.0001").venue == "Phys.Rev.D76:013009,2007"
        assert lib.paper("0704.0001").to_dict()["venue"] == "Phys.Rev.D76:013009,2007"
    with Library(path) as again:  # opened again: nothing more to migrate, the venue kept
        assert store_of(again).schema_version == SCHEMA_VERSION
        assert again.paper("0704.0001").venue == "Phys.Rev.D76:013009,2007"


def fts_settings(lib: Library) -> dict:
    return dict(store_of(lib).db.execute("SELECT k, v FROM papers_fts_config").fetchall())


def test_a_new_library_buffers_search_postings_and_search_finds_what_one_transaction_wrote(empty):
    assert fts_settings(empty)["hashsize"] == FTS_HASH_BYTES
    records = [
        Record(title=f"Spectral sparsification of graph number {n}", abstract=f"Sparsifiers with {n} edges.",
               authors=["A. Author"], source=SourceRef("test", n + 1, "test"))
        for n in range(300)
    ]
    Ingester(store_of(empty)).add_records(records)
    assert len(empty.search("sparsification", limit=100)) == 100
    for n in (0, 150, 299):
        found = empty.search(f'"number {n}"')
        assert [r.paper.title for r in found] == [f"Spectral sparsification of graph number {n}"]


def test_search_finds_what_many_short_transactions_wrote_with_segments_merged_eight_at_a_time(empty):
    """Each transaction commits a segment; the index merges them in groups of eight."""
    assert fts_settings(empty)["automerge"] == FTS_AUTOMERGE == 8
    ingester = Ingester(store_of(empty))
    for step in range(40):
        ingester.add_records([
            Record(title=f"Expander graphs, part {step}-{n}", abstract=f"Expansion of graphs in step {step}.",
                   authors=["B. Author"], source=SourceRef("test", step * 10 + n + 1, "test"))
            for n in range(10)
        ])
    assert len(empty.search("expander", limit=100)) == 100
    for step in range(40):
        found = empty.search(f'"step {step}"', limit=20)
        assert len(found) == 10 and all(f"part {step}-" in r.paper.title for r in found)


def test_a_paper_is_found_and_merged_by_its_doi(empty, tmp_path):
    listing = tmp_path / "a.csv"
    listing.write_text(
        "title,abstract,doi\n"
        "Spin glasses in a field,A study of spin glasses in an external magnetic field.,"
        "https://doi.org/10.1002/PSSA.2210930226\n"
    )
    later = tmp_path / "b.csv"
    later.write_text(
        "title,abstract,doi\n"
        "Spin glasses in an applied field,Spin glasses measured in an applied field at low temperature.,"
        "10.1002/pssa.2210930226\n"
    )
    empty.ingest([listing, later])
    assert empty.stats()["papers"] == 1
    for ref in ("10.1002/pssa.2210930226", "doi:10.1002/PSSA.2210930226",
                "https://doi.org/10.1002/pssa.2210930226"):
        paper = empty.paper(ref)
        assert paper.doi == "10.1002/PSSA.2210930226"  # as the first source gave it
    assert paper.url == "https://doi.org/10.1002/PSSA.2210930226"


def test_category_filters_take_percent_and_underscore_as_text(seeded):
    for wildcard in ("%", "_", "L_", "%LG"):
        with pytest.raises(PaperNotFound):
            seeded.random(category=wildcard)
    assert "cs.LG" in seeded.random(category="LG").categories  # the part after the dot names cs.LG


def test_a_thread_sees_its_own_uncommitted_writes_and_others_do_not(tmp_path):
    import threading

    store = Store(tmp_path / "t.db")
    seen: dict[str, str | None] = {}

    def other_thread() -> None:
        seen["other"] = store.get_meta("colour")

    with store.transaction():
        store.set_meta("colour", "blue")
        seen["own"] = store.get_meta("colour")
        reader = threading.Thread(target=other_thread)
        reader.start()
        reader.join()
    assert seen == {"own": "blue", "other": None}
    assert store.get_meta("colour") == "blue"
    store.close()


def test_a_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "t.db")
    try:
        with store.transaction():
            store.set_meta("colour", "blue")
            raise RuntimeError("crash mid-write")
    except RuntimeError:
        pass
    assert store.get_meta("colour") is None
    store.close()


def test_an_abstract_thousands_share_is_no_key_for_look_alikes(empty, tmp_path):
    from recommender.merge import abstract_sketch
    from recommender.store import COMMON_SKETCH_KEY

    shared = ("No abstract is available in this listing, and this long placeholder is the same text "
              "word for word in every entry of the file, so that it looks like an abstract to a parser.")
    rows = [f"Distinct paper number {n},\"{shared}\"" for n in range(COMMON_SKETCH_KEY + 20)]
    listing = tmp_path / "shared.csv"
    listing.write_text("title,abstract\n" + "\n".join(rows) + "\n")
    report = empty.ingest([listing])
    assert report.added == COMMON_SKETCH_KEY + 20  # different titles: different papers
    assert store_of(empty).ids_by_sketch(abstract_sketch(shared)) == []  # the key finds no candidates
    few = tmp_path / "few.csv"
    few.write_text("title,abstract\nA rare paper,\"A rare abstract that only two papers share, word for word, "
                   "in this library of many entries with a common placeholder text for an abstract.\"\n")
    empty.ingest([few])
    rare = empty.paper("A rare paper")
    keys = abstract_sketch(rare.abstract)
    assert store_of(empty).ids_by_sketch(keys) == [rare.id]
