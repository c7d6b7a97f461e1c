"""`paperclub run`: guidance instead of a crash when the bot cannot start, and the token never shown."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import discord
import pytest
from click.testing import CliRunner

from bot import client as bot_client
from bot.cli import cli
from bot.client import PERMISSIONS, SetupProblem, create_bot, run_bot, token_problem
from bot.config import Secret, Settings
from bot.render.help import HELP_ENTRIES
from recommender import MAX_DIGEST_SIZE, MAX_POLL

ROOT = Path(__file__).resolve().parents[1]
WELL_FORMED = "MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789_-"
GUIDANCE = (
    "Developer Portal", "New Application", "Reset Token", "Message Content", "slash commands",
    "Send Messages", "Embed Links", "Read Message History", "Use Application Commands",
    f"https://discord.com/api/oauth2/authorize?client_id=<APPLICATION_ID>&scope=bot+applications.commands&permissions={PERMISSIONS.value}",
)


def run_in(folder: Path, token: str | None, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    env = {"DISCORD_TOKEN": token, "PAPERCLUB_DB": str(folder / "bot.db")}
    result = CliRunner().invoke(cli, ["run"], env=env)
    return result.exit_code, result.output


def test_the_permissions_integer():
    assert PERMISSIONS.value == 2048 + 16384 + 65536 + 2**31 + 2**33 + 2**35 + 2**38


def test_without_a_token_the_real_command_explains_how_to_get_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode != 0
    assert "DISCORD_TOKEN is not set" in done.stderr
    for phrase in GUIDANCE:
        assert phrase in done.stderr
    assert not (tmp_path / "paperclub.db").exists(), "nothing was created"


@pytest.mark.parametrize(
    "token",
    [
        "not a token at all",
        "Bot " + WELL_FORMED,
        f'"{WELL_FORMED}"',
        WELL_FORMED.replace(".", ""),
        "abc.def.ghi",
        WELL_FORMED[:-1] + "!",
    ],
)
def test_a_malformed_token_is_refused_without_being_shown(token, tmp_path, monkeypatch):
    code, output = run_in(tmp_path, token, monkeypatch)
    assert code != 0
    assert "DISCORD_TOKEN" in output and "Reset Token" in output
    assert token not in output
    assert token.strip('"').removeprefix("Bot ") not in output


def test_token_shapes():
    assert token_problem(Secret(WELL_FORMED)) is None
    assert token_problem(Secret("")) == "DISCORD_TOKEN is not set."
    assert "spaces" in token_problem(Secret("abc def.ghi.jkl"))


def test_a_token_discord_refuses_gets_guidance_and_is_not_shown(tmp_path, monkeypatch, caplog):
    async def refuse(self, token):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    with caplog.at_level(logging.DEBUG):
        code, output = run_in(tmp_path, WELL_FORMED, monkeypatch)
    assert code != 0
    assert "Discord did not accept DISCORD_TOKEN" in output
    assert "Reset Token" in output
    assert WELL_FORMED not in output
    assert WELL_FORMED not in caplog.text


def test_without_the_message_content_intent_it_reconnects_with_slash_commands_only(tmp_path, monkeypatch, caplog):
    attempts: list[bool] = []

    async def start(self, token, *, reconnect=True):
        attempts.append(self.intents.message_content)
        if self.intents.message_content:
            raise discord.PrivilegedIntentsRequired(None)

    monkeypatch.setattr(bot_client.PaperclubBot, "start", start)
    run_bot(Settings(db_path=str(tmp_path / "bot.db"), token=Secret(WELL_FORMED)))
    assert attempts == [True, False]
    assert "Message Content intent is off" in caplog.text


def test_a_refused_token_raises_setup_problem(tmp_path, monkeypatch):
    async def start(self, token, *, reconnect=True):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(bot_client.PaperclubBot, "start", start)
    with pytest.raises(SetupProblem) as raised:
        run_bot(Settings(db_path=str(tmp_path / "bot.db"), token=Secret(WELL_FORMED)))
    assert WELL_FORMED not in str(raised.value)


class RecordingSync:
    def __init__(self, error: Exception | None = None):
        self.error = error
        self.guilds: list[discord.abc.Snowflake | None] = []

    async def __call__(self, *, guild=None):
        self.guilds.append(guild)
        if self.error:
            raise self.error
        return []


async def test_commands_sync_to_one_server_for_testing(tmp_path):
    bot = create_bot(Settings(db_path=str(tmp_path / "bot.db"), guild_id=1234), sync_commands=True)
    sync = RecordingSync()
    bot.tree.sync = sync
    await bot._async_setup_hook()
    await bot.setup_hook()
    try:
        assert [g.id for g in sync.guilds] == [1234]
        names = {c.name for c in bot.tree.get_commands(guild=discord.Object(id=1234))}
        assert {"search", "random", "similar", "paper", "help", "like", "unlike", "dislike", "likes", "recommend", "trending", "More like this"} <= names
    finally:
        await bot.threads.stop()


async def test_commands_sync_globally_and_a_refusal_is_logged(tmp_path, caplog):
    bot = create_bot(Settings(db_path=str(tmp_path / "bot.db")), sync_commands=True)

    class Response:
        status, reason = 403, "Forbidden"

    sync = RecordingSync(discord.Forbidden(Response(), "Missing Access"))
    bot.tree.sync = sync
    await bot._async_setup_hook()
    await bot.setup_hook()
    try:
        assert sync.guilds == [None]
        assert "applications.commands" in caplog.text
    finally:
        await bot.threads.stop()


def discord_refusals(item: dict, parent: str = "") -> list[str]:
    """What Discord would refuse in an application command's payload (`item`, or one of its
    options): names of 1-32 lowercase word characters and descriptions of 1-100 characters
    (a context-menu command has a free name and no description), at most 25 options and 25
    choices, each named in 1-100 characters."""
    where = f"{parent}/{item['name']}"
    context_menu = not parent and item.get("type", 1) != 1
    found = []
    if not context_menu:
        if not re.fullmatch(r"[-_\w]{1,32}", item["name"]) or item["name"] != item["name"].lower():
            found.append(f"{where}: name")
        if not 1 <= len(item.get("description", "")) <= 100:
            found.append(f"{where}: a description of {len(item.get('description', ''))} characters")
    options, choices = item.get("options", []), item.get("choices", [])
    if len(options) > 25 or len(choices) > 25 or any(not 1 <= len(c["name"]) <= 100 for c in choices):
        found.append(f"{where}: options or choices")
    for option in options:
        found += discord_refusals(option, where)
    return found


async def test_every_command_fits_what_discord_takes(tmp_path):
    """A single description over 100 characters makes Discord refuse the whole sync."""
    bot = create_bot(Settings(db_path=str(tmp_path / "bot.db")), sync_commands=False)
    await bot._async_setup_hook()
    await bot.setup_hook()
    try:
        payloads = [command.to_dict(bot.tree) for command in bot.tree.get_commands()]
        assert len(payloads) > 20 and "club" in {p["name"] for p in payloads}
        assert [problem for payload in payloads for problem in discord_refusals(payload)] == []
    finally:
        await bot.threads.stop()


def stated_ranges(item: dict, parent: str = "") -> dict[str, tuple[str, object, object]]:
    """Every option of a payload whose description states a range, "(1 to 10)": by its path,
    the range stated and the one the option takes."""
    where = f"{parent}/{item['name']}"
    found = {}
    stated = re.search(r"\(([0-9.]+) to ([0-9.]+)\)", item.get("description", ""))
    if parent and stated:
        found[where] = (f"{stated[1]} to {stated[2]}", item.get("min_value"), item.get("max_value"))
    for option in item.get("options", []):
        found.update(stated_ranges(option, where))
    return found


async def test_a_range_an_option_states_is_the_one_it_takes(tmp_path):
    """The slash help of a ranged option (its docstring line, "How many papers (1 to 10)")
    says the range the option takes, which comes from the core's rules (MAX_DIGEST_SIZE,
    MAX_POLL); the help card's "(1–10)" for /recommend says the same."""
    bot = create_bot(Settings(db_path=str(tmp_path / "bot.db")), sync_commands=False)
    await bot._async_setup_hook()
    await bot.setup_hook()
    try:
        ranges: dict[str, tuple[str, object, object]] = {}
        for command in bot.tree.get_commands():
            ranges.update(stated_ranges(command.to_dict(bot.tree)))
    finally:
        await bot.threads.stop()
    assert {"/digest/subscribe/size", "/digest/me/size", "/digest/preview/size", "/club/poll/size",
            "/club/suggest/count", "/recommend/count", "/digest/subscribe/min_score"} <= set(ranges)
    wrong = {where: found for where, found in ranges.items()
             if None in found or found[0] != f"{found[1]:g} to {found[2]:g}"}
    assert wrong == {}
    assert ranges["/digest/subscribe/size"][2] == MAX_DIGEST_SIZE and ranges["/club/poll/size"][2] == MAX_POLL
    _, least, most = ranges["/recommend/count"]
    [entry] = [e for e in HELP_ENTRIES if e.usage.startswith("recommend ")]
    assert f"({least}–{most})" in entry.text


async def test_tests_never_sync(tmp_path):
    bot = create_bot(Settings(db_path=str(tmp_path / "bot.db")), sync_commands=False)
    sync = RecordingSync()
    bot.tree.sync = sync
    await bot._async_setup_hook()
    await bot.setup_hook()
    await bot.threads.stop()
    assert sync.guilds == []
