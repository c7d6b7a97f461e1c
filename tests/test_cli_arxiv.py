"""`paperclub fetch`, `add` and `digest` against a local server answering with recorded arXiv
responses: the real client, a real SQLite library and the real ranking; only the network edge
and the clock are stand-ins (the recorded feeds are for Monday 2 June 2025)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

import recommender.arxiv
from bot.cli import context as cli_context
from bot.cli import cli
from tests.arxiv_server import RECORDINGS
from tests.conftest import ROOT

MONDAY_NOON = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)
API_BATCH = "0704.0001,2505.20817,2310.13548"
GP_PAPER = "Adaptive finite element type decomposition of Gaussian processes"


@pytest.fixture
def db(seeded_db, tmp_path, monkeypatch, arxiv_server, fake_gate):
    """A copy of the seeded library, with the CLI pointed at the local arXiv on a Monday."""
    path = tmp_path / "cli.db"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("PAPERCLUB_DB", str(path))
    monkeypatch.setenv("PAPERCLUB_ARXIV_RSS_URL", arxiv_server.rss_url)
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setattr(recommender.arxiv, "SHARED_GATE", fake_gate)
    monkeypatch.setattr(cli_context, "now", lambda: MONDAY_NOON)
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    arxiv_server.route("/rss/stat.ML", "rss_stat_ML.xml")
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rss_requests(server) -> list[str]:
    return [path for path in server.paths() if path.startswith("/rss/")]


def test_fetch_reports_counts_and_the_papers_become_searchable(db, arxiv_server, fake_gate):
    result = run("fetch", "cs.LG", "stat.ML")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "cs.LG 2025-06-02: 1 new, 2 cross-lists, 0 updated"
    assert lines[1].startswith("stat.ML 2025-06-02: 3 new, 2 cross-lists")
    assert rss_requests(arxiv_server) == ["/rss/cs.LG", "/rss/stat.ML"]
    assert fake_gate.sleeps == [3.0]  # the shared gate kept arXiv's pause, on the fake clock
    found = run("search", "heavy-tailed", "clipped", "--json")
    assert any(r["arxiv_id"] == "2505.20817" for r in json.loads(found.stdout))
    assert "Neural Drift Estimation" in run("show", "2505.24383").stdout


def test_fetch_twice_fetches_each_announcement_once(db, arxiv_server):
    assert run("fetch", "cs.LG").exit_code == 0
    again = run("fetch", "cs.lg", "--json")
    assert again.exit_code == 0, again.output
    [report] = json.loads(again.stdout)
    assert (report["category"], report["day"], report["status"]) == ("cs.LG", "2025-06-02", "ok")
    assert report["already"] is True
    assert "already fetched" in run("fetch", "cs.LG").stdout
    assert rss_requests(arxiv_server) == ["/rss/cs.LG"]
    forced = run("fetch", "cs.LG", "--force")
    assert forced.exit_code == 0 and "1 new" in forced.stdout
    assert rss_requests(arxiv_server) == ["/rss/cs.LG", "/rss/cs.LG"]


def test_fetch_when_arxiv_keeps_failing_says_so_and_exits_1(db, arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", (503, "Service Unavailable", {"Content-Type": "text/plain"}))
    result = run("fetch", "cs.LG", "stat.ML")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    failure = next(line for line in result.stderr.splitlines() if line.startswith("cs.LG 2025-06-02:"))
    assert "503" in failure and "4 attempts" in failure and "/rss/cs.LG" in failure
    assert result.stdout.startswith("stat.ML 2025-06-02: 3 new")
    assert rss_requests(arxiv_server).count("/rss/cs.LG") == 4
    assert {5.0, 10.0, 20.0} <= set(fake_gate.sleeps)  # backed off, on the fake clock
    retry = run("fetch", "cs.LG")
    assert retry.exit_code == 1 and "not trying again yet" in retry.stderr
    assert rss_requests(arxiv_server).count("/rss/cs.LG") == 4


def empty_monday() -> tuple[int, str, dict]:
    """The weekend's empty feed, dated Monday: what a holiday looks like."""
    text = (RECORDINGS / "rss_cs_LG_empty.xml").read_text(encoding="utf-8")
    return 200, text.replace("Sat, 31 May 2025 00:30:00", "Mon, 02 Jun 2025 00:30:00"), {}


def test_fetch_an_empty_announcement_is_not_a_failure(db, arxiv_server):
    arxiv_server.route("/rss/cs.LG", empty_monday())
    result = run("fetch", "cs.LG")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("cs.LG 2025-06-02: feed for 2025-06-02 is empty")


def test_fetch_a_stale_feed_is_a_failure(db, arxiv_server):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG_empty.xml")
    result = run("fetch", "cs.LG")
    assert result.exit_code == 1
    assert "feed is stale: it is for 2025-05-31, expected 2025-06-02" in result.stderr


def test_fetch_a_bad_category_is_a_usage_error(db, arxiv_server):
    result = run("fetch", "cs.LG", "machine-learning")
    assert result.exit_code == 2
    assert "'machine-learning' is not an arXiv category" in result.stderr
    assert "Traceback" not in result.output
    assert arxiv_server.requests == []


def test_add_by_id_abs_and_pdf_links(db, arxiv_server):
    arxiv_server.route_api(API_BATCH, "api_query.atom.xml")
    result = run("add", "0704.0001", "https://arxiv.org/abs/2505.20817", "https://arxiv.org/pdf/2310.13548v2.pdf")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["0704.0001", "2505.20817", "2310.13548"]
    assert all(line.startswith("#") for line in lines)
    assert "Clipped-SGD" in lines[1]
    library_id = lines[2].split()[0].removeprefix("#")
    shown = run("show", library_id)
    assert shown.exit_code == 0 and "Towards Understanding Sycophancy in Language Models" in shown.stdout
    assert "diphoton" in run("show", "0704.0001").stdout
    assert len([p for p in arxiv_server.paths() if p == "/api/query"]) == 1


def test_add_an_old_style_id_as_json(db, arxiv_server):
    arxiv_server.route_api("hep-th/9711200", "api_old_style.atom.xml")
    result = run("add", "arXiv:hep-th/9711200", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["arxiv_id"] for p in data["added"]] == ["hep-th/9711200"]
    assert (data["not_found"], data["invalid"]) == ([], [])
    assert "Superconformal" in run("show", "hep-th/9711200").stdout


def test_add_unknown_and_invalid_references(db, arxiv_server):
    arxiv_server.route_api("2505.99999", "api_not_found.atom.xml")
    result = run("add", "2505.99999", "not-a-paper")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "not on arXiv: 2505.99999" in result.stderr
    assert "not an arXiv id or link: not-a-paper" in result.stderr
    assert run("show", "2505.99999").exit_code == 3


def test_add_when_arxiv_is_down(db, arxiv_server):
    arxiv_server.route("/api/query", (503, "Service Unavailable", {}))
    result = run("add", "2310.13548")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Nothing added" in result.stderr and "503" in result.stderr


def test_digest_fetches_then_lists_the_picks(db, arxiv_server):
    result = run("digest", "--categories", "cs.LG", "stat.ML", "--size", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "arXiv digest for cs.LG, stat.ML · announced 2025-06-02 · 3 of 4 new papers"
    assert [line[:4] for line in lines[1::3]] == [" 1. ", " 2. ", " 3. "]
    assert all(line.startswith("    arXiv:") and "https://arxiv.org/abs/" in line for line in lines[2::3])
    assert all(line.strip() for line in lines[3::3])
    assert "cs.LG 2025-06-02: 1 new" in result.stderr
    assert rss_requests(arxiv_server) == ["/rss/cs.LG", "/rss/stat.ML"]
    run("digest", "--categories", "cs.LG", "stat.ML")
    assert len(rss_requests(arxiv_server)) == 2


def test_digest_json_holds_the_preview_and_the_fetch_reports(db, arxiv_server):
    result = run("digest", "--categories", "cs.LG", "--categories", "stat.ML", "--size", "3",
                 "--cross-lists", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["day"] == "2025-06-02"
    assert data["feeds"] == {"cs.LG": "ok", "stat.ML": "ok"}
    assert data["candidates"] == 7
    assert len(data["papers"]) == 3
    assert {"id", "title", "arxiv_id", "url", "score", "reason"} <= data["papers"][0].keys()
    assert [(r["category"], r["status"], r["new"]) for r in data["fetched"]] == [("cs.LG", "ok", 1), ("stat.ML", "ok", 3)]


def test_digest_categories_can_be_quoted_together(db):
    result = run("digest", "--categories", "cs.LG, stat.ML", "--json")
    assert json.loads(result.stdout)["feeds"] == {"cs.LG": "ok", "stat.ML": "ok"}


def test_digest_without_fetching_says_why_it_is_empty(db, arxiv_server):
    result = run("digest", "--categories", "cs.LG", "stat.ML", "--no-fetch")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "No arXiv digest for cs.LG, stat.ML announced 2025-06-02" in result.stderr
    assert "cs.LG: not fetched for 2025-06-02" in result.stderr
    assert arxiv_server.requests == []


def test_digest_of_an_empty_or_stale_announcement_says_so(db, arxiv_server):
    arxiv_server.route("/rss/cs.LG", empty_monday())
    result = run("digest", "--categories", "cs.LG")
    assert result.exit_code == 0, result.output
    assert "cs.LG: arXiv announced nothing for 2025-06-02" in result.stderr
    arxiv_server.route("/rss/stat.ML", (200, (RECORDINGS / "rss_stat_ML.xml").read_text().replace(
        "Mon, 02 Jun 2025", "Fri, 30 May 2025"), {}))
    stale = run("digest", "--categories", "stat.ML")
    assert stale.exit_code == 1
    assert "stat.ML: the feed does not have the 2025-06-02 announcement yet" in stale.stderr


def test_digest_with_a_bad_category_or_both_recipients_is_a_usage_error(db, arxiv_server):
    assert run("digest", "--categories", "cs.LG", "nonsense").exit_code == 2
    both = run("digest", "--categories", "cs.LG", "--group", "lab", "--user", "ada")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert arxiv_server.requests == []


def test_digest_for_a_group_ranks_the_paper_closest_to_its_likes_first(db):
    unliked = json.loads(run("digest", "--categories", "cs.LG", "stat.ML", "--group", "lab", "--json").stdout)
    assert unliked["papers"][0]["title"] != GP_PAPER
    liked = run("like", "ada", "Deep Neural Networks as Gaussian Processes", "--group", "lab")
    assert liked.exit_code == 0, liked.output
    result = run("digest", "--categories", "cs.LG", "stat.ML", "--group", "lab", "--size", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == f" 1. {GP_PAPER}"
    assert "Deep Neural Networks as Gaussian Processes" in lines[3]
    other = json.loads(run("digest", "--categories", "cs.LG", "stat.ML", "--group", "elsewhere", "--json").stdout)
    assert other["papers"][0]["title"] != GP_PAPER


def test_digest_for_a_person_uses_their_likes(db):
    run("like", "ada", "Deep Neural Networks as Gaussian Processes")
    data = json.loads(run("digest", "--categories", "stat.ML", "--user", "ada", "--json").stdout)
    assert data["papers"][0]["title"] == GP_PAPER
    assert "which you liked" in data["papers"][0]["reason"]


# -- saved feeds: a digest tried without arXiv -------------------------------------------------

LG, ML = str(RECORDINGS / "rss_cs_LG.xml"), str(RECORDINGS / "rss_stat_ML.xml")
LATER = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)


def test_a_preview_of_saved_feeds_needs_no_arxiv_on_any_day(db, arxiv_server, monkeypatch):
    monkeypatch.setattr(cli_context, "now", lambda: LATER)
    run("like", "ada", "Deep Neural Networks as Gaussian Processes")
    result = run("digest", "preview", "--feed", LG, "--feed", ML, "--user", "ada", "--only-relevant")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("arXiv digest for cs.LG, stat.ML · announced 2025-06-02 · ")
    assert "Adaptive finite element type decomposition of Gaussian processes" in result.stdout
    assert arxiv_server.requests == []
    same = run("digest", "--feed", LG, "--feed", ML, "--user", "ada", "--only-relevant")  # the group's default
    assert same.stdout == result.stdout
    later = run("digest", "--categories", "cs.LG", "stat.ML", "--day", "2025-06-02", "--no-fetch", "--user", "ada",
                "--only-relevant")
    assert later.stdout == result.stdout


def test_fetching_a_saved_feed_keeps_it_for_its_day_or_the_day_named(db, arxiv_server):
    result = run("fetch", "--feed", LG, "--json")
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)
    assert (report["category"], report["day"], report["status"], report["new"]) == ("cs.LG", "2025-06-02", "ok", 1)
    tuesday = str(RECORDINGS / "rss_cs_LG_tue.xml")
    newer = run("fetch", "--feed", tuesday, "--day", "2025-06-02")
    assert newer.exit_code == 0, newer.output
    assert newer.stdout.startswith("cs.LG 2025-06-03: ")
    assert "newer than the 2025-06-02 announcement asked for; taken" in newer.stdout
    older = run("fetch", "--feed", LG, "--day", "2025-06-03")
    assert older.exit_code == 1
    assert "feed is stale: it is for 2025-06-02, expected 2025-06-03" in older.stderr
    assert arxiv_server.requests == []


def test_a_feed_that_is_not_one_or_missing_or_beside_categories_is_refused(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("these are not a feed")
    refused = run("fetch", "--feed", str(notes))
    assert refused.exit_code == 2
    assert f"{notes} is not the arXiv feed of a category: malformed feed XML" in refused.stderr
    missing = run("fetch", "--feed", str(tmp_path / "gone.xml"))
    assert missing.exit_code == 2 and "Cannot read the feed" in missing.stderr
    both = run("fetch", "cs.LG", "--feed", LG)
    assert both.exit_code == 2 and "not both" in both.stderr
    assert run("fetch").exit_code == 2


def test_a_preview_says_nothing_of_feeds_fetched_before(db, arxiv_server):
    assert run("fetch", "cs.LG", "stat.ML").exit_code == 0
    again = run("digest", "preview", "--categories", "cs.LG", "stat.ML")
    assert again.exit_code == 0, again.output
    assert "already fetched" not in again.stderr and again.stderr == ""


def test_a_stale_feed_is_said_once(seeded_db, tmp_path):
    """As a process, where the library's own log would reach the terminal too."""
    db = tmp_path / "x.db"
    shutil.copy(seeded_db, db)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "--db", str(db), "fetch", "--feed", LG, "--day", "2025-06-03"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 1
    assert done.stderr.count("feed is stale") == 1, done.stderr


def test_a_feed_given_by_its_link_is_read_as_saved(db, arxiv_server):
    """A feed's link (a mirror's, or arXiv's own) works as a file does: the category is the one
    the feed names, the day the one it is for."""
    arxiv_server.route("/saved/monday.xml", "rss_stat_ML.xml")
    result = run("fetch", "--feed", arxiv_server.url + "/saved/monday.xml", "--json")
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)
    assert (report["category"], report["day"], report["status"], report["new"]) == ("stat.ML", "2025-06-02", "ok", 3)
    assert arxiv_server.paths() == ["/saved/monday.xml"]
