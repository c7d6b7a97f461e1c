"""`paperclub taste`, `follow`/`unfollow`/`follows` and the digest's relevance floor, driven
through click's runner on a real copy of the seeded SQLite library (and, for previews, the
local arXiv answering with recorded feeds)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

import recommender.arxiv
from bot.cli import context as cli_context
from bot.cli import cli
from recommender.digest import ONLY_RELEVANT

# Two topics of the bundled seeds, far apart: continuous-time models and language-model safety.
ODE_PAPERS = ("43", "34", "39", "29", "25")      # Neural ODEs, Latent ODEs, FFJORD, SDE gradients, easy ODEs
SAFETY_PAPERS = ("1", "8", "9", "16", "12")      # sycophancy, sleeper agents, alignment faking, …
MONDAY_NOON = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
GP_PAPER = "Adaptive finite element type decomposition of Gaussian processes"


@pytest.fixture
def db(seeded_db, tmp_path, monkeypatch):
    path = tmp_path / "taste.db"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("PAPERCLUB_DB", str(path))
    monkeypatch.setattr(cli_context, "now", lambda: MONDAY_NOON)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def two_interests(user: str = "ada") -> dict[str, int]:
    """Like five papers of each topic; the number of each interest, by topic."""
    ok("like", user, *ODE_PAPERS)
    ok("like", user, *SAFETY_PAPERS)
    interests = json.loads(ok("taste", user, "--json").stdout)
    assert len(interests) == 2
    numbers = {}
    for interest in interests:
        ids = {str(i) for i in interest["paper_ids"]}
        numbers["ode" if ids == set(ODE_PAPERS) else "safety" if ids == set(SAFETY_PAPERS) else "mixed"] = (
            interest["number"])
    assert set(numbers) == {"ode", "safety"}
    return numbers


def interests_named(recommendations: list[dict]) -> set[int]:
    return {int(n) for r in recommendations for n in re.findall(r"\(interest (\d+):", r["reason"])}


# -- taste ------------------------------------------------------------------------------


def test_taste_lists_each_interest_with_terms_likes_and_two_examples(db):
    numbers = two_interests()
    data = json.loads(ok("taste", "ada", "--json").stdout)
    for interest in data:
        assert interest["likes"] == 5 and interest["muted"] is False
        assert len(interest["terms"]) >= 3
        assert len(interest["examples"]) == 2
        assert {"id", "title", "arxiv_id", "url"} <= interest["examples"][0].keys()
    ode = data[numbers["ode"] - 1]
    assert any("differential" in term or "ode" in term for term in ode["terms"])
    text = ok("taste", "ada").stdout
    assert text.splitlines()[0] == "ada's 2 interests, from 10 likes:"
    assert re.search(r"^ 1\. .+ · 5 likes$", text, re.MULTILINE)
    assert re.search(r"^ 2\. .+ · 5 likes$", text, re.MULTILINE)
    examples = [line for line in text.splitlines() if line.startswith("    - ")]
    assert len(examples) == 4 and all(re.search(r"\(#\d+", line) for line in examples)
    assert "muted" not in text


def test_a_handful_of_likes_from_one_topic_is_one_interest(db):
    ok("like", "bea", *ODE_PAPERS[:3])
    data = json.loads(ok("taste", "bea", "--json").stdout)
    assert [i["likes"] for i in data] == [3]


def test_a_muted_interest_stops_drawing_recommendations_until_unmuted(db):
    numbers = two_interests()
    before = json.loads(ok("recommend", "ada", "-n", "10", "--json").stdout)
    assert interests_named(before) == {1, 2}

    muted = ok("taste", "ada", "--mute", str(numbers["ode"]))
    assert f"Muted interest {numbers['ode']}" in muted.stderr
    assert re.search(rf"^ {numbers['ode']}\. .+ · 5 likes · muted$", muted.stdout, re.MULTILINE)
    assert json.loads(ok("taste", "ada", "--json").stdout)[numbers["ode"] - 1]["muted"] is True
    after = json.loads(ok("recommend", "ada", "-n", "10", "--json").stdout)
    assert after and interests_named(after) == {numbers["safety"]}
    ode_titles = {"Neural Networks with Cheap Differential Operators", "Residual Flows for Invertible Generative Modeling"}
    assert not ode_titles & {r["title"] for r in after}

    ok("taste", "ada", "--mute", str(numbers["safety"]))
    quiet = ok("recommend", "ada")
    assert quiet.stdout == ""
    assert "all of ada's interests are muted" in quiet.stderr
    assert "paperclub taste ada --unmute N" in quiet.stderr
    assert json.loads(ok("recommend", "ada", "--json").stdout) == []

    back = ok("taste", "ada", "--unmute", str(numbers["ode"]), "--json")
    assert [i["muted"] for i in sorted(json.loads(back.stdout), key=lambda i: i["number"] != numbers["ode"])] == [
        False, True]
    again = json.loads(ok("recommend", "ada", "-n", "10", "--json").stdout)
    assert interests_named(again) == {numbers["ode"]}


def test_an_unknown_interest_number_is_not_found_in_one_sentence(db):
    two_interests()
    result = run("taste", "ada", "--mute", "7")
    assert result.exit_code == 3
    assert result.stderr.strip() == "There is no interest 7; the interests are numbered 1 to 2."
    assert "Traceback" not in result.output
    nobody = run("taste", "nobody", "--unmute", "1")
    assert nobody.exit_code == 3
    assert "nobody has no interests yet" in nobody.stderr
    both = run("taste", "ada", "--mute", "1", "--unmute", "2")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert run("taste", "ada", "--mute", "0").exit_code == 2


def test_taste_of_someone_without_likes_says_how_to_start(db):
    result = ok("taste", "cyd")
    assert result.stdout == ""
    assert "cyd has not liked any papers yet" in result.stderr
    assert json.loads(ok("taste", "cyd", "--json").stdout) == []


def test_taste_in_a_group_counts_that_groups_likes(db):
    ok("like", "ada", *ODE_PAPERS, "--group", "lab")
    ok("like", "ada", *SAFETY_PAPERS, "--group", "elsewhere")
    in_lab = json.loads(ok("taste", "ada", "--group", "lab", "--json").stdout)
    assert [sorted(map(str, i["paper_ids"])) for i in in_lab] == [sorted(ODE_PAPERS)]
    assert len(json.loads(ok("taste", "ada", "--json").stdout)) == 2


def test_taste_in_a_group_says_how_much_colleagues_likes_count_there(db):
    ok("like", "ada", *ODE_PAPERS, "--group", "lab")
    shown = ok("taste", "ada", "--group", "lab").stdout
    assert "Colleagues' co-likes count ×0.5 beside the text of one's own likes here: a fixed weight" in shown
    assert "co-likes" not in ok("taste", "ada").stdout


# -- follows -----------------------------------------------------------------------------


def test_follow_unfollow_and_follows_round_trip(db):
    author = ok("follow", "ada", "--author", "R. T. Q. Chen")
    assert author.stdout.startswith("ada follows author R. T. Q. Chen: every new paper of theirs")
    phrase = json.loads(ok("follow", "ada", "neural", "ODE", "--group", "lab", "--json").stdout)
    assert phrase["kind"] == "phrase" and phrase["text"] == "neural ODE" and phrase["group"] == "lab"
    assert phrase["added"] is True and phrase["created"]
    again = json.loads(ok("follow", "ada", "Neural  ODE", "--group", "lab", "--json").stdout)
    assert again["added"] is False
    assert "already follows" in ok("follow", "ada", "--author", "R. T. Q. Chen").stdout

    listed = json.loads(ok("follows", "ada", "--json").stdout)
    assert [(f["kind"], f["text"], f["group"]) for f in listed] == [
        ("author", "R. T. Q. Chen", None), ("phrase", "neural ODE", "lab")]
    text = ok("follows", "ada").stdout.splitlines()
    assert text[0].startswith("author R. T. Q. Chen · since ")
    assert text[1].startswith("“neural ODE” · in lab · since ")

    gone = ok("unfollow", "ada", "neural ODE")
    assert gone.stdout.strip() == "ada no longer follows “neural ODE” (in lab)."
    missing = run("unfollow", "ada", "neural", "ODE")
    assert missing.exit_code == 3
    assert "ada does not follow “neural ODE”; they follow author R. T. Q. Chen." in missing.stderr
    removed = json.loads(ok("unfollow", "ada", "--author", "R.T.Q. Chen", "--json").stdout)
    assert [(f["kind"], f["text"]) for f in removed] == [("author", "R. T. Q. Chen")]
    assert json.loads(ok("follows", "ada", "--json").stdout) == []
    assert "ada follows no authors or phrases" in ok("follows", "ada").stderr


def test_an_author_follow_is_not_undone_by_the_same_words_as_a_phrase(db):
    ok("follow", "ada", "--author", "Duvenaud")
    assert run("unfollow", "ada", "Duvenaud").exit_code == 3
    assert len(json.loads(ok("follows", "ada", "--json").stdout)) == 1


@pytest.mark.parametrize("args, message", [
    (["follow", "ada"], "Say what to follow"),
    (["follow", "ada", "neural", "--author", "Chen"], "not both"),
    (["follow", "ada", "..."], "at least one word"),
    (["follow", "ada", "--author", "  "], "is empty"),
    (["follow", "ada", *["word"] * 50], "at most 200 characters"),
    (["unfollow", "ada"], "Say what to follow"),
])
def test_follow_errors_are_one_sentence_with_status_2(db, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


# -- digests: subscriptions and the relevance floor ------------------------------------


def test_subscribe_with_only_relevant_shows_in_the_list(db):
    made = ok("digest", "subscribe", "--channel", "123", "--group", "lab", "--categories", "cs.LG", "stat.ML",
              "--only-relevant", "--say-when-empty")
    assert made.stdout.startswith("Subscribed channel 123 (group lab): cs.LG, stat.ML · 5 papers at 08:00 UTC")
    assert "only relevant papers" in made.stdout and "says when there is nothing new" in made.stdout
    mine = json.loads(ok("digest", "subscribe", "--user", "42", "--categories", "cs.LG", "--min-score", "0.25",
                         "--time", "07:30", "--timezone", "Europe/Berlin", "--json").stdout)
    assert (mine["target"], mine["min_score"], mine["say_when_empty"]) == ("dm:42", 0.25, False)

    listed = ok("digest", "list").stdout.splitlines()
    assert listed == [
        ("channel 123 (group lab): cs.LG, stat.ML · 5 papers at 08:00 UTC, on days arXiv announces"
        " · only relevant papers · says when there is nothing new"),
        ("user 42 (direct messages): cs.LG · 5 papers at 07:30 Europe/Berlin, on days arXiv announces"
        " · only papers scoring 0.25 or more"),
    ]
    in_lab = json.loads(ok("digest", "list", "--group", "lab", "--json").stdout)
    assert [(s["target"], s["min_score"], s["say_when_empty"]) for s in in_lab] == [
        ("channel:123", ONLY_RELEVANT, True)]

    assert ok("digest", "unsubscribe", "--user", "42").stdout.strip() == "Stopped the daily digest of user 42."
    again = run("digest", "unsubscribe", "--user", "42")
    assert again.exit_code == 3 and "user 42 has no daily digest" in again.stderr
    assert [s["target"] for s in json.loads(ok("digest", "list", "--json").stdout)] == ["channel:123"]
    stopped = json.loads(ok("digest", "unsubscribe", "--channel", "123", "--json").stdout)
    assert stopped == {"target": "channel:123", "removed": True}
    assert json.loads(run("digest", "unsubscribe", "--channel", "123", "--json").stdout)["removed"] is False
    assert "No daily digests" in ok("digest", "list").stderr


@pytest.mark.parametrize("args, message", [
    (["--categories", "cs.LG", "--user", "1", "--min-score", "0.2", "--only-relevant"], "not both"),
    (["--categories", "cs.LG", "--user", "1", "--min-score", "1"], "0<=x<1"),
    (["--categories", "cs.LG"], "Name the subscriber"),
    (["--categories", "cs.LG", "--user", "1", "--channel", "2"], "Name the subscriber"),
    (["--categories", "cs.LG", "--user", "1", "--group", "lab"], "--group is for a channel"),
    (["--categories", "nonsense", "--user", "1"], "not an arXiv category"),
    (["--categories", "cs.LG", "--user", "1", "--timezone", "Mars/Olympus"], "Mars/Olympus"),
])
def test_subscribe_errors_are_one_sentence_with_status_2(db, args, message):
    result = run("digest", "subscribe", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert json.loads(ok("digest", "list", "--json").stdout) == []


def test_digest_options_before_a_subcommand_are_refused(db):
    result = run("digest", "--size", "3", "list")
    assert result.exit_code == 2 and "--size is for a preview" in result.stderr
    assert "Missing option '--categories'" in run("digest").stderr


@pytest.fixture
def feeds(db, monkeypatch, arxiv_server, fake_gate):
    """The CLI pointed at the local arXiv with Monday 2 June 2025's recorded feeds."""
    monkeypatch.setenv("PAPERCLUB_ARXIV_RSS_URL", arxiv_server.rss_url)
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setattr(recommender.arxiv, "SHARED_GATE", fake_gate)
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    arxiv_server.route("/rss/stat.ML", "rss_stat_ML.xml")
    return arxiv_server


def test_a_preview_with_a_floor_leaves_out_what_scores_under_it(feeds):
    ok("like", "ada", "Deep Neural Networks as Gaussian Processes")
    everything = json.loads(ok("digest", "--categories", "cs.LG", "stat.ML", "--user", "ada", "--json").stdout)
    assert everything["min_score"] is None and everything["papers"][0]["title"] == GP_PAPER
    relevant = json.loads(ok("digest", "preview", "--categories", "cs.LG", "stat.ML", "--user", "ada",
                             "--only-relevant", "--json").stdout)
    assert relevant["min_score"] == ONLY_RELEVANT
    assert relevant["papers"] and relevant["papers"][0]["title"] == GP_PAPER
    assert len(relevant["papers"]) < len(everything["papers"])
    assert all(p["score"] >= ONLY_RELEVANT for p in relevant["papers"])

    nothing = ok("digest", "--categories", "cs.LG", "stat.ML", "--user", "ada", "--min-score", "0.99")
    assert nothing.stdout == ""
    assert "none of the 4 new papers scores 0.99 or more against the likes" in nothing.stderr
    both = run("digest", "--categories", "cs.LG", "--min-score", "0.2", "--only-relevant", "--no-fetch")
    assert both.exit_code == 2 and "not both" in both.stderr
