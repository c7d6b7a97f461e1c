"""Parsing a large file in a process beside the writer gives what parsing here gives."""

from __future__ import annotations

import _thread
import csv
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from recommender import Library, parsing
from recommender.processes import (
    BACKGROUND_NICENESS,
    child_environment,
    on_background_thread,
    yield_to_people,
)

from .conftest import DATA, INGEST_DAY, SEEDS, store_of


def summary(lib: Library, name: str) -> tuple:
    report = lib.ingest([DATA / name], today=INGEST_DAY)
    papers = store_of(lib).papers(store_of(lib).all_ids())
    return (report.added, report.merged, len(report.rejected),
            sorted((p.title, p.arxiv_id, p.doi, tuple(p.authors)) for p in papers))


@pytest.mark.parametrize("name", ["arxiv-metadata-snapshot-sample.jsonl", "arxiv-ml-sample.csv"])
def test_parsing_aside_stores_the_same_papers(tmp_path, monkeypatch, name):
    with Library(tmp_path / "here.db") as lib:
        here = summary(lib, name)
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    with Library(tmp_path / "aside.db") as lib:
        aside = summary(lib, name)
    assert aside == here
    assert here[0] > 900


@pytest.mark.parametrize("cores, guessed", [(1, True), (2, True), (3, True), (2, False)])
def test_a_file_of_one_record_a_line_parsed_in_parts_gives_the_records_in_order(tmp_path, monkeypatch, cores,
                                                                               guessed):
    """Parsed by one process a core, each taking its turn of blocks of lines: the same records
    and rejections, with the same line numbers, in the file's order."""
    lines = (DATA / "arxiv-metadata-snapshot-sample.jsonl").read_text(encoding="utf-8").split("\n")
    lines[300:300] = ["", "{not json", "   "]
    lines[1200:1200] = ['{"title": "no abstract"}']
    path = tmp_path / "snapshot.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(parsing, "usable_cores", lambda: cores)
    assert parsing._opens_by_lines(path)
    monkeypatch.setattr(parsing, "_opens_by_lines", lambda path: guessed)

    def items(parsed: parsing.ParsedFile) -> list:
        return [(item.record, item.sketch) if isinstance(item, parsing.Prepared) else item for item in parsed.items]

    here = items(parsing.parse_here(path, "s.jsonl", INGEST_DAY))
    aside = parsing._parse_aside(path, "s.jsonl", INGEST_DAY)
    assert (aside.format, aside.total_lines) == ("arxiv-json", len(lines))
    assert items(aside) == here
    assert [r.line for r in here if isinstance(r, parsing.Rejection)] == [302, 1201]
    assert len(here) == 2002


@pytest.mark.parametrize("cores, guessed", [(1, True), (2, True), (3, True), (2, False)])
def test_a_table_parsed_in_parts_gives_the_rows_in_order(tmp_path, monkeypatch, cores, guessed):
    """A CSV table is parsed by one process a core, each making the records of its turn of
    pieces of rows: the same records and rejections, with the same line numbers, in the file's
    order, although its abstracts span several lines (quoted cells)."""
    with open(DATA / "arxiv-ml-sample.csv", encoding="utf-8", newline="") as sample:
        rows = list(csv.reader(sample))
    rows[700:700] = [[], ["one cell only"], ["  "]]
    rows[1300:1300] = [["", "no title", "cs.LG"]]
    path = tmp_path / "ml.csv"
    with open(path, "w", encoding="utf-8", newline="") as table:
        csv.writer(table, lineterminator="\n").writerows(rows)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[1].count('"') % 2 == 1  # the first row's abstract goes on over the next lines
    monkeypatch.setattr(parsing, "usable_cores", lambda: cores)
    assert parsing._opens_by_lines(path)
    monkeypatch.setattr(parsing, "_opens_by_lines", lambda path: guessed)

    def items(parsed: parsing.ParsedFile) -> list:
        return [(item.record, item.sketch) if isinstance(item, parsing.Prepared) else item for item in parsed.items]

    here = items(parsing.parse_here(path, "ml.csv", INGEST_DAY))
    aside = parsing._parse_aside(path, "ml.csv", INGEST_DAY)
    assert aside.format == "csv"
    assert items(aside) == here
    rejected = [(r.line, r.reason) for r in here if isinstance(r, parsing.Rejection)]
    assert rejected == [(lines.index("one cell only") + 1, "expected 3 columns as in the header, found 1"),
                        (lines.index(",no title,cs.LG") + 1, "missing title")]
    assert len(here) == len(rows) - 3


def test_a_file_that_opens_like_one_to_parse_in_parts_but_is_not_is_parsed_whole(tmp_path, monkeypatch):
    path = DATA / "reading_lists" / "zotero.json"
    assert not parsing._opens_by_lines(path)
    monkeypatch.setattr(parsing, "_opens_by_lines", lambda path: True)
    here = [item.record for item in parsing.parse_here(path, "zotero.json", INGEST_DAY).items]
    aside = parsing._parse_aside(path, "zotero.json", INGEST_DAY)
    assert aside.format == "csl-json"
    assert [item.record for item in aside.items] == here and len(here) == 30


def test_a_parsing_process_that_fails_rolls_the_file_back(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\xff\xfe\x00 not text\n")
    with Library(tmp_path / "x.db") as lib:
        report = lib.ingest([broken], today=INGEST_DAY)
        assert [e.rpartition("/")[2] for e in report.errors] == ["broken.jsonl: not a text file (not UTF-8, and byte 2 is NUL)"]
        assert store_of(lib).count_papers() == 0



def test_the_seeds_parsed_aside_merge_as_parsed_here(tmp_path, monkeypatch):
    """The seed listings hold the same papers several times, some without a title, which only
    their abstracts' shingles tie together: computed again in the writer, as a parsing
    process no longer sends them."""
    def stored(path):
        with Library(path) as lib:
            report = lib.ingest([SEEDS], today=INGEST_DAY)
            papers = store_of(lib).papers(store_of(lib).all_ids())
            return report.added, report.merged, sorted((p.title, p.abstract[:60]) for p in papers)

    here = stored(tmp_path / "here.db")
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    aside = stored(tmp_path / "aside.db")
    assert aside == here
    assert here[1] > 0


LOWEST_PRIORITY = 19  # niceness stops there: a suite run under `nice -n 19` has no lower one to give


@pytest.fixture
def yielding():
    """This process answers people, as the bot does: its background work runs lower."""
    yield_to_people()
    yield
    yield_to_people(0)


def writer_priorities(tmp_path: Path) -> set[int]:
    """The CPU priorities the thread writing a large file ran at."""
    seen: list[tuple[str, int]] = []

    def progress(label: str, done: int, total: int) -> None:
        thread = threading.get_native_id()
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, thread)))

    with Library(tmp_path / "x.db") as lib:
        report = lib.ingest([DATA / "arxiv-metadata-snapshot-sample.jsonl"], today=INGEST_DAY, progress=progress)
        assert report.added > 900 and store_of(lib).count_papers() == report.added
    writing = [priority for name, priority in seen if name == "paperclub-background"]
    assert writing, seen
    return set(writing)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread has a priority of its own on Linux")
def test_where_people_are_answered_a_large_file_is_written_from_a_thread_of_lower_priority(
        tmp_path, monkeypatch, yielding):
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    lowered = min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS, LOWEST_PRIORITY)
    assert writer_priorities(tmp_path) == {lowered}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread has a priority of its own on Linux")
def test_a_command_writes_a_large_file_at_its_own_priority(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    assert writer_priorities(tmp_path) == {os.getpriority(os.PRIO_PROCESS, 0)}


def child_niceness() -> int:
    """The niceness a background process started now runs at (after `run_in_background`)."""
    code = "import os; from recommender.processes import run_in_background; run_in_background(); print(os.nice(0))"
    done = subprocess.run([sys.executable, "-c", code], env=child_environment(), capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities")
def test_background_processes_run_lower_only_where_people_are_answered():
    own = os.nice(0)
    assert child_niceness() == own
    yield_to_people()
    try:
        assert child_niceness() == min(own + BACKGROUND_NICENESS, LOWEST_PRIORITY)
    finally:
        yield_to_people(0)


def parsing_niceness() -> int:
    """The niceness a parsing process of a large file runs at, once it has started."""
    child = parsing._start_parsing(DATA / "arxiv-metadata-snapshot-sample.jsonl", "sample.jsonl", INGEST_DAY, 0, 1)
    try:
        kind, _ = parsing._receive(child)  # sent after it lowered its priority
        assert kind == "start"
        return os.getpriority(os.PRIO_PROCESS, child.pid)
    finally:
        parsing._stop([child])


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities")
def test_parsing_processes_give_way_to_the_writer_by_a_little():
    assert parsing_niceness() == min(os.nice(0) + parsing.PARSING_BELOW_WRITER, LOWEST_PRIORITY)


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities")
def test_where_people_are_answered_parsing_gives_way_to_the_writer_too(yielding):
    below = min(os.nice(0) + BACKGROUND_NICENESS + parsing.PARSING_BELOW_WRITER, LOWEST_PRIORITY)
    assert parsing_niceness() == below


def test_an_interrupted_ingest_keeps_nothing_of_the_file(tmp_path, monkeypatch):
    """Ctrl-C while a background thread writes a large file: the thread stops and its
    transaction is undone before the interruption reaches the caller."""
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    interrupted: list[int] = []

    def progress(label: str, done: int, total: int) -> None:
        if threading.current_thread().name == "paperclub-background" and done and not interrupted:
            interrupted.append(done)
            _thread.interrupt_main()  # Ctrl-C, as the main thread receives it
            time.sleep(2)  # the main thread takes the interruption while this one waits (on a busy machine too)

    with Library(tmp_path / "x.db") as lib:
        with pytest.raises(KeyboardInterrupt):
            lib.ingest([DATA / "arxiv-metadata-snapshot-sample.jsonl"], today=INGEST_DAY, progress=progress)
        assert interrupted and store_of(lib).count_papers() == 0
        assert lib.ingest([DATA / "arxiv-metadata-snapshot-sample.jsonl"], today=INGEST_DAY).added > 900


def test_background_work_hands_back_its_result_and_its_error():
    stop = threading.Event()
    assert on_background_thread(lambda: threading.current_thread().name, stop) == "paperclub-background"

    def fails() -> None:
        raise parsing.ParseProblem("the parsing process stopped unexpectedly (exit status 9)")

    with pytest.raises(parsing.ParseProblem, match="exit status 9"):
        on_background_thread(fails, stop)
    assert not stop.is_set()


def test_a_parsing_process_dying_mid_file_rolls_the_file_back(tmp_path, monkeypatch):
    """The writer thread gets the failure part-way through the file: the report names it and
    nothing of the file is kept."""
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    received = parsing._received_items

    def dies_after_some(child):
        for count, item in enumerate(received(child)):
            if count == 300:
                raise parsing.ParseProblem("the parsing process stopped unexpectedly (killed)")
            yield item

    monkeypatch.setattr(parsing, "_received_items", dies_after_some)
    with Library(tmp_path / "x.db") as lib:
        report = lib.ingest([DATA / "arxiv-metadata-snapshot-sample.jsonl"], today=INGEST_DAY)
        assert [e.rpartition(": ")[2] for e in report.errors] == ["the parsing process stopped unexpectedly (killed)"]
        assert store_of(lib).count_papers() == 0


def test_a_bibtex_file_parsed_aside_in_parts_stores_the_same_papers(tmp_path, monkeypatch):
    bib = Path(__file__).resolve().parent / "data" / "reading_lists" / "zotero-bbt.bib"
    def stored(lib: Library) -> list[tuple]:
        lib.ingest([bib], today=INGEST_DAY)
        return sorted((p.title, p.doi or "", p.work_kind, repr(p.authors)) for p in store_of(lib).papers(store_of(lib).all_ids()))

    with Library(tmp_path / "here.db") as lib:
        here = stored(lib)
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    monkeypatch.setattr(parsing, "usable_cores", lambda: 2)
    with Library(tmp_path / "aside.db") as lib:
        aside = stored(lib)
    assert aside == here and len(here) == 42
