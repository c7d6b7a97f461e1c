"""The bot's commands, one cog per area: finding papers, likes with what they lead to, and daily digests."""

from .digests import Digests
from .likes import Likes
from .papers import Papers

COGS = (Papers, Likes, Digests)

__all__ = ["COGS", "Digests", "Likes", "Papers"]
