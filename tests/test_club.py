"""The paper club's core (`recommender.club`) and its command line, on the seeded library."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from bot.cli import cli
from recommender import ClubError, PaperNotFound

from recommender.club import Club
from tests.conftest import store_of

NODE = "Neural Ordinary Differential Equations"
FFJORD = "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models"
IRESNET = "Invertible Residual Networks"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
STARTS = datetime(2026, 12, 10, 16, 0, tzinfo=timezone.utc)    # 17:00 in Berlin


@pytest.fixture
def club(seeded) -> Club:
    """The paper club, on the seeded library's file; it finds papers and ranks them with the
    library, as the library's own does."""
    return Club(store_of(seeded), seeded.paper, seeded)


def test_a_proposal_is_one_per_paper_and_only_its_proposer_withdraws_it(seeded, club):
    first = club.propose("lab", NODE, "ada")
    assert (first.paper.title, first.proposer, first.likes) == (NODE, "ada", 0)
    with pytest.raises(ClubError, match="on the shortlist already .proposed by you"):
        club.propose("lab", "Neural Ordinary Differential", "ada")
    club.propose("lab", FFJORD, "bob")
    seeded.like("carl", FFJORD, "lab")
    seeded.like("dora", FFJORD, "other lab")
    assert [(p.paper.title, p.proposer, p.likes) for p in club.shortlist("lab")] == [
        (NODE, "ada", 0), (FFJORD, "bob", 1)]
    assert club.shortlist("other lab") == []
    with pytest.raises(ClubError, match="Only its proposer"):
        club.withdraw("lab", FFJORD, "ada")
    with pytest.raises(ClubError, match="is not on the shortlist"):
        club.withdraw("lab", IRESNET, "ada")
    with pytest.raises(PaperNotFound):
        club.propose("lab", "no such paper at all zzz", "ada")
    assert club.withdraw("lab", FFJORD, "bob").paper.title == FFJORD
    assert [p.paper.title for p in club.shortlist("lab")] == [NODE]


def test_a_poll_offers_the_most_liked_then_the_earliest_in_the_order_proposed(seeded, club):
    for ref in (NODE, FFJORD, IRESNET):
        club.propose("lab", ref, "ada")
    seeded.like("bob", IRESNET, "lab")
    assert [p.paper.title for p in club.poll_choices("lab", 2)] == [NODE, IRESNET]
    with pytest.raises(ClubError, match="2 to 10"):
        club.poll_choices("lab", 11)
    with pytest.raises(ClubError, match="at least two papers"):
        club.poll_choices("empty lab", 5)


def test_a_poll_is_recorded_before_it_is_posted_and_a_group_has_one_at_a_time(club):
    for ref in (NODE, FFJORD):
        club.propose("lab", ref, "ada")
    ids = [p.paper.id for p in club.poll_choices("lab", 2)]
    poll = club.prepare_poll("lab", 7, ids, NOW + timedelta(hours=24))
    assert (poll.state, poll.message_id, [p.title for p in poll.papers]) == ("posting", None, [NODE, FFJORD])
    assert club.polls_posting() == [poll]
    with pytest.raises(ClubError, match="poll is open already"):
        club.prepare_poll("lab", 7, ids, NOW)
    assert club.prepare_poll("other lab", 7, ids, NOW).state == "posting"
    posted = club.poll_posted(poll.id, 99, NOW + timedelta(hours=23))
    assert (posted.state, posted.message_id, posted.ends) == ("open", 99, NOW + timedelta(hours=23))
    assert club.polls_ended(NOW + timedelta(hours=23)) == [posted] and club.polls_ended(NOW) == []
    with pytest.raises(ClubError, match="poll is open already"):
        club.prepare_poll("lab", 7, ids, NOW)
    club.drop_poll(poll.id)
    assert club.prepare_poll("lab", 7, ids, NOW).state == "posting"


def test_the_clubs_time_zone_is_its_own_else_its_channels_digest_else_the_oldest_digest(seeded, club):
    assert club.settings("lab").timezone == "UTC"
    seeded.subscribe("channel:5", "cs.LG", timezone_name="Asia/Tokyo", group="lab")
    seeded.subscribe("channel:6", "cs.LG", timezone_name="Europe/Berlin", group="lab")
    assert club.settings("lab").timezone == "Asia/Tokyo"
    assert club.setup("lab", 6).timezone == "Europe/Berlin"
    assert club.setup("lab", 6, timezone_name="america/new_york").timezone == "America/New_York"
    with pytest.raises(ClubError, match="not a time zone I know"):
        club.setup("lab", 6, timezone_name="Mars/Olympus")


def test_scheduling_takes_the_paper_off_the_shortlist_in_the_digests_time_zone(seeded, club):
    seeded.subscribe("channel:5", "cs.LG", timezone_name="Europe/Berlin", group="lab")
    club.propose("lab", NODE, "ada")
    session = club.schedule("lab", NODE, "2026-12-10 17:00", NOW, presenter="  Ada  Lovelace ", place="Room 2")
    assert session.starts == STARTS and session.timezone == "Europe/Berlin"
    assert session.presenter == "Ada Lovelace" and club.shortlist("lab") == []
    assert session.describe() == (f"Thu 10 Dec 2026, 17:00 (Europe/Berlin): {NODE}, presented by Ada Lovelace, "
                                  "at Room 2")
    with pytest.raises(ClubError, match="scheduled already"):
        club.schedule("lab", NODE, "2026-12-11 17:00", NOW)
    with pytest.raises(ClubError, match="already read or scheduled"):
        club.propose("lab", NODE, "bob")
    with pytest.raises(ClubError, match="in the past"):
        club.schedule("lab", FFJORD, "2026-11-30 17:00", NOW)
    with pytest.raises(ClubError, match="not a date and time"):
        club.schedule("lab", FFJORD, "next thursday", NOW)
    assert club.next("lab", NOW) == session
    assert club.history("lab", NOW) == []
    assert [(s.id, s.status) for s in club.history("lab", STARTS)] == [(session.id, "held")]


def test_each_reminder_is_due_once_and_a_late_session_gets_only_the_hours(club):
    session = club.schedule("lab", NODE, "2026-12-10 16:00", NOW)
    assert club.reminders_due(STARTS - timedelta(days=1, seconds=1)) == []
    (day,) = club.reminders_due(STARTS - timedelta(days=1))
    assert day.kind == "day" and day.text().startswith("Tomorrow, paper club: Thu 10 Dec 2026, 16:00 (UTC)")
    assert club.prepare_reminder(day, STARTS - timedelta(days=1)) is not None
    assert club.prepare_reminder(day, STARTS - timedelta(days=1)) is None      # recorded once
    assert club.reminders_due(STARTS - timedelta(hours=2)) == []
    assert [r.status for r in club.pending_reminders()] == ["pending"]
    club.reminder_sent(day, STARTS - timedelta(days=1))
    (hour,) = club.reminders_due(STARTS - timedelta(minutes=59))
    assert hour.kind == "hour" and club.prepare_reminder(hour, STARTS - timedelta(minutes=59))
    assert club.reminders_due(STARTS - timedelta(minutes=1)) == [] and club.reminders_due(STARTS) == []
    late = club.schedule("lab", FFJORD, "2026-12-01 15:00", NOW)                 # six hours ahead
    assert [(r.session.id, r.kind) for r in club.reminders_due(NOW + timedelta(hours=5))] == [(late.id, "hour")]
    assert [r.status for r in club.reminders("lab", NOW) if r.session.id == late.id] == ["skipped", "planned"]
    assert session.id != late.id


def test_a_cancelled_session_is_neither_reminded_nor_read(club):
    club.schedule("lab", NODE, "2026-12-10 16:00", NOW)
    cancelled = club.cancel("lab", NOW)
    assert cancelled.status == "cancelled" and club.next("lab", NOW) is None
    assert club.reminders_due(STARTS - timedelta(hours=1)) == []
    assert club.history("lab", STARTS + timedelta(days=1)) == []
    with pytest.raises(ClubError, match="No session"):
        club.cancel("lab", NOW)


def test_suggest_and_random_leave_out_what_the_club_read(seeded, club):
    seeded.like("ada", FFJORD, "lab")
    first, second = (r.paper for r in club.suggest("lab", 2))
    club.schedule("lab", first.id, "2026-12-02 10:00", NOW)
    club.propose("lab", second.id, "ada")
    suggested = {r.paper.id for r in club.suggest("lab", 20)}
    assert len(suggested) == 20 and first.id not in suggested and second.id not in suggested
    store = store_of(seeded)
    picks = {store.random_id(None, fraction / 100, skip_club_of="lab") for fraction in range(100)}
    assert first.id not in picks and len(picks) > 50
    assert first.id in {store.random_id(None, fraction / 100) for fraction in range(100)}


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def db(seeded_db, tmp_path) -> str:
    path = tmp_path / "club.db"
    shutil.copy(seeded_db, path)
    return str(path)


def run(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, "club", *args], catch_exceptions=False)


def test_the_club_from_a_terminal(db):
    assert run(db, "propose", "lab", NODE, "--user", "ada").exit_code == 0
    proposal = json.loads(run(db, "propose", "lab", "FFJORD", "--user", "bob", "--json").stdout)
    assert proposal["proposer"] == "bob" and proposal["paper"]["title"] == FFJORD
    again = run(db, "propose", "lab", "FFJORD", "--user", "ada")
    assert again.exit_code == 2 and "on the shortlist already" in again.stderr
    missing = run(db, "propose", "lab", "no such paper zzz", "--user", "ada")
    assert missing.exit_code == 3
    listed = run(db, "shortlist", "lab")
    assert "proposed by ada" in listed.stdout and "proposed by bob" in listed.stdout
    assert run(db, "withdraw", "lab", "FFJORD", "--user", "ada").exit_code == 2
    assert [p["paper"]["title"] for p in json.loads(run(db, "shortlist", "lab", "--json").stdout)] == [NODE, FFJORD]

    scheduled = run(db, "schedule", "lab", NODE, "--when", "2999-06-01 17:30", "--presenter", "Ada", "--json")
    session = json.loads(scheduled.stdout)
    assert session["starts"] == "2999-06-01T17:30:00+00:00" and session["presenter"] == "Ada"
    assert run(db, "schedule", "lab", "FFJORD", "--when", "2020-01-01 10:00").exit_code == 2
    assert json.loads(run(db, "next", "lab", "--json").stdout)["id"] == session["id"]
    reminders = json.loads(run(db, "remind", "lab", "--json").stdout)["reminders"]
    assert [(r["kind"], r["due"], r["status"]) for r in reminders] == [
        ("day", "2999-05-31T17:30:00+00:00", "planned"), ("hour", "2999-06-01T16:30:00+00:00", "planned")]
    shown = run(db, "remind", "lab").stdout.splitlines()
    assert shown == [
        f"Fri 31 May 2999, 17:30 (UTC), the day before session #{session['id']} · to be posted but the session "
        "has no thread and the club no channel to post in (/club setup sets one):",
        f"    Tomorrow, paper club: Sat 01 Jun 2999, 17:30 (UTC): {NODE}, presented by Ada.",
        f"Sat 01 Jun 2999, 16:30 (UTC), the hour before session #{session['id']} · to be posted but the session "
        "has no thread and the club no channel to post in (/club setup sets one):",
        f"    In an hour, paper club: Sat 01 Jun 2999, 17:30 (UTC): {NODE}, presented by Ada.",
    ]
    assert json.loads(run(db, "history", "lab", "--json").stdout) == []
    assert run(db, "cancel", "lab").exit_code == 0
    nothing = run(db, "cancel", "lab", "--json")
    assert nothing.exit_code == 3 and "No session of lab is scheduled" in nothing.stderr and nothing.stdout == "null\n"
    assert run(db, "next", "lab").exit_code == 3


def test_export_club_writes_the_clubs_history_as_a_reading_list(seeded, db):
    from recommender import Library

    with Library(db) as library:
        library.schedule_session("lab", FFJORD, "2026-01-05 10:00", datetime(2026, 1, 1, tzinfo=timezone.utc))
        library.schedule_session("lab", NODE, "2026-02-05 10:00", datetime(2026, 1, 1, tzinfo=timezone.utc))
        library.schedule_session("lab", IRESNET, "2999-01-01 10:00", datetime(2026, 1, 1, tzinfo=timezone.utc))
    result = CliRunner().invoke(cli, ["--db", db, "export", "--club", "lab", "--format", "csljson"],
                                catch_exceptions=False)
    assert result.exit_code == 0 and "Wrote 2 papers (the paper club of lab, csljson)" in result.stderr
    assert [item["title"] for item in json.loads(result.stdout)] == [FFJORD, NODE]
    both = CliRunner().invoke(cli, ["--db", db, "export", "--club", "lab", "--group", "lab"])
    assert both.exit_code == 2


def test_remind_says_where_each_reminder_goes_and_why_one_is_skipped(db):
    from recommender import Library

    soon = (datetime.now(timezone.utc) + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert run(db, "schedule", "lab", NODE, "--when", soon).exit_code == 0
    assert run(db, "schedule", "lab", FFJORD, "--when", "2999-06-01 17:30").exit_code == 0
    with Library(db) as library:
        library.set_up_club("lab", 42)
    lines = [line for line in run(db, "remind", "lab").stdout.splitlines() if not line.startswith("    ")]
    assert [line.split(" · ", 1)[1] for line in lines] == [
        "skipped (the session was scheduled less than a day ahead, or the hour's reminder came first):",
        "skipped (the session was scheduled less than an hour ahead):",
        "to be posted in the club's channel 42:",
        "to be posted in the club's channel 42:",
    ]
    reminders = json.loads(run(db, "remind", "lab", "--json").stdout)["reminders"]
    assert [(r["status"], r["channel_id"]) for r in reminders] == [("skipped", 42), ("skipped", 42),
                                                                    ("planned", 42), ("planned", 42)]
