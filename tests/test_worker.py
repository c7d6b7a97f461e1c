"""The bot's library threads: background work yields to the people the bot answers."""

from __future__ import annotations

from bot.worker import LibraryThreads
from recommender import Library
from recommender.processes import BACKGROUND_NICENESS, background_niceness


async def test_background_work_runs_lower_while_the_bot_answers_people(tmp_path):
    with Library(tmp_path / "x.db") as library:
        threads = LibraryThreads(str(tmp_path / "x.db"), library)
        assert background_niceness() == 0
        await threads.start()
        try:
            assert background_niceness() == BACKGROUND_NICENESS
        finally:
            await threads.stop()
        assert background_niceness() == 0
