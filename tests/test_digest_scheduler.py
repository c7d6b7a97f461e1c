"""The digest loop with a fake clock: posting on time in each time zone, exactly once across
restarts and crashes, catch-up the same day only, unreachable channels, failures kept apart.

The bot is real (discord.py through dpytest), the database and ranking are real, the arXiv feeds
are recorded ones served over HTTP; only time is fake.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio

from bot.scheduler import DigestScheduler, digest_messages
from bot.worker import LibraryThreads
from recommender import ArxivClient, CallKind

from .conftest import DATA
from .test_bot_harness import bot_db, sent, start_bot, stop_bot  # noqa: F401 (fixtures)

FEEDS = DATA / "arxiv"
SUNDAY_NIGHT = datetime(2025, 6, 2, 0, 0, tzinfo=timezone.utc)   # subscriptions are made then
MONDAY = datetime(2025, 6, 2, tzinfo=timezone.utc)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(at(5))


@pytest_asyncio.fixture
async def bot(bot_db, arxiv_server, fake_gate, clock):
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG.xml")
    arxiv_server.route("/rss/stat.ML", FEEDS / "rss_stat_ML.xml")
    client = ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=fake_gate, backoff=1.0)
    running = await start_bot(bot_db, arxiv=client, clock=clock)
    yield running
    await stop_bot(running)


@pytest.fixture
def channels(bot) -> list[discord.TextChannel]:
    config = dpytest.get_config()
    second = dpytest.backend.make_text_channel("reading-group", config.guilds[0])
    for channel in (config.channels[0], second):   # dpytest keeps a channel's log from its first message
        dpytest.backend._cur_config.messages.setdefault(channel.id, [])
    return [config.channels[0], second]


async def subscribe(bot, channel, zone="Europe/Berlin", at_time="08:00", categories="cs.LG stat.ML", **options):
    return await bot.lib.subscribe(
        f"channel:{channel.id}", categories, post_time=at_time,
        timezone_name=zone, group=str(channel.guild.id), now=SUNDAY_NIGHT, **options,
    )


async def posts(bot, channel) -> list[str]:
    """The digest markers the bot posted in a channel, oldest first."""
    found = []
    async for message in channel.history(limit=100):
        if message.author.id == bot.user.id:
            found += [(message.id, line) for line in message.content.splitlines()
                      if line.startswith("-# paperclub digest #")]
    return [line for _, line in sorted(found)]


async def tick(bot, clock: Clock, when: datetime) -> None:
    clock.now = when
    await bot.scheduler.tick()


async def restart(bot) -> None:
    """What a restart leaves behind: only the database (a new library, a new scheduler)."""
    await bot.threads.stop()
    bot.threads = LibraryThreads(bot.settings.db_path)
    await bot.threads.start()
    bot.scheduler = DigestScheduler(bot, bot.arxiv, bot.scheduler.clock)


async def digest_row(bot, channel):
    return await bot.threads.run(CallKind.READ, bot.library.store.digest_for, f"channel:{channel.id}", "2025-06-02")


async def test_digests_are_posted_at_the_local_time_of_each_time_zone(bot, clock, channels, arxiv_server, sent):
    berlin, los_angeles = channels
    await subscribe(bot, berlin, zone="Europe/Berlin")            # 06:00 UTC in June
    await subscribe(bot, los_angeles, zone="America/Los_Angeles")  # 15:00 UTC in June
    await tick(bot, clock, at(5, 59))
    assert await posts(bot, berlin) == [] and arxiv_server.requests == []
    await tick(bot, clock, at(6, 0))
    assert len(await posts(bot, berlin)) == 1 and await posts(bot, los_angeles) == []
    await tick(bot, clock, at(14, 59))
    assert await posts(bot, los_angeles) == []
    await tick(bot, clock, at(15, 0))
    assert len(await posts(bot, berlin)) == 1 and len(await posts(bot, los_angeles)) == 1
    assert sorted(arxiv_server.paths()) == ["/rss/cs.LG", "/rss/stat.ML"]   # once each for both channels
    for payload in sent:
        assert payload["allowed_mentions"]["parse"] == []


async def test_a_digest_message_holds_a_header_and_ranked_cards_with_buttons(bot, clock, channels):
    await subscribe(bot, channels[0], size=3)
    await tick(bot, clock, at(6))
    message = [m async for m in channels[0].history(limit=5)][0]
    assert message.content.startswith("**arXiv digest · cs.LG, stat.ML · Mon 02 Jun 2025**")
    assert "3 new papers picked for this server" in message.content
    assert len(message.embeds) == 3 and message.embeds[0].title.startswith("1.")
    feed = (FEEDS / "rss_stat_ML.xml").read_text() + (FEEDS / "rss_cs_LG.xml").read_text()
    for embed in message.embeds:
        assert embed.title.split(". ", 1)[1].rstrip("…")[:40] in feed
    row = await digest_row(bot, channels[0])
    assert row["status"] == "sent" and row["parts_sent"] == 1


async def test_a_restart_after_the_post_posts_nothing_more(bot, clock, channels):
    await subscribe(bot, channels[0])
    await tick(bot, clock, at(6))
    await restart(bot)
    await tick(bot, clock, at(6, 1))
    await tick(bot, clock, at(20))
    assert len(await posts(bot, channels[0])) == 1


async def test_a_crash_after_recording_sends_the_digest_once_on_start_up(bot, clock, channels):
    subscription = await subscribe(bot, channels[0])
    for category, day in await bot.lib.feeds_needed([subscription], at(6)):
        await bot.scheduler.fetch(category, day, at(6))
    recorded = await bot.lib.prepare_digest(subscription, at(6))
    await restart(bot)   # crashed before sending anything
    await tick(bot, clock, at(6, 5))
    assert await posts(bot, channels[0]) == [f"-# paperclub digest #{recorded.id} · 1/1"]
    await tick(bot, clock, at(6, 6))
    assert len(await posts(bot, channels[0])) == 1
    assert (await digest_row(bot, channels[0]))["status"] == "sent"


@pytest.mark.parametrize("size, sent_before_crash", [(5, 1), (10, 1), (10, 2)])
async def test_a_crash_after_sending_but_before_marking_sent_is_not_repeated(bot, clock, channels, size, sent_before_crash):
    subscription = await subscribe(bot, channels[0], size=size, cross_lists=True)
    for category, day in await bot.lib.feeds_needed([subscription], at(6)):
        await bot.scheduler.fetch(category, day, at(6))
    digest = await bot.lib.prepare_digest(subscription, at(6))
    messages = digest_messages(digest)
    for message in messages[:sent_before_crash]:   # sent, then the process died before marking
        await channels[0].send(**message)
    await restart(bot)
    await tick(bot, clock, at(6, 5))
    markers = await posts(bot, channels[0])
    assert markers == [f"-# paperclub digest #{digest.id} · {k}/{len(messages)}" for k in range(1, len(messages) + 1)]
    assert (await digest_row(bot, channels[0]))["status"] == "sent"


async def test_downtime_over_the_posting_time_catches_up_the_same_day(bot, clock, channels):
    await subscribe(bot, channels[0])
    await tick(bot, clock, at(13))   # first tick since 05:00: the bot was down at 06:00
    assert len(await posts(bot, channels[0])) == 1


async def test_downtime_never_posts_for_past_days(bot, clock, channels, arxiv_server):
    await subscribe(bot, channels[0])
    await tick(bot, clock, at(5, 0, day=3))   # down all Monday; Tuesday 07:00 in Berlin
    assert await posts(bot, channels[0]) == [] and arxiv_server.requests == []
    assert await digest_row(bot, channels[0]) is None


async def test_a_deleted_channel_is_reported_once_and_paused(bot, clock, channels, caplog):
    kept, deleted = channels
    await subscribe(bot, kept)
    await subscribe(bot, deleted)
    dpytest.backend.delete_channel(deleted)
    caplog.set_level(logging.WARNING, logger="paperclub.digest")
    await tick(bot, clock, at(6))
    await tick(bot, clock, at(6, 1))
    await tick(bot, clock, at(6, day=3))
    pauses = [r for r in caplog.records if "Pausing the digest" in r.getMessage()]
    assert len(pauses) == 1 and str(deleted.id) in pauses[0].getMessage()
    paused = await bot.lib.subscription(f"channel:{deleted.id}")
    assert paused.paused
    assert len(await posts(bot, kept)) == 1


async def test_a_channel_one_cannot_post_in_is_paused_with_the_reason(bot, clock, channels, caplog):
    category = dpytest.backend.make_category_channel("Reading", dpytest.get_config().guilds[0])
    await subscribe(bot, category)
    await subscribe(bot, channels[0])
    caplog.set_level(logging.WARNING, logger="paperclub.digest")
    await tick(bot, clock, at(6))
    await tick(bot, clock, at(6, 1))
    pauses = [r.getMessage() for r in caplog.records if "Pausing the digest" in r.getMessage()]
    assert len(pauses) == 1 and str(category.id) in pauses[0]
    paused = await bot.lib.subscription(f"channel:{category.id}")
    assert paused.paused == "it is not a channel the bot can post in"
    assert len(await posts(bot, channels[0])) == 1


async def test_an_exception_in_one_channels_digest_does_not_stop_the_others(bot, clock, channels, monkeypatch, caplog):
    broken, fine = channels
    await subscribe(bot, broken)
    await subscribe(bot, fine)
    real_prepare = bot.library.prepare_digest

    def prepare(subscription, now):
        if subscription.target == f"channel:{broken.id}":
            raise RuntimeError("something odd in this channel")
        return real_prepare(subscription, now)

    monkeypatch.setattr(bot.library, "prepare_digest", prepare)
    await tick(bot, clock, at(6))
    assert await posts(bot, broken) == [] and len(await posts(bot, fine)) == 1
    assert any("failed; the others go on" in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(bot.library, "prepare_digest", real_prepare)
    await tick(bot, clock, at(6, 1))
    assert len(await posts(bot, broken)) == 1 and len(await posts(bot, fine)) == 1


async def test_the_loop_survives_a_failing_round(bot, monkeypatch, caplog):
    async def failing() -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(bot.scheduler, "tick", failing)
    await bot.scheduler._run_tick()
    assert any("digest round failed" in r.getMessage() for r in caplog.records)


async def test_an_arxiv_outage_is_retried_later_without_posting(bot, clock, channels, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (503, b"down for maintenance", {}))
    await subscribe(bot, channels[0], categories="cs.LG")
    await tick(bot, clock, at(6))
    assert await posts(bot, channels[0]) == []
    asked = len(arxiv_server.requests)
    await tick(bot, clock, at(6, 10))
    assert len(arxiv_server.requests) == asked   # no hammering: the next try waits
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG.xml")
    await tick(bot, clock, at(6, 31))
    assert len(await posts(bot, channels[0])) == 1


async def test_a_channel_the_bot_may_not_write_to_is_paused_not_retried(bot, clock, channels, caplog, monkeypatch):
    closed, open_ = channels
    await subscribe(bot, closed)
    await subscribe(bot, open_)
    real_send = discord.abc.Messageable.send
    attempts = []

    async def send(channel, *args, **kwargs):   # Discord answers 403 Missing Access there
        if channel.id == closed.id:
            attempts.append(channel.id)
            raise discord.Forbidden(dpytest.backend.FakeRequest(403, "Forbidden"), "Missing Access")
        return await real_send(channel, *args, **kwargs)

    monkeypatch.setattr(discord.TextChannel, "send", send, raising=False)
    caplog.set_level(logging.WARNING, logger="paperclub.digest")
    await tick(bot, clock, at(6))
    await tick(bot, clock, at(6, 1))
    await tick(bot, clock, at(6, day=3))
    pauses = [r for r in caplog.records if "Pausing the digest" in r.getMessage()]
    assert len(pauses) == 1 and str(closed.id) in pauses[0].getMessage()
    assert len(attempts) == 1
    assert await posts(bot, closed) == [] and len(await posts(bot, open_)) == 1


async def test_the_bot_runs_the_loop_every_minute_once_ready_and_stops_it_on_close(bot_db, fake_gate):
    client = ArxivClient("http://127.0.0.1:9/rss/", "http://127.0.0.1:9/api/query", gate=fake_gate, retries=0)
    running = await start_bot(bot_db, arxiv=client, post_digests=True)
    loop = running.scheduler.loop
    assert loop.is_running() and loop.seconds == 60
    await stop_bot(running)
    assert not loop.is_running()
