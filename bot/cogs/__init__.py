"""The bot's commands, one cog per feature: finding papers, likes with what they lead to, reading
lists in and out, interests and follows, daily digests, papers from arXiv links, and the paper
club. What several cogs share lives in modules beside them (`replies`, `autocomplete`, `hybrid`)."""

from .arxiv_links import ArxivLinks
from .club import Club
from .digests import Digests
from .likes import Likes
from .papers import Papers
from .reading_lists import ReadingLists
from .taste import Taste

COGS = (Papers, Likes, Taste, ReadingLists, Digests, ArxivLinks, Club)

__all__ = ["COGS", "ArxivLinks", "Club", "Digests", "Likes", "Papers", "ReadingLists", "Taste"]
