"""What to tell a person about an error they can do something about: the core's, and
discord.py's about how a command was used."""

from __future__ import annotations

import math
from typing import Any

from discord.ext import commands

from recommender import (
    ClubError,
    FollowError,
    InterestNotFound,
    PaperNotFound,
    QueryError,
    SubscriptionError,
    database_problem,
)

from .text import message_text, single_line

NOT_HERE = "You cannot use that command here."


def error_text(error: BaseException) -> str | None:
    """What to tell a person about an error they can do something about, or None."""
    if isinstance(error, PaperNotFound):
        return message_text(_not_found_text(error), 1500)
    if isinstance(error, (QueryError, SubscriptionError, FollowError, InterestNotFound, ClubError)):
        return message_text(str(error), 1500)
    return database_problem(error)


def cooldown_text(retry_after: float) -> str:
    return f"Slow down a little: try again in {math.ceil(retry_after)} s."


def command_error_text(error: BaseException, prefix: str, command: commands.Command[Any, ..., Any] | None) -> str | None:
    """What to tell a person whose `command` failed with `error` (as discord.py raised it, or
    the command's own), or None for an error they can do nothing about. `prefix` is the text
    commands' (for the usage line)."""
    if isinstance(error, commands.CommandOnCooldown):
        return cooldown_text(error.retry_after)
    if isinstance(error, commands.NoPrivateMessage):
        return "That command works in a server, not in direct messages."
    if isinstance(error, commands.BadFlagArgument) and isinstance(error.original, commands.RangeError):
        error = commands.BadArgument(f"{error.flag.name} must be from {error.original.minimum} "
                                     f"to {error.original.maximum}.")
    if isinstance(error, commands.UserInputError):
        usage = ""
        if command is not None:
            usage = f" Usage: `{single_line(prefix)}{command.qualified_name} {command.signature}`".rstrip()
        return message_text(str(error), 1000) + usage
    if isinstance(error, commands.MissingPermissions):
        needed = " and ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"Only members with the {needed} permission can change that."
    if isinstance(error, commands.CheckFailure):
        return NOT_HERE
    return error_text(error)


def _not_found_text(error: PaperNotFound) -> str:
    """Why a reference found no paper; for an arXiv id or a DOI, how to bring the paper in."""
    if error.arxiv_id:
        return f"arXiv:{error.arxiv_id} is not in the library; /add {error.arxiv_id} brings it in from arXiv."
    if error.doi:
        return (f"No paper with the DOI {error.doi} is in the library; a reading list that lists it brings it in "
                "(/import).")
    return str(error)
