"""The arXiv network client: daily announcement feeds (RSS), id look-ups and title or
abstract-phrase searches (the query API).

arXiv asks clients to make one request at a time and to leave at least three seconds between
requests; every request of the process goes through one `RateGate` to keep that promise. The
gate is held only while a request is on the wire, never while a response is parsed or while a
failed request backs off.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests

from .papers import Record, Rejection, parse_arxiv_ref, split_arxiv_id
from .sources.feeds import feed_info, parse_announcements

log = logging.getLogger("paperclub.arxiv")

DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_USER_AGENT = "paperclub/0.1 (research-lab reading-list bot)"
BATCH_SIZE = 100
MAX_SEARCH_RESULTS = 100
MAX_WAIT = 300.0
RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))

# An archive (`cs`, `hep-th`, `q-bio`) with an optional subject class (`LG`, `CO`, `comp-ph`).
_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?")
_OLD_ID_SUBJECT = re.compile(r"^([a-z][a-z-]*)\.[A-Za-z]{2}/(\d{7})$")
_TRANSIENT = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
# What a quoted phrase of the query API keeps: words, with the hyphens and apostrophes inside
# them. Quotes and parentheses are the query syntax itself; TeX commands, other punctuation and a
# hyphen that could read as NOT only make a phrase miss.
_NOT_PHRASE = re.compile(r"\\[A-Za-z]*|(?!\b'\b)[^\w\s\\-]|_+|(?<!\w)-+|-+(?!\w)")
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV_DOI = "{http://arxiv.org/schemas/atom}doi"


class ArxivError(RuntimeError):
    """arXiv could not be reached or kept failing; the message says which URL, how many
    attempts and the last status or exception, in one sentence."""

    def __init__(self, message: str, *, url: str = "", attempts: int = 0, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.attempts = attempts
        self.status = status


class RateGate:
    """arXiv's rule: one connection at a time across the whole process and at least `interval`
    seconds between the starts of consecutive requests."""

    def __init__(self, interval: float = 3.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._last_start: float | None = None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold the process-wide connection for one request, starting it no sooner than
        `interval` seconds after the previous request started."""
        with self._lock:
            if self._last_start is not None:
                remaining = self._last_start + self.interval - self.clock()
                if remaining > 0:
                    self.sleep(remaining)
            self._last_start = self.clock()
            yield

    def wait(self, seconds: float) -> None:
        """Back off for `seconds` (without holding the connection)."""
        if seconds > 0:
            self.sleep(seconds)


SHARED_GATE = RateGate()


@dataclass
class Announcement:
    """One category's daily announcement feed, sorted by announce type."""

    category: str
    url: str
    day: date | None
    new: list[Record] = field(default_factory=list)
    cross: list[Record] = field(default_factory=list)
    replaced: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    status: str = "ok"
    message: str = ""


@dataclass
class Lookup:
    """The answer to a look-up of papers by arXiv id or URL."""

    records: list[Record] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class ArxivClient:
    """Fetches announcement feeds and paper metadata from arXiv, politely and with retries."""

    def __init__(self, rss_url: str = DEFAULT_RSS_URL, api_url: str = DEFAULT_API_URL, *,
                 gate: RateGate | None = None, delay: float | None = None, timeout: float = 30.0,
                 retries: int = 3, backoff: float = 5.0, session: requests.Session | None = None,
                 user_agent: str = DEFAULT_USER_AGENT):
        """`delay`, when given, sets the seconds between requests on the client's gate: the
        process-wide one unless `gate` names another, so every client keeps sharing it."""
        self.rss_url = rss_url
        self.api_url = api_url
        self.gate = gate if gate is not None else SHARED_GATE
        if delay is not None:
            if not isinstance(delay, (int, float)) or not math.isfinite(delay) or delay < 0:
                raise ValueError(f"the delay between arXiv requests must be a number of seconds >= 0, got {delay!r}")
            self.gate.interval = float(delay)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.user_agent = user_agent
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session, unless the caller supplied it."""
        if self._own_session:
            self.session.close()

    # -- announcements ------------------------------------------------------------------------

    def feed_url(self, category: str) -> str:
        """The RSS feed URL of a category; ValueError for a name that is not an arXiv category."""
        if not isinstance(category, str) or len(category) > 40 or not _CATEGORY.fullmatch(category):
            raise ValueError(
                f"{category!r} is not an arXiv category name (expected e.g. cs.LG, stat.ML, hep-th, astro-ph.CO)"
            )
        return self.rss_url.rstrip("/") + "/" + category

    def announcement(self, category: str, expected_day: date | None = None) -> Announcement:
        """The papers a category's feed announces, with a status: "ok", "empty" (weekends and
        holidays), "stale" (the feed is not for `expected_day`) or "malformed"."""
        url = self.feed_url(category)
        text = self._get(url)
        today = expected_day or date.today()
        result = Announcement(category=category, url=url, day=None)
        for item in parse_announcements(text, url, today):
            if isinstance(item, Rejection):
                result.rejected.append(item)
                continue
            kind, record = item
            if kind == "new":
                result.new.append(record)
            elif kind == "cross":
                result.cross.append(record)
            else:
                result.replaced.append(record)
        info = feed_info(text)
        result.day = info["published"] or info["updated"]
        self._judge(result, info, expected_day)
        for rejection in result.rejected:
            log.warning("%s: skipped malformed entry at %s", category, rejection)
        if result.status == "ok":
            log.info("%s", result.message)
        else:
            log.warning("%s", result.message)
        return result

    @staticmethod
    def _judge(result: Announcement, info: dict, expected_day: date | None) -> None:
        category, day = result.category, result.day
        papers = len(result.new) + len(result.cross) + len(result.replaced)
        if not papers and result.rejected:
            result.status = "malformed"
            if info.get("error"):
                where = result.rejected[0]
                result.message = f"{category}: feed could not be read: {info['error']} ({where.path}:{where.line})"
            else:
                result.message = f"{category}: {_skipped(result.rejected)}"
        elif expected_day is not None and day is not None and day != expected_day:
            result.status = "stale"
            result.message = f"{category}: feed is stale: it is for {day.isoformat()}, expected {expected_day.isoformat()}"
        elif not papers:
            result.status = "empty"
            which = f"feed for {day.isoformat()}" if day else "feed"
            result.message = f"{category}: {which} is empty (arXiv does not announce at weekends or on holidays)"
        else:
            result.status = "ok"
            counts = (f"{len(result.new)} new, {_plural(len(result.cross), 'cross-list')}, "
                      f"{_plural(len(result.replaced), 'replacement')}")
            when = f"for {day.isoformat()}" if day else "(the feed states no date)"
            result.message = f"{category}: {counts} {when}"
            if result.rejected:
                result.message += f"; {_skipped(result.rejected)}"

    # -- look-ups -----------------------------------------------------------------------------

    def lookup(self, refs: Sequence[str]) -> Lookup:
        """Metadata of the papers named by ids or arXiv URLs, asking the API in batches."""
        if isinstance(refs, str):
            refs = [refs]
        result = Lookup()
        wanted: list[str] = []
        for ref in refs:
            arxiv_id = parse_arxiv_ref(str(ref))
            if arxiv_id is None:
                result.invalid.append(ref)
                continue
            arxiv_id = _canonical(arxiv_id)
            if arxiv_id not in wanted:
                wanted.append(arxiv_id)
        found: dict[str, Record] = {}
        for start in range(0, len(wanted), BATCH_SIZE):
            batch = wanted[start:start + BATCH_SIZE]
            records, errors, others = self._query(batch)
            found.update(records)
            result.rejected.extend(others)
            missing = [i for i in batch if i not in records]
            if errors and len(batch) > 1 and missing:
                # One bad id makes the API answer a single error for the whole batch.
                for arxiv_id in missing:
                    records, errors, others = self._query([arxiv_id])
                    found.update(records)
                    result.rejected.extend(errors + others)
            else:
                result.rejected.extend(errors)
        result.records = [found[i] for i in wanted if i in found]
        result.not_found = [i for i in wanted if i not in found]
        for rejection in result.rejected:
            log.warning("arXiv lookup: %s", rejection)
        if wanted or result.invalid:
            log.info("arXiv lookup: %d found, %d not found, %d not arXiv references",
                     len(result.records), len(result.not_found), len(result.invalid))
        return result

    def _query(self, ids: list[str]) -> tuple[dict[str, Record], list[Rejection], list[Rejection]]:
        """Records of `ids` found by one API request, the API's error entries, other rejections."""
        query = urlencode({"id_list": ",".join(ids), "max_results": len(ids)}, safe=",/")
        url = f"{self.api_url}{'&' if '?' in self.api_url else '?'}{query}"
        text = self._get(url)
        records: dict[str, Record] = {}
        errors: list[Rejection] = []
        others: list[Rejection] = []
        for item in parse_announcements(text, url, date.today()):
            if isinstance(item, Rejection):
                (errors if item.reason.startswith("arXiv API error") else others).append(item)
                continue
            record = item[1]
            key = _canonical(record.arxiv_id) if record.arxiv_id else None
            if key in ids and key not in records:
                records[key] = record
        if not records and not errors:
            problem = feed_info(text).get("error")
            if problem:
                raise ArxivError(f"arXiv answered {url} with something that is not an Atom feed ({problem})",
                                 url=url, attempts=1)
        return records, errors, others

    # -- searches -----------------------------------------------------------------------------

    def search_title(self, title: str, max_results: int = 5) -> list[Record]:
        """The papers arXiv finds for a title, as the phrase `ti:"..."`, best first."""
        return self._search("ti", title, max_results)

    def search_abstract(self, phrase: str, max_results: int = 5) -> list[Record]:
        """The papers arXiv finds for a phrase of an abstract, as `abs:"..."`, best first."""
        return self._search("abs", phrase, max_results)

    def search_url(self, field_prefix: str, text: str, max_results: int = 5) -> str:
        """The query URL of a one-phrase search; ValueError when nothing searchable is left."""
        phrase = search_phrase(text)
        if not phrase:
            raise ValueError(f"nothing to search for in {text!r}")
        if not 1 <= max_results <= MAX_SEARCH_RESULTS:
            raise ValueError(f"max_results must be 1 to {MAX_SEARCH_RESULTS}, got {max_results}")
        query = urlencode({"search_query": f'{field_prefix}:"{phrase}"', "start": 0,
                           "max_results": max_results}, safe=":")
        return f"{self.api_url}{'&' if '?' in self.api_url else '?'}{query}"

    def _search(self, field_prefix: str, text: str, max_results: int) -> list[Record]:
        url = self.search_url(field_prefix, text, max_results)
        body = self._get(url)
        records: list[Record] = []
        others: list[Rejection] = []
        for item in parse_announcements(body, url, date.today()):
            if isinstance(item, Rejection):
                if item.reason.startswith("arXiv API error"):
                    raise ArxivError(f"arXiv refused the search {url}: {item.reason}", url=url, attempts=1)
                others.append(item)
            elif item[1].arxiv_id:
                records.append(item[1])
        if not records:
            problem = feed_info(body).get("error")
            if problem:  # a page that is not a feed is a failure to ask, never "nothing found"
                raise ArxivError(f"arXiv answered {url} with something that is not an Atom feed ({problem})",
                                 url=url, attempts=1)
        for rejection in others:
            log.warning("arXiv search: %s", rejection)
        _add_dois(records, body)
        log.info("arXiv search %s:%r: %s", field_prefix, search_phrase(text), _plural(len(records), "result"))
        return records

    # -- HTTP ---------------------------------------------------------------------------------

    def _get(self, url: str) -> str:
        """The body of a successful GET, decoded as UTF-8, retrying transient failures."""
        attempts = self.retries + 1
        headers = {"User-Agent": self.user_agent}
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                with self.gate.slot():
                    response = self.session.get(url, headers=headers, timeout=self.timeout)
                    body = response.content
            except _TRANSIENT as exc:
                last = f"failed with {_describe(exc)}"
                status = None
            except requests.RequestException as exc:
                raise ArxivError(f"arXiv request to {url} failed with {_describe(exc)} "
                                 f"after {_plural(attempt, 'attempt')}; not retried",
                                 url=url, attempts=attempt) from exc
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return body.decode("utf-8", errors="replace")
                last = f"answered HTTP {status}{_reason(response)}"
                if status not in RETRY_STATUSES:
                    raise ArxivError(f"arXiv {last} for {url} after {_plural(attempt, 'attempt')}; not retried",
                                     url=url, attempts=attempt, status=status)
                retry_after = _retry_after(response.headers.get("Retry-After"))
            if attempt == attempts:
                raise ArxivError(f"arXiv kept failing for {url}: {_plural(attempts, 'attempt')}, "
                                 f"the last {last}", url=url, attempts=attempts, status=status)
            wait = self.backoff * 2 ** (attempt - 1)
            if retry_after is not None and retry_after > wait:
                wait = retry_after
            wait = min(wait, MAX_WAIT)
            what = f"answered {status}" if status is not None else f"request {last}"
            log.warning("arXiv %s for %s; retrying in %s s (attempt %d of %d)",
                        what, url, f"{wait:g}", attempt + 1, attempts)
            self.gate.wait(wait)
        raise AssertionError("unreachable")


def search_phrase(text: str) -> str:
    """`text` as one phrase the query API can quote: no quotes, parentheses, other punctuation
    or TeX commands, spaces squashed. Letters of any script are kept (and sent as UTF-8); TeX
    accents are expected to be letters already, as the parsers leave them."""
    return " ".join(_NOT_PHRASE.sub(" ", text.replace("\u2019", "'")).split())


def _add_dois(records: list[Record], body: str) -> None:
    """Fill in each record's DOI from the entries' `<arxiv:doi>` elements, where the parser
    left it empty."""
    try:
        root = ElementTree.fromstring(body.encode("utf-8"))
    except ElementTree.ParseError:
        return
    dois: dict[str, str] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        found = split_arxiv_id((entry.findtext(f"{_ATOM}id") or "").strip())
        doi = (entry.findtext(_ARXIV_DOI) or "").strip()
        if found and doi:
            dois[found[0]] = doi
    for record in records:
        if record.doi is None and record.arxiv_id in dois:
            record.doi = dois[record.arxiv_id]


def _canonical(arxiv_id: str) -> str:
    """An id as the API writes it: old-style ids lose their subject class (math.GT/… → math/…)."""
    match = _OLD_ID_SUBJECT.match(arxiv_id)
    return f"{match.group(1)}/{match.group(2)}" if match else arxiv_id


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _reason(response: requests.Response) -> str:
    reason = str(response.reason or "").strip()
    return f" {reason}" if reason else ""


def _describe(exc: BaseException) -> str:
    """A short account of a failed request: what went wrong, not urllib3's whole story."""
    if isinstance(exc, requests.Timeout):
        return "a timeout (no answer in time)"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "NameResolution" in text or "getaddrinfo" in text or "Name or service not known" in text:
            return "an unknown host name (no network?)"
        if "Connection refused" in text or "NewConnectionError" in text:
            return "a refused connection"
        return "a broken connection"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _skipped(rejected: list[Rejection], shown: int = 5) -> str:
    where = ", ".join(f"{r.path}:{r.line}" for r in rejected[:shown])
    if len(rejected) > shown:
        where += ", …"
    noun = "malformed entry" if len(rejected) == 1 else "malformed entries"
    return f"{len(rejected)} {noun} skipped ({where})"
