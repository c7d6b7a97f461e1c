"""The bot's daily backup: once an hour it asks the core whether the newest backup in the backup
folder (PAPERCLUB_BACKUP_DIR, else `backups/` beside the database) is a day old, and if so makes
one with SQLite's online backup API, keeping the PAPERCLUB_BACKUP_KEEP newest. A failure is logged
and tried again an hour later: a `tasks.loop` stops for good on an uncaught exception."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from discord.ext import tasks

if TYPE_CHECKING:
    from .client import PaperclubBot

log = logging.getLogger("paperclub.backup")

CHECK_HOURS = 1.0


class DailyBackup:
    """Keeps the rotating backups of a running bot's database."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot
        self.loop = tasks.loop(hours=CHECK_HOURS)(self._run)

    def start(self) -> None:
        if not self.loop.is_running():
            self.loop.start()

    def stop(self) -> None:
        self.loop.cancel()

    async def _run(self) -> None:
        try:
            await self.once()
        except Exception:
            log.exception("The daily backup failed; trying again in an hour")

    async def once(self) -> None:
        """Make the daily backup if one is due (on a reader thread: a backup only reads)."""
        settings = self.bot.settings
        made = await self.bot.run_blocking(self.bot.library.rotating_backup, settings.backup_folder,
                                           settings.backup_keep, datetime.now())
        if made is not None:
            log.info("Backed up the database to %s (keeping the %d newest)", made, settings.backup_keep)
