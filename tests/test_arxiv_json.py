"""The arXiv bulk-snapshot JSON-lines parser."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.merge import doi_norm
from recommender.papers import Record, Rejection
from recommender.people import displayed
from recommender.sources import arxiv_json, feeds, parse_text, table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SNAPSHOT = DATA / "arxiv-metadata-snapshot-sample.jsonl"
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def snapshot() -> list[Record | Rejection]:
    return list(arxiv_json.parse(SNAPSHOT.read_text(encoding="utf-8"), "snap.jsonl", TODAY))


@pytest.fixture(scope="module")
def by_id(snapshot) -> dict[str, Record]:
    return {r.arxiv_id: r for r in snapshot if isinstance(r, Record)}


def line(**fields) -> str:
    base = {
        "id": "0704.0002", "submitter": "Someone", "authors": "Ileana Streinu and Louis Theran",
        "title": "Sparsity-certifying Graph Decompositions", "comments": None,
        "journal-ref": None, "doi": None, "report-no": None, "categories": "math.CO cs.CG",
        "license": None, "abstract": "  We describe a new algorithm, the $(k,\\ell)$-pebble game\nwith colors.\n",
        "versions": [{"version": "v1", "created": "Sat, 31 Mar 2007 02:26:18 GMT"},
                     {"version": "v2", "created": "Sat, 13 Dec 2008 17:26:00 GMT"}],
        "update_date": "2008-12-13",
        "authors_parsed": [["Streinu", "Ileana", ""], ["Theran", "Louis", ""]],
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not ...}, ensure_ascii=False)


def test_sample_parses_fully(snapshot):
    assert len(snapshot) == 2000
    assert not [r for r in snapshot if isinstance(r, Rejection)]
    assert [r.source.line for r in snapshot[:3]] == [1, 2, 3]
    assert snapshot[-1].source.line == 2000
    assert all(r.source.format == "arxiv-json" and r.source.path == "snap.jsonl" for r in snapshot)
    assert all(r.title and r.abstract and r.published and r.version for r in snapshot)
    assert all("\n" not in r.title and "  " not in r.abstract for r in snapshot)
    # 16 author lists in the sample end in "et al"; the others are complete
    truncated = {r.arxiv_id for r in snapshot if r.authors_truncated}
    assert len(truncated) == 16 and {"0704.0020", "0704.0760", "0704.0966"} <= truncated


def test_first_record_fields(by_id):
    r = by_id["0704.0001"]
    assert r.title == ("Calculation of prompt diphoton production cross sections at Tevatron "
                       "and LHC energies")
    assert displayed(r.authors) == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert r.categories == ["hep-ph"]
    assert r.published == date(2007, 4, 2)
    assert r.version == 2
    assert r.abstract.startswith("A fully differential calculation in perturbative quantum "
                                 "chromodynamics is presented")
    assert r.abstract.endswith("judicious selection of events.")
    assert r.lang == "en" and r.has_code is None and not r.authors_truncated


def test_versions_categories_and_math(by_id):
    assert by_id["0704.0389"].version == 8
    assert by_id["0704.0002"].categories == ["math.CO", "cs.CG"]
    assert by_id["0704.0002"].published == date(2007, 3, 31)  # v1 date, not update_date
    assert "the (k,ℓ)-pebble game" in by_id["0704.0002"].abstract  # $(k,\\ell)$


def test_authors_parsed_quirks(by_id):
    # suffixes kept, a stray comma after the surname dropped
    assert displayed(by_id["0704.0802"].authors) == ["Caleb K. Lo", "Robert W. Heath Jr.", "Sriram Vishwanath"]
    assert displayed(by_id["0704.0367"].authors) == ["Eyo Eyo Ita III"]
    # the parsed list holds a junk entry ";" made from the affiliation list
    assert displayed(by_id["0704.0307"].authors)[-1] == "Gibor Basri"
    assert len(by_id["0704.0307"].authors) == 8
    assert displayed(by_id["0704.1393"].authors)[-1] == "S. Sigurdsson"
    # a collaboration has only a "last name"
    assert displayed(by_id["0704.0147"].authors)[0] == "Sudha"
    # the raw author string says "et al"
    assert displayed(by_id["0704.0020"].authors) == ["The BABAR Collaboration", "B. Aubert"]
    assert by_id["0704.0020"].authors_truncated
    # arXiv parsed "A. Abulencia et al. (CDF Collaboration)" as last name "al."
    assert displayed(by_id["0704.0760"].authors) == ["A. Abulencia"]
    assert by_id["0704.0760"].authors_truncated



def test_the_journal_ref_is_the_venue_read_as_text_on_one_line(snapshot, by_id):
    assert by_id["0704.0001"].venue == "Phys.Rev.D76:013009,2007"
    assert by_id["0704.1208"].venue == ("Comptes rendus de l'académie des sciences, Mathématiques 338 "
                                        "(07/01/2004) 369-374")
    assert by_id["0704.0033"].venue == ("J.Opt.Soc.Am.A 23, 2578-2591 (2006); Erratum: J.Opt.Soc.Am.A 32, "
                                        "2407-2408 (2015)")
    with_venue = [r for r in snapshot if r.venue]
    assert len(with_venue) == 1138  # the lines whose journal-ref is set
    assert all("\n" not in r.venue and "\\" not in r.venue for r in with_venue)
    [unpublished] = arxiv_json.parse(line(), "one.jsonl", TODAY)
    [blank] = arxiv_json.parse(line(**{"journal-ref": "  "}), "one.jsonl", TODAY)
    assert isinstance(unpublished, Record) and isinstance(blank, Record)
    assert unpublished.venue is None and blank.venue is None


def test_tex_and_entities_read_as_text(by_id):
    """Real records: accents, dashes, quotes, \\emph and entities as readers expect; math kept."""
    assert "scale-free and Erdős-Rényi structure" in by_id["0704.1144"].abstract  # Erd\\H{o}s-R\\'enyi
    assert displayed(by_id["0704.0062"].authors) == ["Rastislav Šrámek", "Broňa Brejová", "Tomáš Vinař"]
    assert by_id["0704.1140"].title == "Depletion effects in smectic phases of hard rod–hard sphere mixtures"
    assert "martingale techniques–most importantly a “spine” construction" in by_id["0704.0380"].abstract
    assert "recovering the a priori unknown shape" in by_id["0704.0708"].abstract  # \\emph{a priori}
    assert "200 ± 40 J m−2 s−0.5 K−1" in by_id["0704.1915"].abstract  # $\\pm$,  # &#8722;
    assert by_id["0704.0852"].title == ("Bose-Einstein correlations of direct photons in Au+Au "
                                         "collisions at $\\sqrt{s_{NN}} = 200$ GeV")


def test_no_tex_accents_or_entities_left_in_the_sample(snapshot):
    leftover = re.compile(r"\\['\"`^~=.]\{?[A-Za-z]|\\[Hvcu]\{|\\emph\{|\\&|&#\d|&amp;|&lt;|[a-z]--[a-z]")
    raw = [json.loads(text) for text in SNAPSHOT.read_text(encoding="utf-8").splitlines()]
    # 229 fields of the raw sample hold one of them; none of the parsed records does
    assert sum(1 for d in raw for f in ("title", "abstract", "authors") if leftover.search(d[f])) == 229
    assert not [(r.arxiv_id, text) for r in snapshot for text in (r.title, r.abstract, *displayed(r.authors))
                if leftover.search(text)]


def test_dois_as_given(snapshot, by_id):
    assert by_id["0704.1144"].doi == "10.1063/1.2737825"
    assert by_id["0704.0852"].doi == "10.1142/S021830130700774X"  # as given
    assert by_id["0704.0708"].doi is None  # "doi": null
    assert sum(1 for r in snapshot if r.doi) == 1316
    assert all(doi_norm(r.doi) == r.doi.lower() for r in snapshot if r.doi)
    # a field naming several DOIs (the paper and its erratum): the first
    [r] = arxiv_json.parse(line(doi="10.1103/PhysRevD.75.124007 10.1103/PhysRevD.82.029901\n  "
                                    "10.1103/PhysRevD.82.129903"), "x", TODAY)
    assert r.doi == "10.1103/PhysRevD.75.124007"
    [r] = arxiv_json.parse(line(doi="not a doi"), "x", TODAY)
    assert r.doi is None


def test_authors_from_string_when_not_parsed():
    text = line(id="0704.0001v1", authors="C. Bal\\'azs (1), E. L. Berger (2) and C.-P. Yuan, Jr. ((1) ANL, (2) MSU)",
                authors_parsed=...)
    [r] = arxiv_json.parse(text, "x", TODAY)
    assert displayed(r.authors) == ["C. Balázs", "E. L. Berger", "C.-P. Yuan Jr."]
    assert r.arxiv_id == "0704.0001"


@pytest.mark.parametrize("raw, cut", [
    ("Ileana Streinu, Louis Theran et~al.", True),
    ("Ileana Streinu, Louis Theran et&nbsp;al.", True),
    ("Ileana Streinu, Louis Theran (3 additional authors not shown)", True),
    ("Ileana Streinu and others", True),
    ("Ileana Streinu, Louis Theran, Petra Almeida", False),
])
def test_a_cut_list_is_told_by_the_raw_string_beside_authors_parsed(raw, cut):
    (record,) = arxiv_json.parse(line(authors=raw), "s.jsonl", TODAY)
    assert displayed(record.authors) == ["Ileana Streinu", "Louis Theran"]
    assert record.authors_truncated is cut
    assert table.authors_cut(raw) is cut


def test_dates_without_versions():
    # no versions: the month the id names (update_date is the last change, not the first)
    [r] = arxiv_json.parse(line(id="hep-th/9901001", versions=[]), "x", TODAY)
    assert r.arxiv_id == "hep-th/9901001"
    assert r.version is None
    assert (r.published, r.date_approx) == (date(1999, 1, 1), True)
    [r] = arxiv_json.parse(line(id="2401.00867", versions=...), "x", TODAY)
    assert (r.published, r.date_approx) == (date(2024, 1, 1), True)
    # no id either: update_date is all there is
    [r] = arxiv_json.parse(line(id=..., versions=[]), "x", TODAY)
    assert (r.arxiv_id, r.published, r.date_approx) == (None, date(2008, 12, 13), False)
    # the first version's date is exact
    [r] = arxiv_json.parse(line(), "x", TODAY)
    assert (r.published, r.date_approx) == (date(2007, 3, 31), False)


def test_bad_lines_are_rejected_and_parsing_goes_on():
    lines = [
        line(),
        '{"id": "0704.0003", "title": "Broken", ',  # cut JSON
        "",
        line(id="0704.0004", title="  "),
        line(id="0704.0005", abstract=None),
        "[1, 2, 3]",
        line(id="0704.0006", versions=[{"version": "v1", "created": "yesterday-ish"}]),
        line(id=..., versions=[], update_date="2008-13-45"),
        line(id="0704.0008"),
    ]
    out = list(arxiv_json.parse("\n".join(lines) + "\n", "bad.jsonl", TODAY))
    records = [r for r in out if isinstance(r, Record)]
    rejections = [r for r in out if isinstance(r, Rejection)]
    assert [r.arxiv_id for r in records] == ["0704.0002", "0704.0008"]
    assert [r.source.line for r in records] == [1, 9]
    assert [(r.path, r.line) for r in rejections] == [("bad.jsonl", n) for n in (2, 4, 5, 6, 7, 8)]
    reasons = [r.reason for r in rejections]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1] == "missing title"
    assert reasons[2] == "missing abstract"
    assert reasons[3] == "not a JSON object"
    assert "malformed date" in reasons[4] and "yesterday-ish" in reasons[4]
    assert "malformed update_date" in reasons[5]



def test_lone_surrogates_and_broken_json_are_rejected_and_parsing_goes_on():
    # json.loads turns the escape "\\ud800" into a lone surrogate, which no file or database holds
    lines = [
        line(id="0704.0011"),
        line(id="0704.0012", title="Broken \\ud800 title").replace("\\\\ud800", "\\ud800"),
        '{"id": "0704.0013", "title": "x", "abstract": "cut',
        line(id="0704.0014", authors_parsed=[["Doe", "J\\udfff", ""]]).replace("\\\\udfff", "\\udfff"),
        line(id="0704.0015", comments="\\ud800").replace("\\\\ud800", "\\ud800"),  # not stored: fine
        line(id="0704.0016"),
    ]
    text = "\n".join(lines) + "\n"
    assert text.count("\\ud800") == 2 and text.count("\\udfff") == 1
    for out in (list(arxiv_json.parse(text, "bad.jsonl", TODAY)),
                list(parse_text(text, "bad.jsonl", TODAY)[1])):
        assert [(type(x).__name__, x.line if isinstance(x, Rejection) else x.source.line) for x in out] == [
            ("Record", 1), ("Rejection", 2), ("Rejection", 3), ("Rejection", 4), ("Record", 5), ("Record", 6)]
        assert out[1].path == "bad.jsonl"
        assert out[1].reason.startswith("title holds U+D800 at character 8, which is not text")
        assert out[2].reason.startswith("invalid JSON")
        assert out[3].reason.startswith("author 1 holds U+DFFF")


def test_crlf_and_odd_types_do_not_break():
    text = line() + "\r\n" + line(id="0704.0009", categories=["cs.LG", 7], authors_parsed=[[1, 2]],
                                   versions=["v1"]) + "\r\n"
    out = list(arxiv_json.parse(text, "x", TODAY))
    assert [type(r) for r in out] == [Record, Record]
    assert out[1].categories == ["cs.LG"]
    assert displayed(out[1].authors) == ["Ileana Streinu", "Louis Theran"]


def test_detection():
    sample = SNAPSHOT.read_text(encoding="utf-8")
    assert arxiv_json.looks_like(sample)
    assert arxiv_json.looks_like(line())
    # a broken first line is still recognisably the snapshot
    assert arxiv_json.looks_like('{"id": "0704.0003", "title": "x", "abstract": "cut\n' + line())
    for other in (DATA / "arxiv-ml-sample.csv", DATA / "arxiv-math-2025-05.csv",
                  DATA / "arxiv" / "api_query.atom.xml", DATA / "arxiv" / "rss_cs_LG.xml",
                  *sorted((ROOT / "seeds").glob("*.txt"))):
        assert not arxiv_json.looks_like(other.read_text(encoding="utf-8")), other
    assert not arxiv_json.looks_like('{"name": "a config file"}')
    assert not arxiv_json.looks_like("")
    # and the other formats do not claim the snapshot
    assert not table.looks_like(sample) and not feeds.looks_like(sample)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(),
    st.lists(st.one_of(st.text(), st.just(line()), st.builds(line, title=st.text(), abstract=st.text(),
                                                               authors=st.text()))).map("\n".join),
))
def test_never_raises(text):
    arxiv_json.looks_like(text)
    for item in arxiv_json.parse(text, "fuzz", TODAY):
        assert isinstance(item, (Record, Rejection))
        assert item.source.line >= 1 if isinstance(item, Record) else item.line >= 1
