"""The bot's commands, one cog per area: finding papers, and likes with what they lead to."""

from .likes import Likes
from .papers import Papers

COGS = (Papers, Likes)

__all__ = ["COGS", "Likes", "Papers"]
