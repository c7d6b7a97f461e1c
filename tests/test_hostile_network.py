"""The real arXiv client, `paperclub fetch`/`add` and `paperclub run` against a network that
misbehaves: a loopback server sending decompression bombs, endless bodies, byte trickles, long
Retry-After answers, redirects elsewhere and broken XML, and hosts that do not answer at all.

Caps and deadlines are set low here (the mechanism is the same at the defaults, which
bench/hostile.py measures), so every test ends in about a second or less.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import recommender.arxiv
from bot.cli import context as cli_context
from bot.cli import cli
from recommender import Library
from recommender.arxiv import ArxivClient, ArxivError, RateGate
from tests.arxiv_server import RECORDINGS, Stream, endless_feed, gzip_bomb, trickle

ROOT = Path(__file__).resolve().parents[1]
MONDAY_NOON = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)
UNREACHABLE = "arXiv cannot be reached from this machine (no network?)"
FEED = (RECORDINGS / "rss_cs_LG.xml").read_text(encoding="utf-8")
# The one new paper of the recorded cs.LG feed; its title is where the broken XML goes.
NEW_TITLE = "On Implicit Bias in Overparameterized Bilevel Optimization"


@pytest.fixture
def make_client(arxiv_server, fake_gate):
    made: list[ArxivClient] = []

    def make(**options) -> ArxivClient:
        options.setdefault("gate", fake_gate)
        client = ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failure(client: ArxivClient, category: str = "cs.LG") -> tuple[ArxivError, float]:
    began = time.monotonic()
    with pytest.raises(ArxivError) as caught:
        client.announcement(category)
    return caught.value, time.monotonic() - began


def one_sentence(message: str) -> bool:
    return "\n" not in message and "Traceback" not in message and message.count(". ") == 0


def sent_bytes(server, timeout: float = 3.0) -> int:
    """The body bytes the server wrote for its last answer, once it noticed the client left."""
    end = time.monotonic() + timeout
    while not server.sent and time.monotonic() < end:
        time.sleep(0.01)
    assert server.sent, "the server is still writing"
    return server.sent[-1]


# -- size ---------------------------------------------------------------------------------------


def test_a_decompression_bomb_stops_at_the_unpacked_cap(make_client, arxiv_server):
    bomb = gzip_bomb(64_000_000)
    assert len(bomb) < 100_000
    arxiv_server.route("/rss/cs.LG", (200, bomb, {"Content-Encoding": "gzip"}))
    error, took = failure(make_client(max_decompressed=2_000_000))
    assert str(error) == (f"arXiv's answer to {arxiv_server.rss_url}cs.LG unpacks to more than 2 MB, "
                          f"the most paperclub accepts; stopped reading")
    assert error.attempts == 1 and len(arxiv_server.requests) == 1 and one_sentence(str(error))
    assert took < 2


def test_an_endless_body_stops_at_the_cap_and_the_server_sees_it(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (200, Stream(endless_feed(200_000_000)), {}))
    error, took = failure(make_client(max_bytes=500_000))
    assert "is larger than 500 kB, the most paperclub reads; stopped reading" in str(error)
    assert error.attempts == 1 and len(arxiv_server.requests) == 1
    assert sent_bytes(arxiv_server) < 20_000_000  # the socket's buffers, not the 200 MB
    assert took < 3


def test_a_declared_length_past_the_cap_is_not_read(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (200, FEED, {"Content-Length": "2000000000"}))
    error, _ = failure(make_client())
    assert "is larger than 20 MB" in str(error) and error.attempts == 1


def test_an_answer_within_the_caps_is_read_whole(make_client, arxiv_server):
    body = FEED.encode()
    arxiv_server.route("/rss/cs.LG", (200, Stream(lambda: [body[i:i + 1000] for i in range(0, len(body), 1000)]), {}))
    assert make_client(max_bytes=len(body)).announcement("cs.LG").status == "ok"


# -- time ---------------------------------------------------------------------------------------


def test_a_trickled_body_fails_at_the_deadline(make_client, arxiv_server):
    # A byte every 0.1 s never trips a 0.5 s read timeout: only the whole-request deadline ends it.
    arxiv_server.route("/rss/cs.LG", (200, Stream(trickle(FEED.encode()), pause=0.1), {}))
    error, took = failure(make_client(deadline=0.8, timeout=0.5))
    assert str(error) == (f"arXiv took more than 0.8 s to answer {arxiv_server.rss_url}cs.LG "
                          f"(the limit for a whole request); stopped waiting")
    assert error.attempts == 1 and len(arxiv_server.requests) == 1
    assert 0.7 < took < 1.6
    assert sent_bytes(arxiv_server) < 20


def test_trickled_headers_fail_at_the_deadline(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (200, Stream(lambda: [FEED.encode()], pause=0.1, slow_headers=True), {}))
    error, took = failure(make_client(deadline=0.8, timeout=0.5))
    assert "took more than 0.8 s" in str(error) and took < 1.6


def test_the_deadline_covers_the_redirects_too(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (302, "", {"Location": "/rss/slow"}, 0.5))
    arxiv_server.route("/rss/slow", (200, FEED, {}, 0.5))
    error, took = failure(make_client(deadline=0.8, timeout=5))
    assert "took more than 0.8 s" in str(error) and took < 1.5


def test_a_look_up_is_not_stuck_behind_a_slow_feed(arxiv_server):
    """Two threads on one real gate: the feed takes a second to answer, the look-up starts one
    interval after it and is answered while the feed is still on the wire."""
    gate = RateGate(interval=0.2)
    arxiv_server.route("/rss/cs.LG", (200, FEED, {}, 1.0))
    arxiv_server.route_api("2310.13548", "api_query.atom.xml")
    ended: dict[str, float] = {}
    with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=gate) as client:
        began = time.monotonic()
        feed = threading.Thread(target=lambda: (client.announcement("cs.LG"), ended.setdefault("feed", time.monotonic())))
        feed.start()
        time.sleep(0.05)
        found = client.lookup(["2310.13548"])
        ended["lookup"] = time.monotonic()
        feed.join(timeout=5)
    assert [r.arxiv_id for r in found.records] == ["2310.13548"]
    assert ended["lookup"] - began < 0.6 < ended["feed"] - began


# -- Retry-After --------------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["86400", "day"])
def test_a_retry_after_of_a_day_gives_up_at_once_and_says_when(make_client, arxiv_server, fake_gate, retry_after):
    then = datetime.now(timezone.utc) + timedelta(days=1)
    header = "86400" if retry_after == "86400" else format_datetime(then, usegmt=True)
    arxiv_server.route("/rss/cs.LG", (429, "Rate exceeded.", {"Retry-After": header}))
    client = make_client(retries=3)
    error, took = failure(client)
    assert error.status == 429 and error.attempts == 1 and len(arxiv_server.requests) == 1
    assert error.retry_at is not None and abs((error.retry_at - then).total_seconds()) < 60
    assert str(error).startswith("arXiv asked paperclub to wait 1 day before asking again (HTTP 429 for ")
    assert f"not asking before {then:%Y-%m-%d}" in str(error) and one_sentence(str(error))
    assert fake_gate.sleeps == [] and took < 1
    # the gate remembers: nothing more is asked of that host (the API is on it too) before then
    again = pytest.raises(ArxivError, client.lookup, ["2310.13548"]).value
    assert again.retry_at == error.retry_at and "not asking before then" in str(again)
    assert len(arxiv_server.requests) == 1


# -- redirects ----------------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_not_followed(make_client, arxiv_server):
    elsewhere = f"http://localhost:{closed_port()}/rss/cs.LG"
    arxiv_server.route("/rss/cs.LG", (302, "", {"Location": elsewhere}))
    error, _ = failure(make_client())
    assert f"redirected to {elsewhere}, outside the hosts paperclub asks" in str(error)
    assert "arxiv.org" in str(error) and "not followed" in str(error)
    assert error.attempts == 1 and len(arxiv_server.requests) == 1


def test_a_redirect_on_the_same_host_is_followed(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (301, "", {"Location": "/rss/moved/cs.LG"}))
    arxiv_server.route("/rss/moved/cs.LG", "rss_cs_LG.xml")
    assert make_client().announcement("cs.LG").new[0].title == NEW_TITLE
    assert arxiv_server.paths() == ["/rss/cs.LG", "/rss/moved/cs.LG"]


def test_a_redirect_loop_ends(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (302, "", {"Location": "/rss/cs.LG"}))
    error, _ = failure(make_client())
    assert "redirected more than 5 times" in str(error) and len(arxiv_server.requests) == 6


def test_which_redirects_may_be_followed(make_client):
    client = make_client()
    base = client.rss_url
    assert client._may_follow(base, "https://export.arxiv.org/api/query?id_list=1")
    assert client._may_follow(base, "http://arxiv.org/abs/2310.13548")
    assert client._may_follow("https://rss.arxiv.org/rss/cs.LG", "https://arxiv.org/rss/cs.LG")
    assert not client._may_follow("https://rss.arxiv.org/rss/cs.LG", "http://arxiv.org/rss/cs.LG")  # no downgrade
    assert not client._may_follow(base, "https://arxiv.org.evil.example/rss/cs.LG")
    assert not client._may_follow(base, "https://arxiv.org:8443/rss/cs.LG")
    assert not client._may_follow(base, "file:///etc/passwd")
    assert not client._may_follow(base, base.replace("127.0.0.1", "localhost"))


# -- strict XML ---------------------------------------------------------------------------------


def with_laughs() -> tuple[str, int]:
    """The recorded feed with an undefined entity in its new paper's title, and that item's line."""
    text = FEED.replace(f"<title>{NEW_TITLE}</title>", "<title>Laughs &lol9;</title>", 1)
    assert text != FEED
    lines = text.split("\n")
    at = next(n for n, line in enumerate(lines) if "&lol9;" in line)
    item = max(n for n in range(at) if lines[n].strip().startswith("<item"))
    return text, item + 1


def test_an_entry_with_an_undefined_entity_is_rejected_with_its_line(make_client, arxiv_server):
    text, line = with_laughs()
    arxiv_server.route("/rss/cs.LG", (200, text, {}))
    a = make_client().announcement("cs.LG")
    [bad] = a.rejected
    assert (bad.path, bad.line) == (a.url, line)
    assert bad.reason.startswith("malformed entry XML: undefined entity &lol9; at line ")
    papers = a.new + a.cross + a.replaced
    assert len(papers) == 4 and a.new == []  # the other entries, whole
    assert not any("lol" in (p.title + p.abstract) for p in papers)


def test_declared_entities_reject_the_whole_feed(make_client, arxiv_server):
    laughs = ('<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')
    text = FEED.replace("<rss", laughs + "<rss", 1)
    arxiv_server.route("/rss/cs.LG", (200, text, {}))
    line = text[:text.index("<!DOCTYPE")].count("\n") + 1
    a = make_client().announcement("cs.LG")
    assert a.status == "malformed" and a.new == a.cross == a.replaced == []
    assert "the entity 'lol' is declared" in a.message and a.message.endswith(f"({a.url}:{line})")


def test_a_feed_cut_short_is_rejected_whole(make_client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (200, FEED[:len(FEED) * 2 // 3], {}))
    a = make_client().announcement("cs.LG")
    assert a.status == "malformed" and a.new == a.cross == a.replaced == []
    assert "malformed feed XML" in a.message


def test_an_api_answer_that_is_not_xml_is_a_failure(make_client, arxiv_server):
    arxiv_server.route("/api/query", (200, "Rate exceeded.", {"Content-Type": "text/plain"}))
    with pytest.raises(ArxivError, match=r"not an Atom feed \(malformed feed XML: syntax error, line 1\)"):
        make_client().lookup(["2310.13548"])


# -- offline ------------------------------------------------------------------------------------


def test_a_refused_connection_fails_at_once(fake_gate):
    with ArxivClient(f"http://127.0.0.1:{closed_port()}/rss/", gate=fake_gate, retries=3) as client:
        error, took = failure(client)
    assert str(error) == f"{UNREACHABLE}: 127.0.0.1 refused the connection"
    assert error.attempts == 1 and fake_gate.sleeps == [] and took < 1


def test_an_unresolvable_host_fails_at_once_without_retrying(fake_gate):
    with ArxivClient("http://paperclub-offline.invalid/rss/", "http://paperclub-offline.invalid/api/query",
                     gate=fake_gate, retries=3) as client:
        error, took = failure(client)
        assert str(error) == f"{UNREACHABLE}: the name paperclub-offline.invalid could not be resolved"
        assert error.attempts == 1 and fake_gate.sleeps == [] and len(fake_gate.starts) == 1
        with pytest.raises(ArxivError, match="could not be resolved"):
            client.lookup(["2310.13548"])
    assert took < 5


# -- the commands -------------------------------------------------------------------------------


@pytest.fixture
def cli_db(seeded_db, tmp_path, monkeypatch, arxiv_server, fake_gate) -> Path:
    path = tmp_path / "cli.db"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("PAPERCLUB_DB", str(path))
    monkeypatch.setenv("PAPERCLUB_ARXIV_RSS_URL", arxiv_server.rss_url)
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setattr(recommender.arxiv, "SHARED_GATE", fake_gate)
    monkeypatch.setattr(cli_context, "now", lambda: MONDAY_NOON)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_fetch_past_the_size_set_by_the_setting_is_one_sentence_and_exit_1(cli_db, arxiv_server, monkeypatch):
    monkeypatch.setenv("PAPERCLUB_ARXIV_MAX_BYTES", "300kB")
    arxiv_server.route("/rss/cs.LG", (200, Stream(endless_feed(100_000_000)), {}))
    result = run("fetch", "cs.LG")
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line == (f"cs.LG 2025-06-02: arXiv's answer to {arxiv_server.rss_url}cs.LG is larger than 300 kB, "
                    f"the most paperclub reads; stopped reading")
    # tried again within the half hour, it says why it is not fetching
    again = run("fetch", "cs.LG")
    assert again.exit_code == 1
    assert again.stderr.startswith("cs.LG 2025-06-02: a recent attempt failed (arXiv's answer to ")
    assert again.stderr.rstrip().endswith("not trying again yet (--force tries now)")
    assert "ended error" not in again.stderr


def test_fetch_with_a_deadline_from_the_setting(cli_db, arxiv_server, monkeypatch):
    monkeypatch.setenv("PAPERCLUB_ARXIV_DEADLINE", "0.5")
    arxiv_server.route("/rss/cs.LG", (200, Stream(trickle(FEED.encode()), pause=0.05), {}))
    result = run("fetch", "cs.LG")
    assert result.exit_code == 1 and "took more than 0.5 s" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_fetch_stores_none_of_a_broken_entry(cli_db, arxiv_server):
    text, _ = with_laughs()
    arxiv_server.route("/rss/cs.LG", (200, text, {}))
    result = run("fetch", "cs.LG")
    assert "rejected" in result.stderr and "undefined entity &lol9;" in result.stderr
    with Library(cli_db) as lib:
        assert lib.search("Laughs") == [] and lib.search("lol9") == []


def test_fetch_and_add_offline_end_at_once(cli_db, monkeypatch):
    offline = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("PAPERCLUB_ARXIV_RSS_URL", offline + "/rss/")
    monkeypatch.setenv("PAPERCLUB_ARXIV_API_URL", offline + "/api/query")
    began = time.monotonic()
    fetched = run("fetch", "cs.LG", "stat.ML")
    added = run("add", "2310.13548")
    assert time.monotonic() - began < 3
    assert fetched.exit_code == added.exit_code == 1
    assert fetched.stderr.splitlines() == [
        f"{c} 2025-06-02: {UNREACHABLE}: 127.0.0.1 refused the connection" for c in ("cs.LG", "stat.ML")]
    assert added.stderr == f"Nothing added: {UNREACHABLE}: 127.0.0.1 refused the connection\n"


def test_run_without_discord_is_one_sentence_and_exit_1(tmp_path):
    """The real command in a real process, with discord.py's API pointed at a closed port."""
    base = f"http://127.0.0.1:{closed_port()}/api/v10"
    code = ("import sys, discord.http\n"
            f"discord.http.Route.BASE = {base!r}\n"
            "from bot.cli import main\n"
            "sys.argv = ['paperclub', 'run']\n"
            "main()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLUB_", "DISCORD_"))}
    env.update(PYTHONPATH=str(ROOT), DISCORD_TOKEN="MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789_-",
               PAPERCLUB_DB=str(tmp_path / "bot.db"), PAPERCLUB_LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [(
        f"Discord cannot be reached from this machine ({base.split('/')[2]} refused the connection): check the "
        "network connection, DNS, and any firewall or proxy between this machine and discord.com, then start "
        "paperclub again.")]
