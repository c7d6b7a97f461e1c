"""Which slash commands the bot acknowledges at once ("thinking…"), and whether only to the
person, driven through the interaction payloads Discord's gateway delivers (Discord's HTTP API
faked by `FakeDiscordAPI`, arXiv an address where nothing listens)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest_asyncio

from recommender import ArxivClient
from tests.arxiv_server import fake_gate  # noqa: F401
from tests.test_bot_harness import (  # noqa: F401
    FakeDiscordAPI,
    api,
    bot_db,
    deliver,
    interaction_payload,
    snowflake,
    start_bot,
    stop_bot,
)

EPHEMERAL = 64
DEFERRED, MESSAGE = 5, 4
OFFLINE = "http://127.0.0.1:9"
KINDS = {str: 3, int: 4, bool: 5, float: 10}

# (command, options, whether the first answer is a deferral, whether it is private)
DEFER, ANSWER = "defer", "answer"
ANYONE = [
    ("search", {"query": "neural ode"}, DEFER, False),
    ("random", {}, DEFER, False),
    ("similar", {"paper": "FFJORD"}, DEFER, False),
    ("paper", {"paper": "FFJORD"}, DEFER, False),
    ("help", {}, ANSWER, True),
    ("like", {"paper": "FFJORD"}, DEFER, True),
    ("dislike", {"paper": "FFJORD"}, DEFER, True),
    ("unlike", {"paper": "FFJORD"}, DEFER, True),
    ("likes", {}, DEFER, True),
    ("likes", {"share": True}, DEFER, False),
    ("recommend", {"count": 3}, DEFER, True),
    ("recommend", {"count": 3, "share": True}, DEFER, False),
    ("trending", {}, DEFER, False),
    ("taste", {}, DEFER, True),
    ("follow", {"phrase": "neural ODE"}, DEFER, True),
    ("follow", {}, DEFER, True),  # the usage, privately: see below
    ("unfollow", {"followed": "neural ODE"}, DEFER, True),
    ("follows", {}, ANSWER, True),
    ("export", {}, DEFER, True),
    ("export", {"scope": "server"}, DEFER, False),
    ("add", {"papers": "2310.13548"}, DEFER, False),
    ("add", {"papers": "a paper about transformers"}, ANSWER, True),  # refused before: see below
    ("digest show", {}, ANSWER, True),
    ("digest preview", {}, DEFER, True),
    ("digest me", {}, ANSWER, True),
    ("digest links", {}, ANSWER, True),
    ("club propose", {"paper": "FFJORD"}, DEFER, False),
    ("club shortlist", {}, ANSWER, False),
    ("club withdraw", {"paper": "FFJORD"}, DEFER, True),
    ("club suggest", {}, DEFER, False),
    ("club poll", {}, DEFER, True),
    ("club next", {}, ANSWER, False),
    ("club history", {}, ANSWER, False),
    # refused by a check before anything starts
    ("club schedule", {"paper": "FFJORD", "when": "2026-12-10 17:00"}, ANSWER, True),
    ("club cancel", {}, ANSWER, True),
    ("digest subscribe", {"categories": "cs.LG"}, ANSWER, True),
]
MANAGERS = [
    ("digest subscribe", {"categories": "cs.LG"}, DEFER, False),
    ("digest subscribe", {"categories": "cs.LG", "only_relevant": True, "min_score": 0.5}, ANSWER, True),
    ("digest unsubscribe", {}, ANSWER, False),
    ("club schedule", {"paper": "FFJORD", "when": "next thursday"}, DEFER, True),
    ("club cancel", {}, DEFER, False),
]


@pytest_asyncio.fixture
async def bot(bot_db, fake_gate):  # noqa: F811
    client = ArxivClient(OFFLINE + "/rss/", OFFLINE + "/api/query", gate=fake_gate, retries=0)
    running = await start_bot(bot_db, arxiv=client)
    yield running
    await stop_bot(running)


def command_data(command: str, options: dict[str, Any]) -> dict[str, Any]:
    """The data of a slash command (`"digest preview"` is the subcommand of a group)."""
    given = [{"name": k, "type": KINDS[type(v)], "value": v} for k, v in options.items()]
    name, _, sub = command.partition(" ")
    if sub:
        given = [{"name": sub, "type": 1, "options": given}]
    return {"id": str(snowflake()), "name": name, "type": 1, "options": given}


async def first_answer(bot, api: FakeDiscordAPI, command: str, options: dict[str, Any],  # noqa: F811
                       member: discord.Member, roles: tuple[discord.Role, ...] = (),
                       permissions: discord.Permissions | None = None) -> tuple[str, bool]:
    """How the bot first answered a slash command: a deferral or a message, private or not."""
    api.calls.clear()
    payload = interaction_payload(2, command_data(command, options), member, dpytest.get_config().channels[0])
    payload["member"]["roles"] = [str(role.id) for role in roles]
    if permissions is not None:
        payload["member"]["permissions"] = str(permissions.value)
    await deliver(bot, payload)
    kind, body = api.calls[0]
    assert kind == "response", f"/{command} was not answered at once: {api.calls}"
    assert body is not None
    flags = body.get("data", {}).get("flags", 0)
    return (DEFER if body["type"] == DEFERRED else ANSWER), flags == EPHEMERAL


async def test_which_commands_are_acknowledged_at_once_and_to_whom(bot, api):  # noqa: F811
    member = dpytest.get_config().members[1]
    found = [(c, o, *await first_answer(bot, api, c, o, member)) for c, o, _, _ in ANYONE]
    assert found == ANYONE


async def test_which_commands_are_acknowledged_for_those_who_may_run_them(bot, api):  # noqa: F811
    config = dpytest.get_config()
    allowed = discord.Permissions.text()
    allowed.manage_channels = allowed.manage_events = True
    role = dpytest.backend.make_role("Organisers", config.guilds[0], permissions=allowed.value)
    member = config.members[0]
    await dpytest.add_role(member, role)
    found = [(c, o, *await first_answer(bot, api, c, o, member, (role,), allowed)) for c, o, _, _ in MANAGERS]
    assert found == MANAGERS


async def test_input_refused_before_the_acknowledgement_is_answered_privately_at_once(bot, api):  # noqa: F811
    """/add and /digest subscribe check their input before they are acknowledged: the private
    sentence is the first and only answer, with no public "thinking…" before it."""
    config = dpytest.get_config()
    allowed = discord.Permissions.text()
    allowed.manage_channels = True
    role = dpytest.backend.make_role("Managers", config.guilds[0], permissions=allowed.value)
    member = config.members[0]
    await dpytest.add_role(member, role)
    refused = {
        ("add", (("papers", "a paper about transformers"),)):
            "Give arXiv ids or links, such as `2310.13548` or `https://arxiv.org/abs/2310.13548`.",
        ("digest subscribe", (("categories", "cs.LG"), ("only_relevant", True), ("min_score", 0.5))):
            "Give only\\_relevant or min\\_score, not both (only relevant is a min\\_score of 0.07).",
    }
    for (command, options), sentence in refused.items():
        await first_answer(bot, api, command, dict(options), member, (role,), allowed)
        assert [kind for kind, _ in api.calls] == ["response"]
        answer = api.calls[-1][1]
        assert answer is not None and answer["data"]["flags"] == EPHEMERAL and answer["data"]["content"] == sentence


async def test_text_commands_need_no_acknowledgement(bot):  # noqa: F811
    channel = dpytest.get_config().channels[0]
    await dpytest.message("!like FFJORD", channel=channel, member=1)
    assert dpytest.get_message().content.startswith("Liked *FFJORD")
    await dpytest.message("!likes", channel=channel, member=1)
    assert "liked 1 paper" in dpytest.get_message().embeds[0].title
    await dpytest.message("!search neural ode", channel=channel, member=1)
    assert dpytest.get_message().content.startswith("Results 1")


async def test_an_acknowledgement_discord_refuses_reaches_the_error_handler(bot, api, caplog, monkeypatch):  # noqa: F811
    """An interaction that expired before the bot could defer it fails like any command: logged
    by the bot's error handler, and the command never starts."""
    expired = discord.NotFound(SimpleNamespace(status=404, reason="Not Found"),
                               {"code": 10062, "message": "Unknown interaction"})

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise expired

    monkeypatch.setattr(api, "create_interaction_response", refuse)
    member = dpytest.get_config().members[1]
    payload = interaction_payload(2, command_data("like", {"paper": "FFJORD"}), member, dpytest.get_config().channels[0])
    with caplog.at_level(logging.ERROR):
        await deliver(bot, payload)
    failed = [r for r in caplog.records if r.getMessage().startswith("Command like failed")]
    assert len(failed) == 1 and failed[0].exc_info is not None and failed[0].exc_info[1] is expired
    assert await bot.lib.likes(str(member.id)) == []
