"""Files in Latin-1 or Windows-1252 are read (JabRef's `% Encoding:` line first), and the report
says which encoding was used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from recommender import Library, parsing
from recommender.files import FileProblem, decode, read_text

from .conftest import INGEST_DAY

LATIN1 = Path(__file__).resolve().parent / "data" / "encoding" / "jabref-latin1.bib"
BIB = "@misc{{a, title={{{}}}}}\n"


@pytest.mark.parametrize("data, text, encoding", [
    ("% Encoding: ISO8859_1\n" + BIB.format("Café"), "latin-1", "iso8859-1"),
    ("% Encoding: Cp1252\r\n" + BIB.format("“Café”"), "cp1252", "cp1252"),
    ("% Encoding: ISO8859_15\n" + BIB.format("10 €"), "iso8859-15", "iso8859-15"),
    ("% Encoding: UTF-8\n" + BIB.format("Café"), "utf-8", "utf-8"),
    ("\ufeff" + BIB.format("Café"), "utf-8", "utf-8"),
    # no declaration: UTF-8 when the bytes are UTF-8, else Windows-1252, else Latin-1
    (BIB.format("Fröhlich"), "utf-8", "utf-8"),
    (BIB.format("“Fröhlich”"), "cp1252", "cp1252"),
    (BIB.format("\x81Fröhlich\x8d"), "latin-1", "iso8859-1"),
    # a declaration the bytes contradict, or that names no encoding Python knows, is passed over
    ("% Encoding: UTF-8\n" + BIB.format("Fröhlich"), "latin-1", "cp1252"),
    ("% Encoding: EBCDIC-XYZ\n" + BIB.format("Fröhlich"), "utf-8", "utf-8"),
])
def test_the_encoding_is_declared_utf8_or_a_fallback(data, text, encoding):
    read = decode(data.encode(text))
    assert read.encoding == encoding
    assert read.text == data.lstrip("\ufeff").replace("\r\n", "\n")


def test_binary_data_is_not_text():
    with pytest.raises(FileProblem, match=r"^not a text file \(not UTF-8, and byte 8 is NUL\)$"):
        decode(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")


def test_a_latin1_jabref_file_is_read_in_its_declared_encoding():
    read = read_text(LATIN1, 10**6)
    assert read.encoding == "iso8859-1"
    assert "Fröhlich" in read.text and "% Encoding: ISO8859_1" in read.text


def test_importing_a_latin1_jabref_file_reports_the_encoding_and_cleans_its_tex(empty):
    report = empty.import_likes("ada", [LATIN1], today=INGEST_DAY)
    [done] = report.files
    assert (done.format, done.encoding, done.error) == ("bibtex", "iso8859-1", None)
    assert done.to_dict()["encoding"] == "iso8859-1"
    assert (done.added, done.liked, done.rejected) == (4, 4, [])
    rydberg = empty.paper("Giant Rydberg excitons in the copper oxide Cu₂O")
    assert rydberg.authors[1].display == "D. Fröhlich"
    assert [a.display for a in empty.paper("Topological Quantum Distillation").authors] == ["H. Bombin", "M. A. Martín-Delgado"]
    assert empty.paper("The Snowflake Elastic Data Warehouse").authors[0].display == "Benoît Dageville"
    unet = empty.paper("10.1007/978-3-319-24574-4_28")  # written `\_` in the file
    assert unet.title == "U-Net: Convolutional Networks for Biomedical Image Segmentation"


def test_a_file_parsed_aside_reports_its_encoding(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_ASIDE_BYTES", 0)
    with Library(tmp_path / "x.db") as lib:
        report = lib.ingest([LATIN1], today=INGEST_DAY)
    [done] = report.files
    assert (done.encoding, done.added, done.error) == ("iso8859-1", 4, None)
    assert done.to_dict()["encoding"] == "iso8859-1"


def test_an_upload_reports_its_encoding(empty):
    upload = empty.read_upload("old.bib", LATIN1.read_bytes(), today=INGEST_DAY)
    report = empty.import_upload("ada", upload)
    assert (report.files[0].encoding, report.liked) == ("iso8859-1", 4)
    utf8 = empty.read_upload("new.bib", BIB.format("Café").encode("utf-8"), today=INGEST_DAY)
    assert empty.import_upload("ada", utf8).files[0].encoding == "utf-8"


def test_the_cli_mentions_an_encoding_other_than_utf8(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    human = runner.invoke(cli, ["--db", db, "import", "ada", str(LATIN1)], catch_exceptions=False)
    assert human.exit_code == 0, human.output
    assert "jabref-latin1.bib (bibtex, read as iso8859-1): 4 papers, all new to the library" in human.stdout
    plain = tmp_path / "plain.bib"
    plain.write_text(BIB.format("A paper of plain text"), encoding="utf-8")
    again = runner.invoke(cli, ["--db", db, "import", "ada", str(plain), "--json"], catch_exceptions=False)
    assert json.loads(again.stdout)["files"][0]["encoding"] == "utf-8"
    shown = runner.invoke(cli, ["--db", db, "show", "10.1007/978-3-319-24574-4_28"], catch_exceptions=False)
    assert "U-Net" in shown.stdout and "DOI: 10.1007/978-3-319-24574-4_28" in shown.stdout
