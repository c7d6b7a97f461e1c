"""How each call of the facade runs: a read, a write, a network call or a bulk write.

The core declares it once, on the method (`@reads`, `@writes`, `@network`, `@bulk`); a front end
that runs calls on threads (the bot) asks `kind_of` instead of choosing for itself:

- **read**: reads the library (search, look-ups, rankings, previews) on a read connection of its
  own, beside the writer; it may warm an in-memory cache or the index file, never the database.
- **write**: changes the library in one short transaction (likes, subscriptions, a digest sent).
- **network**: waits on arXiv, then writes what it brought (a feed, papers by arXiv id).
- **bulk**: a long write made in short steps (an imported reading list, an ingest), so that the
  other writes take their turn between the steps.

A declaration changes nothing about the method: it is the same function, with the same
signature, carrying its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

KIND_ATTRIBUTE = "__paperclub_call__"


class CallKind(StrEnum):
    READ = "read"
    WRITE = "write"
    NETWORK = "network"
    BULK = "bulk"


def _declare(fn: Callable[P, T], kind: CallKind) -> Callable[P, T]:
    setattr(fn, KIND_ATTRIBUTE, kind)
    return fn


def reads(fn: Callable[P, T]) -> Callable[P, T]:
    """Declare a method that only reads the library."""
    return _declare(fn, CallKind.READ)


def writes(fn: Callable[P, T]) -> Callable[P, T]:
    """Declare a method that writes to the library in one short transaction."""
    return _declare(fn, CallKind.WRITE)


def network(fn: Callable[P, T]) -> Callable[P, T]:
    """Declare a method that waits on the network, then may write what it brought."""
    return _declare(fn, CallKind.NETWORK)


def bulk(fn: Callable[P, T]) -> Callable[P, T]:
    """Declare a long write made in short steps."""
    return _declare(fn, CallKind.BULK)


def kind_of(attribute: object) -> CallKind | None:
    """How a declared method (or a property whose getter is declared) runs; None when undeclared."""
    if isinstance(attribute, property):
        attribute = attribute.fget
    kind = getattr(attribute, KIND_ATTRIBUTE, None)
    return kind if isinstance(kind, CallKind) else None


def declared_calls(cls: type) -> dict[str, CallKind | None]:
    """Every public method and property of a class (its own and inherited), with its kind."""
    found: dict[str, CallKind | None] = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attribute = getattr(cls, name)
        if callable(attribute) or isinstance(attribute, property):
            found[name] = kind_of(attribute)
    return found
