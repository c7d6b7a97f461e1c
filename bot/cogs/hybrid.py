"""discord.py's hybrid command decorators, typed for methods of a cog so that mypy can check them.

`commands.hybrid_command`, `commands.hybrid_group` and `HybridGroup.command` accept a callback
typed as a union of two `Concatenate` signatures (with or without the cog). mypy cannot infer
the type variables of such a union and rejects every decorated method ("expected def (Never,
Never, /, *Never, **Never)"), whichever mypy version. These wrappers take only the cog-method
form, so mypy infers the cog, the parameters and the result, and still rejects a callback that
does not take `(self, ctx, ...)`. At run time they are the discord.py decorators.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from discord.ext import commands
from discord.utils import MISSING

CogT = TypeVar("CogT", bound=commands.Cog)
P = ParamSpec("P")
T = TypeVar("T")

CogCallback = Callable[Concatenate[CogT, commands.Context[Any], P], Coroutine[Any, Any, T]]


def hybrid_command(
    name: str = MISSING, **attrs: Any
) -> Callable[[CogCallback[CogT, P, T]], commands.HybridCommand[CogT, P, T]]:
    """`commands.hybrid_command` for a cog method."""
    return commands.hybrid_command(name, **attrs)


def hybrid_group(
    name: str = MISSING, **attrs: Any
) -> Callable[[CogCallback[CogT, P, T]], commands.HybridGroup[CogT, P, T]]:
    """`commands.hybrid_group` for a cog method."""
    return commands.hybrid_group(name, **attrs)


def subcommand(
    group: commands.HybridGroup[Any, ..., Any], name: str = MISSING, **attrs: Any
) -> Callable[[CogCallback[CogT, P, T]], commands.HybridCommand[CogT, P, T]]:
    """`group.command(...)`: a cog method as a subcommand of a hybrid group."""
    return group.command(name, **attrs)
