"""Files are read as streams: a parser gives its first record having read little of a file, the
memory parsing takes does not grow with the file, and a file streamed from disk (any encoding,
BOM or line ends) gives what its text gives."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender import files, parsing, sources
from recommender.files import FileProblem, read_text_file, survey
from recommender.sources import bibtex, csljson
from recommender.sources.lines import Lines, lines_of

from .conftest import DATA, INGEST_DAY, store_of

LISTS = DATA / "reading_lists"
# Real-styled exports of every streamed format, and the format each is.
STREAMED = {
    LISTS / "jabref.bib": "bibtex",  # Latin-1, declared; @STRING and @PREAMBLE
    LISTS / "zotero-bbt.bib": "bibtex",
    LISTS / "endnote.ris": "ris",  # a BOM
    LISTS / "zotero.json": "csl-json",
    LISTS / "zotero.csv": "zotero-csv",  # a BOM
    DATA / "arxiv-ml-sample.csv": "csv",
    DATA / "arxiv-metadata-snapshot-sample.jsonl": "arxiv-json",
}


def grown(path: Path, size: int) -> bytes:
    """The file's entries repeated until it is at least `size` bytes long."""
    data = path.read_bytes()
    copies = size // len(data) + 1
    if path.suffix == ".json":
        return json.dumps(json.loads(data) * copies, indent=2).encode()
    if path.suffix == ".csv":
        header, _, rows = data.partition(b"\n")
        return header + b"\n" + rows * copies
    return data * copies


class Counting:
    """Lines of a text that count the characters each reading has taken so far."""

    def __init__(self, text: str):
        self.lines = lines_of(text)
        self.taken: list[int] = []

    def __call__(self) -> Iterator[str]:
        self.taken.append(0)
        for line in self.lines():
            self.taken[-1] += len(line)
            yield line


@pytest.mark.parametrize("path", list(STREAMED), ids=lambda p: p.name)
def test_a_streamed_format_gives_its_first_record_having_read_little_of_the_file(path, monkeypatch):
    monkeypatch.setattr(csljson, "READ_CHARS", 64 * 1024)
    text = files.decode(grown(path, 3_000_000)).text
    fmt = sources.detect(text)
    assert fmt.name == STREAMED[path] and fmt.read is not None
    lines = Counting(text)
    first = next(fmt.read(lines, path.name, INGEST_DAY))
    assert first.title
    # BibTeX reads the file once through for its @string and @preamble blocks, then piece by piece.
    assert lines.taken[-1] < len(text) / 10


@pytest.mark.parametrize("path", [LISTS / "endnote.ris", LISTS / "zotero-bbt.bib", LISTS / "zotero.json",
                                  LISTS / "zotero.csv"], ids=lambda p: p.name)
def test_the_memory_parsing_takes_does_not_grow_with_the_file(path, tmp_path, monkeypatch):
    # The fixed buffers made small, so that small files show what large ones would.
    monkeypatch.setattr(sources, "HEAD_CHARS", 16 * 1024)
    monkeypatch.setattr(files, "CHUNK", 16 * 1024)
    monkeypatch.setattr(csljson, "READ_CHARS", 16 * 1024)
    monkeypatch.setattr(bibtex, "BLOCKS_A_PIECE", 32)

    def peak(size: int) -> tuple[int, int]:
        big = tmp_path / f"{size}{path.suffix}"
        big.write_bytes(grown(path, size))
        tracemalloc.start()
        try:
            parsed = parsing.parse_here(big, big.name, INGEST_DAY)
            count = sum(1 for _ in parsed.items)
            return tracemalloc.get_traced_memory()[1], count
        finally:
            tracemalloc.stop()

    peak(20_000)  # the parser's modules imported
    small, few = peak(60_000)
    large, many = peak(300_000)
    assert many > 4 * few
    assert large - small < 60_000  # a whole-text reader holds 240 KB more text, at least


@pytest.mark.parametrize("path, line_end", [(path, "\n") for path in STREAMED] + [
    (path, line_end) for path in STREAMED if path.parent == LISTS for line_end in ("\r\n", "\r")
], ids=str)
def test_a_file_streamed_from_disk_gives_what_its_text_gives(path, line_end, tmp_path):
    data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", line_end.encode())
    copy = tmp_path / path.name
    copy.write_bytes(data)
    streamed = parsing.parse_here(copy, path.name, INGEST_DAY)
    text = read_text_file(copy, 10**8)
    fmt, whole = sources.parse_text(text, path.name, INGEST_DAY)
    expected = [parsing.prepare(item) for item in whole]
    assert (streamed.format, streamed.total_lines) == (fmt, text.count("\n") + 1)
    assert list(streamed.items) == expected and len(expected) > 5


def test_a_latin1_file_is_streamed_in_its_declared_encoding():
    text_file = survey(LISTS / "jabref.bib", 10**8)
    assert text_file.encoding == "iso8859-1"
    assert "".join(text_file.lines()) == read_text_file(LISTS / "jabref.bib", 10**8)
    assert any("Møller" in line for line in text_file.lines())


def test_a_binary_or_too_large_file_is_refused_before_it_is_read(tmp_path):
    binary = tmp_path / "x.bib"
    binary.write_bytes(b"@article{k,\xff\xfe title={T}}\x00\n")
    with pytest.raises(FileProblem, match="not a text file"):
        survey(binary, 10**6)
    with pytest.raises(FileProblem, match="larger than 10 bytes"):
        survey(LISTS / "zotero.json", 10)


def test_a_file_that_grows_past_the_cap_while_it_is_read_is_refused(tmp_path):
    path = tmp_path / "growing.ris"
    path.write_text("TY  - JOUR\nTI  - One\nER  - \n")
    text_file = survey(path, 100)
    path.write_text("TY  - JOUR\nTI  - One\nER  - \n" * 10)
    with pytest.raises(FileProblem, match="larger than 100 bytes"):
        "".join(text_file.lines())


def test_lines_of_a_text_cut_only_at_newlines():
    lines: Lines = lines_of("a\x0bb\u2028c\nd\n\ne")
    assert list(lines()) == ["a\x0bb\u2028c\n", "d\n", "\n", "e"]
    assert list(lines()) == list(lines())
    assert list(lines_of("")()) == []


def test_a_file_failing_late_in_its_stream_leaves_nothing_of_itself(empty, tmp_path, monkeypatch):
    entries = "".join(f"@article{{k{n}, title={{Streamed paper {n}}}, author={{Doe, Jane}}, year=2020}}\n"
                      for n in range(700))
    late = tmp_path / "late.bib"  # the last entry's accent cannot be read as what the survey chose
    late.write_text(entries + "@article{last, title={Caf\u00e9}, year=2020}\n", encoding="utf-8")
    monkeypatch.setattr(parsing, "survey",
                        lambda path, cap: files.TextFile(path, "ascii", 702, cap) if path == late else survey(path, cap))
    report = empty.import_likes("ada", [late, LISTS / "endnote.ris"], today=INGEST_DAY)
    failed, good = report.files
    assert failed.error is not None and "cannot be read" in failed.error
    assert not any(p.title.startswith("Streamed paper") for p in store_of(empty).papers(store_of(empty).all_ids()))
    assert good.error is None and good.liked > 0
    assert len(empty.likes("ada")) == good.liked == len(report.paper_ids)
