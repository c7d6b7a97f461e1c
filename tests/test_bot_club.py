"""The paper club in Discord: /club commands through dpytest, the club loop with a fake clock.

The bot, the database and the ranking are real. Discord is faked at its edges: dpytest for the
gateway and channel messages, `FakeDiscordAPI` for interaction answers, and `ClubEdge` below for
the REST calls dpytest lacks (scheduled events, threads), answering with payloads in Discord's
own format. A finished poll is Discord's message payload with its `results`, as
`GET /channels/{id}/messages/{id}` returns it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext import commands

from bot import cards
from bot.club_loop import ClubLoop, reminder_message
from bot.views import card_view
from bot.cogs.club import NOT_ORGANISER, POLL_QUESTION
from bot.worker import LibraryThreads

from .test_bot_harness import (  # noqa: F401 (fixtures)
    FakeDiscordAPI,
    api,
    bot_db,
    bot_message_payload,
    deliver,
    interaction_payload,
    messages,
    sent,
    snowflake,
    start_bot,
    stop_bot,
)

EPHEMERAL = 64
NODE = "Neural Ordinary Differential Equations"
FFJORD = "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
SESSION = "2026-12-10 17:00"          # Europe/Berlin: 16:00 UTC
STARTS = datetime(2026, 12, 10, 16, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ClubEdge:
    """Discord's REST endpoints for scheduled events and threads, recording each call. A new
    thread is also announced as the gateway would (THREAD_CREATE), so the bot's cache knows it."""

    def __init__(self, bot: discord.Client):
        self.bot = bot
        self.events: dict[int, dict[str, Any]] = {}
        self.threads: list[dict[str, Any]] = []
        self.deleted: list[int] = []
        self.interested = 7

    async def create_guild_scheduled_event(self, guild_id: int, *, reason: str | None = None, **payload: Any):
        event = {
            "id": str(snowflake()), "guild_id": str(guild_id), "channel_id": None,
            "creator_id": str(self.bot.user.id), "name": payload["name"], "description": payload.get("description"),
            "scheduled_start_time": payload["scheduled_start_time"],
            "scheduled_end_time": payload.get("scheduled_end_time"), "privacy_level": payload["privacy_level"],
            "status": 1, "entity_type": payload["entity_type"], "entity_id": None,
            "entity_metadata": payload.get("entity_metadata"), "image": None,
        }
        self.events[int(event["id"])] = event
        return event

    async def get_scheduled_event(self, guild_id: int, event_id: int, with_user_count: bool):
        return {**self.events[int(event_id)], "user_count": self.interested}

    async def delete_scheduled_event(self, guild_id: int, event_id: int, *, reason: str | None = None) -> None:
        self.deleted.append(int(event_id))

    async def start_thread_with_message(self, channel_id: int, message_id: int, *, name: str,
                                        auto_archive_duration: int, rate_limit_per_user: int | None = None,
                                        reason: str | None = None):
        channel = self.bot.get_channel(int(channel_id))
        thread = {
            "id": str(message_id), "guild_id": str(channel.guild.id), "parent_id": str(channel_id),
            "owner_id": str(self.bot.user.id), "name": name, "type": 11, "last_message_id": None,
            "rate_limit_per_user": 0, "message_count": 0, "member_count": 1, "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": auto_archive_duration,
                                "archive_timestamp": datetime.now(timezone.utc).isoformat(), "locked": False},
        }
        self.threads.append(thread)
        self.bot._connection.parse_thread_create(thread)
        dpytest.backend._cur_config.messages.setdefault(int(message_id), [])
        return thread


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest_asyncio.fixture
async def bot(bot_db, clock):
    running = await start_bot(bot_db, clock=clock)
    running.club_loop = ClubLoop(running, clock)
    yield running
    await stop_bot(running)


@pytest.fixture
def edge(bot, monkeypatch) -> ClubEdge:
    fake = ClubEdge(bot)
    for name in ("create_guild_scheduled_event", "get_scheduled_event", "delete_scheduled_event",
                 "start_thread_with_message"):
        monkeypatch.setattr(bot.http, name, getattr(fake, name))
    return fake


@pytest.fixture
def channel(bot) -> discord.TextChannel:
    found = dpytest.get_config().channels[0]
    dpytest.backend._cur_config.messages.setdefault(found.id, [])
    return found


@pytest.fixture
def group(bot) -> str:
    return str(dpytest.get_config().guilds[0].id)


@pytest_asyncio.fixture
async def organiser(bot) -> discord.Member:
    """Member 0 may manage events; member 1 has the defaults, which do not include it."""
    config = dpytest.get_config()
    guild = config.guilds[0]
    assert not guild.default_role.permissions.manage_events
    allowed = discord.Permissions(guild.default_role.permissions.value)
    allowed.manage_events = True
    role = dpytest.backend.make_role("Club organisers", guild, permissions=allowed.value)
    await dpytest.add_role(config.members[0], role)
    return config.members[0]


async def say(text: str, member: int = 0, refused: bool = False) -> list[discord.Message]:
    """A text command from a member, and the bot's messages in answer; with `refused`, the
    command is expected to end with an error told to the person (dpytest raises it again)."""
    if refused:
        with pytest.raises(commands.CommandError):
            await dpytest.message(text, member=member)
    else:
        await dpytest.message(text, member=member)
    return messages()


async def restart(bot, clock: Clock) -> None:
    """What a restart leaves behind: only the database and Discord."""
    await bot.threads.stop()
    bot.threads = LibraryThreads(bot.settings.db_path)
    await bot.threads.start()
    bot.club_loop = ClubLoop(bot, clock)


async def tick(bot, clock: Clock, when: datetime) -> None:
    clock.now = when
    await bot.club_loop.tick()


async def in_channel(channel: discord.abc.Messageable) -> list[discord.Message]:
    return [m async for m in channel.history(limit=100)][::-1]


def mentions_allowed(payload: dict) -> dict:
    return payload["allowed_mentions"]


# -- the shortlist ---------------------------------------------------------------------------


async def test_propose_shortlist_and_withdraw(bot, group, channel, sent):
    answer = await say(f"!club propose {NODE}")
    assert len(answer) == 1 and "proposed *Neural Ordinary Differential Equations* for the paper club" in answer[0].content
    await say("!club propose FFJORD", member=1)
    await bot.run_write(bot.library.like, "someone", FFJORD, group)
    shortlist = (await say("!club shortlist"))[0].embeds[0]
    assert shortlist.title == "Paper club shortlist: 2 papers"
    lines = shortlist.description.splitlines()
    assert NODE in lines[0] and "0 likes" in lines[0] and "FFJORD" in lines[1] and "1 like" in lines[1]
    refused = await say("!club withdraw FFJORD", refused=True)   # member 0 did not propose it
    assert "Only its proposer can withdraw" in refused[0].content
    again = await say(f"!club propose {NODE}", member=1, refused=True)
    assert "on the shortlist already (proposed by someone else)" in again[0].content
    assert "Withdrew" in (await say("!club withdraw FFJORD", member=1))[0].content
    left = await bot.run_blocking(bot.library.club.shortlist, group)
    assert [p.paper.title for p in left] == [NODE]
    for payload in sent:
        assert mentions_allowed(payload)["parse"] == []


async def test_the_propose_button_sits_beside_more_like_this_and_proposes(bot, api, group, channel):
    paper = await bot.run_blocking(bot.library.paper, NODE)
    view = card_view(paper)
    labels = [getattr(item, "item", item).label for item in view.children]
    assert labels[2:4] == ["More like this", "Propose for paper club"]
    member = dpytest.get_config().members[1]
    data = {"custom_id": f"paperclub:propose:{paper.id}", "component_type": 2}
    message = bot_message_payload(bot, channel, [cards.paper_card(paper)], view)
    await deliver(bot, interaction_payload(3, data, member, channel, message))
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL and answer["content"].startswith("Proposed *Neural Ordinary")
    shortlist = await bot.run_blocking(bot.library.club.shortlist, group)
    assert [(p.paper.id, p.proposer) for p in shortlist] == [(paper.id, str(member.id))]


# -- the poll --------------------------------------------------------------------------------


def finished_poll(payload: dict, votes: list[int], finalized: bool = True) -> dict:
    """The poll of a message as Discord returns it once the poll ended."""
    answers = [{"answer_id": at, "poll_media": answer["poll_media"]}
               for at, answer in enumerate(payload["answers"], 1)]
    return {
        "question": payload["question"], "answers": answers, "allow_multiselect": False, "layout_type": 1,
        "expiry": (datetime.now(timezone.utc) + timedelta(hours=payload["duration"])).isoformat(),
        "results": {"is_finalized": finalized,
                    "answer_counts": [{"id": at, "count": n, "me_voted": False} for at, n in enumerate(votes, 1) if n]},
    }


async def test_a_poll_offers_the_shortlist_and_its_winner_is_read_back_after_a_restart(bot, clock, group, channel, sent):
    for member, ref in ((0, NODE), (1, "FFJORD"), (0, "Invertible Residual Networks")):
        await say(f"!club propose {ref}", member=member)
    await bot.run_write(bot.library.like, "a", "Invertible Residual Networks", group)
    answer = await say("!club poll 24 3")
    assert "The poll is up" in answer[-1].content
    polls = [p for p in sent if p.get("poll")]
    assert len(polls) == 1
    poll = polls[0]["poll"]
    assert poll["question"] == {"text": POLL_QUESTION} and poll["duration"] == 24
    assert [a["poll_media"]["text"] for a in poll["answers"]] == [
        NODE, "FFJORD: Free-form Continuous Dynamics for Scalable Rev…", "Invertible Residual Networks"]
    assert all(len(a["poll_media"]["text"]) <= 55 for a in poll["answers"])
    assert mentions_allowed(polls[0])["parse"] == []
    again = await say("!club poll", refused=True)
    assert "A paper club poll is open already" in again[-1].content

    await restart(bot, clock)
    await tick(bot, clock, NOW + timedelta(hours=23))          # still open: Discord is not asked
    (open_poll,) = await bot.run_blocking(bot.library.store.polls, ("open",))
    message = next(m for m in dpytest.backend._cur_config.messages[channel.id]
                   if int(m["id"]) == open_poll["message_id"])
    # NODE and FFJORD tie on votes; FFJORD has no likes either: the earlier proposal (NODE) wins
    message["poll"] = finished_poll(poll, [2, 2, 0], finalized=False)
    await tick(bot, clock, NOW + timedelta(hours=24, minutes=1))   # ended, not counted yet: wait
    assert not [m for m in await in_channel(channel) if "The paper club chose" in m.content]
    message["poll"] = finished_poll(poll, [2, 2, 1])
    await tick(bot, clock, NOW + timedelta(hours=24, minutes=2))
    await restart(bot, clock)
    await tick(bot, clock, NOW + timedelta(hours=24, minutes=3))
    winners = [m for m in await in_channel(channel) if "The paper club chose" in m.content]
    assert len(winners) == 1
    assert "*Neural Ordinary Differential Equations* with 2 of 5 votes" in winners[0].content
    assert winners[0].embeds[0].title == NODE


async def test_a_tie_on_votes_goes_to_the_most_liked_then_the_earlier_proposal(bot, group):
    club = bot.library.club
    for ref in (NODE, "FFJORD", "Invertible Residual Networks"):
        await bot.run_write(club.propose, group, ref, "ada")
    ids = [p.paper.id for p in await bot.run_blocking(club.shortlist, group)]
    await bot.run_write(bot.library.like, "bob", "Invertible Residual Networks", group)
    poll = await bot.run_write(club.open_poll, group, 1, 2, ids, NOW)
    decided = await bot.run_write(club.decide, poll.id, [3, 1, 3])
    assert decided.winner.title == "Invertible Residual Networks"
    poll = await bot.run_write(club.open_poll, group, 1, 3, ids, NOW)
    assert (await bot.run_write(club.decide, poll.id, [1, 1, 0])).winner.title == NODE


# -- sessions --------------------------------------------------------------------------------


async def schedule(bot, edge, text: str = f'!club schedule "{NODE}" "{SESSION}"') -> list[discord.Message]:
    await bot.run_write(bot.library.club.setup, str(dpytest.get_config().guilds[0].id), None, None, False,
                        "Europe/Berlin")
    return await say(text)


async def test_schedule_creates_an_event_a_thread_with_the_card_and_a_post(bot, edge, organiser, channel, group):
    answer = await schedule(bot, edge, f'!club schedule "{NODE}" "{SESSION}" {organiser.mention} Room 2')
    assert "Scheduled: Thu 10 Dec 2026, 17:00 (Europe/Berlin)" in answer[-1].content
    (event,) = edge.events.values()
    assert event["name"] == f"Paper club: {NODE}" and event["entity_type"] == 3
    assert event["scheduled_start_time"].startswith("2026-12-10T16:00:00")
    assert event["scheduled_end_time"].startswith("2026-12-10T17:00:00")
    assert event["entity_metadata"] == {"location": "Room 2"}
    assert "We introduce a new family of deep neural network models" in event["description"]
    assert len(event["description"]) <= 1000
    post = [m for m in await in_channel(channel) if m.content.startswith("**Paper club**")][0]
    assert post.embeds[0].title == NODE and f"/events/{group}/{event['id']}" in post.content
    assert "presented by" in post.content and "Room 2" in post.content
    (thread,) = edge.threads
    assert int(thread["id"]) == post.id and thread["name"] == NODE
    session = await bot.run_blocking(bot.library.club.next, group, NOW)
    assert (session.event_id, session.thread_id, session.starts) == (int(event["id"]), post.id, STARTS)
    nxt = (await say("!club next", member=1))[0]
    assert "Thu 10 Dec 2026, 17:00" in nxt.content and nxt.embeds[0].title == NODE


async def test_cancel_removes_the_event_and_history_lists_held_sessions(bot, edge, organiser, clock, group, channel):
    await schedule(bot, edge)
    event_id = next(iter(edge.events))
    assert "Cancelled the paper club session" in (await say("!club cancel"))[0].content
    assert edge.deleted == [event_id]
    assert await bot.run_blocking(bot.library.club.next, group, NOW) is None
    await say('!club schedule FFJORD "2026-12-03 17:00"')
    await tick(bot, clock, datetime(2026, 12, 3, 17, 5, tzinfo=timezone.utc))
    history = (await say("!club history"))[0].embeds[0]
    assert history.title == "Paper club: 1 session"
    assert "2026-12-03" in history.description and "FFJORD" in history.description
    assert "7 interested" in history.description


# -- who may do what -------------------------------------------------------------------------


async def slash_club(bot, sub: str, member, channel, **options) -> None:
    kinds = {str: 3, int: 4, bool: 5}
    data = {"id": str(snowflake()), "name": "club", "type": 1, "options": [{
        "name": sub, "type": 1,
        "options": [{"name": k, "type": kinds[type(v)], "value": v} for k, v in options.items()],
    }]}
    await deliver(bot, interaction_payload(2, data, member, channel))


async def test_scheduling_cancelling_and_setup_are_refused_privately_without_the_permission(bot, api, edge, channel, group):
    member = dpytest.get_config().members[1]
    await slash_club(bot, "schedule", member, channel, paper=NODE, when=SESSION)
    await slash_club(bot, "cancel", member, channel)
    answers = api.answers()
    assert len(answers) == 2
    for answer in answers:
        assert answer["flags"] == EPHEMERAL and answer["content"] == NOT_ORGANISER
    assert edge.events == {} and await bot.run_blocking(bot.library.club.next, group, NOW) is None
    refused = await say(f"!club setup {channel.mention}", member=1, refused=True)
    assert refused[0].content == NOT_ORGANISER


async def test_the_club_role_may_schedule(bot, edge, channel, group):
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Paper club", guild)
    member = dpytest.get_config().members[1]
    await dpytest.add_role(member, role)
    await bot.run_write(bot.library.club.setup, group, channel.id, role.id, False, None)
    answer = await say(f'!club schedule "{NODE}" "{SESSION}"', member=1)
    assert "Scheduled:" in answer[-1].content and len(edge.events) == 1


# -- reminders -------------------------------------------------------------------------------


async def reminders_in(thread_id: int) -> list[str]:
    return [m["content"] for m in dpytest.backend._cur_config.messages.get(thread_id, [])
            if "paperclub club reminder" in (m["content"] or "")]


async def test_reminders_come_the_day_and_the_hour_before_once_each_across_restarts(bot, edge, organiser, clock, group, sent):
    await schedule(bot, edge)
    thread_id = int(edge.threads[0]["id"])
    await tick(bot, clock, STARTS - timedelta(days=1, minutes=1))
    assert await reminders_in(thread_id) == []
    await tick(bot, clock, STARTS - timedelta(days=1))
    await restart(bot, clock)
    await tick(bot, clock, STARTS - timedelta(hours=23))
    assert len(await reminders_in(thread_id)) == 1
    assert (await reminders_in(thread_id))[0].startswith("Tomorrow, paper club: Thu 10 Dec 2026, 17:00 (Europe/Berlin)")
    await tick(bot, clock, STARTS - timedelta(hours=1))
    await restart(bot, clock)
    await tick(bot, clock, STARTS - timedelta(minutes=30))
    shown = await reminders_in(thread_id)
    assert len(shown) == 2 and shown[1].startswith("In an hour, paper club:")
    for payload in sent:
        assert mentions_allowed(payload)["parse"] == [] and not mentions_allowed(payload).get("roles")
        assert "<@" not in (payload.get("content") or "")


async def test_a_cancelled_session_gets_no_reminder(bot, edge, organiser, clock):
    await schedule(bot, edge)
    await say("!club cancel")
    await tick(bot, clock, STARTS - timedelta(hours=1))
    assert await reminders_in(int(edge.threads[0]["id"])) == []


async def test_a_crash_after_recording_a_reminder_posts_it_once_on_start_up(bot, edge, organiser, clock):
    await schedule(bot, edge)
    club = bot.library.club
    due = STARTS - timedelta(days=1)
    (reminder,) = await bot.run_blocking(club.reminders_due, due)
    assert await bot.run_write(club.prepare_reminder, reminder, due) is not None
    await restart(bot, clock)                      # crashed before sending
    await tick(bot, clock, due + timedelta(minutes=1))
    await tick(bot, clock, due + timedelta(minutes=2))
    assert len(await reminders_in(int(edge.threads[0]["id"]))) == 1
    assert (await bot.run_blocking(bot.library.store.reminder, reminder.session.id, "day"))["status"] == "sent"


async def test_a_crash_after_sending_a_reminder_but_before_marking_it_is_not_repeated(bot, edge, organiser, clock):
    await schedule(bot, edge)
    club = bot.library.club
    due = STARTS - timedelta(hours=1)
    (reminder,) = await bot.run_blocking(club.reminders_due, due)
    assert reminder.kind == "hour"                 # the day's never came: the bot was down then
    prepared = await bot.run_write(club.prepare_reminder, reminder, due)
    thread = bot.get_channel(reminder.session.thread_id)
    await thread.send(**reminder_message(prepared, None, False))   # sent, then the process died
    await restart(bot, clock)
    await tick(bot, clock, due + timedelta(minutes=1))
    assert len(await reminders_in(thread.id)) == 1
    assert (await bot.run_blocking(bot.library.store.reminder, reminder.session.id, "hour"))["status"] == "sent"
    assert (await bot.run_blocking(bot.library.store.reminder, reminder.session.id, "day"))["status"] == "skipped"


async def test_with_ping_a_reminder_mentions_the_club_role_and_nothing_else(bot, edge, organiser, clock, group, channel, sent):
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Paper club", guild)
    await bot.run_write(bot.library.club.setup, group, channel.id, role.id, True, "Europe/Berlin")
    await say(f'!club schedule "{NODE}" "{SESSION}" @everyone <@{organiser.id}>')
    await tick(bot, clock, STARTS - timedelta(hours=1))
    (text,) = await reminders_in(int(edge.threads[0]["id"]))
    assert text.startswith(f"<@&{role.id}> In an hour")
    assert "@everyone" not in text.replace("@\u200b", "") and f"<@{organiser.id}>" not in text
    reminder = [p for p in sent if "paperclub club reminder" in (p.get("content") or "")][0]
    allowed = mentions_allowed(reminder)
    assert allowed["parse"] == [] and allowed["roles"] == [role.id] and not allowed.get("replied_user")
    others = [p for p in sent if p is not reminder]
    assert others and all(mentions_allowed(p)["parse"] == [] and not mentions_allowed(p).get("roles") for p in others)


async def test_a_crash_after_posting_a_polls_winner_does_not_post_it_again(bot, clock, group, channel):
    from bot.club_loop import winner_message

    club = bot.library.club
    for ref in (NODE, "FFJORD"):
        await bot.run_write(club.propose, group, ref, "ada")
    ids = [p.paper.id for p in await bot.run_blocking(club.shortlist, group)]
    poll = await bot.run_write(club.open_poll, group, channel.id, 1, ids, NOW)
    decided = await bot.run_write(club.decide, poll.id, [0, 3])
    await channel.send(**winner_message(decided))     # posted, then the process died
    await restart(bot, clock)
    await tick(bot, clock, NOW + timedelta(minutes=5))
    winners = [m for m in await in_channel(channel) if "The paper club chose" in m.content]
    assert len(winners) == 1 and "FFJORD" in winners[0].content.replace("\\", "")
    assert (await bot.run_blocking(club.poll, poll.id)).state == "announced"
