"""Reading lists in and out: /import a reference manager's export as your likes, /export likes
as a file for one.

An import is the caller's own taste, so its answer goes only to them; so does an export of
their own likes. A server's export is posted in the channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from recommender import DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS, formats_in_words

from ..render.reading_lists import export_file, import_message, megabytes, too_large
from ..render.text import NO_MENTIONS, UPLOAD_LIMIT
from .hybrid import hybrid_command
from .replies import Context, acknowledged, group_of, heavy, reply, user_of

if TYPE_CHECKING:
    from ..client import PaperclubBot

MAX_IMPORT_BYTES = 5 * 1024 * 1024
if TYPE_CHECKING:
    FormatName = str
else:
    # The core's export formats, in its order: the slash command's choices and the text command's converter.
    FormatName = Literal[tuple(f.name for f in EXPORT_FORMATS)]


class ReadingLists(commands.Cog):
    """Your reading list in from Zotero, JabRef or Mendeley, and out again."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot

    @hybrid_command(name="import", extras=acknowledged(private=True))
    @heavy()
    async def import_(self, ctx: Context, file: discord.Attachment) -> None:
        """Import your reading list (BibTeX, RIS, CSL-JSON, Zotero CSV) as your likes.

        Parameters
        ----------
        file
            An export of your Zotero, JabRef or Mendeley library (at most 5 MB)
        """
        if file.size > MAX_IMPORT_BYTES:  # as Discord tells it: refused before downloading
            await reply(ctx, too_large(file.filename, file.size, MAX_IMPORT_BYTES), private=True)
            return
        data = await file.read()
        if len(data) > MAX_IMPORT_BYTES:
            await reply(ctx, too_large(file.filename, len(data), MAX_IMPORT_BYTES), private=True)
            return
        # parsed on a reader thread: only storing the entries holds the library's writer
        upload = await self.bot.lib.read_upload(file.filename, data)
        # written in short steps beside the writer thread: likes meanwhile wait a step, not the file
        report = await self.bot.lib.import_upload(user_of(ctx), upload, group_of(ctx))
        await reply(ctx, import_message(report), private=True)

    @hybrid_command(extras=acknowledged(private=lambda arguments: arguments["scope"] == "mine"))
    @heavy()
    @app_commands.describe(format=formats_in_words())
    async def export(self, ctx: Context, scope: Literal["mine", "server"] = "mine",
                     format: FormatName = DEFAULT_EXPORT_FORMAT) -> None:
        """Your likes (or this server's) as a file for Zotero, JabRef or Mendeley.

        Parameters
        ----------
        scope
            mine: the papers you liked (only you see the file); server: those liked here
        """
        private = scope == "mine"
        group = group_of(ctx)
        if scope == "server" and group is None:
            await reply(ctx, "There is no server here: use scope mine.", private=True)
            return
        if private:
            exported = await self.bot.lib.export(format, user=user_of(ctx))
            name, whose = "my-likes", "you liked"
        else:
            exported = await self.bot.lib.export(format, group=group)
            name, whose = "server-likes", "liked here"
        if not exported.papers:
            await reply(ctx, f"No papers {whose} yet: use /like, the Like buttons, or /import.", private=private)
            return
        size = len(exported.text.encode("utf-8"))
        if size > UPLOAD_LIMIT:
            await reply(ctx, f"That list is {megabytes(size)}, more than Discord takes; "
                             "`paperclub export` writes it on the bot's machine.", private=private)
            return
        content = f"{exported.papers} papers {whose}, as {format}."
        await self._send_file(ctx, content, export_file(exported, name), private)

    async def _send_file(self, ctx: Context, content: str, file: discord.File, private: bool) -> None:
        """A file in answer: ephemeral for a private slash command, a reply for a text one."""
        if ctx.interaction is None:
            reference = ctx.message.to_reference(fail_if_not_exists=False)
            await ctx.send(content, file=file, reference=reference, mention_author=False,
                           allowed_mentions=NO_MENTIONS)
            return
        await ctx.send(content, file=file, ephemeral=private, allowed_mentions=NO_MENTIONS)
