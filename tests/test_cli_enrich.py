"""`paperclub enrich` against the local arXiv that knows six seed papers by title (two behind a
decoy) and one by its abstract (tests/arxiv_seeds.py), and the progress bars of `enrich` and
`ingest` on a real pseudo-terminal."""

from __future__ import annotations

import csv
import itertools
import json
import os
import pty
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import recommender.arxiv
from bot.cli import cli
from recommender.arxiv import RateGate
from tests import arxiv_seeds
from tests.arxiv_seeds import route_seed_searches

from .conftest import DATA, ROOT

CLOSED = "http://127.0.0.1:9/api/query"  # nothing listens there: arXiv out of reach
SUMMARY = "Looked up 80 of 80 papers: 7 linked, 69 not found, 4 with nothing to ask"


@pytest.fixture
def db(seeded_db, tmp_path, monkeypatch, arxiv_server, fake_gate) -> Path:
    """A fresh copy of the seeded library, the CLI pointed at the local arXiv, pausing
    PAPERCLUB_ARXIV_DELAY=0.05 on the fake-clock gate."""
    path = tmp_path / "cli.db"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("PAPERCLUB_DB", str(path))
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setenv("PAPERCLUB_ARXIV_DELAY", "0.05")
    monkeypatch.setattr(recommender.arxiv, "SHARED_GATE", fake_gate)
    route_seed_searches(arxiv_server)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def dump(path: Path) -> list[str]:
    """Everything in a database, as SQL."""
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_enrich_links_the_six_seeds_and_neither_decoy(db, arxiv_server, fake_gate):
    before = run("show", "1806.07366")
    assert before.exit_code == 3
    assert "arXiv:1806.07366 is not in the library; `paperclub add 1806.07366`" in before.stderr

    result = run("enrich")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == SUMMARY
    linked = {m.group(1) for m in map(re.compile(r"#\d+ arXiv:(\S+) ").match, lines) if m}
    assert linked == set(arxiv_seeds.SIX) | {arxiv_seeds.KFAC_ID}
    assert not any(decoy in result.output for decoy in arxiv_seeds.DECOYS)
    assert fake_gate.interval == 0.05 and len(fake_gate.starts) == len(arxiv_server.requests) == 76
    assert all(round(b - a, 9) == 0.05 for a, b in itertools.pairwise(fake_gate.starts))

    shown = run("show", "1806.07366")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("Neural Ordinary Differential Equations\n")
    assert "Authors: Ricky T. Q. Chen, Yulia Rubanova, Jesse Bettencourt, David Duvenaud\n" in shown.stdout
    assert "Link: https://arxiv.org/abs/1806.07366" in shown.stdout
    for arxiv_id, title in arxiv_seeds.SIX.items():
        paper = json.loads(run("show", arxiv_id, "--json").stdout)
        assert paper["title"] == title and not paper["authors_truncated"] and not paper["date_approx"]
        assert "David Duvenaud" in paper["authors"] and paper["url"] == f"https://arxiv.org/abs/{arxiv_id}"


def test_misses_are_not_asked_again_until_retry(db, arxiv_server):
    assert run("enrich").exit_code == 0
    asked = len(arxiv_server.requests)
    again = run("enrich")
    assert again.exit_code == 0 and again.stdout == ""
    assert "No paper to look up" in again.stderr and "--retry" in again.stderr
    assert len(arxiv_server.requests) == asked
    retried = run("enrich", "--retry", "--limit", "3")
    assert retried.exit_code == 0
    assert retried.stdout.splitlines()[-1] == "Looked up 3 of 3 papers: 0 linked, 3 not found, 0 with nothing to ask"
    assert len(arxiv_server.requests) == asked + 3


def test_offline_is_one_sentence_exit_1_and_nothing_changes(db, monkeypatch):
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", CLOSED)
    before = dump(db)
    result = run("enrich")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Nothing was linked: arXiv cannot be reached from this machine")
    assert dump(db) == before


def test_a_failure_part_way_keeps_the_links_made_and_says_so(db, arxiv_server):
    second = json.loads(run("show", "2", "--json").stdout)["title"]
    arxiv_server.route_search(arxiv_seeds.title_query(second), "api_error.atom.xml")
    result = run("enrich")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "#1 arXiv:2310.13548 Towards Understanding Sycophancy in Language Models",
        "Looked up 1 of 80 papers: 1 linked, 0 not found, 0 with nothing to ask",
    ]
    [line] = result.stderr.splitlines()
    assert line.startswith("Stopped after linking 1 paper: arXiv refused the search")


def test_json_report(db):
    result = run("enrich", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"due", "done", "matched", "missed", "skipped", "duplicates", "error"}
    assert (report["due"], report["done"], report["error"]) == (80, 80, None)
    assert [len(report[k]) for k in ("matched", "missed", "skipped", "duplicates")] == [7, 69, 4, 0]
    node = next(m for m in report["matched"] if m["arxiv_id"] == "1806.07366")
    assert node == {"id": node["id"], "title": "Neural Ordinary Differential Equations", "arxiv_id": "1806.07366"}
    assert set(report["missed"][0]) == {"id", "title"}


def test_json_report_offline(db, monkeypatch):
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", CLOSED)
    result = run("enrich", "--limit", "2", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["due"], report["done"], report["matched"]) == (2, 0, [])
    assert report["error"].startswith("arXiv cannot be reached")


def test_the_pause_between_requests_is_real(db, arxiv_server, monkeypatch):
    monkeypatch.setattr(recommender.arxiv, "SHARED_GATE", RateGate())
    assert run("enrich", "--limit", "4").exit_code == 0
    times = [when for _, _, when in arxiv_server.requests]
    assert len(times) == 4
    # the gate spaces the starts of requests; their arrivals jitter by a few milliseconds
    assert times[-1] - times[0] >= 3 * 0.05 - 0.02
    assert all(b - a >= 0.03 for a, b in itertools.pairwise(times))


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_a_bad_limit_is_a_usage_error(db, limit):
    assert run("enrich", "--limit", limit).exit_code == 2


# -- progress bars on a terminal --------------------------------------------------------------


def on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run `paperclub ARGS` with stderr on a pseudo-terminal: (status, stdout, what the terminal
    showed)."""
    master, slave = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=env, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=slave) as process:
        os.close(slave)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end closed: the process is done
                break
            if not chunk:
                break
            shown += chunk
        assert process.stdout is not None
        out = process.stdout.read()
        status = process.wait(timeout=60)
    os.close(master)
    return status, out.decode(), shown.decode(errors="replace")


@pytest.fixture
def terminal_env(db, arxiv_server) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), PAPERCLUB_DB=str(db), PAPERCLUB_ARXIV_API_URL=arxiv_server.api_url,
                PAPERCLUB_ARXIV_DELAY="0.05")


def test_enrich_shows_count_rate_and_time_left(terminal_env):
    # click estimates the time left once a second: 6 requests 0.25 s apart take longer
    status, out, shown = on_terminal(["enrich", "--limit", "6"], {**terminal_env, "PAPERCLUB_ARXIV_DELAY": "0.25"})
    assert status == 0, shown
    assert out.splitlines()[-1] == "Looked up 6 of 6 papers: 1 linked, 5 not found, 0 with nothing to ask"
    frames = shown.split("\r")
    assert any("Looking up on arXiv" in f and "0/6" in f for f in frames)
    assert any("6/6" in f and re.search(r"[\d.]+ papers/s", f) for f in frames)
    assert any(re.search(r"\b[1-5]/6  \d\d:\d\d:\d\d  [\d.]+ papers/s", f) for f in frames)  # the time left
    assert "Warning" not in shown


def test_ingest_shows_a_bar_per_file(terminal_env, tmp_path):
    with open(DATA / "arxiv-ml-sample.csv", encoding="utf-8", newline="") as sample:
        rows = list(itertools.islice(csv.reader(sample), 101))
    files = [tmp_path / "first.csv", tmp_path / "second.csv"]
    for number, path in enumerate(files):
        with open(path, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([rows[0], *rows[1 + 50 * number:51 + 50 * number]])
    status, out, shown = on_terminal(["ingest", *map(str, files)], terminal_env)
    assert status == 0, shown
    assert out.splitlines()[-1] == "Total: 100 added, 0 merged, 0 unchanged, 0 rejected"
    for path in files:
        total = path.read_text(encoding="utf-8").count("\n") + 1
        assert f"{path.name}  [" in shown and f" 0/{total}" in shown and f" {total}/{total}" in shown
    assert "lines/s" in shown and "%" not in shown
