"""A person's own reading list in as likes (`import`), and reading lists out (`export`)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import rispy
from click.testing import CliRunner

from bot.cli import cli
from recommender import Library
from recommender.export import FORMATS, cite_keys
from recommender.papers import Paper, Precision
from recommender.people import Person

from .conftest import INGEST_DAY, store_of

BIB = Path(__file__).resolve().parent / "data" / "bib"


@pytest.fixture
def imported(seeded) -> Library:
    """The seeded library after ada imported every export in tests/data/bib."""
    seeded.import_likes("ada", [BIB], today=INGEST_DAY)
    return seeded


def test_import_likes_every_titled_entry_and_reports_each_rejection(seeded):
    report = seeded.import_likes("ada", [BIB], today=INGEST_DAY)
    # 31 entries in 8 files, 4 without a title; the other 27 name 18 distinct papers
    assert (report.added, report.matched, len(report.rejected)) == (13, 14, 4)
    assert report.liked == len(report.paper_ids) == 18
    assert sorted(str(r) for r in report.rejected) == [
        "tests/data/bib/jabref.bib:107: entry 'Untitled2020' has no title",
        "tests/data/bib/zotero.csv:5: entry 'ZZZNOTIT' has no title",
        "tests/data/bib/zotero.json:45: entry 'http://zotero.org/users/123456/items/NOTITLE1' has no title",
        "tests/data/bib/zotero.ris:37: entry has no title",
    ]
    liked = {s.paper.title for s in seeded.likes("ada")}
    assert len(liked) == 18
    # entries of seeded papers were matched to them (arXiv id, title), not added again
    assert "Latent ODEs for Irregularly-Sampled Time Series" in liked
    assert store_of(seeded).count_papers() == 80 + 13
    node = seeded.paper("Neural Ordinary Differential Equations")
    assert node.arxiv_id == "1806.07366" and node.abstract  # the seed's abstract is kept


def test_importing_again_changes_nothing(imported):
    before = [(s.paper.id, s.created) for s in imported.likes("ada")]
    papers = store_of(imported).count_papers()
    again = imported.import_likes("ada", [BIB], today=INGEST_DAY)
    assert (again.added, again.liked, again.already_liked) == (0, 0, 27)
    assert [(s.paper.id, s.created) for s in imported.likes("ada")] == before
    assert store_of(imported).count_papers() == papers


def test_imported_likes_are_in_their_group_and_drive_recommendations(seeded):
    assert seeded.recommend("bob", limit=3)  # cold start: bundled favourites, no reason
    seeded.import_likes("bob", [BIB / "zotero-bbt.bib"], group="lab1", today=INGEST_DAY)
    assert {s.group for s in seeded.likes("bob")} == {"lab1"}
    ranked = seeded.recommend("bob", limit=5, group="lab1")
    liked = {s.paper.id for s in seeded.likes("bob")}
    assert ranked and not {r.paper.id for r in ranked} & liked
    assert all("which you liked" in r.reason for r in ranked)


def test_a_file_that_cannot_be_read_is_reported_and_the_rest_imported(seeded, tmp_path):
    bad = tmp_path / "notes.bin"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    report = seeded.import_likes("ada", [bad, BIB / "scholar.bib"], today=INGEST_DAY)
    assert report.errors and "not UTF-8" in report.errors[0]
    assert report.liked == 3


def test_cite_keys_keep_the_source_key_and_are_unique(imported):
    papers = store_of(imported).papers(store_of(imported).all_ids())
    keys = cite_keys(papers)
    assert len(set(keys.values())) == len(papers)
    by_title = {p.title: keys[p.id] for p in papers}
    assert by_title["Generalized Gradient Approximation Made Simple"] == "Perdew1996"  # JabRef's key
    assert by_title["Towards Understanding Sycophancy in Language Models"] == "sharma2023towards"
    assert cite_keys(list(reversed(papers))) == keys  # the same keys whatever the order


def made(paper_id: int, title: str, authors: list, year: int, cite_key: str | None = None) -> Paper:
    return Paper(id=paper_id, title=title, authors=authors, published=date(year, 1, 1),
                 date_precision=Precision.YEAR, cite_key=cite_key)


def test_a_paper_without_a_key_gets_family_name_year_and_first_word():
    papers = [
        made(1, "Neural Ordinary Differential Equations", ["Ricky T. Q. Chen"], 2018),
        made(2, "On the flow of water", [Person(family="Abu-Zeid", given="M.")], 1986),
        made(3, "A study of the past", [Person(family="La Rocca", given="Maria")], 2001),
        made(4, "Kommuneplan", [Person(literal="Fredensborg Kommune")], 2020),
        made(5, "Kinetics of oxidation", [Person(family="Fromhold", given="A. T.", suffix="Jr.")], 1963),
    ]
    assert list(cite_keys(papers).values()) == [
        "chen2018neural", "abuzeid1986flow", "larocca2001study", "fredensborgkommune2020kommuneplan",
        "fromhold1963kinetics",
    ]


def test_repeated_keys_get_letters_in_id_order():
    papers = [made(n, title, ["Ricky Chen"], 2019, key) for n, title, key in (
        (3, "Flows Three", None), (1, "Flows One", None), (2, "Flows Two", "chen2019flows"))]
    assert cite_keys(papers) == {1: "chen2019flows", 2: "chen2019flowsb", 3: "chen2019flowsc"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_reads_back_as_the_same_papers(imported, tmp_path, fmt):
    exported = imported.export(fmt, user="ada")
    assert exported.papers == 18
    path = tmp_path / f"ada{exported.suffix}"
    path.write_text(exported.text, encoding="utf-8")
    # into the same library: every entry matches its paper and is already liked
    again = imported.import_likes("ada", [path], today=INGEST_DAY)
    assert (again.added, again.matched, len(again.rejected), again.already_liked) == (0, 18, 0, 18)
    # into a new library: the same papers, fields and all
    with Library(tmp_path / "fresh.db") as fresh:
        report = fresh.import_likes("eve", [path], today=INGEST_DAY)
        assert (report.added, len(report.rejected)) == (18, 0)
        ours = {p.title: p for p in store_of(imported).papers(s.paper.id for s in imported.likes("ada"))}
        theirs = {p.title: p for p in store_of(fresh).papers(store_of(fresh).all_ids())}
        assert theirs.keys() == ours.keys()
        assert sum(1 for paper in ours.values() if paper.venue) == 13
        for title, paper in ours.items():
            copy = theirs[title]
            assert (copy.arxiv_id, copy.doi, copy.authors, copy.abstract, copy.venue) == (
                paper.arxiv_id, paper.doi, paper.authors, paper.abstract, paper.venue), title
            assert copy.published == paper.published, title
            assert copy.authors_truncated == paper.authors_truncated or fmt != "bibtex"


def entry_titled(entries, start: str):
    return next(e for e in entries if e.fields_dict["title"].value.strip("{}").startswith(start))


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bibtex_export_reads_in_bibtexparser_without_errors(imported, fmt):
    exported = imported.export(fmt)
    library = bibtexparser.parse_string(exported.text)
    assert not library.failed_blocks
    assert len(library.entries) == exported.papers == store_of(imported).count_papers()
    atlas = entry_titled(library.entries, "Observation of a new particle")
    fields = {f.key: f.value for f in atlas.fields}
    assert fields["eprint"] == "1207.7214" and fields["doi"] == "10.1016/j.physletb.2012.08.020"
    assert fields["author"].endswith(" and others")
    assert atlas.entry_type == "article"  # published in a journal: cited as the article, with its eprint
    if fmt == "biblatex":
        assert fields["eprinttype"] == "arXiv" and fields["date"] == "2012"
    else:
        assert fields["archivePrefix"] == "arXiv" and fields["primaryClass"] == "hep-ex"


@pytest.mark.parametrize("biblatex", [False, True])
def test_bibtex_export_writes_the_venue_and_the_kind_of_work(imported, biblatex):
    exported = imported.export("biblatex" if biblatex else "bibtex", user="ada")
    entries = bibtexparser.parse_string(exported.text).entries
    journal = "journaltitle" if biblatex else "journal"
    gga = entry_titled(entries, "Generalized Gradient Approximation")  # a DOI and a venue, no arXiv id
    assert gga.entry_type == "article" and gga.fields_dict[journal].value == "Physical Review Letters"
    atlas = entry_titled(entries, "Observation of a new particle")
    assert atlas.entry_type == "article" and atlas.fields_dict[journal].value == "Physics Letters B"
    sycophancy = entry_titled(entries, "Towards Understanding Sycophancy")  # an arXiv preprint without a venue
    assert sycophancy.entry_type == ("online" if biblatex else "misc") and journal not in sycophancy.fields_dict


def test_each_format_writes_the_venue_where_its_readers_look(imported):
    [ris_entry] = [e for e in rispy.loads(imported.export("ris", user="ada").text) if e["title"] == "The Rise of Graphene"]
    assert ris_entry["journal_name"] == "Nature Materials"  # JO
    [item] = [i for i in json.loads(imported.export("csljson", user="ada").text) if i["title"] == "The Rise of Graphene"]
    assert item["container-title"] == "Nature Materials"
    rows = list(csv.DictReader(io.StringIO(imported.export("csv", user="ada").text)))
    [row] = [r for r in rows if r["Title"] == "The Rise of Graphene"]
    assert row["Publication Title"] == "Nature Materials"
    assert all(r["Publication Title"] == "" for r in rows if r["Title"].startswith("Towards Understanding Sycophancy"))


def test_a_paper_in_proceedings_is_exported_as_one_and_a_journal_called_proceedings_is_not(empty, tmp_path):
    source = tmp_path / "venues.bib"
    source.write_text(
        "@inproceedings{a, title={Neural Ordinary Differential Equations}, author={Ricky Chen}, year=2018,\n"
        "  booktitle={Advances in Neural Information Processing Systems}}\n"
        "@inproceedings{b, title={Latent Program Search}, author={Ada Lovelace}, year=2019,\n"
        "  booktitle={Proceedings of the 36th International Conference on Machine Learning}}\n"
        "@article{c, title={Graphene Rises}, author={Andre Geim}, year=2007,\n"
        "  journal={Proceedings of the National Academy of Sciences}}\n",
        encoding="utf-8",
    )
    empty.import_likes("ada", [source], today=INGEST_DAY)
    entries = bibtexparser.parse_string(empty.export("bibtex").text).entries
    venue_fields = {"booktitle", "journal"}
    bib = {e.fields_dict["title"].value.strip("{}"): (e.entry_type, sorted(set(e.fields_dict) & venue_fields))
           for e in entries}
    assert bib == {"Neural Ordinary Differential Equations": ("inproceedings", ["booktitle"]),
                   "Latent Program Search": ("inproceedings", ["booktitle"]),
                   "Graphene Rises": ("article", ["journal"])}
    ris = {e["title"]: e for e in rispy.loads(empty.export("ris").text)}
    assert ris["Latent Program Search"]["type_of_reference"] == "CONF"
    assert ris["Latent Program Search"]["secondary_title"].startswith("Proceedings of the 36th")
    assert ris["Graphene Rises"]["type_of_reference"] == "JOUR"
    csl = {i["title"]: i["type"] for i in json.loads(empty.export("csljson").text)}
    assert csl == {"Neural Ordinary Differential Equations": "paper-conference",
                   "Latent Program Search": "paper-conference", "Graphene Rises": "article-journal"}
    rows = {r["Title"]: r["Item Type"] for r in csv.DictReader(io.StringIO(empty.export("csv").text))}
    assert rows["Latent Program Search"] == "conferencePaper" and rows["Graphene Rises"] == "journalArticle"
    venues = {p.title: p.venue for p in store_of(empty).papers(store_of(empty).all_ids())}
    for fmt in FORMATS:
        exported = empty.export(fmt)
        path = tmp_path / f"{fmt}{exported.suffix}"
        path.write_text(exported.text, encoding="utf-8")
        with Library(tmp_path / f"{fmt}.db") as fresh:
            fresh.import_likes("eve", [path], today=INGEST_DAY)
            assert {p.title: p.venue for p in store_of(fresh).papers(store_of(fresh).all_ids())} == venues, fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_venue_with_tex_specials_or_cut_long_comes_back_as_it_was(empty, tmp_path, fmt):
    source = tmp_path / "odd.bib"
    source.write_text(
        "@article{a, title={Odd Venue One}, author={Ada Lovelace}, year=2020,\n"
        '  journal={Journal f{\\"u}r Physik \\& Chemie: 100\\% {O}pen $\\alpha$~Letters}}\n'
        "@inproceedings{b, title={Odd Venue Two}, author={Ada Lovelace}, year=2021,\n"
        "  booktitle={" + "Proceedings of the Very Long Workshop " * 60 + "}}\n",
        encoding="utf-8",
    )
    empty.import_likes("ada", [source], today=INGEST_DAY)
    venues = {p.title: p.venue for p in store_of(empty).papers(store_of(empty).all_ids())}
    assert venues["Odd Venue One"].startswith("Journal für Physik & Chemie: 100% Open")
    assert len(venues["Odd Venue Two"]) <= 300 and venues["Odd Venue Two"].endswith("…")
    exported = empty.export(fmt, user="ada")
    path = tmp_path / f"out{exported.suffix}"
    path.write_text(exported.text, encoding="utf-8")
    with Library(tmp_path / "fresh.db") as fresh:
        report = fresh.import_likes("eve", [path], today=INGEST_DAY)
        assert (report.added, len(report.rejected)) == (2, 0)
        assert {p.title: p.venue for p in store_of(fresh).papers(store_of(fresh).all_ids())} == venues


def test_ris_export_reads_in_rispy(imported):
    exported = imported.export("ris", user="ada")
    entries = rispy.load(io.StringIO(exported.text))
    assert len(entries) == 18
    node = next(e for e in entries if e["title"] == "Neural Ordinary Differential Equations")
    assert node["authors"][0] == "Chen, Ricky T. Q." and node["urls"] == ["https://arxiv.org/abs/1806.07366"]
    assert node["date"] == "2018/06/19/"


def test_a_group_export_holds_what_was_liked_there(imported):
    imported.import_likes("bob", [BIB / "endnote.ris"], group="lab1", today=INGEST_DAY)
    exported = imported.export("csljson", group="lab1")
    titles = {item["title"] for item in json.loads(exported.text)}
    assert titles == {"Detailed Balance Limit of Efficiency of p-n Junction Solar Cells",
                      "Attention Is All You Need"}
    assert imported.export("csv", user="bob", group="lab2").papers == 0


def test_an_unknown_format_is_refused(imported):
    with pytest.raises(ValueError, match="unknown format"):
        imported.export("endnote-xml", user="ada")


# -- the command line ---------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def db(seeded_db, tmp_path) -> str:
    path = tmp_path / "cli.db"
    shutil.copy(seeded_db, path)
    return str(path)


def test_cli_import_reports_and_a_second_import_changes_nothing(db):
    first = run("--db", db, "import", "ada", str(BIB / "jabref.bib"), str(BIB / "zotero.ris"))
    assert first.exit_code == 0, first.output
    assert "jabref.bib (bibtex): 8 papers, all new to the library; ada likes 8 more papers; 1 entry rejected." in first.stdout
    assert "jabref.bib:107: entry 'Untitled2020' has no title" in first.stderr
    assert "ada likes 10 papers from these files" in first.stdout
    again = json.loads(run("--db", db, "import", "ada", str(BIB / "jabref.bib"), str(BIB / "zotero.ris"),
                           "--json").stdout)
    assert (again["added"], again["liked"], again["already_liked"], again["rejected"]) == (0, 0, 10, 2)
    shown = run("--db", db, "show", "10.1103/PhysRevB.50.17953")
    assert shown.exit_code == 0 and "Projector augmented-wave method" in shown.stdout


def test_cli_show_gives_the_venue_when_known(db):
    run("--db", db, "import", "ada", str(BIB / "jabref.bib"))
    shown = run("--db", db, "show", "10.1103/PhysRevB.50.17953")
    assert shown.exit_code == 0 and "\nVenue: Physical Review B\n" in shown.stdout
    assert json.loads(run("--db", db, "show", "10.1103/PhysRevB.50.17953", "--json").stdout)["venue"] == (
        "Physical Review B")
    seed = run("--db", db, "show", "Oops I Took")  # a bundled paper: no venue is known
    assert seed.exit_code == 0 and "Venue:" not in seed.stdout
    assert json.loads(run("--db", db, "show", "Oops I Took", "--json").stdout)["venue"] is None
    liked = json.loads(run("--db", db, "likes", "ada", "--json").stdout)
    assert {row["title"]: row["venue"] for row in liked}["Inhomogeneous Electron Gas"] == "Physical Review"


def test_cli_import_of_nothing_readable_fails(db, tmp_path):
    result = run("--db", db, "import", "ada", str(tmp_path / "missing.bib"))
    assert result.exit_code == 1
    assert "missing.bib" in result.stderr


def test_cli_export_to_a_file_and_to_stdout(db, tmp_path):
    run("--db", db, "import", "ada", str(BIB / "scholar.bib"))
    out = tmp_path / "ada.bib"
    written = run("--db", db, "export", "--user", "ada", "-o", str(out))
    assert written.exit_code == 0 and "Wrote 3 papers (ada's likes, bibtex)" in written.stderr
    assert len(bibtexparser.parse_file(str(out)).entries) == 3
    printed = run("--db", db, "export", "--user", "ada", "--format", "ris")
    assert printed.stdout.count("TY  - ") == 3
    assert run("--db", db, "export").exit_code == 2
    assert run("--db", db, "export", "--all", "--user", "ada").exit_code == 2
    unwritable = run("--db", db, "export", "--all", "-o", str(tmp_path / "no" / "such" / "dir.bib"))
    assert unwritable.exit_code == 1 and "Cannot write" in unwritable.stderr


def test_an_upload_is_imported_under_its_own_name(seeded):
    data = b"\xef\xbb\xbf" + (BIB / "endnote.ris").read_bytes().replace(b"\n", b"\r\n")
    upload = seeded.read_upload("EndNote Library.ris", data, today=INGEST_DAY)
    assert store_of(seeded).count_papers() == 80, "reading an upload stores nothing"
    report = seeded.import_upload("ada", upload, group="lab1")
    assert (report.files[0].format, report.liked) == ("ris", 2)
    assert [p.path for p in seeded.paper("Attention Is All You Need").sources] == ["EndNote Library.ris"]
    latin1 = seeded.import_upload("ada", seeded.read_upload("old.bib", "@misc{a, title={Caf\u00e9}}".encode("latin-1")))
    assert (latin1.errors, latin1.files[0].encoding, latin1.liked) == ([], "cp1252", 1)
    assert seeded.paper("Café").sources[0].path == "old.bib"
    binary = seeded.import_upload("ada", seeded.read_upload("old.bib", b"@misc{a, title={Caf\xe9\x00}}"))
    assert binary.errors == ["old.bib: not a text file (not UTF-8, and byte 20 is NUL)"] and binary.liked == 0


def test_an_imported_entry_without_abstract_is_matched_on_arxiv_and_gains_one(empty, arxiv_server, fake_gate):
    from recommender.arxiv import ArxivClient
    from tests.arxiv_seeds import route_seed_searches

    empty.import_likes("ada", [BIB / "zotero-bbt.bib"], today=INGEST_DAY)
    node = empty.paper("Latent ODEs for Irregularly-Sampled Time Series")
    assert (node.arxiv_id, node.abstract) == (None, "")
    route_seed_searches(arxiv_server)
    with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=fake_gate, backoff=1.0) as client:
        report = empty.enrich(client)
    assert [o.arxiv_id for o in report.matched] == ["1907.03907"]
    linked = empty.paper("1907.03907")
    assert linked.id == node.id and linked.published == date(2019, 7, 8)
    assert linked.abstract.startswith("Time series with non-uniform intervals")
    assert node.id in {s.paper.id for s in empty.likes("ada")}


def test_a_file_nested_too_deep_is_refused_and_the_next_files_read(empty, tmp_path):
    good = [{"title": f"Good paper {n}", "type": "book", "author": [{"family": "Doe", "given": "Jane"}]}
            for n in range(3)]
    deep = tmp_path / "deep.json"  # three good items, then one nested 100,000 levels deep
    deep.write_text(json.dumps(good)[:-1] + ', {"title": "x", "note": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    report = empty.import_likes("ada", [BIB / "zotero.ris", deep, BIB / "zotero.json"], today=INGEST_DAY)
    ris_file, deep_file, json_file = report.files
    assert "nested too deep" in (deep_file.error or "")
    assert (deep_file.added, deep_file.liked) == (0, 0)  # its good items were undone with it
    assert ris_file.liked and json_file.format == "csl-json" and not json_file.error
    assert not any(p.title.startswith("Good paper") for p in store_of(empty).papers(store_of(empty).all_ids()))
    assert len(report.paper_ids) == len(empty.likes("ada")) == ris_file.liked + json_file.liked
    ingested = empty.ingest([deep, BIB / "zotero.ris"], today=INGEST_DAY)
    assert "nested too deep" in (ingested.files[0].error or "") and ingested.files[1].error is None
