"""Likes, recommendations, more-like-this, random picks and the persisted index, on the real seeds."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from recommender import Library, PaperNotFound
from recommender.index import TfidfIndex

from .conftest import DATA, INGEST_DAY, SEEDS, store_of

ODE_PAPERS = {
    "Learning Differential Equations that are Easy to Solve",
    "Scalable Gradients for Stochastic Differential Equations",
    "Infinitely Deep Bayesian Neural Networks with Stochastic Differential Equations",
    "Neural Networks with Cheap Differential Operators",
    "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models",
}


def titles(results) -> list[str]:
    return [r.paper.title for r in results]


def test_liking_neural_ode_papers_brings_up_the_other_continuous_depth_papers(seeded):
    before = titles(seeded.recommend("ada", limit=10))
    seeded.like("ada", "Neural Ordinary Differential Equations")
    seeded.like("ada", "Latent ODEs for Irregularly-Sampled Time Series")
    after = seeded.recommend("ada", limit=6)
    assert len(ODE_PAPERS & set(titles(after))) >= 4
    assert titles(after) != before[:6]
    for result in after:
        assert "which you liked" in result.reason
        assert result.reason.count("*") >= 2


def test_disliking_a_paper_pushes_its_neighbours_down(seeded):
    seeded.like("bo", "Neural Ordinary Differential Equations")
    seeded.like("bo", "FFJORD")
    ranked = titles(seeded.recommend("bo", limit=20))
    neighbour = "Invertible Residual Networks"
    assert neighbour in ranked
    seeded.dislike("bo", "Residual Flows for Invertible Generative Modeling")
    after = titles(seeded.recommend("bo", limit=20))
    assert "Residual Flows for Invertible Generative Modeling" not in after
    assert neighbour not in after or after.index(neighbour) > ranked.index(neighbour)


def test_liked_disliked_and_delivered_papers_are_left_out(seeded):
    liked = seeded.like("cy", "Neural Ordinary Differential Equations")
    disliked = seeded.dislike("cy", "Latent ODEs for Irregularly-Sampled Time Series")
    first = seeded.recommend("cy", limit=3)
    seeded.mark_delivered("cy", [first[0].paper.id])
    ids = [r.paper.id for r in seeded.recommend("cy", limit=80)]
    assert liked.id not in ids and disliked.id not in ids
    assert first[0].paper.id not in ids


def test_likes_are_stored_once_newest_first_and_can_be_undone(seeded):
    seeded.like("di", "FFJORD")
    seeded.like("di", "FFJORD")
    seeded.like("di", "Sleeper Agents")
    assert titles(seeded.likes("di"))[0].startswith("Sleeper Agents")
    assert len(seeded.likes("di")) == 2
    seeded.unlike("di", "FFJORD")
    assert [s.paper.title[:7] for s in seeded.likes("di")] == ["Sleeper"]
    seeded.dislike("di", "Sleeper Agents")
    assert seeded.likes("di") == []


def test_unknown_paper_in_a_like_suggests_titles(seeded):
    with pytest.raises(PaperNotFound) as caught:
        seeded.like("ed", "Sleeper Agent Trainings")
    assert any("Sleeper Agents" in t for t in caught.value.suggestions)


def test_group_likes_stay_in_their_group(seeded):
    seeded.like("fay", "Neural Ordinary Differential Equations", group="lab-a")
    assert seeded.recommend("fay", group="lab-b", limit=3)[0].reason.startswith(("from the lab", "liked by"))
    assert "which you liked" in seeded.recommend("fay", group="lab-a", limit=3)[0].reason


def test_cold_start_offers_group_favourites_then_the_labs_papers(seeded):
    seeded.like("gil", "Sleeper Agents", group="lab")
    seeded.like("hal", "Sleeper Agents", group="lab")
    picks = seeded.recommend("newcomer", group="lab", limit=5)
    assert picks[0].paper.title.startswith("Sleeper Agents")
    assert picks[0].reason.startswith("liked by 2 people in this server")
    assert all(p.reason for p in picks)
    assert len(seeded.recommend("stranger", limit=10)) == 10


def test_similar_works_for_every_paper_and_explains_itself(seeded):
    for paper_id in store_of(seeded).all_ids():
        results = seeded.similar(paper_id, limit=5)
        assert results, paper_id
        assert paper_id not in [r.paper.id for r in results]
        assert all(r.reason for r in results)
    ode = titles(seeded.similar("Neural Ordinary Differential Equations", limit=5))
    assert len(ODE_PAPERS & set(ode)) >= 3


def test_chinese_abstracts_are_comparable_with_each_other(seeded):
    chinese = [p for p in map(seeded.paper, store_of(seeded).all_ids()) if p.lang == "zh"]
    for paper in chinese:
        nearest = seeded.similar(paper.id, limit=1)[0].paper
        assert nearest.lang == "zh"


def test_random_respects_category_and_surprise(seeded):
    assert all("cs.CL" in seeded.random(category="cs.CL").categories for _ in range(10))
    assert all("cs.CL" in seeded.random(category="CL").categories for _ in range(10))
    drawn = {seeded.random().id for _ in range(200)}
    assert len(drawn) > 50
    with pytest.raises(PaperNotFound):
        seeded.random(category="hep-th")
    seeded.like("ivy", "Neural Ordinary Differential Equations")
    top = {r.paper.id for r in seeded.recommend("ivy", limit=5)}
    surprises = {seeded.random(for_user="ivy").id for _ in range(30)}
    assert surprises.isdisjoint(top)
    assert seeded.paper("Neural Ordinary Differential Equations").id not in surprises


def test_lab_ranking_counts_each_member_equally(seeded):
    for title in ["Sleeper Agents", "Alignment faking", "Sabotage Evaluations", "Sycophancy to Subterfuge",
                  "Towards Understanding Sycophancy"]:
        seeded.like("busy", title, group="lab")
    seeded.like("quiet", "Neural Ordinary Differential Equations", group="lab")
    ranked = titles(seeded.lab_ranking("lab", limit=6))
    assert ODE_PAPERS & set(ranked)
    assert any("LLM" in t or "Language" in t or "Deceptive" in t for t in ranked)
    fresh = [seeded.paper("Latent ODEs").id, seeded.paper("Generating and designing DNA").id]
    only = seeded.lab_ranking("lab", limit=5, candidates=fresh)
    assert [r.paper.id for r in only] == fresh


def test_lab_ranking_without_likes_uses_the_bundled_papers(seeded):
    ranked = seeded.lab_ranking("empty-lab", limit=3)
    assert len(ranked) == 3
    assert all("reading list" in r.reason for r in ranked)


def test_a_restart_loads_the_persisted_index_instead_of_refitting(seeded, monkeypatch):
    seeded.similar("FFJORD")
    path = seeded.path
    assert seeded.index_path.exists()
    seeded.close()

    def no_refit(*args, **kwargs):
        raise AssertionError("the index was refitted on restart")

    monkeypatch.setattr(TfidfIndex, "fit", classmethod(no_refit))
    with Library(path) as again:
        assert again.similar("FFJORD", limit=3)


def test_new_papers_join_a_large_index_without_refitting(tmp_path, monkeypatch):
    with Library(tmp_path / "big.db") as lib:
        lib.ingest([DATA / "arxiv-math-2025-05.csv"], today=INGEST_DAY)
        fits = []
        original = TfidfIndex.fit.__func__
        monkeypatch.setattr(TfidfIndex, "fit", classmethod(lambda cls, *a, **k: fits.append(1) or original(cls, *a, **k)))
        extra = tmp_path / "extra.csv"
        extra.write_text("title,abstract\nHypergraph line clustering revisited,"
                         "We revisit consistent line clustering with geometric hypergraphs and spectral methods.\n")
        lib.ingest([extra])
        assert fits == []
        nearest = lib.similar("Hypergraph line clustering revisited", limit=3)
        assert "Consistent line clustering using geometric hypergraphs" in titles(nearest)


def test_the_library_can_be_driven_from_one_worker_thread(seeded_db, tmp_path):
    path = tmp_path / "worker.db"
    shutil.copy(seeded_db, path)
    with ThreadPoolExecutor(max_workers=1) as worker:
        lib = worker.submit(Library, path).result()
        worker.submit(lib.like, "jo", "FFJORD").result()
        results = worker.submit(lib.recommend, "jo", 5).result()
        worker.submit(lib.close).result()
    assert len(results) == 5


def test_reingesting_keeps_likes(seeded):
    seeded.like("kim", "FFJORD")
    seeded.ingest([SEEDS], today=INGEST_DAY)
    assert titles(seeded.likes("kim")) == [seeded.paper("FFJORD").title]


def test_colleagues_who_share_your_likes_lift_what_they_also_liked(seeded):
    shared = ["Neural Ordinary Differential Equations", "Latent ODEs for Irregularly-Sampled Time Series"]
    for colleague in ("lena", "mo"):
        for title in shared:
            seeded.like(colleague, title, group="lab")
        seeded.like(colleague, "Sleeper Agents", group="lab")
    for title in shared:
        seeded.like("nia", title, group="lab")
    alone = titles(seeded.recommend("nia", limit=10))
    in_lab = seeded.recommend("nia", limit=10, group="lab")  # a small lab keeps the fixed blend
    sleeper = next(r for r in in_lab if r.paper.title.startswith("Sleeper Agents"))
    assert not any(t.startswith("Sleeper Agents") for t in alone)
    assert "liked by 2 people here who liked *" in sleeper.reason
    assert "lena" not in sleeper.reason and "mo" not in sleeper.reason.split("liked by")[-1].split("*")[0]
    seeded.unlike("mo", "Sleeper Agents")
    sleeper = next(r for r in seeded.recommend("nia", limit=10, group="lab") if r.paper.title.startswith("Sleeper"))
    assert "liked by 1 person here who liked *" in sleeper.reason
    seeded.colleague_weight = 0
    assert titles(seeded.recommend("nia", limit=10, group="lab")) == alone


def test_trending_counts_a_groups_recent_likes(seeded):
    for person in ("o1", "o2", "o3"):
        seeded.like(person, "Sleeper Agents", group="lab")
    seeded.like("o1", "FFJORD", group="lab")
    seeded.like("o9", "FFJORD", group="other-lab")
    ranked = seeded.trending("lab", days=7)
    assert [r.paper.title[:7] for r in ranked] == ["Sleeper", "FFJORD:"]
    assert ranked[0].reason == "liked by 3 people here in the last 7 days"
    assert seeded.trending("nobody") == []


def test_interleave_gives_places_in_proportion_and_skips_rows_taken():
    from recommender.ranking import Scored, interleave

    first = [Scored(row, 1.0) for row in (1, 2, 3, 4, 5, 6, 7, 8)]
    second = [Scored(row, 1.0) for row in (1, 10, 11, 12)]
    taken = interleave([first, second], [2, 1], 6)
    assert [hit.row for _, hit in taken] == [1, 10, 2, 3, 11, 4]
    assert [source for source, _ in taken] == [0, 1, 0, 0, 1, 0]
    assert [hit.row for _, hit in interleave([first[:1], second], [5, 1], 4)] == [1, 10, 11, 12]
    assert interleave([[], []], [1, 1], 3) == []
