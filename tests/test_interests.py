"""A person's likes grouped into interests, each given its share of recommendations, on real
arXiv samples (tests/data): the math sample's categories and the ML sample's."""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from recommender import InterestNotFound, Library
from recommender import interests as grouping
from recommender.recommend import Recommender
from recommender.text import clean_title

from .conftest import DATA, ROOT, store_of

FILES = ("arxiv-math-2025-05.csv", "arxiv-ml-sample.csv")


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("interests") / "paperclub.db"
    with Library(path) as lib:
        lib.ingest([DATA / name for name in FILES])
        lib.refresh_index()
    return path


@pytest.fixture
def lib(samples_db, tmp_path):
    for suffix in ("", ".index"):
        shutil.copy(str(samples_db) + suffix, str(tmp_path / "paperclub.db") + suffix)
    with Library(tmp_path / "paperclub.db") as library:
        yield library


@pytest.fixture(scope="module")
def by_category() -> dict[str, list[str]]:
    """References to the sample papers (arXiv ids, or titles as stored where the file has none) by
    their primary category."""
    found: dict[str, list[str]] = {}
    for name in FILES:
        with open(DATA / name, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                category = row["categories"].strip("[]'\" ").replace("'", " ").split()[0]
                found.setdefault(category, []).append(f"arXiv:{row['id']}" if row.get("id") else clean_title(row["title"]))
    return found


def like_some(lib, user, refs, count, seed=0):
    chosen = random.Random(seed).sample(refs, count)
    return [lib.like(user, ref).id for ref in chosen]


def mean_profile(lib) -> Recommender:
    """A recommender on the library's file and index that ranks by one mean profile of all the
    likes, as before interests."""
    recommender = Recommender(store_of(lib), lib.index)
    recommender.max_interests = 1
    return recommender


def categories_of(results):
    return Counter(r.paper.categories[0] for r in results)


def test_likes_in_two_unrelated_fields_are_two_interests_with_equal_places(lib, by_category):
    combinatorics = like_some(lib, "u", by_category["math.CO"], 5)
    vision = like_some(lib, "u", by_category["cs.CV"], 5)
    found = lib.taste("u")
    assert [sorted(i.paper_ids) for i in found] in (
        [sorted(combinatorics), sorted(vision)], [sorted(vision), sorted(combinatorics)])
    assert all(len(i.terms) == 5 and len(i.examples) == 2 and not i.muted for i in found)
    picks = lib.recommend("u", limit=10)
    places = Counter("vision" if r.paper.categories[0].startswith("cs.") else "maths" for r in picks)
    assert places == {"vision": 5, "maths": 5}
    assert all(f"(interest {n}: " in r.reason for r, n in zip(picks, (1, 2) * 5))


def test_the_mean_profile_alone_starves_the_weaker_field(lib, by_category):
    like_some(lib, "u", by_category["math.CO"], 5)
    like_some(lib, "u", by_category["cs.CV"], 5)
    places = categories_of(mean_profile(lib).recommend("u", limit=10))
    assert min(sum(n for c, n in places.items() if c.startswith("cs.")),
               sum(n for c, n in places.items() if c.startswith("math."))) < 5


def test_places_follow_the_share_of_likes(lib, by_category):
    like_some(lib, "u", by_category["math.PR"], 8)
    like_some(lib, "u", by_category["cs.CV"], 4)
    found = lib.taste("u")
    assert [i.likes for i in found] == [8, 4]
    picks = lib.recommend("u", limit=12)
    assert sum(1 for r in picks if "(interest 1: " in r.reason) == 8


@pytest.mark.parametrize("category, count", [("math.AP", 5), ("math.PR", 10), ("cs.CV", 12), ("math.CO", 8)])
def test_likes_from_one_field_stay_one_interest(lib, by_category, category, count):
    like_some(lib, "u", by_category[category], count)
    assert len(lib.taste("u")) == 1
    picks = lib.recommend("u", limit=10)
    assert not any("(interest" in r.reason for r in picks)


def test_a_stray_like_joins_the_interest_it_is_closest_to(lib, by_category):
    like_some(lib, "u", by_category["math.AP"], 6)
    like_some(lib, "u", by_category["cs.CV"], 1)
    assert [i.likes for i in lib.taste("u")] == [7]


def test_with_one_interest_recommendations_are_those_of_the_mean_profile(lib, by_category):
    like_some(lib, "u", by_category["math.NT"], 5)
    grouped = lib.recommend("u", limit=10)
    assert [r.paper.id for r in mean_profile(lib).recommend("u", limit=10)] == [r.paper.id for r in grouped]


def test_a_muted_interest_draws_nothing_until_unmuted_even_as_it_grows(lib, by_category):
    like_some(lib, "u", by_category["math.CO"], 5)
    vision = by_category["cs.CV"]
    like_some(lib, "u", vision, 5)
    number = next(i.number for i in lib.taste("u") if str(lib.paper(i.paper_ids[0]).categories[0]) == "cs.CV")
    assert lib.mute_interest("u", number).muted
    assert all(not c.startswith("cs.") for c in categories_of(lib.recommend("u", limit=10)))
    like_some(lib, "u", [ref for ref in vision if lib.paper(ref).id not in store_of(lib).muted_likes("u")], 1, seed=5)
    muted = [i for i in lib.taste("u") if i.muted]
    assert len(muted) == 1 and muted[0].likes == 6
    assert all(not c.startswith("cs.") for c in categories_of(lib.recommend("u", limit=10)))
    lib.mute_interest("u", muted[0].number, muted=False)
    assert any(c.startswith("cs.") for c in categories_of(lib.recommend("u", limit=10)))


def test_muting_every_interest_leaves_nothing_to_recommend(lib, by_category):
    like_some(lib, "u", by_category["math.AP"], 5)
    lib.mute_interest("u", 1)
    assert lib.recommend("u") == []


def test_an_interest_number_that_does_not_exist_is_named(lib, by_category):
    with pytest.raises(InterestNotFound, match="no interests yet"):
        lib.mute_interest("u", 1)
    like_some(lib, "u", by_category["math.AP"], 5)
    with pytest.raises(InterestNotFound, match="numbered 1 to 1"):
        lib.mute_interest("u", 3)


def test_many_likes_beyond_the_tree_join_the_interest_they_are_like(lib, by_category, monkeypatch):
    monkeypatch.setattr(grouping, "MAX_TREE", 10)
    maths = like_some(lib, "u", by_category["math.CO"], 8)
    vision = like_some(lib, "u", by_category["cs.CV"], 8)
    groups = {frozenset(i.paper_ids) for i in lib.taste("u")}
    assert groups == {frozenset(maths), frozenset(vision)}


def test_not_for_me_hides_a_paper_from_more_like_this_and_random_picks(lib, by_category):
    first = lib.paper(by_category["math.AP"][0])
    nearest = lib.similar(first.id, limit=3)
    lib.dislike("u", nearest[0].paper.id)
    assert nearest[0].paper.id not in {r.paper.id for r in lib.similar(first.id, limit=3, for_user="u")}
    assert nearest[0].paper.id in {r.paper.id for r in lib.similar(first.id, limit=3)}
    only = lib.paper(by_category["math.AP"][1])
    for paper_id in store_of(lib).all_ids():
        if paper_id != only.id:
            lib.dislike("u", paper_id)
    assert {lib.random(for_user="u").id for _ in range(5)} == {only.id}


def test_the_weaker_interest_keeps_its_places_at_top_50_when_colleagues_co_like_the_other(lib, by_category):
    combinatorics = random.Random(0).sample(by_category["math.CO"], 5)
    for ref in combinatorics:
        lib.like("u", ref, group="lab")
    for ref in random.Random(1).sample(by_category["cs.CV"], 5):
        lib.like("u", ref, group="lab")
    others = [ref for ref in by_category["math.CO"] if ref not in combinatorics]
    for colleague in range(25):
        for ref in combinatorics + random.Random(colleague).sample(others, 10):
            lib.like(f"c{colleague}", ref, group="lab")
    lib.colleague_weight = 2.0
    picks = lib.recommend("u", limit=50, group="lab")
    places = Counter("vision" if r.paper.categories[0].startswith("cs.") else "maths" for r in picks)
    assert places["vision"] >= 24 and places["maths"] >= 24
    assert any("people here who liked" in r.reason for r in picks)


def test_likes_spread_over_two_fields_are_two_interests_that_keep_their_places_at_top_50(lib, by_category):
    """Papers of different categories of one field share few words, about as few as papers of
    two fields do; their neighbourhoods in the library tell the fields apart."""
    maths = sorted(c for c, refs in by_category.items() if c.startswith("math.") and len(refs) >= 10)
    computing = ["cs.CV", "cs.LG", "stat.ML"]
    parted, weaker_places = 0, []
    for reader in range(12):
        draw = random.Random(reader)
        user = f"u{reader}"
        liked = {"maths": [lib.like(user, draw.choice(by_category[c])).id for c in draw.sample(maths, 5)],
                 "computing": [lib.like(user, draw.choice(by_category[draw.choice(computing)])).id for _ in range(5)]}
        found = {frozenset(i.paper_ids) for i in lib.taste(user)}
        parted += found == {frozenset(ids) for ids in liked.values()}
        picks = lib.recommend(user, limit=50)
        places = Counter("maths" if r.paper.categories[0].startswith("math") else "computing" for r in picks)
        weaker_places.append(min(places["maths"], places["computing"]))
    assert parted >= 7
    assert np.mean(weaker_places) >= 21


def test_each_interest_draws_its_own_co_liked_neighbours(lib, by_category):
    """A paper colleagues like beside the maths likes only comes through the maths interest,
    though the larger vision interest ranks first."""
    maths = random.Random(0).sample(by_category["math.CO"], 5)
    for ref in maths:
        lib.like("u", ref, group="lab")
    for ref in random.Random(1).sample(by_category["cs.CV"], 7):
        lib.like("u", ref, group="lab")
    extra = by_category["math.PR"][0]
    for colleague in range(6):
        for ref in [*maths, extra]:
            lib.like(f"c{colleague}", ref, group="lab")
    lib.colleague_weight = 4.0
    picks = lib.recommend("u", limit=50, group="lab")
    vision = next(i.number for i in lib.taste("u", group="lab") if len(i.paper_ids) == 7)
    shown = next(r for r in picks if r.paper.id == lib.paper(extra).id)
    assert f"(interest {vision}: " not in shown.reason and "people here who liked" in shown.reason


def test_the_tree_is_cut_as_scipys_average_linkage_cuts_it(lib, by_category):
    """The interests' own average-linkage tree (which spares a command importing scipy's
    clustering) parts likes as scipy's `linkage` and `fcluster` do: random likes and likes
    from two fields, every cut from 2 to 9 groups."""
    from scipy.cluster.hierarchy import fcluster, linkage

    index = lib.index()
    rng = random.Random(3)
    fields = sorted(by_category, key=lambda c: -len(by_category[c]))[:4]
    for trial in range(30):
        if trial % 2:
            rows = rng.sample(range(len(index)), rng.randint(6, 90))
        else:
            a, b = rng.sample(fields, 2)
            refs = rng.sample(by_category[a], 12) + rng.sample(by_category[b], rng.randint(3, 12))
            rows = index.rows([lib.paper(ref).id for ref in refs])
        vectors = index.vector(rows)
        distance = 1.0 - np.clip((vectors @ vectors.T).toarray(), 0.0, 1.0)
        np.fill_diagonal(distance, 0.0)
        merges = grouping.average_linkage(distance)
        tree = linkage(distance[np.triu_indices(len(rows), k=1)], method="average")
        for count in range(2, 10):
            ours = grouping.cut(merges, len(rows), count)
            scipys = fcluster(tree, count, criterion="maxclust")
            assert ({frozenset(np.flatnonzero(ours == g)) for g in set(ours.tolist())}
                    == {frozenset(np.flatnonzero(scipys == g)) for g in set(scipys.tolist())}), (trial, count)


def test_grouping_likes_imports_no_clustering_library(tmp_path):
    code = ("import sys\nfrom recommender import Library\n"
            f"lib = Library({str(tmp_path / 'x.db')!r})\nlib.ensure_seeded()\n"
            "lib.like('ada', 43); [lib.like('ada', n) for n in (34, 39, 29, 25, 1, 8, 9, 16, 12)]\n"
            "assert len(lib.taste('ada')) == 2\n"
            "print(sorted(m for m in sys.modules if m.startswith(('scipy.cluster', 'scipy.spatial', 'sklearn'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_topics_of_german_and_french_likes_are_not_their_grammar_words(tmp_path):
    """A library holding German and French papers beside English ones: an interest's words
    leave out the stop words of the languages its papers are in (which the index keeps, as
    English-only stop words leave them in: "die, mit, wir, und, der" and "des, nous, les, pour"
    were the topics), while English interests keep words that happen to be stop words
    elsewhere."""
    from recommender.stopwords import other_languages

    with Library(tmp_path / "x.db") as lib:
        lib.ingest([DATA / "abstracts-de-fr.csv", ROOT / "seeds"])
        german = [lib.paper(t).id for t in ("Neuronale Netze für", "Lernen von Darstellungen",
                                            "Verschränkung in Systemen", "Dynamik offener Quantensysteme")]
        french = [lib.paper(t).id for t in ("Réseaux de neurones pour", "Intrication dans les",
                                            "Correction d'erreurs quantiques", "Dynamique des systèmes")]
        for paper_id in german:
            lib.like("hans", paper_id)
        for paper_id in french:
            lib.like("marie", paper_id)
        index = lib.index()
        assert {"und", "die", "der", "dans", "les", "nous"} <= set(index.vectorizer.vocabulary)
        assert index.languages(index.rows(german)) == {"de"} and index.languages(index.rows(french)) == {"fr"}
        for user, code in (("hans", "de"), ("marie", "fr")):
            [interest] = lib.taste(user)
            words = {w for term in interest.terms for w in term.split()}
            assert len(interest.terms) == 5 and not words & other_languages()[code], interest.terms
        seeds = index.rows([lib.paper("Neural Ordinary Differential Equations").id,
                            lib.paper("Latent ODEs for Irregularly-Sampled Time Series").id])
        assert index.languages(seeds) == set()
