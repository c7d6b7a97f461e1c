"""Digest subscriptions and choosing each day's papers, against real feeds served locally."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest

from recommender import ArxivClient, Library, SubscriptionError
from recommender.digest import GIVE_UP_AFTER, ONLY_RELEVANT, RETRY_FEED_AFTER, channel_target
from recommender.index import IndexKeeper
from recommender.timetable import latest_announcement, parse_time, parse_timezone

from .conftest import DATA, digest_book, store_of

FEEDS = DATA / "arxiv"
MONDAY = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)   # arXiv's announcement of Mon 2 Jun
TUESDAY = MONDAY + timedelta(days=1)
SATURDAY = datetime(2025, 6, 7, 12, 0, tzinfo=timezone.utc)
CHANNEL = channel_target(111)
SERVER = "999"
LIKED = "2411.00001"


def feed_titles(path) -> list[str]:
    from recommender.sources.feeds import parse_announcements

    return [record.title for kind, record in parse_announcements(path.read_text(), "x", date.today()) if kind == "new"]


@pytest.fixture
def client(arxiv_server, fake_gate):
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG.xml")
    arxiv_server.route("/rss/stat.ML", FEEDS / "rss_stat_ML.xml")
    client = ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=fake_gate, backoff=1.0)
    yield client
    client.close()


@pytest.fixture
def book(seeded):
    return digest_book(seeded)


def subscribe(book, target=CHANNEL, categories="cs.LG stat.ML", at="08:00", zone="Europe/Berlin", **options):
    options.setdefault("group", SERVER if target.startswith("channel:") else None)
    return book.subscribe(target, categories, post_time=at, timezone_name=zone,
                          now=options.pop("now", MONDAY - timedelta(days=3)), **options)


def fetch_all(book, client, now):
    due = book.due(now)
    for category, day in book.feeds_needed(due, now):
        book.store_announcement(client.announcement(category, day), day, now)
    return due


# -- the arXiv timetable --------------------------------------------------------------------------


@pytest.mark.parametrize("moment, expected", [
    (datetime(2025, 6, 2, 3, 59, tzinfo=timezone.utc), date(2025, 5, 30)),  # Sunday 23:59 in New York
    (datetime(2025, 6, 2, 4, 0, tzinfo=timezone.utc), date(2025, 6, 2)),    # Monday 00:00 in New York
    (SATURDAY, date(2025, 6, 6)),
    (datetime(2025, 6, 8, 23, 0, tzinfo=timezone.utc), date(2025, 6, 6)),   # Sunday: still Friday's
])
def test_latest_announcement_follows_new_york_weekdays(moment, expected):
    assert latest_announcement(moment) == expected


@pytest.mark.parametrize("text, expected", [
    ("08:30", time(8, 30)), ("8", time(8)), ("8am", time(8)), ("12am", time(0)), ("8:15 pm", time(20, 15)),
    ("20h30", time(20, 30)), ("7.05", time(7, 5)),
])
def test_times_of_day(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13pm", "noonish", "", "8:60"])
def test_bad_times_are_explained(text):
    with pytest.raises(ValueError, match="time of day"):
        parse_time(text)


def test_time_zones_are_found_whatever_their_case_and_near_misses_suggested():
    assert parse_timezone("europe/berlin") == "Europe/Berlin"
    assert parse_timezone("UTC") == "UTC"
    with pytest.raises(ValueError, match="Europe/Berlin"):
        parse_timezone("Europe/Berln")


# -- subscriptions ----------------------------------------------------------------------------------


def test_a_subscription_is_stored_in_canonical_form(book):
    made = subscribe(book, categories="cs.lg, STAT.ml cs.LG", at="8:30am", zone="europe/berlin", size=3,
                     cross_lists=True, by="42")
    assert book.subscription(CHANNEL) == made
    assert made.categories == ("cs.LG", "stat.ML")
    assert (made.post_time, made.timezone, made.size, made.group) == (time(8, 30), "Europe/Berlin", 3, SERVER)
    assert "cs.LG, stat.ML · 3 papers at 08:30 Europe/Berlin" in made.describe()
    assert [s.target for s in book.subscriptions(SERVER)] == [CHANNEL]


@pytest.mark.parametrize("options, message", [
    ({"categories": "cs.XX.YY"}, "not an arXiv category"),
    ({"categories": "biology"}, "not an arXiv category"),
    ({"categories": " "}, "at least one"),
    ({"zone": "Mars/Olympus"}, "time zone"),
    ({"at": "25:00"}, "time of day"),
    ({"size": 11}, "1 to 10"),
    ({"size": 0}, "1 to 10"),
])
def test_bad_settings_are_refused_with_a_reason_and_store_nothing(book, options, message):
    with pytest.raises(SubscriptionError, match=message):
        subscribe(book, **options)
    assert book.subscription(CHANNEL) is None


def test_unsubscribe_and_pause(book):
    subscribe(book)
    book.pause(CHANNEL, "missing access")
    assert book.subscription(CHANNEL).paused == "missing access"
    assert book.due(MONDAY) == []
    subscribe(book)
    assert book.subscription(CHANNEL).paused is None
    assert book.unsubscribe(CHANNEL) is True
    assert book.unsubscribe(CHANNEL) is False


# -- fetching ----------------------------------------------------------------------------------------


def test_a_normal_day_keeps_new_papers_and_cross_lists_apart(book, client, seeded):
    report = book.store_announcement(client.announcement("cs.LG", date(2025, 6, 2)), date(2025, 6, 2), MONDAY)
    assert (report.status, report.new, report.cross) == ("ok", 1, 2)
    assert seeded.paper("2212.14032").title == "On Implicit Bias in Overparameterized Bilevel Optimization"
    new = book.store.announced(["cs.LG"], "2025-06-02", ["new"])
    both = book.store.announced(["cs.LG"], "2025-06-02", ["new", "cross"])
    assert len(new) == 1 and len(both) == 3


def test_a_replacement_updates_the_stored_paper_and_is_not_new(book, client, arxiv_server, seeded):
    book.store_announcement(client.announcement("cs.LG", date(2025, 6, 2)), date(2025, 6, 2), MONDAY)
    before = seeded.paper("2212.14032")
    count = seeded.stats()["papers"]
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG_tue.xml")
    report = book.store_announcement(client.announcement("cs.LG", date(2025, 6, 3)), date(2025, 6, 3), TUESDAY)
    after = seeded.paper("2212.14032")
    assert report.updated == 1
    assert after.id == before.id and after.abstract != before.abstract
    assert before.id not in book.store.announced(["cs.LG"], "2025-06-03", ["new", "cross"])
    assert seeded.stats()["papers"] == count + report.new + report.cross


def test_replacements_of_papers_not_in_the_library_are_not_added(book, client):
    announcement = client.announcement("cs.LG", date(2025, 6, 2))
    replaced = [r.arxiv_id for r in announcement.replaced]
    book.store_announcement(announcement, date(2025, 6, 2), MONDAY)
    for arxiv_id in replaced:
        assert book.store.id_by_arxiv(arxiv_id) is None


def test_each_feed_is_fetched_once_per_announcement(book, client, arxiv_server):
    subscribe(book)
    subscribe(book, target=channel_target(222), categories="cs.LG")
    fetch_all(book, client, MONDAY)
    assert sorted(arxiv_server.paths()) == ["/rss/cs.LG", "/rss/stat.ML"]
    assert book.feeds_needed(book.due(MONDAY), MONDAY + timedelta(hours=2)) == []


def test_a_stale_feed_is_tried_again_after_a_pause_then_given_up(book, client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG.xml")   # still Monday's on Tuesday
    subscribe(book, categories="cs.LG", zone="UTC")
    due = fetch_all(book, client, TUESDAY)
    assert book.store.feed_fetch("cs.LG", "2025-06-03").status == "stale"
    assert book.prepare(due[0], TUESDAY) is None
    assert book.feeds_needed(due, TUESDAY + RETRY_FEED_AFTER / 2) == []
    assert book.feeds_needed(due, TUESDAY + RETRY_FEED_AFTER) == [("cs.LG", date(2025, 6, 3))]
    late = datetime.combine(date(2025, 6, 3), time(8), tzinfo=timezone.utc) + GIVE_UP_AFTER
    assert book.prepare(due[0], late) is None   # a quiet day: nothing to post
    assert book.store.digest_for(CHANNEL, "2025-06-03").status == "skipped"


# -- choosing and recording a digest -------------------------------------------------------------------


def test_a_digest_is_recorded_with_the_days_new_papers_ranked_for_the_server(book, client):
    subscribe(book, size=3)
    due = fetch_all(book, client, MONDAY)
    digest = book.prepare(due[0], MONDAY)
    expected = set(feed_titles(FEEDS / "rss_cs_LG.xml") + feed_titles(FEEDS / "rss_stat_ML.xml"))
    assert len(expected) == 4
    titles = [r.paper.title for r in digest.picks]
    assert len(titles) == 3 and set(titles) <= expected
    assert all("from the lab's reading list" in r.reason for r in digest.picks)
    row = book.store.digest_for(CHANNEL, "2025-06-02")
    assert row.status == "pending" and json.loads(row.paper_ids) == [r.paper.id for r in digest.picks]
    assert {r.paper.id for r in digest.picks} <= book.store.delivered(CHANNEL)
    assert book.pending(MONDAY) == [digest]
    assert book.prepare(due[0], MONDAY) is None


def test_the_servers_likes_decide_the_order(book, client, seeded):
    subscribe(book, size=4)
    due = fetch_all(book, client, MONDAY)
    cold = book.preview("cs.LG stat.ML", MONDAY, group=SERVER, size=4).picks
    underdog = cold[-1].paper
    candidates = {r.paper.id for r in cold}
    favourite = next(r.paper for r in seeded.similar(underdog.id, limit=10) if r.paper.id not in candidates)
    for person in ("1", "2"):
        seeded.like(person, favourite.id, group=SERVER)
    digest = book.prepare(due[0], MONDAY)
    assert digest.picks[0].paper.id == underdog.id
    assert "liked here" in digest.picks[0].reason


def test_cross_lists_only_when_asked(book, client):
    subscribe(book, categories="cs.LG", size=10)
    subscribe(book, target=channel_target(222), categories="cs.LG", size=10, cross_lists=True)
    due = {s.target: s for s in fetch_all(book, client, MONDAY)}
    plain = book.prepare(due[CHANNEL], MONDAY)
    crossed = book.prepare(due[channel_target(222)], MONDAY)
    assert len(plain.picks) == 1 and len(crossed.picks) == 3


def test_a_paper_is_never_sent_twice_to_the_same_channel_even_as_a_new_version(book, client, arxiv_server):
    subscribe(book, categories="cs.LG", zone="UTC", cross_lists=True, size=10)
    monday = book.prepare(fetch_all(book, client, MONDAY)[0], MONDAY)
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG_tue.xml")
    tuesday = book.prepare(fetch_all(book, client, TUESDAY)[0], TUESDAY)
    first = {r.paper.id for r in monday.picks}
    assert first and tuesday.picks
    assert first.isdisjoint(r.paper.id for r in tuesday.picks)


def test_a_personal_digest_is_ranked_by_the_persons_likes_and_hidden_from_their_recommendations(book, client, seeded):
    subscribe(book, target="dm:7", categories="stat.ML", zone="UTC")
    digest = book.prepare(fetch_all(book, client, MONDAY)[0], MONDAY)
    assert digest.user_id == "7" and digest.picks
    shown = {r.paper.id for r in digest.picks}
    assert shown <= store_of(seeded).delivered("7")


def test_posting_time_in_two_time_zones(book, client):
    sunday_evening = datetime(2025, 6, 2, 0, 0, tzinfo=timezone.utc)
    subscribe(book, zone="Europe/Berlin", now=sunday_evening)                # 06:00 UTC in June
    subscribe(book, target=channel_target(222), zone="America/Los_Angeles", now=sunday_evening)  # 15:00 UTC
    early = datetime(2025, 6, 2, 5, 59, tzinfo=timezone.utc)
    assert book.due(early) == []
    assert [s.target for s in book.due(early + timedelta(minutes=1))] == [CHANNEL]
    assert [s.target for s in book.due(datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc))] == [CHANNEL, channel_target(222)]


def test_a_subscription_made_after_todays_time_starts_tomorrow(book):
    subscribe(book, zone="UTC", now=MONDAY)
    assert book.due(MONDAY + timedelta(hours=1)) == []
    assert [s.target for s in book.due(TUESDAY)] == [CHANNEL]


def test_catch_up_is_for_the_same_day_only(book, client):
    subscribe(book, zone="UTC")
    late_monday = MONDAY + timedelta(hours=10)   # 22:00, the bot was down since before 08:00
    assert [s.target for s in book.due(late_monday)] == [CHANNEL]
    tuesday_early = datetime(2025, 6, 3, 7, 0, tzinfo=timezone.utc)
    assert book.due(tuesday_early) == []         # Monday's is never posted on Tuesday
    assert book.store.digest_for(CHANNEL, "2025-06-02") is None


def feed_for(name: str, old: str, new: str) -> tuple:
    """A recorded feed moved to another announcement day, as the local server's response."""
    return 200, (FEEDS / name).read_text().replace(old, new).encode(), {}


def test_weekends_post_nothing_unless_asked(book, client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", feed_for("rss_cs_LG.xml", "Mon, 02 Jun 2025", "Fri, 06 Jun 2025"))
    subscribe(book, categories="cs.LG", zone="UTC")
    subscribe(book, target=channel_target(222), categories="cs.LG", zone="UTC", say_when_empty=True)
    friday = datetime(2025, 6, 6, 12, 0, tzinfo=timezone.utc)
    for subscription in fetch_all(book, client, friday):
        book.prepare(subscription, friday)
    saturday_due = book.due(SATURDAY)
    assert book.feeds_needed(saturday_due, SATURDAY) == []
    results = {s.target: book.prepare(s, SATURDAY) for s in saturday_due}
    assert results[CHANNEL] is None
    assert results[channel_target(222)].kind == "empty" and results[channel_target(222)].picks == []


def test_a_holiday_with_an_empty_feed_posts_only_the_note_asked_for(book, client, arxiv_server):
    arxiv_server.route("/rss/cs.LG", feed_for("rss_cs_LG_empty.xml", "Sat, 31 May 2025", "Mon, 02 Jun 2025"))
    subscribe(book, categories="cs.LG", zone="UTC")
    subscribe(book, target=channel_target(222), categories="cs.LG", zone="UTC", say_when_empty=True)
    due = {s.target: s for s in fetch_all(book, client, MONDAY)}
    assert book.store.feed_fetch("cs.LG", "2025-06-02").status == "empty"
    assert book.prepare(due[CHANNEL], MONDAY) is None
    note = book.prepare(due[channel_target(222)], MONDAY)
    assert note.kind == "empty" and note.picks == []
    assert book.feeds_needed(book.due(MONDAY), MONDAY + timedelta(hours=3)) == []


def test_a_digest_left_pending_for_a_day_is_abandoned(book, client):
    subscribe(book, categories="cs.LG", zone="UTC")
    digest = book.prepare(fetch_all(book, client, MONDAY)[0], MONDAY)
    later = datetime.fromisoformat(book.store.digest(digest.id).created) + timedelta(hours=25)
    assert book.pending(later) == []
    assert book.digest(digest.id).status == "pending"  # reading changes nothing
    assert book.abandon_stale(later - timedelta(hours=2)) == 0
    assert book.abandon_stale(later) == 1
    assert book.digest(digest.id).status == "abandoned"


def test_preview_records_nothing(book, client):
    for category, day in book.feeds_to_fetch("cs.LG stat.ML", MONDAY):
        book.store_announcement(client.announcement(category, day), day, MONDAY)
    first = book.preview("cs.LG stat.ML", MONDAY, group=SERVER, size=2)
    again = book.preview("cs.LG stat.ML", MONDAY, group=SERVER, size=2)
    assert first.day == date(2025, 6, 2) and first.candidates == 4
    assert [r.paper.id for r in first.picks] == [r.paper.id for r in again.picks]
    assert first.feeds == {"cs.LG": "ok", "stat.ML": "ok"}
    assert book.store.delivered("channel:0") == set()


def test_a_misspelt_category_is_caught_before_any_request_with_close_names(book, client, arxiv_server):
    with pytest.raises(SubscriptionError, match="stat.ML"):
        book.feeds_to_fetch("stat.LM", MONDAY)
    with pytest.raises(SubscriptionError, match="not an arXiv category"):
        subscribe(book, categories="cs.XX")
    assert arxiv_server.requests == []


def test_every_kind_of_category_name_is_spelt_as_arxiv_does(book):
    made = subscribe(book, categories="physics.COMP-PH cond-mat.stat-mech hep-th astro-ph.co q-bio.nc math")
    assert made.categories == ("physics.comp-ph", "cond-mat.stat-mech", "hep-th", "astro-ph.CO", "q-bio.NC", "math")


def test_a_feed_arxiv_asked_to_leave_alone_is_not_fetched_before_the_time_it_gave(book):
    from recommender import ArxivError

    asked: list[str] = []
    come_back = MONDAY + timedelta(hours=2)   # the same announcement, later than the usual pause

    def busy(category, day):
        asked.append(category)
        raise ArxivError("arXiv asked paperclub to wait 2 hours", retry_at=come_back)

    [report] = book.fetch(["cs.LG"], busy, MONDAY)
    assert report.status == "error" and asked == ["cs.LG"]
    later = MONDAY + RETRY_FEED_AFTER + timedelta(minutes=1)
    assert book.feeds_to_fetch("cs.LG", later) == []
    assert book.fetch(["cs.LG"], busy, later)[0].already
    assert asked == ["cs.LG"]
    day = latest_announcement(MONDAY)
    assert latest_announcement(come_back) == day
    assert book.feeds_to_fetch("cs.LG", come_back + timedelta(minutes=1)) == [("cs.LG", day)]


# -- follows and the relevance floor ---------------------------------------------------------------


def test_a_followed_author_always_reaches_the_persons_digest_marked_why(book, client, seeded):
    seeded.follow("7", "S. Horvath", kind="author")          # Samuel Horváth, on a cross-list
    subscribe(book, target="dm:7", categories="cs.LG", zone="UTC", size=1, cross_lists=True, min_score=0.99)
    digest = book.prepare(fetch_all(book, client, MONDAY)[0], MONDAY)
    assert [r.paper.title[:29] for r in digest.picks] == ["Convergence of Clipped-SGD fo"]
    assert digest.picks[0].reason == "by *S. Horvath*, whom you follow"


def test_a_followed_phrase_in_a_paper_the_person_marked_not_for_me_stays_hidden(book, client, seeded):
    seeded.follow("7", "heavy-tailed noise")
    subscribe(book, target="dm:7", categories="cs.LG", zone="UTC", size=3, cross_lists=True)
    due = fetch_all(book, client, MONDAY)[0]
    clipped = seeded.paper("Convergence of Clipped-SGD for Convex")
    seeded.dislike("7", clipped.id)
    digest = book.prepare(due, MONDAY)
    followed = [r.paper.title for r in digest.picks if "which you follow" in r.reason]
    assert followed == ["Distributed gradient methods under heavy-tailed communication noise"]
    assert clipped.id not in {r.paper.id for r in digest.picks}


def test_a_channel_digest_lifts_what_members_follow_and_says_how_many(book, client, seeded):
    seeded.follow("1", "Dragana Bajović", kind="author", group=SERVER)
    seeded.follow("2", "heavy-tailed communication noise", group=SERVER)
    seeded.follow("3", "heavy-tailed communication noise", group="another server")
    subscribe(book, categories="cs.LG stat.ML", size=2, cross_lists=True)
    digest = book.prepare(fetch_all(book, client, MONDAY)[0], MONDAY)
    first = digest.picks[0]
    assert first.paper.title.startswith("Distributed gradient methods")
    assert first.reason == "followed by 2 members (author Dragana Bajović, “heavy-tailed communication noise”)"
    assert len(digest.picks) == 2 and "follow" not in digest.picks[1].reason


def test_a_floor_leaves_out_what_is_not_close_and_a_quiet_day_posts_nothing_or_the_note(book, client, seeded):
    subscribe(book, categories="stat.ML", zone="UTC", size=5, min_score=0.99)
    subscribe(book, target=channel_target(222), categories="stat.ML", zone="UTC", size=5, min_score=0.99,
              say_when_empty=True)
    subscribe(book, target=channel_target(333), categories="stat.ML", zone="UTC", size=5, min_score=0.0)
    due = {s.target: s for s in fetch_all(book, client, MONDAY)}
    assert book.prepare(due[CHANNEL], MONDAY) is None
    assert book.store.digest_for(CHANNEL, "2025-06-02").status == "skipped"
    note = book.prepare(due[channel_target(222)], MONDAY)
    assert note.kind == "empty" and note.picks == []
    assert len(book.prepare(due[channel_target(333)], MONDAY).picks) == 3


def test_a_floor_keeps_papers_close_to_a_members_likes(book, client, seeded):
    subscribe(book, categories="stat.ML", zone="UTC", size=5, min_score=0.05)
    due = fetch_all(book, client, MONDAY)[0]
    diffusion = seeded.paper("Neural Drift Estimation for Ergodic Diffusions")
    close = next(r.paper for r in seeded.similar(diffusion.id, limit=5))
    seeded.like("1", close.id, group=SERVER)
    digest = book.prepare(due, MONDAY)
    assert diffusion.id in {r.paper.id for r in digest.picks}
    assert all(r.score > 0 for r in digest.picks)


# Seed papers on differential equations in neural networks, and the one of the day's new papers
# that comes close to them.
ODE_LIKES = (43, 30, 34, 19, 35, 37, 29)
DIFFUSION = "Neural Drift Estimation for Ergodic Diffusions: Non-parametric Analysis and Numerical Exploration"


def held_back_refits(monkeypatch) -> threading.Event:
    """Make the index's background refits wait for the event returned: a slow refit thread,
    which leaves the day's new papers scored in the vocabulary fitted before them until it runs."""
    go = threading.Event()
    refit = IndexKeeper._refit_quietly

    def slow(keeper: IndexKeeper) -> None:
        go.wait()
        refit(keeper)

    monkeypatch.setattr(IndexKeeper, "_refit_quietly", slow)
    return go


def test_a_digest_picks_the_same_papers_whether_the_background_refit_is_quick_or_slow(
        seeded_db, tmp_path, client, monkeypatch):
    picked = {}
    for refit in ("slow", "quick"):
        go = held_back_refits(monkeypatch)
        path = tmp_path / refit / "paperclub.db"
        path.parent.mkdir()
        shutil.copy(seeded_db, path)
        with Library(path, background_index=True) as lib:  # as the bot's
            try:
                for paper_id in ODE_LIKES:
                    lib.like("1", paper_id, group=SERVER)
                book = digest_book(lib)
                subscribe(book, zone="UTC", size=10)
                due = fetch_all(book, client, MONDAY)  # the new papers make a refit due
                assert [s.target for s in due] == [CHANNEL] and lib.index().needs_refit()
                if refit == "quick":
                    go.set()
                    lib.wait_for_background()
                preview = lib.preview_digest("cs.LG stat.ML", MONDAY, group=SERVER, size=10)
                digest = lib.prepare_digest(due[0], MONDAY)
                picked[refit] = ([(r.paper.title, r.score) for r in preview.picks],
                                 [r.paper.title for r in digest.picks])
            finally:
                go.set()
    quick_preview, quick_digest = picked["quick"]
    assert [title for title, _ in quick_preview][:1] == [DIFFUSION]
    assert len(quick_preview) == 4 and quick_digest == [title for title, _ in quick_preview]
    assert picked["slow"] == picked["quick"]


def test_a_floor_is_shown_and_checked(book):
    assert "only relevant papers" in subscribe(book, min_score=ONLY_RELEVANT).describe()
    assert "scoring 0.3 or more" in subscribe(book, min_score=0.3).describe()
    assert subscribe(book, min_score=0.3).min_score == 0.3
    with pytest.raises(SubscriptionError, match="from 0 to 1"):
        subscribe(book, min_score=1.5)
