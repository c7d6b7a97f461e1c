"""arXiv feeds: Atom responses of the query API (export.arxiv.org/api/query) and the RSS
announcement feeds (rss.arxiv.org/rss/<category>), both read with feedparser.

An RSS item says how it was announced (`<arxiv:announce_type>`: new, cross, replace,
replace-cross) and repeats it at the start of its description, which reads
`arXiv:2310.13548v2 Announce Type: replace \\nAbstract: …`. API entries carry no announce type and
count as new. A feed with no items, as on weekends, parses to nothing.

arXiv's former RSS 1.0 feeds (`<rdf:RDF>`) say it in the title instead:
`Title. (arXiv:0704.0001v1 [hep-ex])` for a new paper, with ` CROSS LISTED` or ` UPDATED` after
the primary category for cross-lists and replacements. Their descriptions and author lists are
escaped HTML, and a long author list ends in `et al. (N additional authors not shown)`.

A new paper or cross-list is dated by its announcement. A replacement is dated by its first
version, which a feed does not give: the first of the month its arXiv id names, marked
approximate. An API entry's `<published>` is its first version's date.
"""

from __future__ import annotations

import bisect
import io
import re
import xml.sax
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple, TypedDict

import feedparser

from ..papers import Precision, Record, Rejection, SourceRef, split_arxiv_id
from ..people import Person
from ..text import clean_abstract, clean_title, detect_lang, squash
from .checks import check
from .references import venue_of
from .table import (
    clean_categories,
    clean_doi,
    clean_person,
    month_of_arxiv_id,
    split_authors,
)

FORMAT = "feed"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
HEAD_LIMIT = 4096

_ROOT = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?"
    r"(?:(?:<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>\[]*>|<\?[^>]*\?>)\s*)*"
    r"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)[\s>/]"
)
_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:entry|item)[\s>/]")
_ANNOUNCEMENT = re.compile(
    r"^\s*(?:arXiv:(?P<id>\S+)\s+)?Announce\s+Type:\s*(?P<type>[\w-]+)\s*", re.IGNORECASE
)
_ABSTRACT_LABEL = re.compile(r"^\s*Abstract:\s*", re.IGNORECASE)
# `. (arXiv:0704.0001v1 [hep-ex])`, `… [hep-lat] CROSS LISTED)`, `… [nucl-th] UPDATED)`; the full stop
# before it is the feed's, not the title's.
_OLD_RSS_TITLE_SUFFIX = re.compile(
    r"\.?\s*\(arXiv:\s*(?P<id>[^\s()\[\]]+)\s*(?:\[(?P<categories>[^\[\]()]*)\])?(?P<flags>[^()\[\]]*)\)\s*$"
)
_OLD_RSS_FLAG = re.compile(r"\b(?:UPDATED|REPLACED|CROSS[\s-]*LIST(?:ED)?)\b", re.IGNORECASE)
_FEED_CATEGORY = re.compile(r"^\s*(\S+)\s+updates\s+on\s+arXiv", re.IGNORECASE)
# Markup in the descriptions of older (RDF) arXiv feeds. Only well-formed tags with quoted
# attributes, so that `$a <b$ and $c> d$` in an abstract stays as written.
_HTML_MARKUP = re.compile(
    r"</?(?:p|div|span|em|strong|i|b|a)(?:\s+[\w:-]+=(?:\"[^\"<>]*\"|'[^'<>]*'))*\s*/?>|<br\s*/?>",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"<[^<>]*>")
_API_ERROR = re.compile(r"arxiv\.org/api/errors", re.IGNORECASE)
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def looks_like(text: str) -> bool:
    """True when the document's root element is an RSS (`<rss>`, `<rdf:RDF>`) or Atom `<feed>`."""
    try:
        return _ROOT.match(text[:HEAD_LIMIT]) is not None
    except Exception:  # noqa: BLE001 - detection must never raise
        return False


def parse(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """The feed's records (and Rejections), without their announce types."""
    for item in parse_announcements(text, path, today):
        yield item[1] if isinstance(item, tuple) else item


def parse_announcements(text: str, path: str, today: date) -> Iterator[tuple[str, Record] | Rejection]:
    """(announce type, Record) for each entry, or a Rejection naming the entry's line.

    A document whose XML is broken gives one Rejection where the XML parser stopped, followed by
    whatever entries the lenient parser still recovered. An entry past the limits of
    `checks` is a Rejection too. `today` is unused: feed dates are absolute.
    """
    try:
        parsed = _feedparse(text)
    except Exception as exc:  # noqa: BLE001 - feedparser is lenient, but never let a parser bug escape
        yield Rejection(path, 1, f"unreadable feed: {exc}")
        return
    problem = _xml_problem(parsed)
    if problem:
        yield Rejection(path, min(problem[0], text.count("\n") + 1), problem[1])
    elif not parsed.get("version") and not parsed.entries:
        yield Rejection(path, 1, "not an RSS or Atom feed")
        return
    kind = _kind(parsed)
    try:
        lines = _entry_lines(text, parsed.entries)
    except Exception:  # noqa: BLE001 - entry lines are a nicety; fall back to line 1
        lines = [1] * len(parsed.entries)
    for index, entry in enumerate(parsed.entries):
        line = lines[index]
        try:
            found = _announcement(entry, kind, parsed.feed, path, line)
        except Exception as exc:  # noqa: BLE001 - a last resort: one odd entry must not stop the feed
            yield Rejection(path, line, f"unreadable entry: {exc}")
            continue
        if isinstance(found, Rejection):
            yield found
            continue
        checked = check(found[1])
        yield checked if isinstance(checked, Rejection) else found


FeedEntry = dict[str, Any]
"""A feedparser dictionary (an entry, or the feed's own header): feedparser has no type information."""


class FeedInfo(TypedDict):
    """What a feed says about itself (see `feed_info`)."""

    kind: str | None  # "rss", "atom" or None
    title: str | None
    updated: date | None
    published: date | None
    entries: int
    total_results: int | None  # the API's opensearch count
    error: str | None  # the XML problem


def feed_info(text: str) -> FeedInfo:
    """What the feed says about itself, for logging empty or stale feeds: its kind, title,
    dates, number of entries, the API's total count, and the problem with its XML, if any."""
    info: FeedInfo = {"kind": None, "title": None, "updated": None, "published": None,
                  "entries": 0, "total_results": None, "error": None}
    try:
        parsed = _feedparse(text)
    except Exception as exc:  # noqa: BLE001 - feed_info is for logging: it must not fail
        info["error"] = f"unreadable feed: {exc}"
        return info
    try:
        _describe(parsed, info)
    except Exception as exc:  # noqa: BLE001 - feed_info is for logging: it must not fail
        info["error"] = info["error"] or f"unreadable feed: {exc}"
    return info


def _describe(parsed: feedparser.FeedParserDict, info: FeedInfo) -> None:
    feed = parsed.feed
    problem = _xml_problem(parsed)
    info["kind"] = _kind(parsed) if parsed.get("version") else None
    if problem:
        info["error"] = problem[1]
    elif not info["kind"]:
        info["error"] = "not an RSS or Atom feed"
    info["title"] = squash(feed.get("title") or "") or None
    info["entries"] = len(parsed.entries)
    info["updated"] = _date_or_none(dict.get(feed, "updated"))
    info["published"] = _date_or_none(dict.get(feed, "published"))
    try:
        info["total_results"] = int(str(feed.get("opensearch_totalresults")).strip())
    except ValueError:
        info["total_results"] = None


def _date_or_none(value: object) -> date | None:
    try:
        return _parse_date(value)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------


def _feedparse(text: str) -> feedparser.FeedParserDict:
    # Bytes in a stream, never the str itself: feedparser would fetch a str that looks like a
    # URL and open one that names a file. The text is already decoded, so the charset given
    # here overrides whatever the XML declaration claims.
    data = text.encode("utf-8", errors="replace")
    return feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _xml_problem(parsed: feedparser.FeedParserDict) -> tuple[int, str] | None:
    """(line, reason) when the document is not well-formed XML."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, _BENIGN):
        return None
    line = 1
    if isinstance(exc, xml.sax.SAXParseException):
        try:
            line = max(1, int(exc.getLineNumber() or 1))
        except (TypeError, ValueError):
            line = 1
        reason = exc.getMessage()
    else:
        reason = str(exc) or type(exc).__name__
    return line, f"malformed feed XML: {reason}"


def _kind(parsed: feedparser.FeedParserDict) -> str:
    return "atom" if str(parsed.get("version", "")).startswith("atom") else "rss"


def _entry_lines(text: str, entries: list[FeedEntry]) -> list[int]:
    """The 1-based line where each parsed entry's `<entry>`/`<item>` element starts.

    Entries are matched to element starts in order; when the counts differ (a broken document,
    or tags inside CDATA) each entry is placed at the element start before the first occurrence
    of its id after the previous entry.
    """
    newlines = [match.start() for match in re.finditer("\n", text)]

    def line_at(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    starts = [match.start() for match in _ENTRY_START.finditer(text)]
    if len(starts) == len(entries):
        return [line_at(offset) for offset in starts]
    lines: list[int] = []
    cursor = 0
    for index, entry in enumerate(entries):
        key = str(entry.get("id") or entry.get("link") or "")
        found = text.find(key, cursor) if key else -1
        if found >= 0:
            before = bisect.bisect_right(starts, found) - 1
            offset = starts[before] if before >= 0 else found
            cursor = found + len(key)
        elif index < len(starts):
            offset = starts[index]
        else:
            offset = 0
        lines.append(line_at(offset))
    return lines


def _announcement(entry: FeedEntry, kind: str, feed: FeedEntry, path: str,
                  line: int) -> tuple[str, Record] | Rejection:
    raw_id = str(entry.get("id") or "").strip()
    link = str(entry.get("link") or "").strip()
    summary = str(entry.get("summary") or "")
    if _API_ERROR.search(raw_id):
        return Rejection(path, line, f"arXiv API error: {squash(summary) or raw_id}")

    announced_id, announced_type = None, None
    match = _ANNOUNCEMENT.match(summary)
    if match:
        announced_id, announced_type = match.group("id"), match.group("type").lower()
        summary = summary[match.end():]
    summary = _ABSTRACT_LABEL.sub("", summary, count=1)
    detail = entry.get("summary_detail") or {}
    if "<" in summary and "html" in str(detail.get("type") or ""):
        summary = _HTML_MARKUP.sub(" ", summary)
    abstract = clean_abstract(summary)

    title, suffix = _split_title(str(entry.get("title") or ""))
    missing = [name for name, value in (("id", raw_id or link), ("title", title),
                                        ("summary", abstract)) if not value]
    if missing:
        return Rejection(path, line, f"entry has no {' or '.join(missing)}")

    found = None
    for candidate in (raw_id, announced_id, suffix.id, link):
        if candidate and (found := split_arxiv_id(candidate)):
            break
    arxiv_id, version = found if found else (None, None)
    for also_id in (announced_id, suffix.id):
        also = split_arxiv_id(also_id) if also_id and version is None else None
        if also and also[0] == arxiv_id:
            version = also[1]

    # dict.get: feedparser's own get() maps a missing `updated` to `published`, with a warning
    raw_date = (dict.get(entry, "published") or dict.get(entry, "updated")
                or dict.get(feed, "published") or dict.get(feed, "updated"))
    try:
        published = _parse_date(raw_date)
    except ValueError:
        return Rejection(path, line, f"malformed date {raw_date!r}")

    authors, truncated = _authors(entry, kind)
    if kind == "atom":
        announce = "new"
    else:
        announce = _announce_type(entry.get("arxiv_announce_type"), announced_type, suffix.type, version)
    date_approx = False
    if announce in ("replace", "replace-cross") and arxiv_id:
        first_version = month_of_arxiv_id(arxiv_id)
        if first_version is not None:
            published, date_approx = first_version, True

    record = Record(
        source=SourceRef(path, line, FORMAT),
        abstract=abstract,
        title=title,
        authors=[Person.from_text(name) for name in authors],
        authors_truncated=truncated,
        categories=_categories(entry, suffix.categories, feed),
        published=published,
        arxiv_id=arxiv_id,
        version=version,
        has_code=None,
        lang=detect_lang(abstract),
        doi=clean_doi(str(entry.get("arxiv_doi") or "")),
        date_precision=Precision.MONTH if date_approx else Precision.DAY,
        venue=venue_of(str(entry.get("arxiv_journal_ref") or "")),
    )
    return announce, record


class _TitleSuffix(NamedTuple):
    """What the `(arXiv:… [cat] FLAG)` suffix of an RSS 1.0 title says."""

    id: str | None = None
    categories: tuple[str, ...] = ()
    type: str | None = None


def _split_title(raw: str) -> tuple[str, _TitleSuffix]:
    """The clean title and what its RSS 1.0 suffix says (an empty suffix for other feeds)."""
    match = _OLD_RSS_TITLE_SUFFIX.search(raw)
    if match is None:
        return clean_title(raw), _TitleSuffix()
    inside = f"{match.group('categories') or ''} {match.group('flags') or ''}"
    flags = {re.sub(r"[\s-]+", "", flag).upper() for flag in _OLD_RSS_FLAG.findall(inside)}
    replaced = bool(flags & {"UPDATED", "REPLACED"})
    crossed = any(flag.startswith("CROSS") for flag in flags)
    kind = ("replace-cross" if crossed else "replace") if replaced else ("cross" if crossed else "new")
    categories = clean_categories([_OLD_RSS_FLAG.sub(" ", match.group("categories") or "")])
    return clean_title(raw[:match.start()]), _TitleSuffix(match.group("id"), tuple(categories), kind)


def _announce_type(element: object, from_description: str | None, from_title: str | None,
                   version: int | None) -> str:
    for value in (element, from_description, from_title):
        value = str(value or "").strip().lower()
        if value in ANNOUNCE_TYPES:
            return value
    # Not said, or a type this code does not know: judge by the version announced.
    return "replace" if version and version > 1 else "new"


def _authors(entry: FeedEntry, kind: str) -> tuple[list[str], bool]:
    """The entry's authors, and whether the feed cut the list short."""
    raw = [str(a.get("name") or "") for a in entry.get("authors") or [] if isinstance(a, dict)]
    if not any(raw) and entry.get("author"):
        raw = [str(entry.get("author"))]
    names: list[str] = []
    truncated = False
    for value in raw:
        if kind == "atom":  # one person per <author>
            name = clean_person(_HTML_TAG.sub(" ", value))
            if name:
                names.append(name)
        else:  # RSS: one dc:creator listing everyone, separated by commas
            found, cut = split_authors(value)
            names.extend(found)
            truncated = truncated or cut
    return names, truncated


def _categories(entry: FeedEntry, from_title: tuple[str, ...], feed: FeedEntry) -> list[str]:
    """The primary category first, then the others. An RSS 1.0 item names only its primary
    category (in its title); the feed's own category is the other one it is listed in."""
    terms: list[str] = []
    primary = entry.get("arxiv_primary_category")
    if isinstance(primary, dict) and primary.get("term"):
        terms.append(str(primary["term"]))
    for tag in entry.get("tags") or []:
        if isinstance(tag, dict) and tag.get("term"):
            terms.append(str(tag["term"]))
    if from_title and not terms:
        terms.extend(from_title)
        listed = _FEED_CATEGORY.match(str(feed.get("title") or ""))
        if listed:
            terms.append(listed.group(1))
    return clean_categories(terms)


def _parse_date(value: object) -> date | None:
    """A feed date: RFC 822 (RSS) or ISO 8601 (Atom), as the date written (not moved to UTC)."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    if value[:4].isdigit():
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ValueError(f"malformed date {value!r}") from None
