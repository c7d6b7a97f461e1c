"""Ingest, merging, storage and look-up on the real seed listings and arXiv samples."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import Library, PaperNotFound
from recommender.ingest import INDEXING
from recommender.people import displayed
from recommender.store import SCHEMA_VERSION

from .conftest import DATA, INGEST_DAY, ROOT, SEEDS, store_of


def by_title(lib: Library, title: str):
    matches = [r.paper for r in lib.search(f'"{title}"', limit=5) if r.paper.title == title]
    assert len(matches) == 1, f"{title!r} found {len(matches)} times"
    return matches[0]


def source_files(paper) -> set[str]:
    return {s.path.split("/")[-1][:3] for s in paper.sources}


def test_seeds_ingest_into_80_distinct_papers(empty):
    report = empty.ingest([SEEDS], today=INGEST_DAY)
    assert report.rejected == []
    assert report.errors == []
    assert [f.format for f in report.files] == [
        "listing-cards", "author-blocks", "translated-abstracts", "listing-cards"
    ]
    assert report.added == 80
    assert report.added + report.merged == 90
    assert empty.stats()["papers"] == 80


def test_second_ingest_changes_nothing(seeded):
    before = seeded.stats()
    report = seeded.ingest([SEEDS], today=INGEST_DAY)
    assert (report.added, report.merged, report.unchanged) == (0, 0, 90)
    assert seeded.stats() == before


def test_ingest_tells_progress_of_each_file_then_of_indexing_what_changed(empty):
    told: list[tuple[str, int, int]] = []
    empty.ingest([SEEDS], today=INGEST_DAY, progress=lambda *event: told.append(event))
    files = [event for event in told if event[0] != INDEXING]
    assert {label for label, _, _ in files} == {f"seeds/{p.name}" for p in SEEDS.glob("*.txt")}
    assert told[len(files):] == [(INDEXING, 0, 90), (INDEXING, 90, 90)], "after the files, around the index"
    assert len(empty.index().ids) == 80

    told.clear()
    empty.ingest([SEEDS], today=INGEST_DAY, progress=lambda *event: told.append(event))
    assert told and all(label != INDEXING for label, _, _ in told), "nothing changed: nothing to index"


def test_oops_gets_title_date_category_from_cards_and_authors_from_blocks(seeded):
    paper = by_title(seeded, "Oops I Took A Gradient: Scalable Sampling for Discrete Distributions")
    assert paper.published == date(2021, 2, 8)
    assert paper.categories == ["cs.LG"]
    assert displayed(paper.authors) == [
        "Will Grathwohl", "Kevin Swersky", "Milad Hashemi", "David Duvenaud", "Chris J. Maddison"
    ]
    assert paper.authors_truncated is False
    assert not paper.title_derived
    assert source_files(seeded.paper(paper.id)) == {"000", "001"}


def test_complex_momentum_abstract_versions_are_one_paper(seeded):
    paper = seeded.paper(by_title(seeded, "Complex Momentum for Optimization in Games").id)
    assert source_files(paper) == {"000", "001"}
    assert displayed(paper.authors)[-1] == "David Duvenaud"
    hits = seeded.search('"complex momentum"')
    assert [h.paper.id for h in hits] == [paper.id]


def test_translated_abstract_merges_with_its_titled_card(seeded):
    paper = seeded.paper(by_title(seeded, "Isolating Sources of Disentanglement in Variational Autoencoders").id)
    assert source_files(paper) == {"000", "002"}
    assert paper.published == date(2018, 2, 14)


def test_every_author_block_and_duplicate_merges_into_a_titled_paper(seeded):
    merged = [p for p in map(seeded.paper, store_of(seeded).all_ids()) if len(p.sources) > 1]
    assert sum(len(p.sources) - 1 for p in merged) == 10
    for paper in merged:
        assert not paper.title_derived, paper.title
    block_only = [
        p for p in map(seeded.paper, store_of(seeded).all_ids())
        if source_files(p) == {"001"}
    ]
    assert block_only == []


def test_chinese_abstracts_are_kept_with_derived_titles(seeded):
    chinese = [p for p in map(seeded.paper, store_of(seeded).all_ids()) if p.lang == "zh"]
    assert len(chinese) >= 4
    for paper in chinese:
        assert paper.title_derived
        assert 0 < len(paper.title) <= 81
        assert displayed(paper.authors) == []


def test_year_less_dates_are_the_latest_such_day_not_after_ingest(seeded):
    paper = by_title(seeded, "The Artificial Self: Characterising the landscape of AI identity")
    assert paper.published == date(2026, 3, 11)
    assert paper.categories == ["cs.AI"]


def test_cards_carry_organisations_code_and_truncation(seeded):
    paper = by_title(seeded, "Fast Finite Width Neural Tangent Kernel")
    assert paper.organisations == ["anthropic", "deepmind"]
    assert paper.has_code is True
    assert displayed(paper.authors) == ["Roman Novak", "Jascha Sohl-Dickstein", "Samuel S. Schoenholz"]
    sycophancy = by_title(seeded, "Towards Understanding Sycophancy in Language Models")
    assert displayed(sycophancy.authors)[-1] == "Ethan Perez"
    assert sycophancy.authors_truncated is False
    assert sycophancy.organisations == ["openai", "stanford"]
    assert by_title(seeded, "Neural Ordinary Differential Equations").authors_truncated is True


def test_storage_is_versioned_and_in_wal_mode(seeded):
    assert store_of(seeded).schema_version == SCHEMA_VERSION
    mode = store_of(seeded).db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_search_finds_neural_ode_first(seeded):
    results = seeded.search("neural ode", limit=5)
    titles = [r.paper.title for r in results]
    assert "Neural Ordinary Differential Equations" in titles[:3]
    assert "\x02" in results[0].snippet


def test_search_ranks_title_matches_above_abstract_matches(seeded):
    results = seeded.search("sycophancy")
    assert "Sycophancy" in results[0].paper.title


def test_search_highlights_matches(seeded):
    result = seeded.search("superposition OR disentanglement")[0]
    assert "**" in result.highlighted()


def test_chinese_search_finds_the_translated_superposition_abstract(seeded):
    results = seeded.search("叠加")
    assert len(results) == 1
    assert "叠加" in results[0].paper.abstract
    assert "叠加" in results[0].highlighted("", "")


def test_search_filters(seeded):
    by_author = seeded.search("author:Maddison")
    assert [r.paper.title for r in by_author] == [
        "Oops I Took A Gradient: Scalable Sampling for Discrete Distributions"
    ]
    in_2018 = seeded.search("year:2018 variational")
    assert in_2018 and all(r.paper.published.year == 2018 for r in in_2018)
    nlp = seeded.search("cat:cs.CL")
    assert nlp and all("cs.CL" in r.paper.categories for r in nlp)
    short = seeded.search("cat:CL")
    assert {r.paper.id for r in short} == {r.paper.id for r in nlp}


def test_a_prefix_search_highlights_every_hit_of_the_page(seeded):
    results = seeded.search("neur*", limit=10)
    assert len(results) >= 3
    assert all("\x02" in r.snippet for r in results if "neur" in r.paper.abstract.lower())
    assert [r.paper.id for r in seeded.search("neur*", limit=3, offset=2)] == [r.paper.id for r in results[2:5]]


def test_a_category_filter_keeps_the_order_of_the_unfiltered_ranking(seeded):
    everything = seeded.search("learning", limit=100)
    in_category = [r.paper.id for r in everything if "cs.LG" in r.paper.categories]
    filtered = seeded.search("learning cat:cs.LG", limit=100)
    assert len(in_category) >= 3
    assert [r.paper.id for r in filtered] == in_category
    assert [r.score for r in filtered] == [r.score for r in everything if r.paper.id in set(in_category)]


@pytest.mark.parametrize("query", [
    '"', '""', "(", "neural (ode", "AND", "OR OR", "NEAR(a b)", "*", "a*", "-", "😀",
    "'); DROP TABLE papers; --", "title:foo", "neural\x00ode", "a" * 10_000, "x " * 5000,
])
def test_any_typed_text_searches_or_explains(seeded, query):
    from recommender import QueryError

    try:
        seeded.search(query)
    except QueryError as exc:
        assert str(exc)


def test_look_up_by_id_arxiv_title_fragment(seeded):
    paper = by_title(seeded, "Neural Ordinary Differential Equations")
    assert seeded.paper(paper.id).id == paper.id
    assert seeded.paper(str(paper.id)).id == paper.id
    assert seeded.paper("neural ordinary differential").id == paper.id
    assert seeded.paper("NEURAL ORDINARY DIFFERENTIAL EQUATIONS").id == paper.id


def test_unknown_paper_suggests_close_titles(seeded):
    with pytest.raises(PaperNotFound) as caught:
        seeded.paper("Neural Ordinery Diferential Equatons")
    assert "Neural Ordinary Differential Equations" in caught.value.suggestions
    assert "Did you mean" in str(caught.value)


def test_ambiguous_fragment_lists_the_candidates(seeded):
    with pytest.raises(PaperNotFound) as caught:
        seeded.paper("Energy")
    assert caught.value.ambiguous
    assert len(caught.value.suggestions) >= 2


def test_unknown_arxiv_id_is_not_found(seeded):
    with pytest.raises(PaperNotFound):
        seeded.paper("https://arxiv.org/abs/2310.99999")


@pytest.mark.parametrize("name,rows,distinct", [
    ("arxiv-metadata-snapshot-sample.jsonl", 2000, 2000),
    # the ML sample lists seven papers twice, under the same title; the eighth
    # look-alike ("Evolving Fuzzy Image Segmentation ...") is a different paper
    ("arxiv-ml-sample.csv", 1000, 993),
    ("arxiv-math-2025-05.csv", 3397, 3397),
])
def test_real_samples_ingest_fully(empty, name, rows, distinct):
    report = empty.ingest([DATA / name], today=INGEST_DAY)
    assert report.rejected == []
    assert report.errors == []
    assert (report.added, report.merged) == (distinct, rows - distinct)
    assert empty.stats()["papers"] == distinct


def test_arxiv_ids_merge_without_version(empty, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("id,title,abstract\n2505.24868v1,Consistent line clustering,First version text here.\n")
    second = tmp_path / "b.csv"
    second.write_text("arxiv_id,title,abstract,authors\n2505.24868v2,Consistent line clustering using "
                      "geometric hypergraphs,Second version.,Kalle Alaluusua; Lasse Leskelä\n")
    empty.ingest([first, second])
    paper = empty.paper("arXiv:2505.24868")
    assert empty.stats()["papers"] == 1
    assert displayed(paper.authors) == ["Kalle Alaluusua", "Lasse Leskelä"]
    assert paper.url == "https://arxiv.org/abs/2505.24868"


def test_malformed_file_reports_lines_and_keeps_good_records(empty, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "title,abstract\n"
        "A good paper about graphs,It studies graphs in depth.\n"
        "A paper with no abstract,\n"
        "Another good paper on flows,Normalizing flows are studied here.\n"
    )
    report = empty.ingest([bad])
    assert report.added == 2
    assert [r.line for r in report.rejected] == [3]
    assert report.rejected[0].path.endswith("bad.csv")
    assert "abstract" in report.rejected[0].reason
    assert empty.stats()["papers"] == 2


def test_unreadable_and_unknown_files_are_reported(empty, tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    prose = tmp_path / "notes.txt"
    prose.write_text("Remember to buy milk.\n")
    report = empty.ingest([binary, prose, tmp_path / "missing.csv"])
    errors = {f.path.split("/")[-1]: f.error for f in report.files}
    assert "UTF-8" in errors["image.png"]
    assert "not a supported format" in errors["notes.txt"]
    assert errors["missing.csv"] == "no such file"


def test_crash_mid_file_leaves_the_database_as_before(tmp_path):
    db = tmp_path / "crash.db"
    with Library(db) as lib:
        lib.ingest([SEEDS / "003_8d03e0dcad3942ef.txt"], today=INGEST_DAY)
        before = lib.stats()
    script = textwrap.dedent(f"""
        import os
        from recommender import Library
        from recommender.store import Store
        calls = 0
        original = Store.insert_paper
        def dying(self, *args, **kwargs):
            global calls
            calls += 1
            if calls == 20:
                os._exit(9)
            return original(self, *args, **kwargs)
        Store.insert_paper = dying
        Library({str(db)!r}).ingest([{str(DATA / 'arxiv-ml-sample.csv')!r}])
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path)
    assert done.returncode == 9
    with Library(db) as lib:
        assert lib.stats() == before
        report = lib.ingest([DATA / "arxiv-ml-sample.csv"])
        assert report.added + report.merged == 1000


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300) | st.lists(
    st.sampled_from(['"', "(", ")", "*", "AND", "OR", "NOT", "NEAR", "-", ":", "author:", "cat:",
                     "year:", "neural", "ode", "叠加", "😀", "@everyone", "^", "'", "\\", "\x00"]),
    max_size=20,
).map(" ".join))
def test_search_never_fails_on_any_text(seeded_db, query):
    from recommender import QueryError

    with Library(seeded_db) as lib:
        try:
            results = lib.search(query, limit=5)
        except QueryError as exc:
            assert str(exc)
        else:
            assert all(r.paper.title for r in results)
