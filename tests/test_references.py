"""Reference managers' exports: BibTeX/BibLaTeX, RIS, CSL-JSON and Zotero's CSV.

The files in tests/data/bib/ are shaped like what each tool writes (see tests/data/README.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recommender import sources
from recommender.files import read_text_file
from recommender.papers import Precision, Record, Rejection
from recommender.people import displayed
from recommender.sources import bibtex, csljson, ris, zotero_csv
from recommender.sources.checks import check
from recommender.sources.lines import lines_of
from recommender.sources.references import Reference, arxiv_id_of, date_of, venue_of
from recommender.text import MAX_VENUE_CHARS

from tests.conftest import store_of

BIB = Path(__file__).resolve().parent / "data" / "bib"
TODAY = date(2026, 11, 22)


def read(name: str) -> tuple[str, list[Record | Rejection]]:
    text = read_text_file(BIB / name, 10**7)
    fmt, items = sources.parse_text(text, name, TODAY)
    return fmt, list(items)


def records(items: list[Record | Rejection]) -> dict[str, Record]:
    return {r.title: r for r in items if isinstance(r, Record) and r.title}


def rejections(items: list[Record | Rejection]) -> list[str]:
    return [str(r) for r in items if isinstance(r, Rejection)]


@pytest.mark.parametrize("name, fmt", [
    ("jabref.bib", "bibtex"), ("zotero-bbt.bib", "bibtex"), ("mendeley.bib", "bibtex"),
    ("scholar.bib", "bibtex"), ("zotero.ris", "ris"), ("endnote.ris", "ris"),
    ("zotero.json", "csl-json"), ("zotero.csv", "zotero-csv"),
])
def test_each_export_is_recognised_by_its_content(name, fmt):
    assert read(name)[0] == fmt


def test_jabref_strings_preamble_groups_accents_months_and_corporate_authors():
    _, items = read("jabref.bib")
    found = records(items)
    assert len(found) == 8
    # the entry without a title is rejected with the line its @ is on; nothing else is
    assert rejections(items) == ["jabref.bib:107: entry 'Untitled2020' has no title"]
    hk = found["Inhomogeneous Electron Gas"]
    assert displayed(hk.authors) == ["P. Hohenberg", "W. Kohn"]
    assert hk.published == date(1964, 11, 1) and hk.date_approx  # month macro `nov`
    assert hk.doi == "10.1103/PhysRev.136.B864" and hk.abstract == ""
    assert hk.source.line == 9 and hk.source.format == "bibtex"
    assert displayed(found["Projector augmented-wave method"].authors) == ["P. E. Blöchl"]
    assert displayed(found["Efficient iterative schemes for ab initio total-energy calculations using a "
                           "plane-wave basis set"].authors) == ["G. Kresse", "J. Furthmüller"]
    einstein = found["Zur Elektrodynamik bewegter Körper"]  # double braces around TeX accents
    assert einstein.published == date(1905, 1, 1)
    atlas = found["Observation of a new particle in the search for the Standard Model Higgs "
                  "boson with the ATLAS detector"]
    assert displayed(atlas.authors) == ["ATLAS Collaboration", "G. Aad", "T. Abajyan"]
    assert atlas.authors_truncated  # `and others`
    assert (atlas.arxiv_id, atlas.categories) == ("1207.7214", ["hep-ex"])
    assert found["Electric Field Effect in Atomically Thin Carbon Films"].arxiv_id == "cond-mat/0410550"
    assert "Generalized Gradient Approximation Made Simple" in found  # journal = prl macro


def test_better_bibtex_biblatex_dates_eprinttype_and_protected_capitals():
    _, items = read("zotero-bbt.bib")
    found = records(items)
    assert not rejections(items)
    node = found["Neural Ordinary Differential Equations"]
    assert (node.arxiv_id, node.published, node.date_approx) == ("1806.07366", date(2018, 6, 19), False)
    assert node.categories == ["cs.LG"] and node.doi == "10.48550/arXiv.1806.07366"
    ffjord = found["FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models"]
    assert ffjord.arxiv_id == "1810.01367"  # eprinttype in lower case
    assert found["The Rise of Graphene"].published == date(2007, 3, 1)
    assert displayed(found["Learning a Parametric Embedding by Preserving Local Structure"].authors) == [
        "Laurens van der Maaten"]
    assert found["Latent ODEs for Irregularly-Sampled Time Series"].arxiv_id is None


def test_mendeley_arxivid_and_google_scholar_journal_mentions():
    _, mendeley = read("mendeley.bib")
    assert {r.arxiv_id for r in records(mendeley).values()} == {"1806.07366", "1906.02735"}
    assert records(mendeley)["Residual Flows for Invertible Generative Modeling"].authors[-1].display == "Jörn-Henrik Jacobsen"
    _, scholar = read("scholar.bib")
    found = records(scholar)
    sycophancy = found["Towards understanding sycophancy in language models"]
    assert sycophancy.arxiv_id == "2310.13548" and sycophancy.authors_truncated
    assert len(sycophancy.authors) == 10
    assert "Łukasz Kaiser" in displayed(found["Attention is all you need"].authors)


def test_ris_with_a_bom_crlf_and_multiline_abstract():
    raw = (BIB / "zotero.ris").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    _, items = read("zotero.ris")
    found = records(items)
    node = found["Neural Ordinary Differential Equations"]
    assert node.abstract.startswith("We introduce a new family of deep neural network models. "
                                    "Instead of specifying a discrete sequence of hidden layers, we")
    assert node.abstract.endswith("using a neural network.")
    assert displayed(node.authors)[0] == "Ricky T. Q. Chen" and node.arxiv_id == "1806.07366"
    assert node.published == date(2018, 6, 19)
    assert found["The rise of graphene"].published == date(2007, 3, 1)
    assert rejections(items) == ["zotero.ris:37: entry has no title"]


def test_endnote_ris_t1_n2_y1_and_an_arxiv_pdf_link():
    _, items = read("endnote.ris")
    found = records(items)
    sq = found["Detailed Balance Limit of Efficiency of p-n Junction Solar Cells"]
    assert sq.abstract.startswith("In order to find an upper theoretical limit")
    assert sq.published == date(1961, 1, 1) and sq.doi == "10.1063/1.1736034"
    attention = found["Attention Is All You Need"]
    assert (attention.arxiv_id, attention.version) == ("1706.03762", 5)
    assert attention.source.line == 14


def test_csl_json_items_with_their_lines():
    _, items = read("zotero.json")
    found = records(items)
    node = found["Neural Ordinary Differential Equations"]
    assert node.source.line == 2 and node.arxiv_id == "1806.07366"
    assert node.published == date(2018, 6, 19)
    ipcc = found["Climate Change 2021: The Physical Science Basis"]
    assert displayed(ipcc.authors) == ["Intergovernmental Panel on Climate Change"]
    assert rejections(items) == ["zotero.json:45: entry 'http://zotero.org/users/123456/items/NOTITLE1' has no title"]


def test_zotero_csv_with_an_abstract_spanning_lines():
    _, items = read("zotero.csv")
    found = records(items)
    assert [r.source.line for r in found.values()] == [2, 4]
    assert found["Neural Ordinary Differential Equations"].arxiv_id == "1806.07366"
    assert found["Generalized Gradient Approximation Made Simple"].abstract == ""
    assert rejections(items) == ["zotero.csv:5: entry 'ZZZNOTIT' has no title"]


def test_a_broken_bibtex_entry_is_rejected_and_the_rest_read():
    text = ("@article{good1, title={First {Paper}}, year=2020}\n"
            "@article{bad, title={Unclosed, year=2020\n"
            "\n@article{good2, title={Second}, author={A. Person}}\n")
    items = list(bibtex.parse(text, "t.bib", TODAY))
    assert [r.title for r in items if isinstance(r, Record)] == ["First Paper", "Second"]
    assert [r.line for r in items if isinstance(r, Rejection)] == [2]


def test_a_repeated_cite_key_is_still_read():
    text = "@article{a, title={One}}\n@article{a, title={Two}, month=jun, year=2001}\n"
    items = list(bibtex.parse(text, "t.bib", TODAY))
    assert [(r.title, r.published) for r in items if isinstance(r, Record)] == [
        ("One", None), ("Two", date(2001, 6, 1))]


def test_string_concatenation_and_nested_braces():
    text = ('@string{ml = "Machine"}\n'
            '@inproceedings{k, title = {{On {Nested {Braces}}} in ' + "{\\'E}" + 'tudes}, '
            'booktitle = ml # " Learning", author = {M{\\"u}ller, J{\\"o}rg and Zhang, W.}}\n')
    [record] = list(bibtex.parse(text, "t.bib", TODAY))
    assert isinstance(record, Record)
    assert record.title == "On Nested Braces in Études"
    assert displayed(record.authors) == ["Jörg Müller", "W. Zhang"]


@pytest.mark.parametrize("fields, expected", [
    ({"eprint": "arXiv:2101.00001v2"}, ("2101.00001", 2)),
    ({"doi": "10.48550/arXiv.1806.07366"}, ("1806.07366", None)),
    ({"mentions": ["arXiv preprint arXiv:1810.01367"]}, ("1810.01367", None)),
    ({"mentions": ["https://arxiv.org/abs/hep-th/9901001v1"]}, ("hep-th/9901001", 1)),
    ({"mentions": ["Physical Review B", "https://doi.org/10.1103/PhysRevB.54.11169"]}, None),
])
def test_arxiv_ids_are_found_where_tools_put_them(fields, expected):
    assert arxiv_id_of(Reference(line=1, **fields)) == expected


def test_dates_of_various_precision():
    assert date_of("2018/06/19/") == (date(2018, 6, 19), Precision.DAY)
    assert date_of("2018", 6) == (date(2018, 6, 1), Precision.MONTH)
    assert date_of("1958") == (date(1958, 1, 1), Precision.YEAR)
    assert date_of("in press") == (None, Precision.DAY)
    assert date_of("2018-13-40") == (date(2018, 1, 1), Precision.YEAR)


def test_detection_leaves_other_formats_alone():
    assert not bibtex.looks_like("Some listing text with an email@example.org{ in it")
    assert not ris.looks_like("TY  - JOUR\nno end")
    assert not csljson.looks_like('{"id": "2101.00001", "title": "x", "abstract": "y"}')
    assert not zotero_csv.looks_like("title,abstract\nA,B\n")


def test_papers_without_abstracts_are_stored_searched_and_filled_in_later(empty):
    report = empty.ingest([BIB / "zotero-bbt.bib", BIB / "jabref.bib"], today=TODAY)
    assert (report.added, len(report.rejected)) == (13, 1)
    node = empty.paper("1806.07366")
    assert node.abstract == "" and node.doi == "10.48550/arXiv.1806.07366"  # as given; matched without case
    assert [r.paper.title for r in empty.search("graphene", limit=3)] == ["The Rise of Graphene"]
    assert {r.paper.title for r in empty.search("author:Kohn", limit=3)} == {
        "Self-Consistent Equations Including Exchange and Correlation Effects",
        "Inhomogeneous Electron Gas"}
    assert empty.paper("10.1002/andp.19053221004").title == "Zur Elektrodynamik bewegter Körper"
    # the Mendeley export holds the abstract: the same paper (by arXiv id) gains it
    empty.ingest([BIB / "mendeley.bib"], today=TODAY)
    assert empty.paper("1806.07366").abstract.startswith("We introduce a new family")
    assert store_of(empty).count_papers() == 14


def test_months_written_as_names_numbers_or_with_a_day():
    text = ('@article{a, title={One}, month=June, year={2018a}}\n'
            '@article{b, title={Two}, month=jun # "~12", year=2019}\n'
            '@article{c, title={Three}, month={11}, year=2020}\n')
    found = [r.published for r in bibtex.parse(text, "t.bib", TODAY) if isinstance(r, Record)]
    assert found == [date(2018, 6, 1), date(2019, 6, 1), date(2020, 11, 1)]


# -- venues -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, title, venue", [
    ("jabref.bib", "Generalized Gradient Approximation Made Simple", "Physical Review Letters"),  # @string
    ("jabref.bib", "Zur Elektrodynamik bewegter Körper", "Annalen der Physik"),
    ("zotero-bbt.bib", "The Rise of Graphene", "Nature Materials"),  # journaltitle, not shortjournal
    ("zotero-bbt.bib", "Latent ODEs for Irregularly-Sampled Time Series",
     "Advances in Neural Information Processing Systems"),  # booktitle, its {{…}} dropped
    ("zotero-bbt.bib", "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models", None),
    ("mendeley.bib", "Neural Ordinary Differential Equations", "Advances in Neural Information Processing Systems"),
    ("scholar.bib", "Attention is all you need", "Advances in neural information processing systems"),
    ("scholar.bib", "Towards understanding sycophancy in language models", None),  # arXiv preprint arXiv:…
    ("zotero.ris", "The rise of graphene", "Nature Materials"),  # T2
    ("zotero.ris", "Neural Ordinary Differential Equations", None),
    ("endnote.ris", "Detailed Balance Limit of Efficiency of p-n Junction Solar Cells",
     "Journal of Applied Physics"),  # JO
    ("endnote.ris", "Attention Is All You Need", "Advances in Neural Information Processing Systems 30"),  # CONF's T2
    ("zotero.json", "Generalized Gradient Approximation Made Simple", "Physical Review Letters"),
    ("zotero.json", "Climate Change 2021: The Physical Science Basis", None),
    ("zotero.csv", "Generalized Gradient Approximation Made Simple", "Physical Review Letters"),
    ("zotero.csv", "Neural Ordinary Differential Equations", None),
])
def test_each_export_gives_the_venue(name, title, venue):
    _, items = read(name)
    assert records(items)[title].venue == venue


def venues(fmt, text: str, name: str) -> dict[str, str | None]:
    """Each record's venue by its title, as the format module `fmt` parses `text`."""
    return {r.title: r.venue for r in fmt.parse(text, name, TODAY) if isinstance(r, Record)}


def test_bibtex_venue_prefers_journaltitle_then_journal_then_booktitle_and_reads_tex():
    text = ("@article{a, title={A}, journaltitle={Nature Physics}, journal={Nat. Phys.}}\n"
            "@inproceedings{b, title={B}, journal={Journal}, booktitle={Book}}\n"
            "@inproceedings{c, title={C}, booktitle={Proceedings of the {IEEE} Symposium}}\n"
            '@article{d, title={D}, journal={Journal f{\\"u}r die reine und angewandte {M}athematik}}\n'
            "@article{e, title={E}, journal={Physics \\& Society\n    Letters}}\n"
            "@misc{f, title={F}, howpublished={Slides}}\n")
    found = venues(bibtex, text, "t.bib")
    assert found == {"A": "Nature Physics", "B": "Journal", "C": "Proceedings of the IEEE Symposium",
                     "D": "Journal für die reine und angewandte Mathematik", "E": "Physics & Society Letters",
                     "F": None}


def test_ris_venue_prefers_the_full_journal_name_over_its_abbreviation():
    text = ("TY  - JOUR\nTI  - Abbreviated only\nJ2  - Phys. Rev. D\nER  - \n"
            "TY  - JOUR\nTI  - Both\nJ2  - Phys. Rev. D\nJF  - Physical Review D\nER  - \n"
            "TY  - JOUR\nTI  - Secondary title\nJA  - Nat. Mater.\nT2  - Nature Materials\nER  - \n"
            "TY  - CHAP\nTI  - A chapter\nBT  - Handbook of Spectroscopy\nER  - \n"
            "TY  - BOOK\nTI  - A book in a series\nT2  - Lecture Notes in Physics\nER  - \n")
    found = venues(ris, text, "t.ris")
    assert found == {"Abbreviated only": "Phys. Rev. D", "Both": "Physical Review D",
                     "Secondary title": "Nature Materials", "A chapter": "Handbook of Spectroscopy",
                     "A book in a series": None}


def test_csl_json_container_title_as_a_string_or_a_list():
    text = ('[{"type": "article-journal", "title": "One", "container-title": "Physical Review D"},\n'
            ' {"type": "paper-conference", "title": "Two", "container-title": ["Proceedings of ICML", "ICML"]},\n'
            ' {"type": "article-journal", "title": "Three", "container-title": ""}]\n')
    found = venues(csljson, text, "t.json")
    assert found == {"One": "Physical Review D", "Two": "Proceedings of ICML", "Three": None}


def test_zotero_csv_venue_falls_back_to_proceedings_title_then_conference_name():
    text = ('"Key","Item Type","Title","Publication Title","Proceedings Title","Conference Name"\n'
            '"K1","journalArticle","One","Physical Review D","",""\n'
            '"K2","conferencePaper","Two","","Proceedings of ICML 2020","ICML 2020"\n'
            '"K3","conferencePaper","Three","","","NeurIPS 2019"\n'
            '"K4","preprint","Four","","",""\n')
    found = venues(zotero_csv, text, "t.csv")
    assert found == {"One": "Physical Review D", "Two": "Proceedings of ICML 2020", "Three": "NeurIPS 2019",
                     "Four": None}


@pytest.mark.parametrize("venue", [
    "arXiv preprint arXiv:2310.13548", "ArXiv e-prints", "arXiv", "CoRR", "CoRR abs/cs/0102003",
])
def test_a_venue_that_only_names_arxiv_is_no_venue_and_still_gives_the_id(venue):
    [record] = bibtex.parse(f"@article{{k, title={{T}}, journal={{{venue}}}}}\n", "t.bib", TODAY)
    assert isinstance(record, Record) and record.venue is None
    assert venue_of(venue) is None
    assert venue_of("Journal of arXiv Studies") == "Journal of arXiv Studies"


def test_a_very_long_venue_is_cut_at_a_word_and_the_entry_kept():
    venue = "Proceedings of the Very Long Workshop " * 60  # 2,280 characters
    [record] = bibtex.parse(f"@inproceedings{{k, title={{T}}, booktitle={{{venue}}}}}\n", "t.bib", TODAY)
    assert isinstance(record, Record)
    assert record.venue is not None and len(record.venue) <= MAX_VENUE_CHARS
    assert record.venue.startswith("Proceedings of the Very Long Workshop Proceedings")
    assert record.venue.endswith("…") and not record.venue.endswith(" …")
    assert check(record) is record


def test_venues_are_kept_filled_in_and_not_replaced_across_files(empty):
    empty.ingest([BIB / "zotero-bbt.bib"], today=TODAY)
    assert empty.paper("1806.07366").venue is None  # Better BibTeX's preprint entry names none
    empty.ingest([BIB / "mendeley.bib"], today=TODAY)
    assert empty.paper("1806.07366").venue == "Advances in Neural Information Processing Systems"
    empty.ingest([BIB / "scholar.bib"], today=TODAY)  # the same paper, its venue in lower case
    assert empty.paper("1806.07366").venue == "Advances in Neural Information Processing Systems"
    assert empty.paper("10.1038/nmat1849").venue == "Nature Materials"


def test_string_macros_nest_and_concatenate():
    text = ("@string{pr = {Physical Review}}\n@String{prb = pr # { B}}\n"
            '@string{jpcs = "Journal of Physics and Chemistry" # { of Solids}}\n'
            "@article{a, title={T}, journal=prb, month=jun, year=2001}\n"
            '@article{b, title={U}, journal=jpcs # " 12", month=jun # "~12"}\n'
            "@article{c, title={V}, journal=undefined}\n")
    a, b, c = (r for r in bibtex.parse(text, "m.bib", TODAY))
    assert (a.venue, a.published, a.date_precision) == ("Physical Review B", date(2001, 6, 1), Precision.MONTH)
    assert b.venue == "Journal of Physics and Chemistry of Solids 12"
    assert c.venue == "undefined"


def test_a_ris_file_whose_first_entry_is_long_is_still_ris():
    long_abstract = "A sentence of a long abstract. " * 4000  # 124,000 characters, past the head read
    text = f"TY  - JOUR\nTI  - A long one\nAU  - Doe, Jane\nAB  - {long_abstract}\nER  - \n"
    assert ris.looks_like(text)
    fmt, items = sources.parse_text(text, "long.ris", TODAY)
    assert fmt == "ris" and [r.title for r in items] == ["A long one"]


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_a_bibtex_file_cut_in_parts_gives_the_records_of_the_whole(parts, monkeypatch):
    for name in ("jabref.bib", "zotero-bbt.bib", "mendeley.bib"):
        text = read_text_file(Path(__file__).resolve().parent / "data" / "reading_lists" / name, 10**8)
        monkeypatch.setattr(bibtex, "BLOCKS_A_PIECE", 10**9)  # one piece: bibtexparser reads the whole text
        whole = list(bibtex.parse(text, name, TODAY))
        monkeypatch.setattr(bibtex, "BLOCKS_A_PIECE", 4)
        pieces = [list(bibtex.read_parts(lines_of(text), name, TODAY, part, parts)) for part in range(parts)]
        in_turn = [record for number in range(max(map(len, pieces)))
                   for part in pieces if number < len(part) for record in part[number]]
        assert in_turn == whole  # string macros, preamble macros and lines hold in every piece
