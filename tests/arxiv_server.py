"""A local stand-in for arXiv: recorded answers served over real HTTP, plus a fake-clock gate.

`RecordedArxiv.route(path, *responses)` answers successive requests to `path` with successive
responses, the last one repeating; `route_api(id_list, ...)` and `route_search(search_query, ...)`
answer only the API requests with that exact (decoded) parameter. A response is a recording (a
`Path`, or a file name in tests/data/arxiv/) served with status 200, or a tuple
`(status, body, headers)` whose body is bytes, text, a `Path` or a `Stream`; a fourth element
delays the answer by that many seconds. A `Content-Length` among the headers replaces the true
one. `raw_queries` keeps each request's query string as it was sent.

A misbehaving arXiv is made of the same parts: `Stream` sends a body as it is made (chunked,
optionally a piece every so often, optionally with headers that trickle too), `gzip_bomb` is a
small body that unpacks to a large one, `endless_feed` an RSS feed that goes on and on. `sent`
counts, per finished answer, the body bytes that actually left the server, which shows that a
client stopped reading.
"""

from __future__ import annotations

import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from recommender.arxiv import RateGate

RECORDINGS = Path(__file__).resolve().parent / "data" / "arxiv"
API_PATH = "/api/query"


@dataclass(frozen=True)
class Stream:
    """A body sent as it is made, with chunked transfer encoding. `pieces()` makes the pieces
    afresh for each request, and `pause` seconds pass before each one; with `slow_headers` the
    status line and headers go out one byte per `pause` as well."""

    pieces: Callable[[], Iterable[bytes]]
    pause: float = 0.0
    slow_headers: bool = False


Body = bytes | Stream
Response = tuple[int, Body, dict[str, str], float]

_FEED_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
              b"<title>cs.LG updates on arXiv.org</title>\n")
_FEED_ITEM = (b"<item><title>Padding</title><link>https://arxiv.org/abs/2505.00001</link>"
              b"<description>arXiv:2505.00001v1 Announce Type: new Abstract: more of the same.</description>"
              b"</item>\n")


def gzip_bomb(unpacked: int) -> bytes:
    """A gzip body that unpacks to `unpacked` zero bytes (about a thousandth of that packed),
    made a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = []
    for start in range(0, unpacked, len(block)):
        parts.append(packer.compress(block[:min(len(block), unpacked - start)]))
    parts.append(packer.flush())
    return b"".join(parts)


def endless_feed(total: int, piece: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """The pieces of an RSS feed that goes on with items until `total` bytes (never closed)."""
    items = _FEED_ITEM * max(1, piece // len(_FEED_ITEM))

    def pieces() -> Iterator[bytes]:
        yield _FEED_HEAD
        sent = len(_FEED_HEAD)
        while sent < total:
            chunk = items[:total - sent]
            sent += len(chunk)
            yield chunk

    return pieces


def trickle(body: bytes) -> Callable[[], Iterator[bytes]]:
    """The pieces of `body`, one byte each."""
    return lambda: (body[i:i + 1] for i in range(len(body)))


def _response(spec: object) -> Response:
    """A route's response in its full form: (status, body, headers, delay)."""
    if isinstance(spec, (str, Path)):
        spec = (200, Path(spec) if Path(spec).is_absolute() else RECORDINGS / spec, {})
    if not isinstance(spec, tuple) or len(spec) not in (3, 4):
        raise TypeError(f"a response is a recording or (status, body, headers[, delay]), not {spec!r}")
    status, body, headers = spec[:3]
    delay = float(spec[3]) if len(spec) == 4 else 0.0
    if isinstance(body, Path):
        body = body.read_bytes()
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, Stream):
        body = bytes(body)
    return int(status), body, dict(headers or {}), delay


class _QuietServer(ThreadingHTTPServer):
    """A server that says nothing when a client hangs up, as the hostile tests' clients do."""

    daemon_threads = True
    block_on_close = False  # never wait for kept-alive or sleeping handlers

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class RecordedArxiv:
    """An HTTP server on 127.0.0.1 answering with recorded arXiv responses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, str | None], list[Response]] = {}
        self._served: dict[tuple[str, str | None], int] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []
        self.raw_queries: list[str] = []  # each request's query string as sent, still encoded
        self.headers: list[dict[str, str]] = []
        self.sent: list[int] = []  # body bytes written, per answer, as each answer ends
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.rss_url = self.url + "/rss/"
        self.api_url = self.url + API_PATH

    def start(self) -> RecordedArxiv:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="recorded-arxiv", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def route(self, path: str, *responses: object) -> None:
        """Answer requests to `path` with `responses`, in turn; the last one repeats."""
        self._add((path, None), responses)

    def route_api(self, id_list: str, *responses: object) -> None:
        """Answer API requests whose `id_list` is exactly `id_list` with `responses`."""
        self._add((API_PATH, f"id_list={id_list}"), responses)

    def route_search(self, search_query: str, *responses: object) -> None:
        """Answer API requests whose decoded `search_query` is exactly `search_query`."""
        self._add((API_PATH, f"search_query={search_query}"), responses)

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [path for path, _, _ in self.requests]

    def _add(self, key: tuple[str, str | None], responses: tuple) -> None:
        if not responses:
            raise ValueError("a route needs at least one response")
        with self._lock:
            self._routes[key] = [_response(r) for r in responses]
            self._served[key] = 0

    def _answer(self, path: str, query: dict[str, str], raw_query: str,
                headers: dict[str, str]) -> Response | None:
        with self._lock:
            self.requests.append((path, query, time.monotonic()))
            self.raw_queries.append(raw_query)
            self.headers.append(headers)
            key: tuple[str, str | None] = (path, None)
            if path == API_PATH:
                for name in ("id_list", "search_query"):
                    if name in query and (path, f"{name}={query[name]}") in self._routes:
                        key = (path, f"{name}={query[name]}")
                        break
            responses = self._routes.get(key)
            if not responses:
                return None
            index = min(self._served[key], len(responses) - 1)
            self._served[key] += 1
            return responses[index]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in separate writes: without this, Nagle's algorithm holds
            # the body until the client's delayed ACK, some 40 ms a request.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                answer = recorded._answer(parts.path, query, parts.query, dict(self.headers.items()))
                if answer is None:
                    answer = (404, f"no route for {parts.path}\n".encode(), {"Content-Type": "text/plain"}, 0.0)
                status, body, headers, delay = answer
                if delay:
                    time.sleep(delay)
                written = 0
                try:
                    if isinstance(body, Stream):
                        written = self._stream(status, body, headers)
                    else:
                        self.send_response(status)
                        self._send_headers(headers, {"Content-Length": str(len(body))})
                        self.end_headers()
                        self.wfile.write(body)
                        written = len(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up, as the hostile tests intend
                finally:
                    with recorded._lock:
                        recorded.sent.append(written)

            def _send_headers(self, headers: dict[str, str], defaults: dict[str, str]) -> None:
                given = {name.lower() for name in headers}
                if "content-type" not in given:
                    self.send_header("Content-Type", "application/xml")
                for name, value in defaults.items():
                    if name.lower() not in given:
                        self.send_header(name, value)
                for name, value in headers.items():
                    self.send_header(name, value)

            def _stream(self, status: int, body: Stream, headers: dict[str, str]) -> int:
                """Send a Stream; returns the body bytes written before it ended or the client left."""
                self.close_connection = True
                if body.slow_headers:
                    lines = [f"HTTP/1.1 {status} Slow", "Content-Type: application/xml",
                             "Transfer-Encoding: chunked", *(f"{k}: {v}" for k, v in headers.items())]
                    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                    for index in range(len(head)):
                        time.sleep(body.pause)
                        self.wfile.write(head[index:index + 1])
                        self.wfile.flush()
                else:
                    self.send_response(status)
                    self._send_headers(headers, {"Transfer-Encoding": "chunked", "Connection": "close"})
                    self.end_headers()
                written = 0
                for piece in body.pieces():
                    if body.pause:
                        time.sleep(body.pause)
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                    written += len(piece)
                self.wfile.write(b"0\r\n\r\n")
                return written

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


class FakeGate(RateGate):
    """A RateGate on a fake clock: sleeping advances the clock instantly and is recorded."""

    def __init__(self, interval: float = 3.0):
        self._now = 0.0
        self.sleeps: list[float] = []
        self.starts: list[float] = []
        super().__init__(interval, clock=self.now, sleep=self._sleep)

    def now(self) -> float:
        return self._now

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._now += seconds

    def start(self) -> None:
        super().start()
        self.starts.append(self.now())


@pytest.fixture
def arxiv_server() -> Iterator[RecordedArxiv]:
    server = RecordedArxiv().start()
    yield server
    server.stop()


@pytest.fixture
def fake_gate() -> FakeGate:
    return FakeGate()
