"""Follows: authors and phrases a person wants every new paper of, and how a paper matches them.

An author is matched by surname and given names, folded: case, accents and punctuation are
ignored, and an initial stands for any name it begins (`R. T. Q. Chen` is `Ricky T. Q. Chen`,
`Erdős` is `Erdos`, `Chen, Ricky` is `Ricky Chen`). A phrase is matched as whole words, in
order, in the title or the abstract, folded the same way; each word may take a plural ending
(`neural ODE` finds "Neural ODEs", not "neural odessa").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .kinds import FollowKind
from .merge import folded_words
from .papers import Follow, Paper
from .people import Person
from .text import visible

if TYPE_CHECKING:
    from .store import FollowRow, Store

KINDS = tuple(FollowKind)
MAX_TEXT = 200
MAX_FOLLOWS = 50
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_NAME_BREAK = re.compile(r"[\s.]+")
_HYPHENATED_INITIALS = re.compile(r"\.\s*-\s*")   # `T.-K.` is one name, `T-K`


class FollowError(ValueError):
    """A follow that cannot be kept; the message says what to write instead."""


@dataclass(frozen=True)
class Name:
    """A person's name folded for matching: given names (or initials), each as the parts a
    hyphen joins (`Ting-Kam` is `ting`, `kam`), and the surname."""

    given: tuple[tuple[str, ...], ...]
    surname: str

    @classmethod
    def parse(cls, text: str) -> Name | None:
        """A name as a person types it (`Ricky T. Q. Chen`, `Chen, Ricky`, `Maria La Rocca`)."""
        return cls.of(Person.from_text(_HYPHENATED_INITIALS.sub("-", text)))

    @classmethod
    def of(cls, person: Person) -> Name | None:
        """A paper's author: given names by their words, the family name (with its particle
        words, if it kept them) as one folded word."""
        family = person.literal or person.family
        given = [parts for chunk in _NAME_BREAK.split(_HYPHENATED_INITIALS.sub("-", person.given))
                 if (parts := tuple(folded_words(chunk)))]
        surname = "".join(folded_words(family))
        if not surname:
            return None
        return cls(tuple(given), surname)

    @property
    def key(self) -> str:
        return " ".join(["-".join(parts) for parts in self.given] + [self.surname])

    def matches(self, other: Name) -> bool:
        """Same surname, and given names that agree as far as both go, an initial agreeing
        with any name it begins: name by name (`T. L.` is `Ting-Kam Leonard`), or part by part
        when hyphens were left out (`T. K.` is `Ting-Kam`)."""
        if self.surname != other.surname:
            return False
        by_name = all(_agree(a, b) for a, b in zip(self.given, other.given))
        return by_name or _agree(tuple(p for n in self.given for p in n), tuple(p for n in other.given for p in n))


def _agree(ours: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Names (or their parts) agree in order, as far as the shorter list goes."""
    return all(a == b or (min(len(a), len(b)) == 1 and a[0] == b[0]) for a, b in zip(ours, theirs))


def key_of(kind: FollowKind, text: str) -> str:
    """What makes two follows the same: the folded words of the name or the phrase (control and
    format characters left out)."""
    text = visible(text)
    if kind == FollowKind.AUTHOR:
        name = Name.parse(text)
        if name is None:
            raise FollowError("Name the author to follow, such as `Ricky T. Q. Chen`.")
        return name.key
    words = folded_words(text)
    if not words:
        raise FollowError("Give a phrase with at least one word to follow, such as `neural ODE`.")
    return " ".join(words)


def check(kind: str, text: str) -> tuple[FollowKind, str, str]:
    """The follow's kind, its text tidied and its key; FollowError when it cannot be followed."""
    if kind not in KINDS:
        raise FollowError(f"A follow is of an author or a phrase, not {kind!r}.")
    text = " ".join(visible(text).split())
    if len(text) > MAX_TEXT:
        raise FollowError(f"A followed {kind} is at most {MAX_TEXT} characters long.")
    return FollowKind(kind), text, key_of(FollowKind(kind), text)


def same(kind: FollowKind, key: str, row: FollowRow) -> bool:
    """Whether a stored follow is the one a key names: the same words, or for an author the
    same person written with initials or in full (`R. T. Q. Chen` and `Ricky T. Q. Chen`)."""
    if row.kind != kind:
        return False
    if row.key == key:
        return True
    if kind != FollowKind.AUTHOR:
        return False
    ours, theirs = Name.parse(key), Name.parse(row.key)
    return ours is not None and theirs is not None and len(ours.given) == len(theirs.given) and ours.matches(theirs)


class FollowBook:
    """A person's follows, kept in the store."""

    def __init__(self, store: Store):
        self.store = store

    def follow(self, user: str, text: str, kind: str, group: str | None) -> tuple[Follow, bool]:
        followed, text, key = check(kind, text)
        mine = self.store.follows(user)
        kept = next((row for row in mine if same(followed, key, row) and row.grp == (group or "")), None)
        if kept is not None:
            return from_row(kept), False
        if len(mine) >= MAX_FOLLOWS:
            raise FollowError(f"You follow {MAX_FOLLOWS} authors and phrases already; unfollow one first.")
        self.store.add_follow(user, group, followed, text, key)
        stored = self.store.follows(user, group or "")
        return next(from_row(row) for row in stored if row.kind == followed and row.key == key), True

    def unfollow(self, user: str, text: str, kind: str | None) -> list[Follow]:
        removed = []
        for row in self.store.follows(user):
            if kind not in (None, row.kind):
                continue
            try:
                key = key_of(row.kind, text)
            except FollowError:
                continue
            if same(row.kind, key, row) and self.store.remove_follow(user, row.kind, row.key, row.grp):
                removed.append(from_row(row))
        return removed

    def follows(self, user: str) -> list[Follow]:
        return [from_row(row) for row in self.store.follows(user)]


def from_row(row: FollowRow) -> Follow:
    """A follow as the store keeps it (see `Store.follows`)."""
    return Follow(row.kind, row.text, row.grp or None, row.created)


class Matcher:
    """Finds which of some follows a paper matches, and says why in a few words."""

    def __init__(self, follows: Iterable[Follow]):
        self.authors: list[tuple[Follow, Name]] = []
        self.phrases: list[tuple[Follow, re.Pattern[str]]] = []
        for follow in follows:
            if follow.kind == FollowKind.AUTHOR:
                name = Name.parse(follow.text)
                if name is not None:
                    self.authors.append((follow, name))
            else:
                words = key_of(FollowKind.PHRASE, follow.text).split()
                pattern = " ".join(re.escape(word) + "(?:e?s)?" for word in words)
                self.phrases.append((follow, re.compile(f"(?<!\\S){pattern}(?!\\S)")))

    def __bool__(self) -> bool:
        return bool(self.authors or self.phrases)

    def matches(self, paper: Paper) -> list[Follow]:
        """The follows a paper matches, authors first."""
        found: list[Follow] = []
        if self.authors:
            names = [n for n in map(Name.of, paper.authors) if n is not None]
            found += [follow for follow, wanted in self.authors if any(wanted.matches(n) for n in names)]
        if self.phrases:
            text = " ".join(folded_words(paper.title + " " + paper.abstract))
            found += [follow for follow, phrase in self.phrases if phrase.search(text)]
        return found


def why(matched: Iterable[Follow]) -> str:
    """ "by *Ricky T. Q. Chen*, whom you follow" or "mentions “neural ODE”, which you follow". """
    authors = [f.text for f in matched if f.kind == FollowKind.AUTHOR]
    phrases = [f.text for f in matched if f.kind == FollowKind.PHRASE]
    parts = []
    if authors:
        parts.append(f"by {_listed(f'*{a}*' for a in authors)}, whom you follow")
    if phrases:
        parts.append(f"mentions {_listed(f'“{p}”' for p in phrases)}, which you follow")
    return "; ".join(parts)


def _listed(items: Iterable[str]) -> str:
    shown = list(items)
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
