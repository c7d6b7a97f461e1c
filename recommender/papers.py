"""Plain data types shared by every layer: papers, parsed records, and paper references."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .kinds import FollowKind, SignalKind
from .people import Person
from .worktypes import Kind
from .worktypes import guess as guess_kind

ARXIV_ABS_URL = "https://arxiv.org/abs/{}"
DOI_URL = "https://doi.org/{}"


@dataclass(frozen=True)
class SourceRef:
    """Where a record was read: the file (as given to ingest), its 1-based line, and the format."""

    path: str
    line: int
    format: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Rejection:
    """A record a parser could not read; `line` is 1-based."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


Source = SourceRef
"""One place a stored paper was seen: the same shape as where a record was read."""


class Precision(StrEnum):
    """How much of a date is known: `published` holds the first day of the month or year."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


def stored(codec: str, **kwargs: Any) -> Any:
    """A field kept in a column of the `papers` table under its own name, written and read by
    the store's codec of that name (`text`, `int`, `bool`, `maybe_bool`, `date`, `json`,
    `people`, `kind`, `precision`)."""
    return field(metadata={"codec": codec}, **kwargs)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
CITATION_FIELDS = ("volume", "issue", "pages", "publisher", "place", "edition", "isbn")
"""The text fields a citation gives beside the venue (the container: journal or book title)."""


@dataclass(kw_only=True)
class Work:
    """What any source may say of a paper; every field is stored (its `codec` says how)."""

    title: str = stored("text", default="")
    abstract: str = stored("text", default="")
    authors: list[Person] = stored("people", default_factory=list)
    authors_truncated: bool = stored("bool", default=False)
    organisations: list[str] = stored("json", default_factory=list)
    categories: list[str] = stored("json", default_factory=list)
    published: date | None = stored("date", default=None)
    date_precision: Precision = stored("precision", default=Precision.DAY)
    arxiv_id: str | None = stored("text", default=None)
    version: int | None = stored("int", default=None)
    has_code: bool | None = stored("maybe_bool", default=None)
    lang: str = stored("text", default="en")
    doi: str | None = stored("text", default=None)  # as given; matched by merge's key
    kind: Kind | None = stored("kind", default=None)  # None: the source named none
    venue: str | None = stored("text", default=None)  # the container: journal, proceedings, book
    volume: str | None = stored("text", default=None)
    issue: str | None = stored("text", default=None)
    pages: str | None = stored("text", default=None)
    publisher: str | None = stored("text", default=None)  # also a thesis's school, a report's institution
    place: str | None = stored("text", default=None)
    editors: list[Person] = stored("people", default_factory=list)
    edition: str | None = stored("text", default=None)
    isbn: str | None = stored("text", default=None)
    cite_key: str | None = stored("text", default=None)  # the key the first reference manager gave it

    def __post_init__(self) -> None:
        """Names given as plain text (`Ricky T. Q. Chen`, `Chen, Ricky`) are split into their
        parts by `Person.from_text`."""
        for name in ("authors", "editors"):
            people = getattr(self, name)
            if any(isinstance(person, str) for person in people):
                setattr(self, name, [Person.from_text(p) if isinstance(p, str) else p for p in people])

    @property
    def work_kind(self) -> Kind:
        """The kind, or when no source named one, what the venue and arXiv id suggest."""
        return self.kind or guess_kind(self.venue, self.arxiv_id)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None

    @property
    def date_approx(self) -> bool:
        """Whether the date is known only to the month or year."""
        return self.published is not None and self.date_precision != Precision.DAY

    @property
    def details(self) -> str:
        """The citation fields beside the venue on one line, as a reference list gives them:
        `vol. 521, no. 7553, pp. 436–444, Nature Publishing Group, London, 2nd ed., ISBN …`."""
        bits = [f"vol. {self.volume}" if self.volume else "", f"no. {self.issue}" if self.issue else "",
                (f"pp. {self.pages}" if "–" in self.pages else f"p. {self.pages}") if self.pages else "",
                ", ".join(part for part in (self.publisher, self.place) if part),
                f"{self.edition} ed." if self.edition else "", f"ISBN {self.isbn}" if self.isbn else ""]
        return ", ".join(bit for bit in bits if bit)

    @property
    def date_label(self) -> str | None:
        """The date as a person reads it, as far as it is known: `1958`, `June 1958`,
        `1958-06-19`."""
        day = self.published
        if day is None:
            return None
        if self.date_precision == Precision.YEAR:
            return str(day.year)
        if self.date_precision == Precision.MONTH:
            return f"{_MONTHS[day.month - 1]} {day.year}"
        return day.isoformat()

    @property
    def date_text(self) -> str | None:
        """The date as far as it is known: `1958`, `1958-06` or `1958-06-19`."""
        day = self.published
        if day is None:
            return None
        if self.date_precision == Precision.YEAR:
            return f"{day.year:04d}"
        if self.date_precision == Precision.MONTH:
            return f"{day.year:04d}-{day.month:02d}"
        return day.isoformat()


@dataclass(kw_only=True)
class Record(Work):
    """One paper as a single source describes it, before merging with other sources (an empty
    title: the source gave none)."""

    source: SourceRef


@functools.cache
def stored_fields() -> tuple[tuple[str, str], ...]:
    """(name, codec) of every stored field of a paper, in declaration order: the columns of the
    `papers` table that the store writes and reads."""
    return tuple((f.name, f.metadata["codec"]) for f in dataclasses.fields(Fields) if "codec" in f.metadata)


@dataclass(kw_only=True)
class Fields(Work):
    """The stored fields of a paper (what `merge.combine` reads and writes): a work whose title
    may have been derived from its abstract."""

    title_derived: bool = stored("bool", default=False)


@dataclass(kw_only=True)
class Paper(Fields):
    """A paper in the library, merged from every source that mentioned it."""

    id: int
    sources: list[Source] = field(default_factory=list)
    added: str | None = None

    @property
    def url(self) -> str | None:
        """Where the paper opens: its arXiv page, else its DOI's resolver, else nowhere."""
        if self.arxiv_id:
            return ARXIV_ABS_URL.format(self.arxiv_id)
        return DOI_URL.format(self.doi) if self.doi else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the paper: `authors` as cards show them, `names` with their
        parts (CSL-JSON's: family, given, particle, suffix, literal)."""
        return {
            "id": self.id,
            "title": self.title,
            "title_derived": self.title_derived,
            "type": self.work_kind.value,
            "authors": [person.display for person in self.authors],
            "names": [person.to_dict() for person in self.authors],
            "authors_truncated": self.authors_truncated,
            "editors": [person.to_dict() for person in self.editors],
            "organisations": list(self.organisations),
            "abstract": self.abstract,
            "categories": list(self.categories),
            "published": self.published.isoformat() if self.published else None,
            "date_precision": self.date_precision.value if self.published else None,
            "date_approx": self.date_approx,
            "date": self.date_text,
            "arxiv_id": self.arxiv_id,
            "doi": self.doi,
            "venue": self.venue,
            **{name: getattr(self, name) for name in CITATION_FIELDS},
            "cite_key": self.cite_key,
            "url": self.url,
            "lang": self.lang,
            "has_code": self.has_code,
            "sources": [f"{s.path}:{s.line}" for s in self.sources],
        }


class PaperNotFound(LookupError):
    """A reference that names no paper, or more than one; carries the closest titles."""

    def __init__(self, ref: str, suggestions: list[str], ambiguous: bool = False, message: str | None = None,
                 doi: str | None = None):
        self.ref = ref
        self.suggestions = suggestions
        self.ambiguous = ambiguous
        self.doi = doi  # the DOI the reference named, when it named one
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        head = f"'{shown}' matches several papers" if ambiguous else f"No paper matches '{shown}'"
        if suggestions:
            listed = "; ".join(suggestions)
            head += f". Did you mean: {listed}"
        super().__init__(message or head)

    @property
    def arxiv_id(self) -> str | None:
        """The arXiv paper the reference named, when it named one and found none: a front end
        says how to bring it in rather than listing unrelated titles."""
        return None if self.ambiguous else parse_arxiv_ref(self.ref)


# The emphasis of a reason ("shares *gaussian* with *Title*"): Markdown, as Discord shows it.
EMPHASIS = re.compile(r"\*([^*\n]+)\*")
NEW_ARXIV_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v(\d+))?(?![\d])")
OLD_ARXIV_ID = re.compile(r"(?<![\w.-])([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?(?!\d)")
ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE)
ARXIV_LINK = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?",
    re.IGNORECASE,
)


def split_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """The arXiv id (without version) and version in an id or arXiv URL, or None.

    Accepts `2310.13548`, `2310.13548v2`, `arXiv:2310.13548`, `hep-th/9901001`,
    and `https://arxiv.org/abs/…` or `…/pdf/….pdf` links.
    """
    text = text.strip()
    for pattern in (NEW_ARXIV_ID, OLD_ARXIV_ID):
        match = pattern.search(text)
        if match:
            version = int(match.group(2)) if match.group(2) else None
            return match.group(1), version
    return None


def parse_arxiv_ref(text: str) -> str | None:
    """The bare arXiv id a whole reference names (an id, `arXiv:` id or arXiv URL), else None."""
    text = text.strip()
    if len(text) > 300:
        return None
    candidate = text
    if ARXIV_URL.search(text):
        candidate = ARXIV_URL.split(text, maxsplit=1)[1]
        candidate = candidate.split("?")[0].split("#")[0].removesuffix(".pdf").strip("/")
    elif candidate.lower().startswith("arxiv:"):
        candidate = candidate[6:].strip()
    found = split_arxiv_id(candidate)
    if found and candidate.startswith(found[0]):
        rest = candidate[len(found[0]):]
        if re.fullmatch(r"(v\d+)?", rest):
            return found[0]
    return None


def find_arxiv_refs(text: str, limit: int = 5) -> list[str]:
    """The arXiv ids of the arXiv links in a chat message, in order, without repeats."""
    found: list[str] = []
    for match in ARXIV_LINK.finditer(text or ""):
        arxiv_id = parse_arxiv_ref(match.group(0))
        if arxiv_id and arxiv_id not in found:
            found.append(arxiv_id)
            if len(found) == limit:
                break
    return found


@dataclass(frozen=True)
class Recommendation:
    """A ranked paper with a reason a person can read."""

    paper: Paper
    score: float
    reason: str

    @property
    def plain_reason(self) -> str:
        """The reason without its emphasis marks (`shares *gaussian*` → `shares gaussian`)."""
        return EMPHASIS.sub(r"\1", self.reason)

    @property
    def highlighted(self) -> list[str]:
        """What the reason sets in emphasis, in order: the words shared, titles, follows."""
        return EMPHASIS.findall(self.reason)

    def to_dict(self) -> dict[str, Any]:
        data = self.paper.to_dict()
        data.pop("sources", None)
        return {**data, "score": round(self.score, 4), "reason": self.plain_reason, "highlighted": self.highlighted}


@dataclass(frozen=True)
class Signal:
    """A person's like or "not for me" on a paper."""

    paper: Paper
    kind: SignalKind
    group: str | None
    created: str


@dataclass(frozen=True)
class Interest:
    """One direction a person reads in: a group of their likes, with the words that mark it.

    `number` is its place in the person's list (1 = the most liked) at the time it was read;
    `paper_ids` are the liked papers it was made from.
    """

    number: int
    terms: list[str]
    examples: list[Paper]
    paper_ids: list[int]
    muted: bool = False

    @property
    def likes(self) -> int:
        return len(self.paper_ids)

    @property
    def label(self) -> str:
        """A short name for reasons and lists: its first few words."""
        return ", ".join(self.terms[:3]) or f"interest {self.number}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "likes": self.likes, "terms": list(self.terms), "muted": self.muted,
            "examples": [{"id": p.id, "title": p.title, "arxiv_id": p.arxiv_id, "url": p.url} for p in self.examples],
            "paper_ids": list(self.paper_ids),
        }


@dataclass(frozen=True)
class CoLikeWeight:
    """How much colleagues' co-likes count beside a person's own likes in a group's
    recommendations: the weight the group learned from its held-out likes (`learned`), with the
    held-out recall@20 it scored and text alone's, or, while the group is too small to learn
    one, the fixed weight every lab had before."""

    weight: float
    learned: bool
    recall: float = 0.0
    text_recall: float = 0.0
    members: int = 0
    likes: int = 0

    def describe(self) -> str:
        """One sentence on the weight and what it was chosen on."""
        if not self.learned:
            return (f"Colleagues' co-likes count ×{self.weight:g} beside the text of one's own likes here: a fixed "
                    "weight until the group has enough members with likes to learn its own.")
        figures = (f"held-out recall@20 {self.recall:.3f}, text alone {self.text_recall:.3f}; "
                   f"{self.members:,} members, {self.likes:,} likes")
        if self.weight == 0:
            return ("Recommendations here come from the text of one's own likes alone: on this group's held-out "
                    f"likes, colleagues' co-likes found no more ({figures}).")
        return (f"Colleagues' co-likes count ×{self.weight:g} beside the text of one's own likes here, the weight "
                f"this group learned from its own held-out likes ({figures}).")

    def to_dict(self) -> dict[str, Any]:
        return {"weight": self.weight, "learned": self.learned, "recall": self.recall,
                "text_recall": self.text_recall, "members": self.members, "likes": self.likes}


class InterestNotFound(LookupError):
    """A person has no interest of that number; the message says which numbers there are."""


@dataclass(frozen=True)
class Follow:
    """An author or a phrase a person follows: their new papers always reach that person."""

    kind: FollowKind
    text: str
    group: str | None = None
    created: str = ""

    def describe(self) -> str:
        return f"author {self.text}" if self.kind == FollowKind.AUTHOR else f"“{self.text}”"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "group": self.group, "created": self.created}
