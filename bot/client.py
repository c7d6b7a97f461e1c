"""The Discord bot: `PaperclubBot`, the `create_bot` factory, error answers, and running it.

The bot owns `LibraryThreads` (readers, one writer, network, bulk) and reaches the library only
through `bot.lib`, its `AsyncLibrary`: `await bot.lib.like(user, ref, group)` runs each call on the
threads the core declares for it (see `worker`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from recommender import ArxivClient, Library, database_problem

from .cogs import COGS
from .cogs.replies import Context, Refusal, acknowledge, reply
from .config import Secret, Settings
from .render.errors import NOT_HERE, command_error_text, cooldown_text
from .render.text import NO_MENTIONS
from .enrichment import Enrichment
from .backups import NightlyBackup
from .club_loop import ClubLoop
from .scheduler import Clock, DigestScheduler, utc_now
from .views import DYNAMIC_ITEMS, FAILURE, SearchPager, answer_error, send_private
from .worker import AsyncLibrary, LibraryThreads

log = logging.getLogger(__name__)

PERMISSIONS = discord.Permissions(
    send_messages=True, embed_links=True, read_message_history=True, use_application_commands=True,
    # the paper club: its sessions' events, and a thread for each paper
    manage_events=True, create_public_threads=True, send_messages_in_threads=True,
)
INVITE_URL = "https://discord.com/api/oauth2/authorize?client_id={application}&scope=bot+applications.commands&permissions={permissions}"
# Three base64url parts joined by dots; lenient about their lengths, strict about everything else.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
WRAPPERS = (commands.CommandInvokeError, commands.HybridCommandError, app_commands.CommandInvokeError)


def invite_url(application_id: int | str = "<APPLICATION_ID>") -> str:
    """The link that adds the bot to a server with the scopes and permissions it needs."""
    return INVITE_URL.format(application=application_id, permissions=PERMISSIONS.value)


def unwrap(error: BaseException) -> BaseException:
    """The exception a command raised, out of discord.py's wrappers."""
    while isinstance(error, WRAPPERS) and getattr(error, "original", None) is not None:
        error = error.original
    return error


class PaperclubBot(commands.Bot):
    """The reading-list bot: hybrid commands in cogs, persistent buttons, library threads."""

    def __init__(
        self,
        settings: Settings,
        library: Library | None = None,
        *,
        sync_commands: bool = True,
        message_content: bool = True,
        post_digests: bool = True,
        arxiv: ArxivClient | None = None,
        clock: Clock = utc_now,
        keep_backups: bool = False,
    ):
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.prefix),
            intents=intents,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            case_insensitive=True,
            strip_after_prefix=True,
        )
        self.before_invoke(acknowledge)
        self.settings = settings
        self.sync_commands = sync_commands
        self.threads = LibraryThreads(settings.db_path, library)
        self._lib = AsyncLibrary(self.threads)
        self.pager = SearchPager(self)
        self.post_digests = post_digests
        self.arxiv = arxiv or ArxivClient(settings.arxiv_rss_url, settings.arxiv_api_url, **settings.arxiv_options())
        self.scheduler = DigestScheduler(self, self.arxiv, clock)
        self.club_loop = ClubLoop(self, clock)
        self.enrichment = Enrichment(lambda: self.library, self.arxiv)
        self.keep_backups = keep_backups
        self.backups = NightlyBackup(self)

    @property
    def lib(self) -> AsyncLibrary:
        """The Library's declared calls as coroutines, each run on the threads it declares."""
        if self._lib.threads is not self.threads:  # the threads were replaced (tests restart them)
            self._lib = AsyncLibrary(self.threads)
        return self._lib

    @property
    def library(self) -> Library:
        """The Library itself, for the arXiv matcher's own thread; commands use `lib`."""
        return self.threads.library

    async def setup_hook(self) -> None:
        await self.threads.start()
        for cog in COGS:
            await self.add_cog(cog(self))
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        self.tree.error(self.on_app_command_error)
        if self.sync_commands:
            await self.sync_app_commands()
        if self.post_digests:
            self.scheduler.start()
            self.club_loop.start()
        if self.settings.enrich:
            self.enrichment.start()
        if self.keep_backups:
            self.backups.start()

    async def sync_app_commands(self) -> None:
        """Publish the slash and message commands: to one server (instant) or globally."""
        try:
            if self.settings.guild_id:
                guild = discord.Object(id=self.settings.guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("Synced %d commands to server %s", len(synced), self.settings.guild_id)
            else:
                synced = await self.tree.sync()
                log.info("Synced %d global commands (Discord may take up to an hour to show changes)", len(synced))
        except discord.Forbidden:
            log.error(
                "Discord refused the slash commands: invite the bot with the applications.commands scope "
                "(%s); text commands still work.", invite_url(self.application_id or "<APPLICATION_ID>"),
            )
        except discord.HTTPException as exc:
            log.error("Could not sync slash commands (%s %s); text commands still work.", exc.status, exc.text)

    async def on_ready(self) -> None:
        log.info(
            "Connected as %s in %d server(s); invite link: %s",
            self.user, len(self.guilds), invite_url(self.application_id or "<APPLICATION_ID>"),
        )
        self.enrichment.poke()

    async def close(self) -> None:
        self.scheduler.stop()
        self.club_loop.stop()
        self.backups.stop()
        await asyncio.to_thread(self.enrichment.stop)
        await self.pager.close()
        await super().close()
        await self.threads.stop()
        self.arxiv.close()

    # -- errors ------------------------------------------------------------------------------

    def _command_error_text(self, ctx: Context, error: BaseException) -> str | None:
        if isinstance(error, Refusal):
            return str(error)   # a check's own sentence
        return command_error_text(error, self.settings.prefix, ctx.command)

    async def on_command_error(self, ctx: commands.Context[Any], error: commands.CommandError) -> None:
        """Answer the person whose command failed: plainly when they can fix it, else briefly
        (with the traceback in the log)."""
        original = unwrap(error)
        if isinstance(original, (commands.CommandNotFound, commands.DisabledCommand)):
            return
        text = self._command_error_text(ctx, original)
        if database_problem(original):
            log.error("%s (%s)", database_problem(original), original)
        if text is None:
            name = ctx.command.qualified_name if ctx.command else "?"
            log.error("Command %s failed for user %s", name, ctx.author.id, exc_info=original)
            text = FAILURE
        try:
            await reply(ctx, text, private=True)
        except discord.HTTPException:
            log.warning("Could not tell user %s about a failed command", ctx.author.id, exc_info=True)

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """The same for slash-only and message commands (hybrid ones go through on_command_error)."""
        original = unwrap(error)
        if isinstance(original, app_commands.CommandOnCooldown):
            await send_private(interaction, cooldown_text(original.retry_after))
            return
        if isinstance(original, app_commands.CheckFailure):
            await send_private(interaction, NOT_HERE)
            return
        command = interaction.command.name if interaction.command else "an application command"
        await answer_error(interaction, original, command)


def create_bot(
    settings: Settings,
    library: Library | None = None,
    *,
    sync_commands: bool = True,
    message_content: bool = True,
    post_digests: bool = True,
    arxiv: ArxivClient | None = None,
    clock: Clock = utc_now,
    keep_backups: bool = False,
) -> PaperclubBot:
    """A bot ready to start (nothing connects until `start`). Tests pass `sync_commands=False`
    (then `setup_hook` never talks to Discord) and `post_digests=False` to drive the digest
    scheduler themselves; `paperclub run` passes `keep_backups=True` for the nightly backup."""
    return PaperclubBot(settings, library, sync_commands=sync_commands, message_content=message_content,
                        post_digests=post_digests, arxiv=arxiv, clock=clock, keep_backups=keep_backups)


# -- running -------------------------------------------------------------------------------


# The gateway's close code for a token it does not accept.
AUTHENTICATION_FAILED = 4004


class SetupProblem(Exception):
    """The bot cannot run as configured; the message says what to do."""


def token_problem(token: Secret) -> str | None:
    """What is wrong with the configured token, never quoting it; None when it looks right."""
    value = token.reveal()
    if not value:
        return "DISCORD_TOKEN is not set."
    if value.lower().startswith("bot "):
        return 'DISCORD_TOKEN should hold the token alone, without "Bot " in front of it.'
    if any(ch.isspace() or ch in "'\"" for ch in value):
        return "DISCORD_TOKEN contains spaces or quotes: paste the token alone."
    if not TOKEN_SHAPE.fullmatch(value):
        return "DISCORD_TOKEN does not look like a bot token (three parts of letters, digits, - and _ joined by dots)."
    return None


def setup_guide(problem: str, prefix: str = "!") -> str:
    """How to get a working bot, after saying what is wrong now."""
    return f"""{problem}

paperclub run needs a Discord bot token. To get one:

  1. Open the Discord Developer Portal, https://discord.com/developers/applications,
     choose New Application and give it a name.
  2. Under Bot, press Reset Token and copy the token. Put it in .env as DISCORD_TOKEN=...
     (see .env.example) or in the environment. Keep it secret; paperclub never prints it.
  3. Intents: slash commands need no privileged intent. For text commands such as
     {prefix}search, also turn on Bot > Privileged Gateway Intents > Message Content.
     The bot works without it: slash commands (and text commands that begin by
     mentioning the bot) still work.
  4. Invite the bot to your server with the scopes bot and applications.commands and
     the permissions Send Messages, Embed Links, Read Message History,
     Use Application Commands, and for the paper club Manage Events, Create Public
     Threads and Send Messages in Threads (permissions integer {PERMISSIONS.value}):

       {invite_url()}

     where <APPLICATION_ID> is on the application's General Information page.
  5. Optional: PAPERCLUB_GUILD_ID=<your server id> shows the slash commands in that server
     at once while you try things out (global commands can take up to an hour).
"""


async def _serve(settings: Settings, message_content: bool) -> None:
    bot = create_bot(settings, message_content=message_content, keep_backups=True)
    async with bot:
        await bot.start(settings.token.reveal())


def run_bot(settings: Settings) -> None:
    """Connect to Discord and serve until stopped.

    Without the Message Content intent enabled in the Developer Portal, starts again without it
    (slash commands work). Raises SetupProblem when Discord refuses the token or cannot be
    reached at start-up.
    """
    # paperclub uses no voice: no warnings that PyNaCl and davey are missing
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    message_content = True
    while True:
        try:
            asyncio.run(_serve(settings, message_content))
            return
        except discord.PrivilegedIntentsRequired:
            if not message_content:
                raise SetupProblem(
                    "Discord refused the connection for a privileged intent paperclub does not ask for."
                ) from None
            log.warning(
                "The Message Content intent is off for this bot in the Developer Portal, so text "
                "commands (%ssearch …) only work when they begin by mentioning the bot. Slash "
                "commands work. Turn it on under Bot > Privileged Gateway Intents. Reconnecting without it.",
                settings.prefix,
            )
            message_content = False
        except discord.LoginFailure:
            raise SetupProblem(
                setup_guide(
                    "Discord did not accept DISCORD_TOKEN: it may have been reset, or copied incompletely.",
                    settings.prefix,
                )
            ) from None
        except discord.ConnectionClosed as exc:
            if exc.code != AUTHENTICATION_FAILED:
                raise
            raise SetupProblem(
                setup_guide(f"Discord refused the token ({AUTHENTICATION_FAILED}: authentication failed): it may "
                            "have been reset, or belong to another application.", settings.prefix)
            ) from None
        except discord.DiscordServerError as exc:
            raise SetupProblem(
                f"Discord answered {exc.status} ({exc.response.reason or 'server error'}) when paperclub logged in: "
                "the trouble is on Discord's side (see https://discordstatus.com). Start paperclub again later."
            ) from None
        except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as exc:
            raise SetupProblem(discord_unreachable(exc)) from None


def discord_unreachable(exc: BaseException) -> str:
    """One sentence for a start-up that cannot reach Discord: what failed and what to check."""
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, socket.gaierror):
        what = f"the name {exc.host} could not be resolved"
    elif isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, ConnectionRefusedError):
        what = f"{exc.host}:{exc.port} refused the connection"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        what = f"{exc.host}:{exc.port}: {exc.os_error.strerror or exc.os_error}"
    elif isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        what = "no answer in time"
    elif isinstance(exc, discord.GatewayNotFound):
        what = "its gateway did not answer"
    else:
        what = type(exc).__name__
    return (f"Discord cannot be reached from this machine ({what}): check the network connection, DNS, "
            f"and any firewall or proxy between this machine and discord.com, then start paperclub again.")
