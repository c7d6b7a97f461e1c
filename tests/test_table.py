"""The CSV table parser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.merge import doi_norm
from recommender.papers import Record, Rejection
from recommender.people import displayed
from recommender.sources import arxiv_json, feeds, table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
ML = DATA / "arxiv-ml-sample.csv"
MATH = DATA / "arxiv-math-2025-05.csv"
TODAY = date(2026, 11, 22)


def parse(text: str, path: str = "t.csv") -> list[Record | Rejection]:
    return list(table.parse(text, path, TODAY))


@pytest.fixture(scope="module")
def ml() -> list[Record | Rejection]:
    return parse(ML.read_text(encoding="utf-8"), "ml.csv")


@pytest.fixture(scope="module")
def math() -> list[Record | Rejection]:
    with MATH.open(encoding="utf-8", newline="") as handle:  # keep its CRLF line ends
        return parse(handle.read(), "math.csv")


def test_ml_sample_parses_fully(ml):
    assert len(ml) == 1000
    assert all(isinstance(r, Record) for r in ml)
    assert all(r.source.format == "csv" and r.source.path == "ml.csv" for r in ml)
    first = ml[0]
    assert first.title == "Neural ODEs for Image Segmentation with Level Sets"
    assert first.categories == ["cs.CV", "cs.LG", "eess.IV"]
    assert first.abstract.startswith("We propose a novel approach for image segmentation that "
                                     "combines Neural Ordinary Differential Equations (NODEs)")
    assert "\n" not in first.abstract and "  " not in first.abstract
    assert displayed(first.authors) == [] and first.arxiv_id is None and first.published is None
    assert first.lang == "en" and first.has_code is None and not first.authors_truncated
    # quoted abstracts span lines: each row names the physical line it starts on
    assert [r.source.line for r in ml[:2]] == [2, 14]
    assert ml[-1].source.line == 16241


def test_ml_categories_drop_msc_and_acm_codes(ml):
    by_title = {r.title: r for r in ml}
    gelu = by_title["Gaussian Error Linear Units (GELUs)"]
    assert gelu.categories == ["cs.LG"]
    assert "xΦ(x)" in gelu.abstract  # $x\\Phi(x)$ in Unicode
    # "cs.LG cs.AI I.2.6, I.2.11 I.2.6; I.2.11" in the file
    mixed = by_title["Feature Selection for Learning to Predict Outcomes of Compute Cluster Jobs "
                     "with Application to Decision Support"]
    assert mixed.categories == ["cs.LG", "cs.AI"]



def test_ml_sample_tex_reads_as_text(ml):
    by_title = {r.title: r for r in ml}

    def abstract(title_start: str) -> str:
        (found,) = [r.abstract for title, r in by_title.items() if title.startswith(title_start)]
        return found

    assert "Kullback-Leibler and Rényi divergences" in abstract("Probability Link Models")
    assert "(Sutton, Precup & Singh, 1999; Precup, 2000)" in abstract("Temporally Abstract Partial")
    assert "we introduce extreme consistency, which" in abstract("Extreme Consistency")
    assert "state-of-the-art Fréchet Inception Distance" in abstract("Dual Contrastive Loss")
    assert "Instituto de Investigación de Recursos Biológicos" in abstract("Camera-trap images")
    assert "new drug–disease treatment pairs" in abstract("Retrofitting Distributional")
    # inline math stays as written
    assert "We propose weighted inner product similarity (WIPS)" in abstract(
        "Representation Learning with Weighted Inner Product")


def test_math_sample_parses_fully(math):
    assert len(math) == 3397
    assert all(isinstance(r, Record) for r in math)
    first = math[0]
    assert first.arxiv_id == "2505.24868" and first.version is None
    assert first.title == "Consistent line clustering using geometric hypergraphs"
    assert displayed(first.authors) == ["Kalle Alaluusua", "Konstantin Avrachenkov", "B. R. Vinay Kumar",
                             "Lasse Leskelä"]
    assert first.categories == ["math.ST", "stat.ML"]
    assert [r.source.line for r in math[:3]] == [2, 3, 4]
    assert math[-1].source.line == 4213
    by_id = {r.arxiv_id: r for r in math}
    # a comma inside a quoted title, and a name with an accent
    fput = by_id["2505.24828"]
    assert fput.title == "Coherent structures in long range FPUT lattices, Part I: Solitary Waves"
    assert displayed(fput.authors) == ["J. Douglas Wright", "Udoh Akpan"]
    assert displayed(by_id["2505.20817"].authors)[2] == "Samuel Horváth"
    assert by_id["2505.24099"].categories == ["math.DS", "cs.AI", "cs.LG", "nlin.CD", "stat.ML"]


def test_optional_columns_and_author_separators():
    text = (
        " Title ;ABSTRACT; arXiv_ID ;Authors;Categories;Published\n"
        "A first paper;Some abstract text.;arXiv:2310.13548v2;C. Bal\\'azs, E. L. Berger and "
        "C.-P. Yuan;cs.CL,cs.LG;2023-10-20\n"
        "A second paper;More text.;;Jane Doe (1) and Juan Pérez, Jr. (2);cs.LG;\n"
        "A third;Text.;2505.24868;A. Author et al.;;2025-05-30T07:00:00Z\n"
    )
    assert table.looks_like(text)
    first, second, third = parse(text)
    assert first.arxiv_id == "2310.13548" and first.version == 2
    assert displayed(first.authors) == ["C. Balázs", "E. L. Berger", "C.-P. Yuan"]
    assert first.categories == ["cs.CL", "cs.LG"]
    assert first.published == date(2023, 10, 20)
    assert second.arxiv_id is None and second.published is None
    assert displayed(second.authors) == ["Jane Doe", "Juan Pérez Jr."]
    assert displayed(third.authors) == ["A. Author"] and third.authors_truncated
    assert third.published == date(2025, 5, 30) and third.categories == []



def test_doi_column_and_tex_in_titles_and_authors():
    text = (
        "title,abstract,authors,DOI\n"
        "Erd\\H{o}s--R\\'enyi graphs \\& {GPU}s,We use \\emph{random} graphs &amp; $O(n^2)$ time.,"
        "\"P. Erd\\H{o}s, A. R\\'enyi, J. O&#39;Brien\",https://doi.org/10.1103/PhysRevD.76.013009\n"
        "Second,Text.,A. Author,doi:10.1007/978-3-540-74126-8_23\n"
        "Third,Text.,A. Author,\n"
        "Fourth,Text.,A. Author,n/a\n"
    )
    first, second, third, fourth = parse(text)
    assert first.title == "Erdős–Rényi graphs & GPUs"
    assert first.abstract == "We use random graphs & O(n²) time."
    assert displayed(first.authors) == ["P. Erdős", "A. Rényi", "J. O'Brien"]
    assert first.doi == "10.1103/PhysRevD.76.013009"  # as given; matched by doi_norm
    assert doi_norm(first.doi) == "10.1103/physrevd.76.013009"
    assert second.doi == "10.1007/978-3-540-74126-8_23"
    assert third.doi is None and fourth.doi is None


@pytest.mark.parametrize("raw, doi", [
    ("10.1007/978-3-031-39847-6\\_20", "10.1007/978-3-031-39847-6_20"),
    ("https://doi.org/10.1007/978-3-031-39847-6{\\_}20", "10.1007/978-3-031-39847-6_20"),
    ("10.1007/978-3-031-39847-6\\textunderscore 20", "10.1007/978-3-031-39847-6_20"),
    ("10.1007/978-3-031-39847-6\\textunderscore{}20", "10.1007/978-3-031-39847-6_20"),
    ("doi:10.1002/(SICI)1097-4636(199812)43:4\\%3C397::AID-JBM7\\%3E3.0.CO;2-O",
     "10.1002/(SICI)1097-4636(199812)43:4%3C397::AID-JBM7%3E3.0.CO;2-O"),
    ("10.1000/a\\&b\\#c", "10.1000/a&b#c"),
    ("10.1103/PhysRevLett.97.180501", "10.1103/PhysRevLett.97.180501"),
])
def test_a_doi_loses_its_tex_escapes_and_keeps_its_case(raw, doi):
    assert table.clean_doi(raw) == doi
    assert doi_norm(table.clean_doi(raw)) == doi.lower()


def test_additional_authors_not_shown_is_a_cut_list():
    text = "title,abstract,authors\nA,Text.,\"A. One, B. Two, et al. (57 additional authors not shown)\"\n"
    [r] = parse(text)
    assert displayed(r.authors) == ["A. One", "B. Two"] and r.authors_truncated


def test_tab_separated_with_id_and_date():
    text = "id\ttitle\tabstract\tdate\n2505.24868v3\tTabbed\tAn abstract\twith a tab-free text.\t2025-05-30\n"
    out = parse(text)
    # five cells for four columns
    assert isinstance(out[0], Rejection) and out[0].line == 2 and "expected 4 columns" in out[0].reason
    text = "id\ttitle\tabstract\tdate\n2505.24868v3\tTabbed\tAn abstract.\t2025-05-30\n"
    [r] = parse(text)
    assert (r.arxiv_id, r.version, r.title, r.published) == ("2505.24868", 3, "Tabbed", date(2025, 5, 30))


def test_bad_rows_are_rejected_with_their_lines():
    text = (
        "id,title,authors,categories,abstract,date\n"         # 1
        '2505.00001,Good one,A. B,math.PR,"An abstract\n'      # 2
        'over two lines.",2025-05-01\n'                        # 3
        "2505.00002,No abstract,A. B,math.PR,,2025-05-01\n"    # 4
        "2505.00003,Too few cells,A. B\n"                      # 5
        "\n"                                                   # 6
        ',,A. B,math.PR,"",\n'                                 # 7
        "2505.00004,Bad date,A. B,math.PR,Text.,2025-02-30\n"  # 8
        '2505.00005,"Good two",A. B,math.PR,"Text, with a comma.",\n'  # 9
    )
    out = parse(text, "bad.csv")
    records = [r for r in out if isinstance(r, Record)]
    rejections = [r for r in out if isinstance(r, Rejection)]
    assert [(r.arxiv_id, r.source.line) for r in records] == [("2505.00001", 2), ("2505.00005", 9)]
    assert records[0].abstract == "An abstract over two lines."
    assert [(r.path, r.line) for r in rejections] == [("bad.csv", 4), ("bad.csv", 5), ("bad.csv", 7), ("bad.csv", 8)]
    assert rejections[0].reason == "missing abstract"
    assert "expected 6 columns" in rejections[1].reason
    assert rejections[2].reason == "missing title and abstract"
    assert "malformed date" in rejections[3].reason and "2025-02-30" in rejections[3].reason


def test_header_needed():
    assert not table.looks_like("name,summary\nx,y\n")
    assert not table.looks_like("titles,abstracts\nx,y\n")
    assert not table.looks_like("")
    out = parse("name,summary\nx,y\n")
    assert len(out) == 1 and isinstance(out[0], Rejection) and out[0].line == 1


def test_detection():
    for sample in (ML, MATH):
        assert table.looks_like(sample.read_text(encoding="utf-8"))
    assert table.looks_like("\ufeffTitle , Abstract\r\nx,y\r\n")
    assert table.looks_like('"title";"abstract"\n"x";"y"\n')
    for other in (DATA / "arxiv-metadata-snapshot-sample.jsonl", DATA / "arxiv" / "api_query.atom.xml",
                  DATA / "arxiv" / "rss_cs_LG.xml", *sorted((ROOT / "seeds").glob("*.txt"))):
        assert not table.looks_like(other.read_text(encoding="utf-8")), other
    # a listing line full of commas is not a header
    assert not table.looks_like("On the title, abstract, and authors of papers, a study\nMore text\n")
    for sample in (ML, MATH):
        text = sample.read_text(encoding="utf-8")
        assert not arxiv_json.looks_like(text) and not feeds.looks_like(text)


_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(),
    st.lists(st.lists(_cells, max_size=5), max_size=6).map(
        lambda rows: "title,abstract,authors,date,id\n" + "\n".join(",".join(r) for r in rows)),
    st.lists(st.lists(_cells, max_size=4), max_size=6).map(
        lambda rows: "Title\tAbstract\tdate\n" + "\n".join("\t".join(f'"{c}"' for c in r) for r in rows)),
))
def test_never_raises(text):
    table.looks_like(text)
    for item in table.parse(text, "fuzz", TODAY):
        assert isinstance(item, (Record, Rejection))
