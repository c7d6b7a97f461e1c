"""Which records are one paper, and what the merged paper keeps: on real records and files."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender import Library, sources
from recommender.merge import (
    BY_ABSTRACT,
    BY_ARXIV_ID,
    BY_DOI,
    BY_TITLE,
    abstract_sketch,
    combine,
    fields_of,
    is_placeholder,
    match_reason,
    same_paper,
    shingles,
    sketch,
    title_key,
    title_norm,
)
from recommender.papers import Precision
from recommender.papers import Record, SourceRef
from recommender.people import displayed

from .conftest import DATA, INGEST_DAY, SEEDS, store_of

FUZZY_THRESHOLDING = "Self-Configuring and Evolving Fuzzy Image Thresholding"
FUZZY_SEGMENTATION = "Evolving Fuzzy Image Segmentation with Self-Configuration"
PLACEHOLDER = "Abstract to be added later, see the paper PDF for the full abstract."
PLACEHOLDER_TITLES = [
    "Sparse Gaussian processes for streaming sensor data",
    "A lower bound for the chromatic number of random hypergraphs",
    "Contrastive pretraining of protein language models",
]


@pytest.fixture(scope="module")
def ml_records() -> dict[str, Record]:
    """The records of the real ML sample, by title (the last one of a repeated title)."""
    text = (DATA / "arxiv-ml-sample.csv").read_text(encoding="utf-8")
    _, items = sources.parse_text(text, "arxiv-ml-sample.csv", INGEST_DAY)
    return {item.title: item for item in items if isinstance(item, Record) and item.title}


MONTH = Precision.MONTH


def record(abstract: str, title: str | None = None, line: int = 1, **fields) -> Record:
    return Record(source=SourceRef("made-up.csv", line, "csv"), abstract=abstract, title=title, **fields)


def reason(stored: Record, new: Record) -> str | None:
    return match_reason(fields_of(stored), new, shingles(new.abstract))


# -- titles -------------------------------------------------------------------------------------


def test_title_norm_folds_case_punctuation_spacing_tex_and_accents():
    assert title_norm("Schr\\\"odinger Bridges:  a {\\'E}tude") == title_norm("schrödinger bridges — A étude")
    assert title_norm("Self-Configuring Fuzzy  Thresholding") == title_norm("self configuring fuzzy thresholding")
    assert title_norm("Naïve Bayes") == "naivebayes"
    assert title_norm(FUZZY_THRESHOLDING) != title_norm(FUZZY_SEGMENTATION)


def test_title_key_folds_case_punctuation_and_spacing():
    assert title_key("Neural Ordinary Differential Equations") == "neuralordinarydifferentialequations"
    assert title_key("Short one") == "shortone"  # short titles are keyed too: match_reason decides
    assert title_key(None) is None


# -- what may merge -----------------------------------------------------------------------------


def test_the_two_fuzzy_image_papers_are_different_papers(ml_records):
    thresholding, segmentation = ml_records[FUZZY_THRESHOLDING], ml_records[FUZZY_SEGMENTATION]
    assert not same_paper(fields_of(thresholding), segmentation, shingles(segmentation.abstract))
    assert not same_paper(fields_of(segmentation), thresholding, shingles(thresholding.abstract))


def test_different_real_titles_never_merge_even_with_one_abstract(ml_records):
    paper = ml_records[FUZZY_THRESHOLDING]
    retitled = record(paper.abstract, FUZZY_SEGMENTATION)
    assert reason(paper, retitled) is None


def test_a_repeated_row_merges_by_title(ml_records):
    paper = ml_records["Low-Rank Bottleneck in Multi-head Attention Models"]
    again = record(paper.abstract, "Low-rank bottleneck in multi-head attention models.")
    assert reason(paper, again) == BY_TITLE


def test_a_derived_title_is_no_title_so_the_abstract_decides(ml_records):
    paper = ml_records[FUZZY_THRESHOLDING]
    untitled = record(paper.abstract)
    assert reason(paper, untitled) == BY_ABSTRACT
    assert reason(untitled, paper) == BY_ABSTRACT
    other = ml_records[FUZZY_SEGMENTATION]
    assert reason(untitled, other) is None


def test_placeholder_abstracts_never_merge_papers():
    titled = [record(PLACEHOLDER, title, line) for line, title in enumerate(PLACEHOLDER_TITLES, 1)]
    untitled = [record(PLACEHOLDER, None, line) for line in range(1, 4)]
    for first, second in [(titled[0], titled[1]), (titled[0], titled[2]), (untitled[0], untitled[1]),
                          (titled[0], untitled[0]), (untitled[0], titled[0])]:
        assert reason(first, second) is None


@pytest.mark.parametrize("abstract", [
    PLACEHOLDER,
    "This paper has been withdrawn by the authors.",
    "This paper has been withdrawn by the author. This draft is withdrawn for its poor quality in "
    "english, unfortunately produced by the author when he was just starting his science route. "
    "Look at the ICML version instead: it reports the experiments properly and in far more detail.",
    "No abstract given; compares pairs of languages from World Atlas of Language Structures.",
    "paper withdrawn due to the possible error in numerical eigenfunction calculation",
])
def test_placeholders_are_recognised(abstract):
    assert is_placeholder(abstract)


def test_a_real_abstract_is_no_placeholder(ml_records):
    assert not any(is_placeholder(r.abstract) for r in ml_records.values())


def test_a_long_placeholder_shared_by_titleless_records_does_not_merge_them():
    withdrawn = ("This paper has been withdrawn by the authors because a crucial error was found in "
                 "the proof of the main theorem; a corrected and much extended version will be "
                 "submitted as a new article once the argument has been checked again in full.")
    assert reason(record(withdrawn), record(withdrawn, line=2)) is None


def test_short_abstracts_are_not_enough_to_merge():
    short = "We prove a variation of Gronwall's lemma for integral inequalities."
    assert reason(record(short), record(short, line=2)) is None


def test_same_title_with_disjoint_authors_stays_apart():
    stored = record("One abstract.", "Introduction to Quantum Groups", authors=["Ada Lovelace", "Alan Turing"])
    other = record("Another abstract.", "Introduction to quantum groups", authors=["Emmy Noether"])
    assert reason(stored, other) is None


def test_same_title_with_a_cut_author_list_or_none_merges():
    full = record("Text.", "Introduction to Quantum Groups", authors=["Ada Lovelace", "Alan Turing", "Emmy Noether"])
    cut = record("Text.", "Introduction to Quantum Groups", authors=["Ada Lovelace"], authors_truncated=True)
    surname_first = record("Text.", "Introduction to Quantum Groups", authors=["Noether, Emmy"])
    unnamed = record("Text.", "Introduction to Quantum Groups")
    accented = record("Text.", "Introduction to Quantum Groups", authors=["Émmy Nöther-Noether"])
    for other in (cut, surname_first, unnamed, accented):
        assert reason(full, other) == BY_TITLE


def test_the_same_arxiv_id_merges_a_retitled_version_and_different_ids_never_merge(ml_records):
    paper = ml_records[FUZZY_THRESHOLDING]
    v1 = record(paper.abstract, paper.title, arxiv_id="1504.00001", version=1)
    retitled = record("A rewritten abstract.", "Fuzzy thresholding", arxiv_id="1504.00001", version=2)
    assert reason(v1, retitled) == BY_ARXIV_ID
    twin = record(paper.abstract, paper.title, arxiv_id="1504.00002")
    assert reason(v1, twin) is None


def test_dois_merge_when_equal_and_keep_papers_apart_when_different(ml_records):
    paper = ml_records[FUZZY_THRESHOLDING]
    published = record(paper.abstract, paper.title, doi="10.1109/TFUZZ.2015.1")
    preprint = record("Short.", "A different working title", doi="https://doi.org/10.1109/tfuzz.2015.1")
    assert reason(published, preprint) == BY_DOI
    other = record(paper.abstract, paper.title, doi="10.1109/TFUZZ.2015.2")
    assert reason(published, other) is None


# -- combine ------------------------------------------------------------------------------------


def test_an_exact_date_replaces_a_month_guess_and_never_the_reverse():
    guessed = fields_of(record("Text.", "T", arxiv_id="2212.14032", published=date(2022, 12, 1), date_precision=MONTH))
    exact = record("Text.", "T", arxiv_id="2212.14032", published=date(2022, 12, 28))
    merged = combine(guessed, exact)
    assert (merged.published, merged.date_precision) == (date(2022, 12, 28), Precision.DAY)
    again = combine(merged, record("Text.", "T", published=date(2022, 12, 1), date_precision=MONTH))
    assert (again.published, again.date_precision) == (date(2022, 12, 28), Precision.DAY)
    undated = combine(fields_of(record("Text.", "T")), record("Text.", published=date(2022, 12, 1), date_precision=MONTH))
    assert (undated.published, undated.date_precision) == (date(2022, 12, 1), MONTH)


def test_the_doi_is_kept_from_either_side():
    with_doi = record("Text.", "T", doi="10.1103/PhysRevD.76.013009")
    without = record("Text.", "T")
    assert combine(fields_of(with_doi), without).doi == "10.1103/PhysRevD.76.013009"
    assert combine(fields_of(without), with_doi).doi == "10.1103/PhysRevD.76.013009"


def test_the_stored_venue_is_kept_and_a_missing_one_filled_in():
    published = record("Text.", "T", venue="Physical Review D")
    abbreviated = record("Text.", "T", venue="Phys. Rev. D")
    unknown = record("Text.", "T")
    assert fields_of(unknown).venue is None
    assert combine(fields_of(unknown), published).venue == "Physical Review D"
    assert combine(fields_of(published), abbreviated).venue == "Physical Review D"
    assert combine(fields_of(published), unknown).venue == "Physical Review D"
    emptied = fields_of(published)
    emptied.venue = ""
    assert combine(emptied, abbreviated).venue == "Phys. Rev. D"
    assert combine(emptied, unknown).venue is None


def test_combine_still_keeps_the_richest_fields():
    card = fields_of(record("Text.", None, authors=["Ada Lovelace"], authors_truncated=True,
                            categories=["cs.LG"], published=date(2021, 2, 8)))
    block = record("Text.", "Oops I Took A Gradient", authors=["Ada Lovelace", "Alan Turing"])
    merged = combine(card, block)
    assert (merged.title, merged.title_derived) == ("Oops I Took A Gradient", False)
    assert displayed(merged.authors) == ["Ada Lovelace", "Alan Turing"] and not merged.authors_truncated
    assert (merged.categories, merged.published) == (["cs.LG"], date(2021, 2, 8))


# -- end to end ---------------------------------------------------------------------------------


def test_seeds_still_give_80_papers(tmp_path):
    with Library(tmp_path / "seeds.db") as lib:
        report = lib.ingest([SEEDS], today=INGEST_DAY)
        assert (report.added, report.merged) == (80, 10)
        assert store_of(lib).count_papers() == 80


def test_both_fuzzy_image_papers_are_found_by_their_titles():
    with Library(":memory:") as lib:
        report = lib.ingest([DATA / "arxiv-ml-sample.csv"], today=INGEST_DAY)
        thresholding = lib.paper(FUZZY_THRESHOLDING)
        segmentation = lib.paper(FUZZY_SEGMENTATION)
        assert thresholding.title == FUZZY_THRESHOLDING
        assert segmentation.title == FUZZY_SEGMENTATION
        assert thresholding.id != segmentation.id
        # the seven titles the sample lists twice are the only merges
        assert (report.added, report.merged) == (993, 7)


def test_three_papers_sharing_a_placeholder_abstract_stay_three(tmp_path):
    table = tmp_path / "placeholders.csv"
    rows = [f'"{title}","{PLACEHOLDER}"' for title in PLACEHOLDER_TITLES]
    table.write_text("title,abstract\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with Library(tmp_path / "lib.db") as lib:
        report = lib.ingest([table], today=INGEST_DAY)
        assert (report.added, report.merged) == (3, 0)
        assert {lib.paper(title).title for title in PLACEHOLDER_TITLES} == set(PLACEHOLDER_TITLES)


@given(st.text(alphabet=st.sampled_from("ab cd ef 量子 Ωé\n.,"), max_size=300))
def test_the_sketch_from_the_shingle_array_is_the_sketch_of_the_shingles(abstract):
    assert abstract_sketch(abstract) == sketch(shingles(abstract))
