"""The bot's nightly backup: every few minutes it asks the core whether a backup is due in the
backup folder (PAPERCLUB_BACKUP_DIR, else `backups/` beside the database): none was made since the
clock last struck PAPERCLUB_BACKUP_HOUR (3 by default) in the machine's local time zone (the `TZ`
environment variable, else the system's). So the backup is made in that hour of the night, and a
night missed while the bot was down is made up when it starts. It uses SQLite's online backup API
and keeps the PAPERCLUB_BACKUP_KEEP newest. A failure is logged and tried again at the next check:
a `tasks.loop` stops for good on an uncaught exception."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from discord.ext import tasks

if TYPE_CHECKING:
    from .client import PaperclubBot

log = logging.getLogger("paperclub.backup")

CHECK_MINUTES = 10.0
LocalClock = Callable[[], datetime]


def local_now() -> datetime:
    """The machine's local time, without a time zone, as the backups are named."""
    return datetime.now()


class NightlyBackup:
    """Keeps the rotating nightly backups of a running bot's database."""

    def __init__(self, bot: PaperclubBot, clock: LocalClock = local_now):
        self.bot = bot
        self.clock = clock
        self.loop = tasks.loop(minutes=CHECK_MINUTES)(self._run)

    def start(self) -> None:
        if not self.loop.is_running():
            self.loop.start()
            settings = self.bot.settings
            log.info("Nightly backups at %02d:00 local time in %s, keeping the %d newest",
                     settings.backup_hour, settings.backup_folder, settings.backup_keep)

    def stop(self) -> None:
        self.loop.cancel()

    async def _run(self) -> None:
        try:
            await self.once()
        except Exception:
            log.exception("The nightly backup failed; trying again in %d minutes", CHECK_MINUTES)

    async def once(self) -> None:
        """Make the nightly backup if one is due (on a reader thread: a backup only reads)."""
        settings = self.bot.settings
        made = await self.bot.lib.rotating_backup(settings.backup_folder, settings.backup_keep, self.clock(),
                                                  settings.backup_hour)
        if made is not None:
            log.info("Backed up the database to %s (keeping the %d newest)", made, settings.backup_keep)
