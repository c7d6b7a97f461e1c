"""Co-like neighbours of a group and the blend weight each group learns."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli import cli
from recommender import blend
from recommender.colikes import CoLikes
from recommender.store import Store


def test_a_like_updates_the_neighbours_as_a_rebuild_would():
    pairs = [("a", 1), ("a", 2), ("b", 1), ("b", 2), ("b", 3), ("c", 3), ("c", 4)]
    grown = CoLikes(pairs[:-1])
    grown.add("c", 4)
    fresh = CoLikes(pairs)
    for paper_id in (1, 2, 3, 4):
        assert grown.scores([paper_id]) == pytest.approx(fresh.scores([paper_id]))
    assert fresh.best_reason(3, [1, 2], "z") == (1, 1)  # b liked 3 and 1 (1 before 2 on a tie)
    assert fresh.best_reason(4, [1], "z") is None
    fresh.remove("c", 4)
    assert 4 not in fresh.scores([3]) and fresh.best_reason(3, [4], "z") is None
    assert len(fresh) == 6 and fresh.members == 3


def test_co_liked_papers_score_by_cosine_with_shrinkage_and_the_top_k_are_kept():
    colikes = CoLikes([(f"u{i}", 1) for i in range(4)] + [(f"u{i}", 2) for i in range(2)] + [("u0", 3)],
                      shrink=1.0, top_k=1)
    assert colikes.scores([1]) == pytest.approx({2: 2 / (8 ** 0.5 + 1)})  # 3 is cut by top_k=1
    assert colikes.popular(2) == [(1, 4), (2, 2)]


def test_a_lab_too_small_to_learn_keeps_the_fixed_weight_and_records_nothing(seeded):
    for person in ("a", "b", "c"):
        for title in ("FFJORD", "Sleeper Agents", "Latent ODEs"):
            seeded.like(person, title, group="lab")
    learned = seeded.learn_blend("lab")
    assert not learned.chosen and learned.weight == blend.UNLEARNED and learned.members == 3
    assert seeded.co_like_weight("lab").weight == blend.UNLEARNED
    assert seeded.stats()["group_blends"] == {}
    shown = seeded.co_like_weight("lab")
    assert not shown.learned and shown.weight == blend.UNLEARNED
    assert "fixed weight until the group has enough members" in shown.describe()


def cross_topic_lab(lib, members: int = 30) -> list[int]:
    """Three circles whose members like most of their circle's six papers, picked from across
    the library, so that text alone cannot tell what a circle reads but co-likes can."""
    ids = sorted(lib.index().row_of)
    draw = random.Random(4)
    circles = [draw.sample(ids, 6) for _ in range(3)]
    for member in range(members):
        for paper_id in draw.sample(circles[member % 3], 5):
            lib.like(f"m{member}", paper_id, group="big")
    return [pid for circle in circles for pid in circle]


def test_a_lab_whose_co_likes_tell_more_than_text_learns_a_weight_and_shows_it(seeded):
    cross_topic_lab(seeded)
    learned = seeded.learn_blend("big")
    assert learned.weight > 0 and learned.recall > learned.text_recall
    assert seeded.co_like_weight("big").weight == learned.weight
    stored = seeded.stats()["group_blends"]["big"]
    assert stored["weight"] == learned.weight and stored["likes"] == 150
    shown = CliRunner().invoke(cli, ["--db", str(seeded.path), "stats"])
    assert shown.exit_code == 0, shown.output
    assert f"Group big: co-like weight {learned.weight:g}" in shown.output
    assert f"recall@20 {learned.recall:.3f}; text alone {learned.text_recall:.3f}" in shown.output


def test_a_request_reads_no_group_likes_once_the_co_likes_are_built(seeded, monkeypatch):
    cross_topic_lab(seeded)
    seeded.colleague_weight = 1.0
    first = seeded.recommend("m0", limit=5, group="big")

    def whole_group(*args, **kwargs):
        raise AssertionError("a request read the whole group's likes")

    monkeypatch.setattr(Store, "group_signals", whole_group)
    assert [r.paper.id for r in seeded.recommend("m0", limit=5, group="big")] == [r.paper.id for r in first]
    seeded.like("m1", first[0].paper.id, group="big")
    assert seeded.recommend("m0", limit=5, group="big")
    assert any("people here who liked" in r.reason or "person here who liked" in r.reason for r in first)


def test_each_interest_draws_its_own_co_likes():
    colikes = CoLikes([("a", 1), ("a", 10), ("b", 2), ("b", 20)])
    assert set(colikes.scores([1])) == {10} and set(colikes.scores([2])) == {20}
    assert blend.CANDIDATES[0] == 0.0


SHARED = ["Neural Ordinary Differential Equations", "Latent ODEs for Irregularly-Sampled Time Series"]


def colleagues_co_like_sleeper_agents(lib) -> None:
    """Lena and Mo like the two ODE papers of SHARED and "Sleeper Agents" in the lab; Nia likes
    the two ODE papers: for her, Sleeper Agents is co-liked and nothing in its text is like her
    likes."""
    for colleague in ("lena", "mo"):
        for title in [*SHARED, "Sleeper Agents"]:
            lib.like(colleague, title, group="lab")
    for title in SHARED:
        lib.like("nia", title, group="lab")


def test_not_for_me_keeps_a_co_liked_paper_away(seeded):
    colleagues_co_like_sleeper_agents(seeded)
    seeded.colleague_weight = 1.0
    assert any(r.paper.title.startswith("Sleeper") for r in seeded.recommend("nia", limit=10, group="lab"))
    seeded.dislike("nia", "Sleeper Agents", group="lab")
    assert not any(r.paper.title.startswith("Sleeper") for r in seeded.recommend("nia", limit=10, group="lab"))


def test_a_large_groups_co_likes_are_built_aside_and_text_alone_answers_meanwhile(seeded, monkeypatch):
    from recommender import recommend

    colleagues_co_like_sleeper_agents(seeded)
    alone = [r.paper.id for r in seeded.recommend("nia", limit=10)]
    monkeypatch.setattr(recommend, "BUILD_HERE_LIKES", 0)
    seeded.colleague_weight = 1.0
    assert [r.paper.id for r in seeded.recommend("nia", limit=10, group="lab")] == alone
    seeded.wait_for_background()  # the build
    seeded.unlike("mo", "Sleeper Agents")
    sleeper = next(r for r in seeded.recommend("nia", limit=10, group="lab") if r.paper.title.startswith("Sleeper"))
    assert "liked by 1 person here who liked *" in sleeper.reason


def like_elsewhere(lib, *args: str) -> None:
    """`paperclub <args>` run by another process on the library's file, as beside a running bot."""
    done = subprocess.run([sys.executable, "-m", "bot.cli", "--db", str(lib.path), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def sleeper_reason(lib) -> str:
    return next(r.reason for r in lib.recommend("nia", limit=10, group="lab") if r.paper.title.startswith("Sleeper"))


@pytest.mark.parametrize("aside", [False, True], ids=["small group", "large group, caught up aside"])
def test_likes_written_by_another_process_reach_the_co_likes(seeded, monkeypatch, aside):
    from recommender import recommend

    colleagues_co_like_sleeper_agents(seeded)
    seeded.colleague_weight = 1.0
    assert "liked by 2 people here who liked *" in sleeper_reason(seeded)
    if aside:
        monkeypatch.setattr(recommend, "BUILD_HERE_LIKES", 0)

    like_elsewhere(seeded, "like", "kai", SHARED[0], "Sleeper Agents", "--group", "lab")
    first = sleeper_reason(seeded)  # the first request after it looks, and catches up
    seeded.wait_for_background()  # a catch-up made aside
    assert "liked by 3 people here who liked *" in sleeper_reason(seeded)
    assert first == sleeper_reason(seeded) or aside

    like_elsewhere(seeded, "unlike", "mo", "Sleeper Agents")
    like_elsewhere(seeded, "dislike", "lena", "Sleeper Agents", "--group", "lab")
    sleeper_reason(seeded)
    seeded.wait_for_background()
    assert "liked by 1 person here who liked *" in sleeper_reason(seeded)


def test_a_weight_learned_by_another_process_is_used(seeded):
    assert seeded.co_like_weight("lab").weight == blend.UNLEARNED
    elsewhere = Store(seeded.path)
    elsewhere.set_group_blend("lab", 2.0, 0.5, 0.2, 30, 150)
    elsewhere.close()
    assert seeded.co_like_weight("lab").weight == 2.0
    assert seeded.co_like_weight("lab").learned


def test_a_like_made_here_while_a_group_is_caught_up_is_kept(seeded, monkeypatch):
    colleagues_co_like_sleeper_agents(seeded)
    seeded.colleague_weight = 1.0
    sleeper_reason(seeded)
    like_elsewhere(seeded, "like", "kai", SHARED[0], "Sleeper Agents", "--group", "lab")
    read = Store.group_signals

    def read_then_like_here(store, group, *args, **kwargs):
        stored = read(store, group, *args, **kwargs)  # what was stored before this process's like below
        monkeypatch.setattr(Store, "group_signals", read)
        for title in [SHARED[0], "Sleeper Agents"]:
            seeded.like("ola", title, group="lab")
        return stored

    monkeypatch.setattr(Store, "group_signals", read_then_like_here)
    sleeper_reason(seeded)
    assert "liked by 4 people here who liked *" in sleeper_reason(seeded)  # lena, mo, kai and ola
