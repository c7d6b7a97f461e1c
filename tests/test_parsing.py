"""Parsing a large file in a process beside the writer gives what parsing here gives."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from recommender import Library, parsing
from recommender.processes import BACKGROUND_NICENESS, on_background_thread

from .conftest import DATA, INGEST_DAY, SEEDS


def summary(lib: Library, name: str) -> tuple:
    report = lib.ingest([DATA / name], today=INGEST_DAY)
    papers = lib.store.papers(lib.store.all_ids())
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


def test_a_file_that_opens_like_one_record_a_line_but_is_not_is_parsed_whole(tmp_path, monkeypatch):
    path = DATA / "arxiv-ml-sample.csv"
    assert not parsing._opens_by_lines(path)
    monkeypatch.setattr(parsing, "_opens_by_lines", lambda path: True)
    here = [item.record for item in parsing.parse_here(path, "ml.csv", INGEST_DAY).items]
    aside = parsing._parse_aside(path, "ml.csv", INGEST_DAY)
    assert aside.format == "csv"
    assert [item.record for item in aside.items] == here and len(here) > 900


def test_a_parsing_process_that_fails_rolls_the_file_back(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\xff\xfe\x00 not text\n")
    with Library(tmp_path / "x.db") as lib:
        report = lib.ingest([broken], today=INGEST_DAY)
        assert [e.rpartition("/")[2] for e in report.errors] == ["broken.jsonl: not a text file (not UTF-8, and byte 2 is NUL)"]
        assert lib.store.count_papers() == 0



def test_the_seeds_parsed_aside_merge_as_parsed_here(tmp_path, monkeypatch):
    """The seed listings hold the same papers several times, some without a title, which only
    their abstracts' shingles tie together: computed again in the writer, as a parsing
    process no longer sends them."""
    def stored(path):
        with Library(path) as lib:
            report = lib.ingest([SEEDS], today=INGEST_DAY)
            papers = lib.store.papers(lib.store.all_ids())
            return report.added, report.merged, sorted((p.title, p.abstract[:60]) for p in papers)

    here = stored(tmp_path / "here.db")
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    aside = stored(tmp_path / "aside.db")
    assert aside == here
    assert here[1] > 0


def test_a_large_file_is_written_from_a_thread_of_lower_priority(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    seen: list[tuple[str, int]] = []

    def progress(label: str, done: int, total: int) -> None:
        thread = threading.get_native_id()
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, thread)))

    with Library(tmp_path / "x.db") as lib:
        report = lib.ingest([DATA / "arxiv-metadata-snapshot-sample.jsonl"], today=INGEST_DAY, progress=progress)
        assert report.added > 900 and lib.store.count_papers() == report.added
    writing = [entry for entry in seen if entry[0] == "paperclub-background"]
    assert writing, seen
    if sys.platform.startswith("linux"):
        # Niceness stops at 19: a suite run under `nice -n 19` has no lower priority to give.
        lowest = 19
        expected = min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS, lowest)
        assert {priority for _, priority in writing} == {expected}


def test_an_interrupted_ingest_keeps_nothing_of_the_file(tmp_path, monkeypatch):
    """Ctrl-C while a background thread writes a large file: the thread stops and its
    transaction is undone before the interruption reaches the caller."""
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    interrupted: list[int] = []

    def progress(label: str, done: int, total: int) -> None:
        if threading.current_thread().name == "paperclub-background" and done and not interrupted:
            interrupted.append(done)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C
            time.sleep(0.5)  # the main thread takes the interruption while this one waits

    with Library(tmp_path / "x.db") as lib:
        with pytest.raises(KeyboardInterrupt):
            lib.ingest([DATA / "arxiv-metadata-snapshot-sample.jsonl"], today=INGEST_DAY, progress=progress)
        assert interrupted and lib.store.count_papers() == 0
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
        assert lib.store.count_papers() == 0


def test_a_bibtex_file_parsed_aside_in_parts_stores_the_same_papers(tmp_path, monkeypatch):
    bib = Path(__file__).resolve().parent / "data" / "reading_lists" / "zotero-bbt.bib"
    def stored(lib: Library) -> list[tuple]:
        lib.ingest([bib], today=INGEST_DAY)
        return sorted((p.title, p.doi or "", p.work_kind, repr(p.authors)) for p in lib.store.papers(lib.store.all_ids()))

    with Library(tmp_path / "here.db") as lib:
        here = stored(lib)
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    monkeypatch.setattr(parsing, "usable_cores", lambda: 2)
    with Library(tmp_path / "aside.db") as lib:
        aside = stored(lib)
    assert aside == here and len(here) == 42
