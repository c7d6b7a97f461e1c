"""The paper club in Discord: /club commands through dpytest, the club loop with a fake clock.

The bot, the database and the ranking are real. Discord is faked at its edges: dpytest for the
gateway and channel messages, `FakeDiscordAPI` for interaction answers, and `ClubEdge` below for
the REST calls dpytest lacks (scheduled events, threads), answering with payloads in Discord's
own format. A finished poll is Discord's message payload with its `results`, as
`GET /channels/{id}/messages/{id}` returns it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext import commands

from bot.render.papers import paper_card, search_cards
from bot.club_loop import ClubLoop, reminder_message
from bot.render.club import POLL_QUESTION
from bot.views import card_view, list_view
from bot.cogs.club import NOT_ORGANISER
from bot.worker import LibraryThreads
from recommender import CallKind

from tests.conftest import store_of

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
    await bot.lib.like("someone", FFJORD, group)
    shortlist = (await say("!club shortlist"))[0].embeds[0]
    assert shortlist.title == "Paper club shortlist: 2 papers"
    lines = shortlist.description.splitlines()
    assert NODE in lines[0] and "0 likes" in lines[0] and "FFJORD" in lines[1] and "1 like" in lines[1]
    refused = await say("!club withdraw FFJORD", refused=True)   # member 0 did not propose it
    assert "Only its proposer can withdraw" in refused[0].content
    again = await say(f"!club propose {NODE}", member=1, refused=True)
    assert "on the shortlist already (proposed by someone else)" in again[0].content
    assert "Withdrew" in (await say("!club withdraw FFJORD", member=1))[0].content
    left = await bot.lib.shortlist(group)
    assert [p.paper.title for p in left] == [NODE]
    for payload in sent:
        assert mentions_allowed(payload)["parse"] == []


async def test_the_propose_button_sits_beside_more_like_this_and_proposes(bot, api, group, channel):
    paper = await bot.lib.paper(NODE)
    view = card_view(paper)
    labels = [getattr(item, "item", item).label for item in view.children]
    assert labels[2:4] == ["More like this", "Propose for paper club"]
    member = dpytest.get_config().members[1]
    data = {"custom_id": f"paperclub:propose:{paper.id}", "component_type": 2}
    message = bot_message_payload(bot, channel, [paper_card(paper)], view)
    await deliver(bot, interaction_payload(3, data, member, channel, message))
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL and answer["content"].startswith("Proposed *Neural Ordinary")
    shortlist = await bot.lib.shortlist(group)
    assert [(p.paper.id, p.proposer) for p in shortlist] == [(paper.id, str(member.id))]


async def test_a_list_of_cards_keeps_its_links_and_proposes_from_a_menu(bot, api, group, channel):
    results = await bot.lib.search("neural", 5)
    # the seeds carry no links: give them arXiv ids, as a digest's papers have
    papers = [dataclasses.replace(r.paper, arxiv_id=f"2401.0000{n}") for n, r in enumerate(results, 1)]
    assert all(p.url for p in papers) and len(papers) == 5
    rows = list_view(papers).to_components()
    assert [[c["type"] for c in row["components"]] for row in rows] == [[2] * 5] * 3 + [[3], [2] * 5]
    menu = rows[3]["components"][0]
    assert menu["placeholder"] == "📚 Propose for paper club…"
    assert [o["label"] for o in menu["options"]][:2] == [f"1. {papers[0].title}"[:100], f"2. {papers[1].title}"[:100]]
    assert [c["label"] for c in rows[4]["components"]] == [f"arXiv {n}" for n in range(1, 6)]
    assert [c["url"] for c in rows[4]["components"]] == [p.url for p in papers]
    paged = list_view(papers, 6, paging=True).to_components()
    assert len(paged) == 4 and paged[3]["components"][0]["options"][0]["label"].startswith("6. ")

    member = dpytest.get_config().members[1]
    message = bot_message_payload(bot, channel, search_cards(results[:5]), list_view(papers))
    data = {"custom_id": menu["custom_id"], "component_type": 3, "values": [str(papers[2].id)]}
    await deliver(bot, interaction_payload(3, data, member, channel, message))
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL and answer["content"].startswith("Proposed *")
    shortlist = await bot.lib.shortlist(group)
    assert [(p.paper.id, p.proposer) for p in shortlist] == [(papers[2].id, str(member.id))]
    await deliver(bot, interaction_payload(3, data, member, channel, message))
    assert "on the shortlist already (proposed by you)" in api.answers()[-1]["content"]


async def test_a_search_with_more_pages_has_the_menu_above_its_page_buttons(bot, sent):
    await dpytest.message("!search cat:cs.LG", member=0)
    rows = sent[-1]["components"]
    assert len(rows) == 5 and rows[3]["components"][0]["type"] == 3
    assert [c["label"] for c in rows[4]["components"]] == ["Previous", "Next"]


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
    await bot.lib.like("a", "Invertible Residual Networks", group)
    answer = await say("!club poll 24 3")
    assert "The poll is up" in answer[-1].content
    polls = [p for p in sent if p.get("poll")]
    assert len(polls) == 1
    poll = polls[0]["poll"]
    assert poll["question"] == {"text": POLL_QUESTION} and poll["duration"] == 24
    assert [a["poll_media"]["text"] for a in poll["answers"]] == [
        NODE, "FFJORD: Free-form Continuous Dynamics for Scalable…", "Invertible Residual Networks"]
    assert all(len(a["poll_media"]["text"]) <= 55 for a in poll["answers"])
    assert mentions_allowed(polls[0])["parse"] == []
    again = await say("!club poll", refused=True)
    assert "A paper club poll is open already" in again[-1].content

    await restart(bot, clock)
    await tick(bot, clock, NOW + timedelta(hours=23))          # still open: Discord is not asked
    (open_poll,) = await bot.threads.run(CallKind.READ, store_of(bot.library).polls, ("open",))
    message = next(m for m in dpytest.backend._cur_config.messages[channel.id]
                   if int(m["id"]) == open_poll.message_id)
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


async def open_poll(bot, group: str, channel_id: int, paper_ids: list[int]):
    """A poll recorded and posted (as message 1), ending at NOW."""
    poll = await bot.lib.prepare_poll(group, channel_id, paper_ids, NOW)
    return await bot.lib.mark_poll_posted(poll.id, 1, NOW)


async def polls_in(channel) -> list[discord.Message]:
    return [m for m in await in_channel(channel)
            if any(line.startswith("-# paperclub club poll #") and not line.endswith("winner")
                   for line in m.content.splitlines())]


async def shortlisted(bot, group: str, *refs: str) -> list[int]:
    for ref in refs:
        await bot.lib.propose(group, ref, "ada")
    return [p.paper.id for p in await bot.lib.shortlist(group)]


async def test_a_crash_after_recording_a_poll_posts_it_once_on_start_up(bot, clock, group, channel, sent):
    ids = await shortlisted(bot, group, NODE, "FFJORD")
    poll = await bot.lib.prepare_poll(group, channel.id, ids, NOW + timedelta(hours=24))
    await restart(bot, clock)                      # crashed before posting it
    await tick(bot, clock, NOW + timedelta(hours=2))
    await tick(bot, clock, NOW + timedelta(hours=2, minutes=1))
    (posted,) = await polls_in(channel)
    assert posted.content.endswith(f"-# paperclub club poll #{poll.id}")
    (payload,) = [p for p in sent if p.get("poll")]
    assert payload["poll"]["duration"] == 22 and payload["allowed_mentions"]["parse"] == []
    assert [a["poll_media"]["text"] for a in payload["poll"]["answers"]] == [
        NODE, "FFJORD: Free-form Continuous Dynamics for Scalable…"]
    recorded = await bot.lib.poll(poll.id)
    assert (recorded.state, recorded.message_id) == ("open", posted.id)
    refused = await say("!club poll", refused=True)
    assert "A paper club poll is open already" in refused[-1].content


async def test_a_crash_after_posting_a_poll_but_before_recording_it_is_not_repeated(bot, clock, group, channel):
    from bot.club_loop import poll_message

    ids = await shortlisted(bot, group, NODE, "FFJORD")
    poll = await bot.lib.prepare_poll(group, channel.id, ids, NOW + timedelta(hours=24))
    await channel.send(**poll_message(poll, NOW))  # posted, then the process died
    await restart(bot, clock)
    await tick(bot, clock, NOW + timedelta(minutes=1))
    (posted,) = await polls_in(channel)
    recorded = await bot.lib.poll(poll.id)
    assert (recorded.state, recorded.message_id) == ("open", posted.id)
    stored = next(m for m in dpytest.backend._cur_config.messages[channel.id] if int(m["id"]) == posted.id)
    stored["poll"] = finished_poll(poll_message(poll, NOW)["poll"]._to_dict(), [1, 3])
    await tick(bot, clock, NOW + timedelta(hours=24, minutes=1))
    winners = [m for m in await in_channel(channel) if "The paper club chose" in m.content]
    assert len(winners) == 1 and "with 3 of 4 votes" in winners[0].content


async def test_a_round_while_the_command_posts_its_poll_does_not_post_it_too(bot, clock, group, channel, monkeypatch):
    await shortlisted(bot, group, NODE, "FFJORD")
    real_send = discord.abc.Messageable.send

    async def slow_send(target, *args, **kwargs):
        if kwargs.get("poll") is not None:
            await bot.club_loop.tick()             # the loop's minute comes while Discord is answering
        return await real_send(target, *args, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", slow_send)
    await say("!club poll")
    await bot.club_loop.tick()
    assert len(await polls_in(channel)) == 1
    assert [p.state for p in await bot.threads.run(CallKind.READ, store_of(bot.library).polls, ("posting", "open"))] == ["open"]


async def test_a_poll_the_bot_may_not_post_is_dropped_with_a_sentence(bot, api, clock, group, channel, monkeypatch):
    ids = await shortlisted(bot, group, NODE, "FFJORD")
    response = type("Response", (), {"status": 403, "reason": "Forbidden"})()

    async def forbidden(*args, **kwargs):
        raise discord.Forbidden(response, {"code": 50013, "message": "Missing Permissions"})

    monkeypatch.setattr(type(channel), "send", forbidden)
    await slash_club(bot, "poll", dpytest.get_config().members[1], channel)
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["content"].startswith(f"The poll could not be posted in channel {channel.id}: cannot post there (403")
    assert [p.state for p in await bot.threads.run(CallKind.READ, store_of(bot.library).polls, ("posting", "open", "dropped"))] == [
        "dropped"]
    assert len(ids) == 2 and messages() == [], "nothing was posted"


async def test_a_tie_on_votes_goes_to_the_most_liked_then_the_earlier_proposal(bot, group):
    for ref in (NODE, "FFJORD", "Invertible Residual Networks"):
        await bot.lib.propose(group, ref, "ada")
    ids = [p.paper.id for p in await bot.lib.shortlist(group)]
    await bot.lib.like("bob", "Invertible Residual Networks", group)
    poll = await open_poll(bot, group, 1, ids)
    decided = await bot.lib.decide_poll(poll.id, [3, 1, 3])
    assert decided.winner.title == "Invertible Residual Networks"
    poll = await open_poll(bot, group, 1, ids)
    assert (await bot.lib.decide_poll(poll.id, [1, 1, 0])).winner.title == NODE


# -- sessions --------------------------------------------------------------------------------


async def schedule(bot, edge, text: str = f'!club schedule "{NODE}" "{SESSION}"') -> list[discord.Message]:
    await bot.lib.set_up_club(str(dpytest.get_config().guilds[0].id), None, None, False,
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
    session = await bot.lib.next_session(group, NOW)
    assert (session.event_id, session.thread_id, session.starts) == (int(event["id"]), post.id, STARTS)
    nxt = (await say("!club next", member=1))[0]
    assert "Thu 10 Dec 2026, 17:00" in nxt.content and nxt.embeds[0].title == NODE


async def test_cancel_removes_the_event_and_history_lists_held_sessions(bot, edge, organiser, clock, group, channel):
    await schedule(bot, edge)
    event_id = next(iter(edge.events))
    assert "Cancelled the paper club session" in (await say("!club cancel"))[0].content
    assert edge.deleted == [event_id]
    assert await bot.lib.next_session(group, NOW) is None
    await say('!club schedule FFJORD "2026-12-03 17:00"')
    await tick(bot, clock, datetime(2026, 12, 3, 17, 5, tzinfo=timezone.utc))
    history = (await say("!club history"))[0].embeds[0]
    assert history.title == "Paper club: 1 session"
    assert "2026-12-03" in history.description and "FFJORD" in history.description
    assert "7 interested" in history.description


# -- who may do what -------------------------------------------------------------------------


async def slash_club(bot, sub: str, member, channel, roles: tuple[discord.Role, ...] = (), **options) -> None:
    """/club SUB from a member who has `roles` (an interaction names the member's roles)."""
    kinds = {str: 3, int: 4, bool: 5}
    data = {"id": str(snowflake()), "name": "club", "type": 1, "options": [{
        "name": sub, "type": 1,
        "options": [{"name": k, "type": kinds[type(v)], "value": v} for k, v in options.items()],
    }]}
    payload = interaction_payload(2, data, member, channel)
    payload["member"]["roles"] = [str(role.id) for role in roles]
    await deliver(bot, payload)


async def test_schedule_refuses_a_time_it_cannot_read_or_one_past_privately(bot, api, edge, organiser, channel, group):
    await bot.lib.set_up_club(group, None, None, False, "Europe/Berlin")
    refusals = {
        "next thursday": "“next thursday” is not a date and time: write it like 2026-12-10 17:00.",
        "2026-12-32 17:00": "“2026-12-32” is not a date: write it like 2026-12-10 17:00.",
        "2026-12-10 25:00": "'25:00' is not a time of day: hours go to 23 and minutes to 59.",
        "2026-11-30 17:00": "2026-11-30 17:00 is in the past; give a time to come.",
        "2027-03-28 02:30": "2027-03-28 02:30 does not exist in Europe/Berlin (the clocks skip it): give another time.",
    }
    for when, sentence in refusals.items():
        await slash_club(bot, "schedule", organiser, channel, roles=tuple(organiser.roles[1:]), paper=NODE, when=when)
        answers = [a for a in api.answers() if a.get("content")]
        assert answers[-1]["flags"] == EPHEMERAL and answers[-1]["content"] == sentence
    assert edge.events == {} and messages() == []
    assert await bot.lib.next_session(group, NOW) is None
    await slash_club(bot, "schedule", organiser, channel, roles=tuple(organiser.roles[1:]), paper=NODE,
                     when="2026-12-10 5pm")
    assert "Scheduled: Thu 10 Dec 2026, 17:00 (Europe/Berlin)" in api.answers()[-1]["content"]


async def test_scheduling_cancelling_and_setup_are_refused_privately_without_the_permission(bot, api, edge, channel, group):
    member = dpytest.get_config().members[1]
    await slash_club(bot, "schedule", member, channel, paper=NODE, when=SESSION)
    await slash_club(bot, "cancel", member, channel)
    answers = api.answers()
    assert len(answers) == 2
    for answer in answers:
        assert answer["flags"] == EPHEMERAL and answer["content"] == NOT_ORGANISER
    assert edge.events == {} and await bot.lib.next_session(group, NOW) is None
    refused = await say(f"!club setup {channel.mention}", member=1, refused=True)
    assert refused[0].content == NOT_ORGANISER


async def test_setup_takes_ping_yes_or_no_and_a_role_of_the_clubs_own(bot, organiser, channel, group):
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Paper club", guild)
    answer = await say(f"!club setup {channel.mention} {role.id} yes Europe/Berlin")
    assert answer[0].content == (f"The paper club posts in <#{channel.id}>, in Europe/Berlin time. Members with the "
                                 "Paper club role may run it; reminders mention the role.")
    settings = await bot.lib.club_settings(group)
    assert (settings.channel_id, settings.role_id, settings.ping) == (channel.id, role.id, True)
    refused = await say(f"!club setup {channel.mention} {guild.default_role.id} yes", refused=True)
    assert refused[0].content == "The club's role must be a role of its own, not the server's everyone role."
    refused = await say(f"!club setup {channel.mention} {role.id} maybe", refused=True)
    assert "'yes' or 'no'" in refused[0].content
    assert (await bot.lib.club_settings(group)).ping is True


async def test_the_club_role_may_schedule(bot, edge, channel, group):
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Paper club", guild)
    member = dpytest.get_config().members[1]
    await dpytest.add_role(member, role)
    await bot.lib.set_up_club(group, channel.id, role.id, False, None)
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
    due = STARTS - timedelta(days=1)
    (reminder,) = await bot.lib.reminders_due(due)
    assert await bot.lib.prepare_reminder(reminder, due) is not None
    await restart(bot, clock)                      # crashed before sending
    await tick(bot, clock, due + timedelta(minutes=1))
    await tick(bot, clock, due + timedelta(minutes=2))
    assert len(await reminders_in(int(edge.threads[0]["id"]))) == 1
    assert (await bot.threads.run(CallKind.READ, store_of(bot.library).reminder, reminder.session.id, "day")).status == "sent"


async def test_a_crash_after_sending_a_reminder_but_before_marking_it_is_not_repeated(bot, edge, organiser, clock):
    await schedule(bot, edge)
    due = STARTS - timedelta(hours=1)
    (reminder,) = await bot.lib.reminders_due(due)
    assert reminder.kind == "hour"                 # the day's never came: the bot was down then
    prepared = await bot.lib.prepare_reminder(reminder, due)
    thread = bot.get_channel(reminder.session.thread_id)
    await thread.send(**reminder_message(prepared, None, False))   # sent, then the process died
    await restart(bot, clock)
    await tick(bot, clock, due + timedelta(minutes=1))
    assert len(await reminders_in(thread.id)) == 1
    assert (await bot.threads.run(CallKind.READ, store_of(bot.library).reminder, reminder.session.id, "hour")).status == "sent"
    assert (await bot.threads.run(CallKind.READ, store_of(bot.library).reminder, reminder.session.id, "day")).status == "skipped"


async def test_with_ping_a_reminder_mentions_the_club_role_and_nothing_else(bot, edge, organiser, clock, group, channel, sent):
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Paper club", guild)
    await bot.lib.set_up_club(group, channel.id, role.id, True, "Europe/Berlin")
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

    for ref in (NODE, "FFJORD"):
        await bot.lib.propose(group, ref, "ada")
    ids = [p.paper.id for p in await bot.lib.shortlist(group)]
    poll = await open_poll(bot, group, channel.id, ids)
    decided = await bot.lib.decide_poll(poll.id, [0, 3])
    await channel.send(**winner_message(decided))     # posted, then the process died
    await restart(bot, clock)
    await tick(bot, clock, NOW + timedelta(minutes=5))
    winners = [m for m in await in_channel(channel) if "The paper club chose" in m.content]
    assert len(winners) == 1 and "FFJORD" in winners[0].content.replace("\\", "")
    assert (await bot.lib.poll(poll.id)).state == "announced"


# -- nothing pings ---------------------------------------------------------------------------

RAW_MENTION = re.compile(r"@(everyone|here)|<@[!&]?[0-9]")


async def test_with_ping_off_nothing_the_club_posts_mentions_anyone_whatever_the_paper_says(
        bot, edge, organiser, clock, group, channel, tmp_path, sent):
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Paper club", guild)
    title = f"@everyone <@&{role.id}> read <@{organiser.id}> now: hostile flows " + "and more words " * 10
    abstract = f"@here <@{organiser.id}> **loud** <@&{role.id}> " * 200
    listing = tmp_path / "hostile.csv"
    listing.write_text(f'id,title,abstract\n2401.00001,"{title}","{abstract}"\n', encoding="utf-8")
    await bot.lib.ingest([listing])
    hostile = await bot.lib.paper("2401.00001")
    await bot.lib.set_up_club(group, channel.id, role.id, False, "Europe/Berlin")

    await say(f"!club propose {hostile.id}", member=1)
    await say(f"!club propose {NODE}")
    await say("!club shortlist")
    await say("!club poll 24 2")
    (poll,) = await bot.threads.run(CallKind.READ, store_of(bot.library).polls, ("open",))
    stored = next(m for m in dpytest.backend._cur_config.messages[channel.id] if int(m["id"]) == poll.message_id)
    stored["poll"] = finished_poll(next(p for p in sent if p.get("poll"))["poll"], [3, 1])
    await tick(bot, clock, NOW + timedelta(hours=24, minutes=1))
    await say(f'!club schedule {hostile.id} "{SESSION}" {organiser.mention} @everyone <@{organiser.id}> room')
    await say("!club next")
    for moment in (STARTS - timedelta(days=1), STARTS - timedelta(hours=1), STARTS + timedelta(minutes=5)):
        await tick(bot, clock, moment)
    await say("!club history")

    assert len(await reminders_in(int(edge.threads[0]["id"]))) == 2
    assert any("The paper club chose" in (p.get("content") or "") for p in sent)
    assert len(sent) >= 12
    for payload in sent:
        allowed = payload["allowed_mentions"]
        assert allowed["parse"] == [] and not any(allowed.get(k) for k in ("roles", "users", "replied_user"))
        assert not RAW_MENTION.search(payload.get("content") or ""), payload["content"]
        for answer in (payload.get("poll") or {}).get("answers", []):
            assert not RAW_MENTION.search(answer["poll_media"]["text"]) and len(answer["poll_media"]["text"]) <= 55
    (event,) = edge.events.values()
    shown = [event["name"], event["description"], event["entity_metadata"]["location"], edge.threads[0]["name"]]
    assert not any(RAW_MENTION.search(text) for text in shown), shown
    assert len(event["name"]) <= 100 and len(event["description"]) <= 1000 and len(edge.threads[0]["name"]) <= 100
    assert event["description"].startswith("@\u200beveryone") and "https://arxiv.org/abs/2401.00001" in event["description"]
