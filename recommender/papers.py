"""Plain data types shared by every layer: papers, parsed records, and paper references."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

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


@dataclass
class Record:
    """One paper as a single source describes it, before merging with other sources."""

    source: SourceRef
    abstract: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    organisations: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: date | None = None
    arxiv_id: str | None = None
    version: int | None = None
    has_code: bool | None = None
    lang: str = "en"
    doi: str | None = None
    # True when `published` is only known to the month (e.g. from the arXiv id of a replacement).
    date_approx: bool = False
    venue: str | None = None  # the journal or proceedings it appeared in


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


@dataclass(frozen=True)
class Paper:
    """A paper in the library, merged from every source that mentioned it."""

    id: int
    title: str
    title_derived: bool
    authors: list[str]
    authors_truncated: bool
    abstract: str
    categories: list[str]
    published: date | None
    arxiv_id: str | None
    lang: str
    has_code: bool | None
    organisations: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    added: str | None = None
    doi: str | None = None
    date_approx: bool = False
    venue: str | None = None

    @property
    def url(self) -> str | None:
        """Where the paper opens: its arXiv page, else its DOI's resolver, else nowhere."""
        if self.arxiv_id:
            return ARXIV_ABS_URL.format(self.arxiv_id)
        return DOI_URL.format(self.doi) if self.doi else None

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    def to_dict(self) -> dict:
        """A JSON-ready view of the paper."""
        return {
            "id": self.id,
            "title": self.title,
            "title_derived": self.title_derived,
            "authors": list(self.authors),
            "authors_truncated": self.authors_truncated,
            "organisations": list(self.organisations),
            "abstract": self.abstract,
            "categories": list(self.categories),
            "published": self.published.isoformat() if self.published else None,
            "date_approx": self.date_approx,
            "arxiv_id": self.arxiv_id,
            "doi": self.doi,
            "venue": self.venue,
            "url": self.url,
            "lang": self.lang,
            "has_code": self.has_code,
            "sources": [f"{s.path}:{s.line}" for s in self.sources],
        }


class PaperNotFound(LookupError):
    """A reference that names no paper, or more than one; carries the closest titles."""

    def __init__(self, ref: str, suggestions: list[str], ambiguous: bool = False, message: str | None = None):
        self.ref = ref
        self.suggestions = suggestions
        self.ambiguous = ambiguous
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        head = f"'{shown}' matches several papers" if ambiguous else f"No paper matches '{shown}'"
        if suggestions:
            listed = "; ".join(suggestions)
            head += f". Did you mean: {listed}"
        super().__init__(message or head)


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

    def to_dict(self) -> dict:
        data = self.paper.to_dict()
        data.pop("sources", None)
        return {**data, "score": round(self.score, 4), "reason": self.reason}


@dataclass(frozen=True)
class Signal:
    """A person's like or "not for me" on a paper."""

    paper: Paper
    kind: str  # "like" or "dislike"
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

    def to_dict(self) -> dict:
        return {
            "number": self.number, "likes": self.likes, "terms": list(self.terms), "muted": self.muted,
            "examples": [{"id": p.id, "title": p.title, "arxiv_id": p.arxiv_id, "url": p.url} for p in self.examples],
            "paper_ids": list(self.paper_ids),
        }


class InterestNotFound(LookupError):
    """A person has no interest of that number; the message says which numbers there are."""


@dataclass(frozen=True)
class Follow:
    """An author or a phrase a person follows: their new papers always reach that person."""

    kind: str  # "author" or "phrase"
    text: str
    group: str | None = None
    created: str = ""

    def describe(self) -> str:
        return f"author {self.text}" if self.kind == "author" else f"“{self.text}”"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "group": self.group, "created": self.created}
