"""The arXiv network client: daily announcement feeds (RSS), id look-ups and title or
abstract-phrase searches (the query API).

arXiv asks clients to leave at least three seconds between requests; every request of the
process goes through one `RateGate`, which spaces the *starts* of requests. The gate is not held
while a request runs, so a look-up by id waits at most the gate's interval behind a slow feed,
and no request runs past its deadline.

Every request is bounded, whatever the server does:

- in time: a connect timeout, a read timeout, and a deadline for the whole request (60 s); when
  it passes, a watchdog shuts the request's socket, which ends even a body trickled a byte at
  a time;
- in size: the body is streamed, and reading stops past a cap on the bytes received (20 MB) and
  on their decompressed size (100 MB);
- in where it goes: redirects are followed only to the configured hosts and arXiv's own;
- in patience: a host that cannot be reached (an unknown name, a refused connection) fails at
  once, without retrying; `Retry-After` is honoured up to five minutes, and a longer one fails
  at once with the time to come back (`ArxivError.retry_at`), which the gate remembers for
  that host.

Every failure is an `ArxivError` whose message is one sentence. An answer is handed to the
feed parser only once a strict XML parser accepts it (see `xmlcheck`).
"""

from __future__ import annotations

import errno
import logging
import math
import re
import socket
import ssl
import threading
import time
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .kinds import AnnouncementType, FeedStatus
from .papers import Record, Rejection, parse_arxiv_ref, split_arxiv_id
from .sources.feeds import FeedInfo, feed_info, parse_announcements
from .xmlcheck import check_feed_xml

log = logging.getLogger("paperclub.arxiv")
# What each feed held (its status, its skipped entries), for the bot's log; the command line
# prints the same reports itself and silences this logger.
feed_log = logging.getLogger("paperclub.arxiv.feeds")

DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_USER_AGENT = "paperclub/0.1 (research-lab reading-list bot)"
BATCH_SIZE = 100
MAX_SEARCH_RESULTS = 100
MAX_WAIT = 300.0  # seconds of waiting between attempts, in all, before giving up on a request
RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
DEFAULT_MAX_BYTES = 20_000_000
DEFAULT_MAX_DECOMPRESSED = 100_000_000
DEFAULT_DEADLINE = 60.0
CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
# The longest delay, timeout or deadline taken, in seconds: a day (past about 9e9 s, Python's
# timers overflow).
MAX_SECONDS = 86_400
ARXIV_HOSTS = frozenset({"arxiv.org", "export.arxiv.org", "rss.arxiv.org"})
UNREACHABLE = "arXiv cannot be reached from this machine (no network?)"
_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}

# An archive (`cs`, `hep-th`, `q-bio`) with an optional subject class (`LG`, `CO`, `comp-ph`).
_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?")
_OLD_ID_SUBJECT = re.compile(r"^([a-z][a-z-]*)\.[A-Za-z]{2}/(\d{7})$")
# What a quoted phrase of the query API keeps: words, with the hyphens and apostrophes inside
# them. Quotes and parentheses are the query syntax itself; TeX commands, other punctuation and a
# hyphen that could read as NOT only make a phrase miss.
_NOT_PHRASE = re.compile(r"\\[A-Za-z]*|(?!\b'\b)[^\w\s\\-]|_+|(?<!\w)-+|-+(?!\w)")
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV_DOI = "{http://arxiv.org/schemas/atom}doi"


class ArxivError(RuntimeError):
    """arXiv could not be asked, or kept failing; the message says why in one sentence.

    `retry_at` (UTC) is set when arXiv asked to be left alone for longer than paperclub waits
    (a long `Retry-After`): nothing is asked of that host before then.
    """

    def __init__(self, message: str, *, url: str = "", attempts: int = 0, status: int | None = None,
                 retry_at: datetime | None = None):
        super().__init__(message)
        self.url = url
        self.attempts = attempts
        self.status = status
        self.retry_at = retry_at


class RateGate:
    """arXiv's pace for the whole process: at least `interval` seconds between the starts of
    consecutive requests. Nothing is held while a request runs. The gate also remembers, per
    host, a time before which arXiv asked not to be asked again."""

    def __init__(self, interval: float = 3.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._last_start: float | None = None
        self._closed: dict[str, datetime] = {}

    def start(self) -> None:
        """Wait for this request's turn: `interval` seconds after the previous start. Each
        caller reserves its turn under the lock and sleeps outside it, so waiting callers start
        one interval apart, in the order they asked."""
        with self._lock:
            now = self.clock()
            turn = now if self._last_start is None else max(now, self._last_start + self.interval)
            self._last_start = turn
        if turn > now:
            self.sleep(turn - now)

    def wait(self, seconds: float) -> None:
        """Back off for `seconds` before trying again."""
        if seconds > 0:
            self.sleep(seconds)

    def close_until(self, host: str, when: datetime) -> None:
        """Remember that `host` asked not to be asked again before `when` (UTC)."""
        with self._lock:
            self._closed[host] = max(when, self._closed.get(host, when))

    def closed_until(self, host: str) -> datetime | None:
        """When `host` may be asked again, if arXiv asked for a pause that has not ended yet."""
        with self._lock:
            when = self._closed.get(host)
            if when is not None and when <= datetime.now(timezone.utc):
                del self._closed[host]
                return None
            return when


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
    status: FeedStatus = FeedStatus.OK
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
                 connect_timeout: float = CONNECT_TIMEOUT, deadline: float = DEFAULT_DEADLINE,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED,
                 retries: int = 3, backoff: float = 5.0, session: requests.Session | None = None,
                 user_agent: str = DEFAULT_USER_AGENT):
        """`delay`, when given, sets the seconds between requests on the client's gate: the
        process-wide one unless `gate` names another, so every client keeps sharing it.
        `timeout` bounds each wait for data, `deadline` the whole request (redirects included);
        `max_bytes` caps the bytes received and `max_decompressed` their decompressed size.
        The deadline's watchdog is installed on the client's own session only."""
        self.rss_url = rss_url
        self.api_url = api_url
        self.gate = gate if gate is not None else SHARED_GATE
        if delay is not None:
            if not isinstance(delay, (int, float)) or not 0 <= delay <= MAX_SECONDS:
                raise ValueError(f"the delay between arXiv requests must be a number of seconds from 0 to "
                                 f"{MAX_SECONDS}, got {delay!r}")
            self.gate.interval = float(delay)
        for name, value in (("timeout", timeout), ("connect_timeout", connect_timeout), ("deadline", deadline)):
            if not isinstance(value, (int, float)) or not 0 < value <= MAX_SECONDS:
                raise ValueError(f"{name} must be a number of seconds above 0, at most {MAX_SECONDS}, got {value!r}")
        for name, value in (("max_bytes", max_bytes), ("max_decompressed", max_decompressed)):
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.deadline = deadline
        self.max_bytes = int(max_bytes)
        self.max_decompressed = int(max_decompressed)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.user_agent = user_agent
        self._origins = {origin for origin in map(_origin, (rss_url, api_url)) if origin is not None}
        self._own_session = session is None
        if session is None:
            session = requests.Session()
            session.mount("http://", _WatchedAdapter())
            session.mount("https://", _WatchedAdapter())
        self.session = session

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
        holidays), "stale" (the feed is for a day before `expected_day`) or "malformed"."""
        url = self.feed_url(category)
        return read_announcement(self._get(url), url, category, expected_day)

    def announcement_at(self, url: str, expected_day: date | None = None) -> Announcement:
        """The announcement of the feed at `url` (a saved one, a mirror's), of the category it
        names itself; as `announcement` otherwise."""
        return read_announcement(self._get(url), url, None, expected_day)

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
        text, others = self._get_atom(url)
        records: dict[str, Record] = {}
        errors: list[Rejection] = []
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
        body, others = self._get_atom(url)
        records: list[Record] = []
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

    def _get_atom(self, url: str) -> tuple[str, list[Rejection]]:
        """An API answer that strict XML accepts, and its entries that it rejected."""
        checked = check_feed_xml(self._get(url), url)
        if checked.text is None:
            problem = checked.rejected[0]
            raise ArxivError(f"arXiv answered {url} with something that is not an Atom feed "
                             f"({problem.reason}, line {problem.line})", url=url, attempts=1)
        return checked.text, list(checked.rejected)

    # -- HTTP ---------------------------------------------------------------------------------

    def _get(self, url: str) -> str:
        """The body of a successful GET, decoded as UTF-8. A timeout, a dropped connection or
        HTTP 429/5xx is retried with backoff (waiting at most MAX_WAIT seconds in all); anything
        else fails at once."""
        host = _host(url)
        closed = self.gate.closed_until(host)
        if closed is not None:
            raise ArxivError(f"arXiv asked paperclub not to ask {host} again before {_when(closed)}; "
                             f"not asking before then", url=url, retry_at=closed)
        attempts = self.retries + 1
        waited = 0.0
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            status: int | None = None
            self.gate.start()
            try:
                answer = self._fetch(url)
            except _Final as exc:
                raise ArxivError(str(exc), url=url, attempts=attempt) from exc.__cause__
            except _Transient as exc:
                last = f"failed with {exc}"
            else:
                status = answer.status
                if 200 <= status < 300:
                    return answer.text
                last = f"answered HTTP {status}{answer.reason}"
                if status not in RETRY_STATUSES:
                    raise ArxivError(f"arXiv {last} for {url} after {_plural(attempt, 'attempt')}; not retried",
                                     url=url, attempts=attempt, status=status)
                retry_after = _retry_after(answer.headers.get("Retry-After"))
            if retry_after is not None and waited + retry_after > MAX_WAIT:
                retry_at = datetime.now(timezone.utc) + timedelta(seconds=retry_after)
                self.gate.close_until(host, retry_at)
                raise ArxivError(f"arXiv asked paperclub to wait {_duration(retry_after)} before asking again "
                                 f"(HTTP {status} for {url}); not asking before {_when(retry_at)}",
                                 url=url, attempts=attempt, status=status, retry_at=retry_at)
            if attempt == attempts:
                raise ArxivError(f"arXiv kept failing for {url}: {_plural(attempts, 'attempt')}, "
                                 f"the last {last}", url=url, attempts=attempts, status=status)
            wait = min(max(self.backoff * 2 ** (attempt - 1), retry_after or 0.0), MAX_WAIT - waited)
            what = f"answered {status}" if status is not None else f"request {last}"
            log.warning("arXiv %s for %s; retrying in %s s (attempt %d of %d)",
                        what, url, f"{wait:g}", attempt + 1, attempts)
            self.gate.wait(wait)
            waited += wait
        raise AssertionError("unreachable")

    def _fetch(self, url: str) -> _Answer:
        """One request, following allowed redirects, within the deadline and the size caps."""
        with _Deadline(self.deadline) as deadline:
            try:
                answer = self._fetch_within(url, deadline)
            except Exception as exc:
                if deadline.expired:
                    raise _Final(self._late(url)) from exc
                raise
            if deadline.expired:  # a body cut short by the watchdog can look complete
                raise _Final(self._late(url))
            return answer

    def _fetch_within(self, url: str, deadline: _Deadline) -> _Answer:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(current)
            with response:
                if response.is_redirect:
                    target = urljoin(current, response.headers.get("Location", ""))
                    if _downgrades(current, target):
                        raise _Final(f"paperclub refused a redirect from https to http ({_shorten(current)} → "
                                     f"{_shorten(target)}): an answer over plain http could be altered on the way; "
                                     f"check the arXiv URL settings, or the proxy between this machine and arXiv")
                    if not self._may_follow(current, target):
                        hosts = ", ".join(sorted({h for h, _ in self._origins} | ARXIV_HOSTS))
                        raise _Final(f"arXiv's answer to {url} redirected to {_shorten(target)}, outside the hosts "
                                     f"paperclub asks ({hosts}); not followed")
                    current = target
                    continue
                status = response.status_code
                if not 200 <= status < 300:
                    return _Answer(status, _reason(response), response.headers, "")
                body = self._read_body(response, url, deadline)
                return _Answer(status, _reason(response), response.headers, body.decode("utf-8", errors="replace"))
        raise _Final(f"arXiv's answer to {url} redirected more than {MAX_REDIRECTS} times; not followed further")

    def _send(self, url: str) -> requests.Response:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip"}
        try:
            return self.session.get(url, headers=headers, timeout=(self.connect_timeout, self.timeout),
                                    stream=True, allow_redirects=False)
        except requests.RequestException as exc:
            raise _failure(exc, url) from exc

    def _read_body(self, response: requests.Response, url: str, deadline: _Deadline) -> bytearray:
        """The body, streamed as received and unpacked here, so that both caps count exactly;
        stops past either cap or the deadline."""
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _Final(self._too_big(url))
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if encoding in ("", "identity"):
            unpacker = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            unpacker = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or zlib header, either
        else:
            raise _Final(f"arXiv's answer to {url} is encoded as {_shorten(encoding, 40)!r}, which paperclub "
                         f"did not ask for; not read")
        body = bytearray()
        received = 0
        try:
            for piece in response.raw.stream(_CHUNK, decode_content=False):
                received += len(piece)
                if received > self.max_bytes:
                    raise _Final(self._too_big(url))
                if unpacker is None:
                    body += piece
                else:
                    self._unpack(unpacker, piece, body, url)
                if deadline.expired:
                    raise _Final(self._late(url))
            if unpacker is not None and not unpacker.eof:
                raise _Transient("a broken connection (the compressed answer ended early)")
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise _failure(exc, url) from exc
        except zlib.error as exc:
            raise _Final(f"arXiv's answer to {url} could not be decompressed ({exc})") from exc
        if unpacker is None and len(body) > self.max_decompressed:
            raise self._bomb(url)
        return body

    def _unpack(self, unpacker: Any, piece: bytes, body: bytearray, url: str) -> None:
        """Add what `piece` unpacks to, never more than one byte past the cap at a time."""
        data = piece
        while data and not unpacker.eof:
            body += unpacker.decompress(data, self.max_decompressed + 1 - len(body))
            if len(body) > self.max_decompressed:
                raise self._bomb(url)
            data = unpacker.unconsumed_tail

    def _bomb(self, url: str) -> _Final:
        return _Final(f"arXiv's answer to {url} unpacks to more than {_size(self.max_decompressed)}, "
                      f"the most paperclub accepts; stopped reading")

    def _too_big(self, url: str) -> str:
        return f"arXiv's answer to {url} is larger than {_size(self.max_bytes)}, the most paperclub reads; stopped reading"

    def _late(self, url: str) -> str:
        return (f"arXiv took more than {self.deadline:g} s to answer {url} (the limit for a whole request); "
                f"stopped waiting")

    def _may_follow(self, current: str, target: str) -> bool:
        """Whether a redirect stays with the configured hosts or arXiv's own, without
        leaving HTTPS."""
        try:
            parts = urlsplit(target)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme not in _DEFAULT_PORTS or (urlsplit(current).scheme == "https" and parts.scheme != "https"):
            return False
        host = (parts.hostname or "").lower()
        if (host, port or _DEFAULT_PORTS[parts.scheme]) in self._origins:
            return True
        return host in ARXIV_HOSTS and port in (None, _DEFAULT_PORTS[parts.scheme])


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: Mapping[str, str]
    text: str


class _Final(Exception):
    """A request that failed in a way trying again would not mend; the message is the sentence."""


class _Transient(Exception):
    """A request that failed in a way that may pass (a timeout, a dropped connection)."""


_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              urllib3.exceptions.ProtocolError, urllib3.exceptions.TimeoutError)


def _failure(exc: requests.RequestException | urllib3.exceptions.HTTPError, url: str) -> Exception:
    """What a failed request means: unreachable (final), transient, or final."""
    unreachable = _unreachable(exc, url)
    if unreachable:
        return _Final(f"{UNREACHABLE}: {unreachable}")
    untrusted = _untrusted(exc)
    if untrusted:
        return _Final(f"the certificate of {_host(url) or url} is not trusted ({untrusted}): the answer could "
                      f"come from someone else, so paperclub stopped; check the machine's clock and its CA "
                      f"certificates, or the proxy between this machine and arXiv")
    if isinstance(exc, _TRANSIENT):
        return _Transient(_describe(exc))
    return _Final(f"arXiv request to {url} failed with {_describe(exc)}; not retried")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps: causes, contexts, urllib3's `reason`, exceptions in `args`."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 50:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(item for item in wrapped if isinstance(item, BaseException))


def _downgrades(current: str, target: str) -> bool:
    """Whether a redirect leaves https for plain http."""
    return urlsplit(current).scheme == "https" and urlsplit(target).scheme.lower() == "http"


def _untrusted(exc: BaseException) -> str | None:
    """What TLS said when it did not trust a certificate (expired, self-signed, wrong host), or
    None: trying again would not change it."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or str(cause)
    return None


def _unreachable(exc: BaseException, url: str) -> str | None:
    """Why the host cannot be reached at all (no such name, refused, no route), or None."""
    host = _host(url) or url
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return f"the name {host} could not be resolved"
        if isinstance(cause, ConnectionRefusedError):
            return f"{host} refused the connection"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return f"there is no route to {host}"
    return None


# -- the deadline's watchdog ------------------------------------------------------------------

_local = threading.local()


class _Deadline:
    """The end of one whole request. When it passes, the sockets the request uses (registered
    by the watched connections below, on this thread) are shut down, which ends any read in
    progress: a body trickled a byte at a time, or headers that never end."""

    def __init__(self, seconds: float):
        self.expired = False
        self._lock = threading.Lock()
        self._connections: list[urllib3.connection.HTTPConnection] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _local.deadline = None

    def attach(self, connection: urllib3.connection.HTTPConnection) -> None:
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


def _shut(connection: urllib3.connection.HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:  # the plain socket's shutdown, also for TLS: it wakes a read blocked in another thread
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


def _attach(connection: urllib3.connection.HTTPConnection) -> None:
    deadline = getattr(_local, "deadline", None)
    if deadline is not None:
        deadline.attach(connection)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """A connection the current request's deadline watches, from connecting to the last byte."""

    def connect(self) -> None:
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
    """The same, over TLS."""


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedPool, "https": _WatchedTLSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections the deadline's watchdog can shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme:
            manager.pool_classes_by_scheme = _WATCHED_POOLS  # not for SOCKS, which has its own
        return manager


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
    causes = list(_causes(exc))
    if any(isinstance(c, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)) for c in causes):
        return "a timeout (no answer in time)"
    if isinstance(exc, _TRANSIENT):
        return "a broken connection"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return _shorten(text)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _origin(url: str) -> tuple[str, int] | None:
    """(host, port) of a base URL, the port filled in from the scheme."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.scheme not in _DEFAULT_PORTS:
        return None
    return parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float) -> str:
    for unit, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= unit * 0.99:  # an HTTP date a day ahead is a second short of one by now
            return _plural(round(seconds / unit), name)
    return _plural(round(seconds), "second")


def _size(count: int) -> str:
    for unit, name in ((1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "kB")):
        if count >= unit:
            return f"{count / unit:g} {name}"
    return _plural(count, "byte")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def read_announcement(text: str, url: str, category: str | None, expected_day: date | None) -> Announcement:
    """The announcement in a feed's text, read from `url` (a link or a file name): its papers
    by announce type, its day, and its status. `category` None: the one the feed names in its
    title ("cs.LG updates on arXiv.org"). A feed for a day before `expected_day` is "stale";
    one for a later day is taken, and the log says so."""
    checked = check_feed_xml(text, url)
    today = expected_day or date.today()
    result = Announcement(category=category or "", url=url, day=None, rejected=list(checked.rejected))
    if checked.text is None:
        result.status = FeedStatus.MALFORMED
        result.message = (f"{category or url}: feed could not be read: {checked.rejected[0].reason} "
                          f"({url}:{checked.rejected[0].line})")
        feed_log.warning("%s", result.message)
        return result
    text = checked.text
    info = feed_info(text)
    if category is None:
        named = (info["title"] or "").split(" ")[0]
        result.category = named if _CATEGORY.fullmatch(named) else ""
    for item in parse_announcements(text, url, today):
        if isinstance(item, Rejection):
            result.rejected.append(item)
            continue
        kind, record = item
        if kind == AnnouncementType.NEW:
            result.new.append(record)
        elif kind == AnnouncementType.CROSS:
            result.cross.append(record)
        else:
            result.replaced.append(record)
    result.day = info["published"] or info["updated"]
    _judge(result, info, expected_day)
    for rejection in result.rejected:
        feed_log.warning("%s: skipped malformed entry at %s", result.category, rejection)
    if result.status == FeedStatus.OK:
        feed_log.info("%s", result.message)
    else:
        feed_log.warning("%s", result.message)
    return result


def _judge(result: Announcement, info: FeedInfo, expected_day: date | None) -> None:
    category, day = result.category, result.day
    papers = len(result.new) + len(result.cross) + len(result.replaced)
    if not papers and result.rejected:
        result.status = FeedStatus.MALFORMED
        if info.get("error"):
            where = result.rejected[0]
            result.message = f"{category}: feed could not be read: {info['error']} ({where.path}:{where.line})"
        else:
            result.message = f"{category}: {_skipped(result.rejected)}"
    elif expected_day is not None and day is not None and day < expected_day:
        result.status = FeedStatus.STALE
        result.message = f"{category}: feed is stale: it is for {day.isoformat()}, expected {expected_day.isoformat()}"
    elif not papers:
        result.status = FeedStatus.EMPTY
        which = f"feed for {day.isoformat()}" if day else "feed"
        result.message = f"{category}: {which} is empty (arXiv does not announce at weekends or on holidays)"
    else:
        result.status = FeedStatus.OK
        counts = (f"{len(result.new)} new, {_plural(len(result.cross), 'cross-list')}, "
                  f"{_plural(len(result.replaced), 'replacement')}")
        when = f"for {day.isoformat()}" if day else "(the feed states no date)"
        result.message = f"{category}: {counts} {when}"
        if result.rejected:
            result.message += f"; {_skipped(result.rejected)}"
    if expected_day is not None and day is not None and day > expected_day:
        result.message += f" (a feed newer than the {expected_day.isoformat()} announcement expected: taken)"


def _skipped(rejected: list[Rejection], shown: int = 5) -> str:
    where = ", ".join(f"{r.path}:{r.line}" for r in rejected[:shown])
    if len(rejected) > shown:
        where += ", …"
    noun = "malformed entry" if len(rejected) == 1 else "malformed entries"
    return f"{len(rejected)} {noun} skipped ({where})"
