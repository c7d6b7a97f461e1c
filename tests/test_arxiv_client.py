"""The arXiv network client against a local server answering with recorded arXiv responses.

Every client here uses the fake-clock gate (or a real gate with a tiny interval), so no test
waits arXiv's real three seconds.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import date

import pytest

from recommender.arxiv import SHARED_GATE, ArxivClient, ArxivError, RateGate
from recommender.papers import Rejection
from recommender.people import displayed
from tests.arxiv_server import RECORDINGS

MONDAY = date(2025, 6, 2)
TUESDAY = date(2025, 6, 3)
SATURDAY = date(2025, 5, 31)


@pytest.fixture
def make_client(arxiv_server, fake_gate):
    """Clients of the local server on the fake gate; keyword arguments override the defaults."""
    made: list[ArxivClient] = []

    def make(**options) -> ArxivClient:
        options.setdefault("gate", fake_gate)
        client = ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client) -> ArxivClient:
    return make_client()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="paperclub.arxiv")
    return caplog


def ids(records) -> list[str]:
    return [r.arxiv_id for r in records]


def messages(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("paperclub.arxiv") and r.levelno == level]


# -- announcements ----------------------------------------------------------------------------


def test_normal_day(client, arxiv_server, fake_gate, logs):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    a = client.announcement("cs.LG", MONDAY)
    assert (a.status, a.category, a.day) == ("ok", "cs.LG", MONDAY)
    assert a.url == arxiv_server.url + "/rss/cs.LG"
    assert (len(a.new), len(a.cross), len(a.replaced), a.rejected) == (1, 2, 2, [])
    assert [r.title for r in a.new] == ["On Implicit Bias in Overparameterized Bilevel Optimization"]
    assert ids(a.cross) == ["2505.24464", "2505.20817"]
    assert a.message == "cs.LG: 1 new, 2 cross-lists, 2 replacements for 2025-06-02"
    assert messages(logs, logging.INFO) == [a.message]
    assert arxiv_server.paths() == ["/rss/cs.LG"]
    assert arxiv_server.headers[0]["User-Agent"] == "paperclub/0.1 (research-lab reading-list bot)"
    assert fake_gate.sleeps == [] and fake_gate.starts == [0.0]


def test_cross_list_goes_to_cross_not_new(client, arxiv_server):
    arxiv_server.route("/rss/stat.ML", "rss_stat_ML.xml")
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    stat = client.announcement("stat.ML", MONDAY)
    assert stat.status == "ok" and stat.day == MONDAY
    assert ids(stat.new) == ["2505.24868", "2505.24383", "2505.24066"]
    assert ids(stat.cross) == ["2505.24099", "2212.14032"]
    assert ids(stat.replaced) == ["2310.13548"]  # replace-cross: an update, never new
    assert stat.message == "stat.ML: 3 new, 2 cross-lists, 1 replacement for 2025-06-02"
    # the same paper is new in its primary category's feed
    lg = client.announcement("cs.LG", MONDAY)
    assert "2212.14032" in ids(lg.new) and "2212.14032" not in ids(stat.new)


def test_replacement_of_a_paper_announced_the_day_before(client, arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml", "rss_cs_LG_tue.xml")
    monday = client.announcement("cs.LG", MONDAY)
    tuesday = client.announcement("cs.LG", TUESDAY)
    assert tuesday.status == "ok" and tuesday.day == TUESDAY
    assert ids(tuesday.new) == ["2505.23652", "2505.23215", "2505.23240"]
    assert ids(tuesday.cross) == ["2505.23081"]
    [v2] = tuesday.replaced
    [v1] = monday.new
    assert (v2.arxiv_id, v2.version, v1.version) == ("2212.14032", 2, 1)
    assert v2.title == v1.title and v2.abstract != v1.abstract
    assert "linear bilevel model" in v2.abstract
    assert "2212.14032" not in ids(tuesday.new)
    assert fake_gate.starts == [0.0, 3.0]


def test_weekend_feed_is_empty(client, arxiv_server, logs):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG_empty.xml")
    for expected in (SATURDAY, None):
        a = client.announcement("cs.LG", expected)
        assert (a.status, a.day) == ("empty", SATURDAY)
        assert a.new == a.cross == a.replaced == a.rejected == []
        assert a.message == ("cs.LG: feed for 2025-05-31 is empty "
                             "(arXiv does not announce at weekends or on holidays)")
    assert messages(logs, logging.WARNING) == [a.message, a.message]


def test_stale_feed(client, arxiv_server, logs):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    a = client.announcement("cs.LG", TUESDAY)
    assert (a.status, a.day) == ("stale", MONDAY)
    assert a.message == "cs.LG: feed is stale: it is for 2025-06-02, expected 2025-06-03"
    assert len(a.new) == 1 and len(a.cross) == 2  # kept, for the caller to ignore
    assert messages(logs, logging.WARNING) == [a.message]

    arxiv_server.route("/rss/cs.LG", "rss_cs_LG_empty.xml")
    assert client.announcement("cs.LG", MONDAY).status == "stale"  # Saturday's feed on Monday


def test_malformed_entry_among_good_ones(client, arxiv_server, logs):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG_malformed_entry.xml")
    a = client.announcement("cs.LG", MONDAY)
    assert a.status == "ok"
    assert ids(a.new) == ["2212.14032", "2505.22085"] and ids(a.cross) == ["2505.24464"]
    [bad] = a.rejected
    assert isinstance(bad, Rejection) and bad.line == 47 and bad.path == a.url
    assert "no id or summary" in bad.reason
    lines = (RECORDINGS / "rss_cs_LG_malformed_entry.xml").read_text(encoding="utf-8").split("\n")
    assert lines[bad.line - 1].strip() == "<item>"
    assert a.message == (f"cs.LG: 2 new, 1 cross-list, 0 replacements for 2025-06-02; "
                         f"1 malformed entry skipped ({a.url}:47)")
    warnings = messages(logs, logging.WARNING)
    assert len(warnings) == 1 and f"{a.url}:47" in warnings[0] and "no id or summary" in warnings[0]
    assert messages(logs, logging.INFO) == [a.message]


def test_unreadable_feed_is_malformed(client, arxiv_server, logs):
    page = "<html><body><h1>Service temporarily unavailable</h1></body></html>"
    arxiv_server.route("/rss/cs.LG", (200, page, {"Content-Type": "text/html"}))
    a = client.announcement("cs.LG", MONDAY)
    assert a.status == "malformed"
    assert a.new == a.cross == a.replaced == [] and len(a.rejected) == 1
    assert a.message.startswith("cs.LG: feed could not be read:") and a.url in a.message
    assert messages(logs, logging.WARNING)[-1] == a.message


def test_category_names_are_checked_before_any_request(client, arxiv_server):
    for good in ("cs.LG", "stat.ML", "math.AG", "hep-th", "astro-ph.CO", "q-bio.NC", "physics.comp-ph"):
        assert client.feed_url(good) == arxiv_server.rss_url + good
    for bad in ("", "cs LG", "cs.LG/../x", "../etc", "CS.LG", "cs.LG?x=1", "cs.", "cs.LG+stat.ML"):
        with pytest.raises(ValueError, match="not an arXiv category"):
            client.announcement(bad)
    assert arxiv_server.requests == []


def test_feed_url_with_or_without_trailing_slash(arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    for base in (arxiv_server.url + "/rss", arxiv_server.url + "/rss/"):
        with ArxivClient(base, arxiv_server.api_url, gate=fake_gate) as client:
            assert client.announcement("cs.LG").url == arxiv_server.url + "/rss/cs.LG"
    assert arxiv_server.paths() == ["/rss/cs.LG", "/rss/cs.LG"]


def test_utf8_without_charset(client, arxiv_server):
    body = (RECORDINGS / "rss_cs_LG.xml").read_bytes()
    arxiv_server.route("/rss/cs.LG", (200, body, {"Content-Type": "text/xml"}))
    a = client.announcement("cs.LG", MONDAY)
    [clipped] = [r for r in a.cross if r.arxiv_id == "2505.20817"]
    assert "Samuel Horváth" in displayed(clipped.authors)


# -- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_then_success(client, arxiv_server, fake_gate, logs):
    arxiv_server.route("/rss/cs.LG", (429, "Rate exceeded.", {"Retry-After": "7", "Content-Type": "text/plain"}),
                       "rss_cs_LG.xml")
    a = client.announcement("cs.LG", MONDAY)
    assert a.status == "ok" and len(a.new) == 1
    assert len(arxiv_server.requests) == 2
    assert max(fake_gate.sleeps) >= 7 and fake_gate.sleeps == [7]
    assert fake_gate.starts == [0.0, 7.0]
    assert messages(logs, logging.WARNING) == [
        f"arXiv answered 429 for {a.url}; retrying in 7 s (attempt 2 of 4)"]


def test_retry_after_up_to_five_minutes_is_honoured(client, arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", (429, "", {"Retry-After": "300"}), "rss_cs_LG.xml")
    assert client.announcement("cs.LG").status == "ok"
    assert fake_gate.sleeps == [300]


def test_waiting_stops_at_five_minutes_in_all(make_client, arxiv_server, fake_gate):
    client = make_client(retries=5)
    arxiv_server.route("/rss/cs.LG", (503, "", {"Retry-After": "200"}))
    with pytest.raises(ArxivError) as caught:
        client.announcement("cs.LG")
    assert fake_gate.sleeps == [200] and len(arxiv_server.requests) == 2
    assert caught.value.retry_at is not None and "wait 3 minutes" in str(caught.value)


def test_503_then_200(client, arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", (503, "Service Unavailable", {}), "rss_cs_LG.xml")
    assert client.announcement("cs.LG", MONDAY).status == "ok"
    assert len(arxiv_server.requests) == 2 and fake_gate.sleeps == [5.0]


def test_repeated_500_gives_up(make_client, arxiv_server, fake_gate, logs):
    client = make_client(retries=3, backoff=5.0)
    arxiv_server.route("/rss/cs.LG", (500, "Internal Server Error", {}))
    with pytest.raises(ArxivError) as caught:
        client.announcement("cs.LG")
    url = arxiv_server.url + "/rss/cs.LG"
    message = str(caught.value)
    assert url in message and "4 attempts" in message and "HTTP 500" in message
    assert (caught.value.url, caught.value.attempts, caught.value.status) == (url, 4, 500)
    assert len(arxiv_server.requests) == 4
    assert fake_gate.sleeps == [5.0, 10.0, 20.0]
    assert [m.split("(")[-1] for m in messages(logs, logging.WARNING)] == [
        "attempt 2 of 4)", "attempt 3 of 4)", "attempt 4 of 4)"]


def test_404_fails_at_once(client, arxiv_server, fake_gate):
    with pytest.raises(ArxivError) as caught:
        client.announcement("cs.LG")  # no route: the server answers 404
    message = str(caught.value)
    assert "HTTP 404" in message and "/rss/cs.LG" in message and "1 attempt" in message
    assert len(arxiv_server.requests) == 1 and fake_gate.sleeps == []


def test_timeout_then_success(make_client, arxiv_server, fake_gate, logs):
    client = make_client(timeout=0.2)
    arxiv_server.route("/rss/cs.LG", (200, RECORDINGS / "rss_cs_LG.xml", {}, 0.6), "rss_cs_LG.xml")
    a = client.announcement("cs.LG", MONDAY)
    assert a.status == "ok" and len(arxiv_server.requests) == 2
    assert fake_gate.sleeps == [5.0]
    [warning] = messages(logs, logging.WARNING)
    assert "timeout" in warning and "attempt 2 of 4" in warning


def test_connection_refused_fails_at_once(fake_gate):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with ArxivClient(f"http://127.0.0.1:{port}/rss/", gate=fake_gate, retries=3, timeout=2) as client:
        with pytest.raises(ArxivError) as caught:
            client.announcement("cs.LG")
    assert str(caught.value) == ("arXiv cannot be reached from this machine (no network?): "
                                 "127.0.0.1 refused the connection")
    assert caught.value.attempts == 1 and len(fake_gate.starts) == 1 and fake_gate.sleeps == []


# -- look-ups ---------------------------------------------------------------------------------


def test_lookup_by_id_and_urls(client, arxiv_server):
    arxiv_server.route_api("0704.0001,2505.20817,2310.13548,2505.99999", "api_query.atom.xml")
    found = client.lookup(["arXiv:0704.0001", "https://arxiv.org/abs/2505.20817v1",
                           "https://arxiv.org/pdf/2310.13548v2", "2505.99999"])
    assert ids(found.records) == ["0704.0001", "2505.20817", "2310.13548"]
    assert found.records[2].title == "Towards Understanding Sycophancy in Language Models"
    assert found.records[2].version == 2
    assert found.not_found == ["2505.99999"]  # no entry in the answer
    assert found.invalid == [] and found.rejected == []
    [(path, query, _)] = arxiv_server.requests
    assert path == "/api/query" and query["max_results"] == "4"


def test_lookup_old_style_id(client, arxiv_server):
    arxiv_server.route_api("hep-th/9711200", "api_old_style.atom.xml")
    found = client.lookup(["hep-th/9711200v2", "https://arxiv.org/abs/hep-th/9711200"])
    [paper] = found.records
    assert (paper.arxiv_id, paper.version) == ("hep-th/9711200", 3)
    assert paper.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert displayed(paper.authors) == ["Juan M. Maldacena"] and paper.categories == ["hep-th"]
    assert found.not_found == [] and len(arxiv_server.requests) == 1


def test_lookup_unknown_id(client, arxiv_server):
    arxiv_server.route_api("2505.99999", "api_not_found.atom.xml")
    found = client.lookup(["2505.99999"])
    assert found.records == [] and found.not_found == ["2505.99999"] and found.rejected == []


def test_lookup_junk_is_invalid_and_never_sent(client, arxiv_server):
    junk = ["not a paper", "", "see 2310.13548 please", "https://example.org/abs/2310.13548"]
    found = client.lookup(junk)
    assert found.invalid == junk
    assert found.records == found.not_found == []
    assert arxiv_server.requests == []


def test_lookup_dedupes(client, arxiv_server):
    arxiv_server.route("/api/query", "api_query.atom.xml")  # answers with more than asked
    found = client.lookup(["2310.13548", "arXiv:2310.13548v1", "https://arxiv.org/abs/2310.13548v2",
                           "2310.13548", "junk"])
    assert ids(found.records) == ["2310.13548"] and found.invalid == ["junk"]
    [(_, query, _)] = arxiv_server.requests
    assert query == {"id_list": "2310.13548", "max_results": "1"}


def test_lookup_error_entry_for_a_batch_retries_one_by_one(client, arxiv_server):
    arxiv_server.route_api("2310.13548,2513.00001", "api_error.atom.xml")
    arxiv_server.route_api("2310.13548", "api_query.atom.xml")
    arxiv_server.route_api("2513.00001", "api_error.atom.xml")
    found = client.lookup(["2310.13548", "2513.00001"])
    assert ids(found.records) == ["2310.13548"]
    assert found.not_found == ["2513.00001"]
    [error] = found.rejected
    assert error.reason == "arXiv API error: incorrect id format for 2513.00001"
    assert [q["id_list"] for _, q, _ in arxiv_server.requests] == [
        "2310.13548,2513.00001", "2310.13548", "2513.00001"]


def test_lookup_in_batches_of_100(client, arxiv_server, fake_gate):
    arxiv_server.route("/api/query", "api_not_found.atom.xml")
    wanted = [f"2505.{n:05d}" for n in range(1, 151)]
    found = client.lookup(wanted)
    assert found.not_found == wanted
    sent = [q for _, q, _ in arxiv_server.requests]
    assert [len(q["id_list"].split(",")) for q in sent] == [100, 50]
    assert [q["max_results"] for q in sent] == ["100", "50"]
    assert fake_gate.starts == [0.0, 3.0]


def test_lookup_answer_that_is_not_a_feed(client, arxiv_server):
    arxiv_server.route("/api/query", (200, "Rate exceeded.", {"Content-Type": "text/plain"}))
    with pytest.raises(ArxivError, match="not an Atom feed"):
        client.lookup(["2310.13548"])


# -- the rate limit ---------------------------------------------------------------------------


def test_requests_are_three_seconds_apart_on_the_gate(make_client, arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    arxiv_server.route("/rss/stat.ML", "rss_stat_ML.xml")
    arxiv_server.route("/api/query", "api_query.atom.xml")
    first, second = make_client(), make_client()  # two clients, one gate
    first.announcement("cs.LG", MONDAY)
    second.announcement("stat.ML", MONDAY)
    first.lookup(["2310.13548"])
    second.lookup(["0704.0001", "2505.20817"])
    first.announcement("cs.LG", MONDAY)
    starts = fake_gate.starts
    assert len(starts) == len(arxiv_server.requests) == 5
    assert starts[0] == 0.0
    assert all(later - earlier >= 3.0 for earlier, later in zip(starts, starts[1:]))
    assert fake_gate.sleeps == [3.0] * 4


def test_clients_share_one_gate_by_default():
    with ArxivClient() as one, ArxivClient() as two:
        assert one.gate is two.gate is SHARED_GATE
    assert SHARED_GATE.interval == 3.0


def test_real_gate_spaces_the_starts_of_threads():
    gate = RateGate(interval=0.05)
    starts: list[float] = []
    guard = threading.Lock()

    def work() -> None:
        for _ in range(3):
            gate.start()
            with guard:
                starts.append(time.monotonic())
            time.sleep(0.2)  # a request far longer than the interval holds nothing

    threads = [threading.Thread(target=work) for _ in range(4)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    starts.sort()
    assert len(starts) == 12
    # Each request starts no sooner than its turn, and the turns are one interval apart, so the
    # k-th start comes at least k intervals after the first turn (a thread woken late may start
    # after one whose turn came later, so neighbouring gaps alone prove nothing under load).
    assert all(start >= began + k * 0.05 - 1e-3 for k, start in enumerate(starts))
    # serialised requests would take 12 x 0.2 s; spaced starts overlap them
    assert starts[-1] - began < 1.5

