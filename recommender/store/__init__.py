"""The only SQL in paperclub: the SQLite file, its schema and migrations, and every query,
answered in typed rows.

`Store` is composed of one class per thing kept, each holding its own tables' statements on the
shared connections of `connection.StoreBase` (one writer, a reader per thread, transactions and
the undo journal of a file written in steps):

- `papers`: papers, their sources, sketches, categories and full-text rows, arXiv look-ups;
- `signals`: likes and "not for me", muted likes, deliveries, each group's learned blend;
- `digests`: subscriptions, feed fetches and announcements, digests, link-card channels;
- `follows`: the authors and phrases people follow;
- `club`: the paper club's settings, shortlist, sessions, polls and reminders.

The schema's versions are in `schema`, how a paper's fields become columns in `columns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .club import ClubSettingsRow, ClubStore, PollRow, ProposalRow, ReminderRow, SessionRow
from .connection import BUSY_SECONDS, WRITE_STEP_SECONDS, UndoStep, database_problem
from .digests import DigestRow, DigestStore, FeedFetchRow, SubscriptionRow
from .follows import FollowRow, FollowStore
from .papers import (
    COMMON_SKETCH_KEY,
    KEPT_SKETCH_KEYS,
    PAPER_UNDO,
    SNIPPET_END,
    SNIPPET_START,
    IndexRow,
    PaperStore,
    SearchHit,
    StatsRow,
    TitleRow,
)
from .schema import FTS_AUTOMERGE, FTS_HASH_BYTES, MIGRATIONS, SCHEMA_VERSION, SchemaTooNew
from .signals import SIGNAL_UNDO, FavouriteRow, GroupBlendRow, GroupSignalRow, SignalRow, SignalStore


class Store(PaperStore, SignalStore, DigestStore, FollowStore, ClubStore):
    """The library's SQLite file; safe to share between threads (see `connection`)."""

    undo_steps: ClassVar[Mapping[str, UndoStep]] = {**PAPER_UNDO, **SIGNAL_UNDO}


__all__ = [
    "BUSY_SECONDS",
    "COMMON_SKETCH_KEY",
    "FTS_AUTOMERGE",
    "FTS_HASH_BYTES",
    "KEPT_SKETCH_KEYS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SNIPPET_END",
    "SNIPPET_START",
    "WRITE_STEP_SECONDS",
    "ClubSettingsRow",
    "DigestRow",
    "FavouriteRow",
    "FeedFetchRow",
    "FollowRow",
    "GroupBlendRow",
    "GroupSignalRow",
    "IndexRow",
    "PollRow",
    "ProposalRow",
    "ReminderRow",
    "SchemaTooNew",
    "SearchHit",
    "SessionRow",
    "SignalRow",
    "StatsRow",
    "Store",
    "SubscriptionRow",
    "TitleRow",
    "database_problem",
]
