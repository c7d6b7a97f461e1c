"""People's names with their structure, as CSL-JSON keeps them.

A name is a family name, given names, a particle ("van", "de la", "El"), a suffix ("Jr.",
"III"), or else a literal: a corporate name that is never split ("Fredensborg Kommune"). Each
format's reader fills the parts it knows (BibTeX's `von Last, Jr, First`, RIS's `Last, First,
Suffix`, CSL's `family`/`given`, arXiv's `authors_parsed`); a name known only as text ("Ricky T.
Q. Chen", "Chen, Ricky T. Q.") is split by `Person.from_text`, which also recognises particles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Particles written in lower case between the given and the family name.
_PARTICLES = frozenset((
    "van", "von", "der", "den", "de", "del", "della", "delle", "degli", "dei", "di", "da", "das",
    "do", "dos", "du", "des", "la", "le", "les", "lo", "ten", "ter", "te", "zu", "zum", "zur",
    "af", "av", "y", "e", "bin", "ibn", "al", "el", "st.", "mac", "'t",
))
# Particles that, capitalised, open a family name ("La Rocca", "Van Sandt", "El Abbadi").
_CAPITAL_PARTICLES = frozenset((
    "La", "Le", "Lo", "De", "Del", "Della", "Di", "Da", "Du", "Des", "Van", "Von", "Ver", "Ten",
    "Ter", "El", "Al", "Abu", "Ibn", "Dos", "Das", "St.",
))
_SUFFIXES = frozenset(("jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "2nd", "3rd"))
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Person:
    """One author or editor. Either `literal` is set (a corporate name, kept whole) or the parts."""

    family: str = ""
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def display(self) -> str:
        """As a card shows it: "Given particle Family Suffix", or the literal."""
        if self.literal:
            return self.literal
        return " ".join(part for part in (self.given, self.particle, self.family, self.suffix) if part)

    @property
    def surname(self) -> str:
        """The family name (a corporate name's whole text): what cite keys, follows and merging
        compare."""
        return self.literal or self.family

    @property
    def inverted(self) -> str:
        """"particle Family, Given" (with ", Suffix" between them in BibTeX's order is the
        writer's business): RIS, CSV and sorting write names this way."""
        if self.literal:
            return self.literal
        last = " ".join(part for part in (self.particle, self.family) if part)
        parts = [last] + [part for part in (self.given, self.suffix) if part]
        return ", ".join(parts)

    def __bool__(self) -> bool:
        return bool(self.literal or self.family or self.given)

    def to_dict(self) -> dict[str, str]:
        """Only the parts that are set, under their own names."""
        return {name: value for name, value in (
            ("family", self.family), ("given", self.given), ("particle", self.particle),
            ("suffix", self.suffix), ("literal", self.literal),
        ) if value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | str) -> Person:
        """A stored name: a dict of parts, or (written by older paperclubs) a plain string."""
        if isinstance(data, str):
            return cls.from_text(data)
        return cls(**{key: str(data.get(key) or "") for key in ("family", "given", "particle", "suffix", "literal")})

    @classmethod
    def from_parts(cls, family: str = "", given: str = "", particle: str = "", suffix: str = "") -> Person:
        """A name from parts that a format keeps apart, tidied; a family name alone whose first
        words are lower-case particles gives them up (`van der Waals`)."""
        family, given, particle, suffix = (_tidy(p) for p in (family, given, particle, suffix))
        if family and not particle:
            words = family.split(" ")
            lead = 0
            while lead < len(words) - 1 and words[lead] in _PARTICLES:
                lead += 1
            particle, family = " ".join(words[:lead]), " ".join(words[lead:])
        if not family and given:
            family, given = given, ""
        return cls(family=family, given=given, particle=particle, suffix=suffix)

    @classmethod
    def literal_of(cls, text: str) -> Person:
        return cls(literal=_tidy(text))

    @classmethod
    def from_text(cls, text: str) -> Person:
        """A name known only as text, split best-effort: `Last, First`, `Last, Jr., First`,
        `Last, First, Jr.` or `First von Last Jr.`; lower-case particles and capitalised ones
        that open a family name ("La Rocca", "Van Sandt") are recognised."""
        text = _tidy(text)
        if not text:
            return cls()
        if "," in text:
            parts = [_tidy(p) for p in text.split(",")]
            if len(parts) == 2 and parts[1] and parts[1].lower() not in _SUFFIXES:
                return cls.from_parts(parts[0], parts[1])
            if len(parts) == 3 and parts[1].lower() in _SUFFIXES:
                return cls.from_parts(parts[0], parts[2], suffix=parts[1])
            if len(parts) == 3 and parts[2].lower() in _SUFFIXES:
                return cls.from_parts(parts[0], parts[1], suffix=parts[2])
            if len(parts) == 2 and parts[1].lower() in _SUFFIXES:
                found = cls.from_text(parts[0])
                return cls(found.family, found.given, found.particle, parts[1], found.literal)
            return cls.literal_of(text)
        words = text.split(" ")
        suffix = words.pop() if len(words) > 2 and words[-1].lower() in _SUFFIXES else ""
        if len(words) == 1:
            return cls(family=words[0], suffix=suffix)
        start = len(words) - 1
        while start > 1 and words[start - 1] in _PARTICLES:
            start -= 1
        if start == len(words) - 1 and start > 1 and words[start - 1] in _CAPITAL_PARTICLES:
            return cls(family=" ".join(words[-2:]), given=" ".join(words[:-2]), suffix=suffix)
        return cls(family=words[-1], given=" ".join(words[:start]),
                   particle=" ".join(words[start:-1]), suffix=suffix)


def _tidy(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip(" ,;")


def displayed(people: Iterable[Person]) -> list[str]:
    """The names as cards show them."""
    return [person.display for person in people]
