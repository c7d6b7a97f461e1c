"""The bot's commands, one cog per area: finding papers, likes with what they lead to, reading
lists in and out, interests and follows, daily digests, and the paper club."""

from .club import Club
from .digests import Digests
from .likes import Likes
from .papers import Papers
from .reading_lists import ReadingLists
from .taste import Taste

COGS = (Papers, Likes, Taste, ReadingLists, Digests, Club)

__all__ = ["COGS", "Club", "Digests", "Likes", "Papers", "ReadingLists", "Taste"]
