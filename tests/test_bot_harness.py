"""What the bot tests share (this module holds no tests of its own).

The bot runs for real on a private copy of the seeded database; only Discord is faked: dpytest
stands in for the gateway and the REST API behind channel messages, and `FakeDiscordAPI` for
the API behind interactions (it records every answer the bot gives).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.webhook.async_ import async_context

from bot.render.text import NO_MENTIONS
from bot.client import PaperclubBot, create_bot
from bot.config import Settings

APPLICATION_ID = 987654321098765432
_ids = itertools.count(1)


def snowflake() -> int:
    """A fresh, realistic-looking Discord id."""
    return (int(datetime.now(timezone.utc).timestamp() * 1000) - 1420070400000) << 22 | next(_ids)


def copy_database(seeded_db: Path, folder: Path) -> Path:
    """A private copy of the seeded database and its saved index."""
    path = folder / "paperclub.db"
    shutil.copy(seeded_db, path)
    index = seeded_db.with_name(seeded_db.name + ".index")
    if index.exists():
        shutil.copy(index, path.with_name(path.name + ".index"))
    return path


async def start_bot(db_path: Path, settings: Settings | None = None, **options) -> PaperclubBot:
    """Build and set up the bot as `paperclub run` would, but against dpytest (the digest loop
    is left to the test to drive, unless `post_digests=True`)."""
    settings = settings or Settings(db_path=str(db_path))
    options.setdefault("post_digests", False)
    bot = create_bot(settings, sync_commands=False, **options)
    await bot._async_setup_hook()
    # dpytest's members live only in the member cache, which the bot (asking for no privileged
    # intents) would not keep: let the fake gateway deliver members.
    bot._connection._intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(bot._connection._intents)
    dpytest.configure(bot, members=2)
    # dpytest swaps in a ConnectionState of its own that knows neither the command tree nor the
    # bot's options; give it what the real one gets from the bot and from logging in.
    bot._connection._command_tree = bot.tree
    bot._connection.allowed_mentions = NO_MENTIONS
    bot._connection.application_id = APPLICATION_ID
    await bot.setup_hook()
    return bot


async def stop_bot(bot: PaperclubBot) -> None:
    await dpytest.empty_queue()
    bot.ws = None  # dpytest's stand-in socket cannot be closed; there is no connection to end
    await bot.close()


@pytest.fixture
def bot_db(seeded_db: Path, tmp_path: Path) -> Path:
    return copy_database(seeded_db, tmp_path)


@pytest_asyncio.fixture
async def bot(bot_db: Path):
    running = await start_bot(bot_db)
    yield running
    await stop_bot(running)


@pytest.fixture
def sent(monkeypatch) -> list[dict[str, Any]]:
    """The payload of every message the bot sends to a channel or edits (what Discord would
    receive)."""
    payloads: list[dict[str, Any]] = []
    real = discord.http.handle_message_parameters

    def recording(*args: Any, **kwargs: Any):
        params = real(*args, **kwargs)
        payloads.append(params.payload or {})
        return params

    monkeypatch.setattr(discord.abc, "handle_message_parameters", recording)
    monkeypatch.setattr(discord.message, "handle_message_parameters", recording)
    return payloads


def messages() -> list[discord.Message]:
    """Every message the bot sent since the last call, oldest first."""
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


def all_embeds(found: list[discord.Message]) -> list[discord.Embed]:
    return [e for m in found for e in m.embeds]


def titles(embeds: list[discord.Embed]) -> list[str]:
    return [e.title or "" for e in embeds]


# -- interactions ------------------------------------------------------------------------------


class FakeDiscordAPI:
    """Discord's interaction endpoints, recording what the bot answers."""

    def __init__(self, bot: discord.Client):
        self.bot = bot
        self.calls: list[tuple[str, dict[str, Any] | None]] = []

    def _message(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        payload = payload or {}
        user = self.bot.user
        return {
            "id": str(snowflake()), "channel_id": str(snowflake()),
            "author": {"id": str(user.id), "username": user.name, "discriminator": "0001", "avatar": None, "bot": True},
            "content": payload.get("content") or "", "embeds": payload.get("embeds", []),
            "components": payload.get("components", []), "attachments": [],
            "timestamp": datetime.now(timezone.utc).isoformat(), "edited_timestamp": None,
            "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "pinned": False, "type": 0, "flags": payload.get("flags", 0),
        }

    async def create_interaction_response(self, interaction_id: int, token: str, *, params, **_: Any) -> dict[str, Any]:
        self.calls.append(("response", params.payload))
        return {"interaction": {"id": str(interaction_id), "type": 2}}

    async def execute_webhook(self, webhook_id: int, token: str, *, payload=None, wait: bool = False, **_: Any):
        self.calls.append(("followup", payload))
        return self._message(payload) if wait else None

    async def get_original_interaction_response(self, application_id: int, token: str, **_: Any) -> dict[str, Any]:
        return self._message(None)

    async def edit_original_interaction_response(self, application_id: int, token: str, *, payload=None, **_: Any):
        self.calls.append(("edit", payload))
        return self._message(payload)

    async def edit_webhook_message(self, webhook_id: int, token: str, message_id: int, *, payload=None, **_: Any):
        self.calls.append(("edit", payload))
        return self._message(payload)

    async def delete_original_interaction_response(self, application_id: int, token: str, **_: Any) -> None:
        self.calls.append(("delete", None))

    def answers(self) -> list[dict[str, Any]]:
        """The message bodies the person was shown (responses, follow-ups and edits)."""
        found = []
        for kind, payload in self.calls:
            if payload is None:
                continue
            body = payload.get("data", payload) if kind == "response" else payload
            if body:
                found.append(body)
        return found

    def texts(self) -> str:
        return "\n".join((a.get("content") or "") for a in self.answers())


@pytest.fixture
def api(bot: PaperclubBot) -> FakeDiscordAPI:
    fake = FakeDiscordAPI(bot)
    token = async_context.set(fake)
    yield fake
    async_context.reset(token)


def member_payload(member: discord.Member) -> dict[str, Any]:
    return {
        "user": {"id": str(member.id), "username": member.name, "discriminator": "0001", "avatar": None},
        "roles": [], "joined_at": datetime.now(timezone.utc).isoformat(), "deaf": False, "mute": False,
        "flags": 0, "permissions": str(discord.Permissions.text().value),
    }


def interaction_payload(
    kind: int, data: dict[str, Any], member: discord.Member, channel: discord.abc.GuildChannel,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload as the gateway delivers it."""
    payload: dict[str, Any] = {
        "id": str(snowflake()), "application_id": str(APPLICATION_ID), "type": kind, "data": data,
        "token": "interaction-token", "version": 1, "attachment_size_limit": 8 * 1024 * 1024,
        "guild_id": str(channel.guild.id), "channel": {"id": str(channel.id), "type": 0},
        "channel_id": str(channel.id), "member": member_payload(member),
        "app_permissions": str(discord.Permissions.text().value), "locale": "en-US",
        "guild_locale": "en-US", "entitlements": [], "authorizing_integration_owners": {}, "context": 0,
    }
    if message is not None:
        payload["message"] = message
    return payload


def bot_message_payload(bot: discord.Client, channel: discord.abc.GuildChannel, embeds: list[discord.Embed], view: discord.ui.View | None) -> dict[str, Any]:
    """A message the bot posted earlier, as Discord sends it back inside an interaction."""
    user = bot.user
    return {
        "id": str(snowflake()), "channel_id": str(channel.id), "guild_id": str(channel.guild.id),
        "author": {"id": str(user.id), "username": user.name, "discriminator": "0001", "avatar": None, "bot": True},
        "content": "", "embeds": [e.to_dict() for e in embeds],
        "components": view.to_components() if view is not None else [], "attachments": [],
        "timestamp": datetime.now(timezone.utc).isoformat(), "edited_timestamp": None,
        "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
        "pinned": False, "type": 0, "flags": 0,
    }


async def deliver(bot: discord.Client, payload: dict[str, Any]) -> None:
    """Hand an interaction to the bot as the gateway would, and wait until it has answered."""
    bot._connection.parse_interaction_create(payload)
    await settle()


async def settle() -> None:
    """Wait for the tasks discord.py started for interactions (commands, buttons)."""
    for _ in range(50):
        current = asyncio.current_task()
        pending = [
            t for t in asyncio.all_tasks()
            if t is not current and not t.done() and t.get_name().startswith(("CommandTree", "discord-ui"))
        ]
        if not pending:
            return
        await asyncio.gather(*pending, return_exceptions=True)
