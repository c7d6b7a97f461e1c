"""The bibliographic record: names with their parts, kinds of work, citation fields, dates by
precision, round trips through every export format, and the merges that must not happen.

The libraries are the fixtures of tests/data/reading_lists/, each written in the style of the tool
that makes such files (JabRef, Zotero with Better BibLaTeX, Mendeley, EndNote, Zotero's CSL-JSON
and CSV, bibtex-tidy)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import rispy

from recommender import Library
from recommender.export import FORMATS
from recommender.papers import Paper, Precision
from recommender.people import Person
from recommender.sources import bibtex, csljson, ris
from recommender.worktypes import Kind

from .conftest import INGEST_DAY, store_of

LISTS = Path(__file__).resolve().parent / "data" / "reading_lists"
LIBRARIES = ["jabref.bib", "zotero-bbt.bib", "mendeley.bib", "endnote.bib", "endnote.ris", "zotero.json", "zotero.csv",
             "bibtex-tidy.bib"]


def papers_of(lib: Library) -> list[Paper]:
    return store_of(lib).papers(store_of(lib).all_ids())


def titled(lib: Library, title: str) -> list[Paper]:
    return [p for p in papers_of(lib) if p.title.casefold() == title.casefold()]


@pytest.fixture(scope="module")
def zotero(tmp_path_factory) -> Path:
    """A library holding the Zotero / Better BibLaTeX export, imported once."""
    path = tmp_path_factory.mktemp("zotero") / "paperclub.db"
    with Library(path) as lib:
        lib.import_likes("ada", [LISTS / "zotero-bbt.bib"], today=INGEST_DAY)
    return path


@pytest.fixture
def zotero_lib(zotero):
    with Library(zotero) as lib:
        yield lib


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "person"), [
    ("von der Waals, Jr., Johannes", Person(family="Waals", given="Johannes", particle="von der", suffix="Jr.")),
    ("Johannes van der Waals", Person(family="Waals", given="Johannes", particle="van der")),
    ("La Rocca, Maria", Person(family="La Rocca", given="Maria")),
    ("Fromhold, Jr., A. T.", Person(family="Fromhold", given="A. T.", suffix="Jr.")),
    ("{Fredensborg Kommune}", Person(literal="Fredensborg Kommune")),
    ("{Miljø- og Teknikudvalget, Fredensborg Kommune}",
     Person(literal="Miljø- og Teknikudvalget, Fredensborg Kommune")),
    ("Abu-Zeid, Mahmoud A.", Person(family="Abu-Zeid", given="Mahmoud A.")),
    ("Jean de la Fontaine", Person(family="Fontaine", given="Jean", particle="de la")),
])
def test_bibtex_names_are_read_in_their_parts(written, person):
    assert bibtex.person_of(written) == person


def test_ris_csl_and_plain_names():
    assert ris.person_of("Fromhold, A. T., Jr.") == Person(family="Fromhold", given="A. T.", suffix="Jr.")
    assert ris.person_of("Fredensborg Kommune") == Person(literal="Fredensborg Kommune")  # no comma: whole
    corporate = Person(literal="Miljø- og Teknikudvalget, Fredensborg Kommune")
    assert ris.name_of(corporate) == "Miljø- og Teknikudvalget,, Fredensborg Kommune,"  # EndNote's mark
    assert ris.person_of(ris.name_of(corporate)) == corporate
    assert ris.person_of("Fredensborg Kommune,") == Person(literal="Fredensborg Kommune")
    item = {"title": "T", "author": [{"family": "Waals", "given": "J. D.", "non-dropping-particle": "van der"},
                                     {"literal": "World Health Organization"},
                                     {"family": "King", "given": "Martin Luther", "suffix": "Jr."}]}
    people = csljson.reference_of(item, 1).authors
    assert people == [Person(family="Waals", given="J. D.", particle="van der"),
                      Person(literal="World Health Organization"),
                      Person(family="King", given="Martin Luther", suffix="Jr.")]


@pytest.mark.parametrize(("text", "person"), [
    ("Maria La Rocca", Person(family="La Rocca", given="Maria")),
    ("Amr El Abbadi", Person(family="El Abbadi", given="Amr")),
    ("A.T. Fromhold Jr.", Person(family="Fromhold", given="A.T.", suffix="Jr.")),
    ("Ludwig van Beethoven", Person(family="Beethoven", given="Ludwig", particle="van")),
    ("Chen, Ricky T. Q.", Person(family="Chen", given="Ricky T. Q.")),
    ("Madonna", Person(family="Madonna")),
])
def test_names_known_only_as_text_are_split_with_particles(text, person):
    assert Person.from_text(text) == person


def test_cards_show_given_family_and_the_parts_survive_storage(zotero_lib):
    [fromhold] = [p for p in papers_of(zotero_lib) if any(a.family == "Abu-Zeid" for a in p.authors)][:1]
    assert fromhold.authors[0] == Person(family="Abu-Zeid", given="Mahmoud A.")
    assert fromhold.authors[0].display == "Mahmoud A. Abu-Zeid"
    [kommune] = [p for p in papers_of(zotero_lib) if p.authors and p.authors[0].literal.startswith("Miljø")]
    assert kommune.authors == [Person(literal="Miljø- og Teknikudvalget, Fredensborg Kommune")]
    assert kommune.to_dict()["authors"] == ["Miljø- og Teknikudvalget, Fredensborg Kommune"]


# -- kinds, fields, dates -----------------------------------------------------------------------


def test_kinds_and_citation_fields_are_kept(zotero_lib):
    kinds = {p.work_kind for p in papers_of(zotero_lib)}
    assert {Kind.BOOK, Kind.CHAPTER, Kind.ARTICLE, Kind.CONFERENCE_PAPER, Kind.THESIS, Kind.REPORT,
            Kind.PREPRINT, Kind.DATASET} <= kinds
    [book] = [p for p in titled(zotero_lib, "Deep learning") if p.work_kind == Kind.BOOK]
    assert (book.publisher, book.place, book.year) == ("MIT Press", "Cambridge, MA", 2016)
    assert book.isbn
    [article] = [p for p in titled(zotero_lib, "Deep learning") if p.work_kind == Kind.ARTICLE]
    assert (article.venue, article.volume, article.issue, article.pages) == ("Nature", "521", "7553", "436–444")
    chapters = [p for p in papers_of(zotero_lib) if p.work_kind == Kind.CHAPTER and p.editors]
    assert chapters and all(p.venue for p in chapters)  # the book a chapter is in


def test_dates_know_their_precision(zotero_lib):
    by_date = {p.date_text: p for p in papers_of(zotero_lib) if p.published}
    year_only, month = by_date["1958"], by_date["1958-06"]
    assert year_only.date_precision == Precision.YEAR and year_only.date_label == "1958"
    assert month.date_precision == Precision.MONTH and month.date_label == "June 1958"
    exported = zotero_lib.export("bibtex", user="ada").text
    entry = next(e for e in bibtexparser.parse_string(exported).entries if e.key == year_only.cite_key)
    assert entry.fields_dict["year"].value == "1958" and "month" not in entry.fields_dict
    items = json.loads(zotero_lib.export("csljson", user="ada").text)
    assert next(i for i in items if i["id"] == month.cite_key)["issued"] == {"date-parts": [[1958, 6]]}


def test_venue_is_a_search_filter(zotero_lib):
    found = zotero_lib.search("venue:nature")
    assert found and all("Nature" in (r.paper.venue or "") for r in found)
    assert not zotero_lib.search("learning venue:nonexistent_journal")


# -- merging ------------------------------------------------------------------------------------


def test_different_works_of_one_title_stay_apart(zotero_lib):
    deep = titled(zotero_lib, "Deep learning")
    assert sorted((p.work_kind, p.year) for p in deep) == [(Kind.ARTICLE, 2015), (Kind.BOOK, 2016)]
    maps = titled(zotero_lib, "Hillerød")
    assert sorted(p.edition for p in maps) == ["3", "4", "5"]  # three editions of one map sheet
    assert len(titled(zotero_lib, "Orientalism")) == 1


def test_every_merge_of_an_import_is_listed(zotero, tmp_path):
    copy = tmp_path / "again.db"
    copy.write_bytes(zotero.read_bytes())
    with Library(copy) as lib:
        report = lib.import_likes("bob", [LISTS / "zotero-bbt.bib"], today=INGEST_DAY)
    merges = report.files[0].to_dict()["merges"]
    assert report.added == 0 and len(merges) == report.matched == report.files[0].entries
    first = merges[0]
    assert set(first) == {"source", "title", "paper_id", "paper_title", "reason", "changed"}
    assert first["source"].startswith(str(LISTS / "zotero-bbt.bib")) or first["source"].endswith(":1")
    assert all(m["reason"] in {"arxiv id", "doi", "title", "abstract"} for m in merges)


# -- round trips --------------------------------------------------------------------------------


def export_of(lib: Library, fmt: str) -> str:
    return lib.export(fmt, user="ada").text


def entries_of(text: str, fmt: str) -> list:
    """The entries of an export as plain data, for comparing two exports."""
    if fmt in ("bibtex", "biblatex"):
        library = bibtexparser.parse_string(text)
        return [(e.entry_type, e.key, sorted((f.key, f.value) for f in e.fields)) for e in library.entries]
    if fmt == "ris":
        return rispy.loads(text)
    if fmt == "csljson":
        return json.loads(text)
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", LIBRARIES)
def test_every_export_round_trips(name, tmp_path):
    with Library(tmp_path / "lab.db") as lab:
        first = lab.import_likes("ada", [LISTS / name], today=INGEST_DAY)
        assert first.added > 0 and not first.errors
        for fmt in FORMATS:
            text = export_of(lab, fmt)
            path = tmp_path / f"{name}.{fmt}.txt"
            path.write_text(text, encoding="utf-8")
            again = lab.import_likes("ada", [path], today=INGEST_DAY)  # into the same library
            assert (again.added, again.matched) == (0, first.added + first.matched), fmt
            with Library(tmp_path / f"fresh-{fmt}.db") as fresh:  # into an empty one, and out again
                fresh.import_likes("ada", [path], today=INGEST_DAY)
                assert entries_of(export_of(fresh, fmt), fmt) == entries_of(text, fmt), fmt


def test_a_same_title_paper_by_other_authors_is_not_merged(empty, tmp_path):
    bib = tmp_path / "two.bib"
    bib.write_text("@article{a, title={Deep learning}, author={LeCun, Yann and Bengio, Yoshua}, year=2015,"
                   " journal={Nature}}\n"
                   "@article{b, title={Deep learning}, author={Smith, Jane}, year=2015, journal={Other}}\n"
                   "@incollection{c, title={On a general theory of things}, author={Doe, John}, year=1991,"
                   " booktitle={Collected papers}}\n"
                   "@article{d, title={On a general theory of things}, author={Doe, John}, year=1988,"
                   " journal={Journal of Things}, doi={10.1000/xyz}}\n")
    report = empty.import_likes("ada", [bib], today=INGEST_DAY)
    assert report.added == 4
    theory = titled(empty, "On a general theory of things")
    assert {(p.work_kind, p.year, p.doi) for p in theory} == {
        (Kind.CHAPTER, 1991, None), (Kind.ARTICLE, 1988, "10.1000/xyz")}


# -- an older database ----------------------------------------------------------------------------


def test_a_database_of_name_strings_is_migrated(tmp_path):
    import sqlite3

    import sqlite_utils

    from recommender.store import MIGRATIONS

    path = tmp_path / "v9.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    for migrate in MIGRATIONS[:9]:
        migrate(db)
    rows = [
        (1, "Orientalism", "orientalism", ["Edward W. Said"], None, "1978-01-01", 1, None),
        (2, "A study of Cu$_2$O oxidation kinetics", None, ["A.T. Fromhold Jr.", "Maria La Rocca", "Jan van der Berg"],
         "10.1007/abc_20", "1963-06-01", 1, "Journal of Chemical Physics"),
    ]
    for paper_id, title, key, authors, doi, published, approx, venue in rows:
        db.execute(
            "INSERT INTO papers (id, title, title_derived, title_key, abstract, authors, authors_truncated, "
            "organisations, categories, lang, added, updated, doi, date_approx, published, year, venue) "
            "VALUES (?, ?, 0, ?, '', ?, 0, '[]', '[]', 'en', 'x', 'x', ?, ?, ?, ?, ?)",
            [paper_id, title, key, json.dumps(authors), doi, approx, published, int(published[:4]), venue])
    db.execute("PRAGMA user_version = 9")
    db.conn.commit()
    db.close()
    with Library(path) as lib:
        said, study = store_of(lib).papers([1, 2])
        assert said.authors == [Person(family="Said", given="Edward W.")]
        assert (said.date_precision, said.date_label, said.work_kind) == (Precision.YEAR, "1978", Kind.OTHER)
        assert study.authors == [Person(family="Fromhold", given="A.T.", suffix="Jr."),
                                 Person(family="La Rocca", given="Maria"),
                                 Person(family="Berg", given="Jan", particle="van der")]
        assert (study.date_label, study.work_kind) == ("June 1963", Kind.ARTICLE)
        assert study.title == "A study of Cu₂O oxidation kinetics"  # math read as text now is
        assert [r.paper.id for r in lib.search("Cu₂O")] == [2]
        assert lib.paper("10.1007/ABC_20").id == 2  # DOIs match without case
        assert store_of(lib).ids_by_title_key("orientalism") == [1]
        # a short title is found again, by its authors
        bib = tmp_path / "said.bib"
        bib.write_text("@book{said1978, title={Orientalism}, author={Said, Edward W.}, year=1978}\n")
        assert lib.import_likes("ada", [bib], today=INGEST_DAY).added == 0
        assert lib.paper("1").work_kind == Kind.BOOK


def test_a_year_only_date_is_not_shown_as_the_first_of_january():
    paper = Paper(id=1, title="T", published=date(1958, 1, 1), date_precision=Precision.YEAR)
    assert paper.date_label == "1958" and paper.to_dict()["date"] == "1958"


@pytest.mark.parametrize("fmt", FORMATS)
def test_kinds_of_work_survive_every_format(zotero_lib, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    path.write_text(export_of(zotero_lib, fmt), encoding="utf-8")
    with Library(tmp_path / "fresh.db") as fresh:
        fresh.import_likes("ada", [path], today=INGEST_DAY)
        kinds = sorted((p.title, p.year or 0, p.work_kind.value) for p in papers_of(fresh))
    assert kinds == sorted((p.title, p.year or 0, p.work_kind.value) for p in papers_of(zotero_lib))
    if fmt == "bibtex":  # no standard BibTeX type: the names biblatex and IEEEtran know (else styles fall back to misc)
        entries = bibtexparser.parse_string(path.read_text(encoding="utf-8")).entries
        assert {"dataset", "online"} <= {e.entry_type for e in entries}
        assert not any("type" in e.fields_dict for e in entries)
