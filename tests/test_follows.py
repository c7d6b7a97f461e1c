"""Following authors and phrases: how names and phrases match papers, and keeping follows."""

from __future__ import annotations

import pytest

from recommender import FollowError
from recommender.people import Person
from recommender.follows import Matcher, Name, why
from recommender.papers import Follow

from tests.conftest import store_of



@pytest.mark.parametrize("followed", [
    "Ricky T. Q. Chen", "R. T. Q. Chen", "Chen, Ricky T. Q.", "ricky chen", "R. Chen", "CHEN, R.T.Q.", "Chen",
])
def test_an_author_is_found_by_initials_and_in_any_order_or_case(seeded, followed):
    paper = seeded.paper("Neural Ordinary Differential Equations")
    assert Matcher([Follow("author", followed)]).matches(paper)


@pytest.mark.parametrize("followed", ["Q. Chen", "Richard Chen", "Ricky Chan", "Tianqi Chen"])
def test_a_different_person_of_the_same_name_is_not_the_author(seeded, followed):
    paper = seeded.paper("Neural Ordinary Differential Equations")
    assert not Matcher([Follow("author", followed)]).matches(paper)


def test_accents_and_suffixes_are_folded():
    from recommender.papers import Paper

    paper = Paper(id=1, title="A title", authors=["Paul Erdős", "Martin Luther King Jr."], abstract="An abstract.")
    assert Matcher([Follow("author", "P. Erdos")]).matches(paper)
    assert Matcher([Follow("author", "M. L. King")]).matches(paper)


@pytest.mark.parametrize("followed, found", [
    ("T.-K. L. Wong", True), ("T. L. Wong", True), ("Ting-Kam Wong", True), ("T.K. Wong", True),
    ("Ting Kam Leonard Wong", True), ("K. Wong", False), ("T.-Y. Wong", False),
])
def test_hyphenated_given_names_are_one_name(followed, found):
    assert (Name.parse(followed).matches(Name.parse("Ting-Kam Leonard Wong"))) is found


@pytest.mark.parametrize("phrase, found", [
    ("continuous normalizing flow", True), ("Continuous Normalizing Flows", True),
    ("ordinary differential equation", True), ("differential equations ordinary", False),
    ("neural ordinary diff", False), ("normalizing flow continuous", False),
])
def test_a_phrase_is_whole_words_in_order_with_plurals(seeded, phrase, found):
    paper = seeded.paper("Neural Ordinary Differential Equations")
    assert bool(Matcher([Follow("phrase", phrase)]).matches(paper)) is found


def test_the_reason_says_which_follows_matched():
    assert why([Follow("author", "R. Chen")]) == "by *R. Chen*, whom you follow"
    assert why([Follow("author", "A"), Follow("author", "B"), Follow("phrase", "neural ODE")]) == (
        "by *A* and *B*, whom you follow; mentions “neural ODE”, which you follow")


def test_follows_are_kept_once_listed_and_removed_in_every_server(seeded):
    follow, added = seeded.follow("7", "  R.  T. Q. Chen ", kind="author", group="1")
    assert added and follow.text == "R. T. Q. Chen"
    assert seeded.follow("7", "r t q chen", kind="author", group="1")[1] is False
    assert seeded.follow("7", "Ricky T. Q. Chen", kind="author", group="1") == (follow, False)
    seeded.follow("7", "R. T. Q. Chen", kind="author", group="2")
    seeded.follow("7", "neural ODE")
    assert [(f.kind, f.text, f.group) for f in seeded.follows("7")] == [
        ("author", "R. T. Q. Chen", "1"), ("author", "R. T. Q. Chen", "2"), ("phrase", "neural ODE", None)]
    assert seeded.follows("8") == []
    assert seeded.unfollow("7", "Ricky Chen") == []
    assert len(seeded.unfollow("7", "Ricky T. Q. CHEN")) == 2
    assert seeded.unfollow("7", "something never followed") == []
    assert [f.text for f in seeded.follows("7")] == ["neural ODE"]


@pytest.mark.parametrize("text, kind, message", [
    ("", "phrase", "at least one word"), ("...", "author", "Name the author"), ("x" * 201, "phrase", "at most 200"),
    ("a", "tag", "author or a phrase"),
])
def test_a_follow_that_cannot_be_kept_is_refused_with_a_reason(seeded, text, kind, message):
    with pytest.raises(FollowError, match=message):
        seeded.follow("7", text, kind=kind)
    assert seeded.follows("7") == []


def test_there_is_a_limit_to_follows(seeded):
    for n in range(50):
        seeded.follow("7", f"phrase {n}")
    with pytest.raises(FollowError, match="50"):
        seeded.follow("7", "one more")
    assert seeded.follow("7", "phrase 3")[1] is False


@pytest.fixture(scope="module")
def seed_authors(seeded_db) -> list[Person]:
    from recommender import Library

    with Library(seeded_db) as lib:
        people = {a for p in store_of(lib).papers(store_of(lib).all_ids()) for a in p.authors if Name.of(a)}
        return sorted(people, key=lambda person: person.display)


def _initials(person: Person) -> str:
    initials = [w[0] + "." for w in person.given.split() if w[0].isalpha()]
    return " ".join(initials + [person.family])


def test_every_seed_author_is_found_by_their_initials_and_in_capitals(seeded, seed_authors):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.sampled_from(seed_authors), st.sampled_from(["as written", "initials", "capitals", "surname first"]))
    def check(person, form):
        name = person.display
        written = {"as written": name, "initials": _initials(person), "capitals": name.upper(),
                   "surname first": f"{person.family}, {person.given}"}[form]
        wanted, actual = Name.parse(written), Name.of(person)
        assert wanted is not None and actual is not None and wanted.matches(actual) and actual.matches(wanted)

    check()
