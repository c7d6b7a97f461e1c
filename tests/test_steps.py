"""A file written in short steps: other writers get their turn between the steps, and a file
that fails, is stopped or whose process dies part-way leaves nothing of itself."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from recommender import Library, ingest
from recommender.ingest import Ingester
from recommender.parsing import Prepared, parse_here, prepare_record
from recommender.store import papers as store_papers
from recommender.store import Store

from .conftest import INGEST_DAY, store_of

DATA = Path(__file__).resolve().parent / "data"
SNAPSHOT = DATA / "arxiv-metadata-snapshot-sample.jsonl"
BIB = DATA / "bib"


class Boom(RuntimeError):
    pass


def test_a_file_failing_after_several_steps_leaves_nothing_of_itself(seeded, monkeypatch):
    monkeypatch.setattr(ingest, "STEP_ITEMS", 20)
    seeded.like("bob", "Neural Ordinary Differential Equations")
    before = (store_of(seeded).count_papers(), len(seeded.likes("ada")), len(seeded.likes("bob")))
    original = Ingester.add_prepared
    calls = 0

    def failing(ingester, prepared):
        nonlocal calls
        calls += 1
        if calls == 75:
            raise Boom("the disk went away")
        return original(ingester, prepared)

    monkeypatch.setattr(Ingester, "add_prepared", failing)
    with pytest.raises(Boom):
        seeded.import_likes("ada", [SNAPSHOT], today=INGEST_DAY)
    assert calls == 75  # three steps were committed before the failure
    assert (store_of(seeded).count_papers(), len(seeded.likes("ada")), len(seeded.likes("bob"))) == before
    assert store_of(seeded).db.execute("SELECT count(*) FROM import_undo").fetchone()[0] == 0


def test_a_failed_merge_is_taken_back_to_the_fields_it_had(seeded, monkeypatch, tmp_path):
    monkeypatch.setattr(ingest, "STEP_ITEMS", 1)
    node = seeded.paper("Neural Ordinary Differential Equations")
    bib = tmp_path / "node.bib"
    bib.write_text("@inproceedings{chen2018, title={Neural Ordinary Differential Equations}, "
                   "author={Chen, Ricky T. Q. and Rubanova, Yulia}, booktitle={NeurIPS}, year=2018, "
                   "pages={6571--6583}}\n@article{broken, title={x}}\n")
    original = Ingester.add_prepared

    def failing(ingester, prepared):
        if prepared.record.title == "x":
            raise Boom("stop")
        return original(ingester, prepared)

    monkeypatch.setattr(Ingester, "add_prepared", failing)
    with pytest.raises(Boom):
        seeded.import_likes("ada", [bib], today=INGEST_DAY)
    again = seeded.paper("Neural Ordinary Differential Equations")
    assert (again.venue, again.pages, again.kind, again.sources) == (node.venue, node.pages, node.kind, node.sources)
    assert [r.paper.id for r in seeded.search("neural ordinary differential")][:1] == [node.id]


def test_a_like_gets_its_turn_while_a_large_file_is_written(tmp_path):
    path = tmp_path / "lab.db"
    with Library(path) as lib:
        lib.ingest([BIB / "zotero.json"], today=INGEST_DAY)
        paper_id = store_of(lib).all_ids()[0]
        importing = threading.Thread(target=lib.import_likes, args=("ada", [SNAPSHOT]),
                                     kwargs={"today": INGEST_DAY})
        other = Store(path)  # another connection, as another process has
        importing.start()
        while other.count_papers() < 300:  # the import's first steps are committed and seen
            pass
        other.set_signal("bob", paper_id, "like", None)  # waits one step at most, and never fails
        still_importing = importing.is_alive()
        importing.join()
        other.close()
        assert still_importing
        assert [s.paper.id for s in lib.likes("bob")] == [paper_id]
        assert len(lib.likes("ada")) > 1900


def test_a_process_killed_part_way_is_undone_at_the_next_start(tmp_path):
    path = tmp_path / "lab.db"
    with Library(path) as lib:
        lib.ingest([BIB / "zotero.json"], today=INGEST_DAY)
        papers = store_of(lib).count_papers()
    script = (
        "import os, sys\n"
        "from datetime import date\n"
        "from recommender import Library, ingest\n"
        "from recommender.ingest import Ingester\n"
        "ingest.STEP_ITEMS = 50\n"
        "lib = Library(sys.argv[1])\n"
        "count = 0\n"
        "original = Ingester.add_prepared\n"
        "def dying(ingester, prepared):\n"
        "    global count\n"
        "    count += 1\n"
        "    if count == 420:\n"
        "        os._exit(9)  # as kill -9: no clean-up of any kind\n"
        "    return original(ingester, prepared)\n"
        "Ingester.add_prepared = dying\n"
        f"lib.import_likes('ada', [sys.argv[2]], today=date(2026, 11, 22))\n"
    )
    died = subprocess.run([sys.executable, "-c", script, str(path), str(SNAPSHOT)], cwd=Path(__file__).parents[1],
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert died.returncode == 9
    with Library(path) as lib:  # the next start finds the dead writer's journal and undoes it
        assert store_of(lib).count_papers() == papers and lib.likes("ada") == []


def sketch_rows(store: Store) -> list[tuple[int, str]]:
    """Every stored sketch key with the arXiv id of its paper."""
    return sorted(store.db.execute(
        "SELECT s.key, p.arxiv_id FROM paper_sketch s JOIN papers p ON p.id = s.paper_id").fetchall())


@pytest.mark.parametrize("kept_at_most", [1_000_000, 2_000])
def test_a_file_written_in_steps_stores_the_sketches_one_transaction_stores(tmp_path, monkeypatch, kept_at_most):
    """The sketch keys of a file's new papers are kept aside while its steps are written, found
    by the look-alike check meanwhile, and stored when the file ends (or between steps, when
    more are kept than allowed): as in one transaction."""
    monkeypatch.setattr(ingest, "STEP_ITEMS", 50)
    monkeypatch.setattr(store_papers, "KEPT_SKETCH_KEYS", kept_at_most)
    with Library(tmp_path / "steps.db") as lib:
        kept_aside: list[int] = []
        writers: set[Store] = set()
        original = Store.ids_by_sketch

        def looking(store: Store, keys: list[int], min_shared: int = 2) -> list[int]:
            writers.add(store)
            kept_aside.append(len(store._local.journal_sketches))
            return original(store, keys, min_shared)

        monkeypatch.setattr(Store, "ids_by_sketch", looking)
        assert lib.ingest([SNAPSHOT], today=INGEST_DAY).added > 900
        (writer,) = writers
        assert kept_aside[-1] > 0 and writer._local.journal_sketches == {}
        assert max(kept_aside) <= kept_at_most + 50 * 8
        in_steps_rows = sketch_rows(writer)
    monkeypatch.setattr(Store, "ids_by_sketch", original)
    store = Store(tmp_path / "one.db")
    try:
        with store.transaction():
            report = Ingester(store).ingest([SNAPSHOT], INGEST_DAY)
        assert report.added > 900
        assert sketch_rows(store) == in_steps_rows
    finally:
        store.close()
    assert len(in_steps_rows) > 7 * report.added


def test_a_paper_whose_sketch_is_kept_aside_is_found_by_it(empty):
    store = store_of(empty)
    record = next(item.record for item in parse_here(SNAPSHOT, "s.jsonl", INGEST_DAY).items
                  if isinstance(item, Prepared))
    prepared = prepare_record(record)
    with store.journaled():
        with store.transaction():
            paper_id = Ingester(store).add_prepared(prepared).paper_id
        assert store.ids_by_sketch(prepared.sketch) == [paper_id]  # kept aside, not yet stored
        assert store.db.execute("SELECT count(*) FROM paper_sketch").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM paper_sketch").fetchone()[0] == len(prepared.sketch) == 8
    assert store.ids_by_sketch(prepared.sketch) == [paper_id]


def test_a_failure_while_the_kept_sketches_are_stored_leaves_nothing_of_the_file(seeded, monkeypatch):
    monkeypatch.setattr(ingest, "STEP_ITEMS", 50)
    monkeypatch.setattr(Store, "_write_sketches", lambda store, pending: (_ for _ in ()).throw(Boom("disk full")))
    before = (store_of(seeded).count_papers(), sketch_rows(store_of(seeded)))
    with pytest.raises(Boom):
        seeded.import_likes("ada", [SNAPSHOT], today=INGEST_DAY)
    assert (store_of(seeded).count_papers(), sketch_rows(store_of(seeded))) == before
    assert seeded.likes("ada") == []
