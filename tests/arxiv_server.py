"""A local stand-in for arXiv: recorded answers served over real HTTP, plus a fake-clock gate.

`RecordedArxiv.route(path, *responses)` answers successive requests to `path` with successive
responses, the last one repeating; `route_api(id_list, ...)` and `route_search(search_query, ...)`
answer only the API requests with that exact (decoded) parameter. A response is a recording (a
`Path`, or a file name in tests/data/arxiv/) served with status 200, or a tuple
`(status, body, headers)` whose body is bytes, text or a `Path`; a fourth element delays the
answer by that many seconds. `raw_queries` keeps each request's query string as it was sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from recommender.arxiv import RateGate

RECORDINGS = Path(__file__).resolve().parent / "data" / "arxiv"
API_PATH = "/api/query"

Response = tuple[int, bytes, dict[str, str], float]


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
    return int(status), bytes(body), dict(headers or {}), delay


class RecordedArxiv:
    """An HTTP server on 127.0.0.1 answering with recorded arXiv responses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, str | None], list[Response]] = {}
        self._served: dict[tuple[str, str | None], int] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []
        self.raw_queries: list[str] = []  # each request's query string as sent, still encoded
        self.headers: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # never wait for kept-alive or sleeping handlers
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

            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                answer = recorded._answer(parts.path, query, parts.query, dict(self.headers.items()))
                if answer is None:
                    answer = (404, f"no route for {parts.path}\n".encode(), {"Content-Type": "text/plain"}, 0.0)
                status, body, headers, delay = answer
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    if not any(name.lower() == "content-type" for name in headers):
                        self.send_header("Content-Type", "application/xml")
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as the timeout tests intend

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

    @contextmanager
    def slot(self) -> Iterator[None]:
        with super().slot():
            self.starts.append(self.now())
            yield


@pytest.fixture
def arxiv_server() -> Iterator[RecordedArxiv]:
    server = RecordedArxiv().start()
    yield server
    server.stop()


@pytest.fixture
def fake_gate() -> FakeGate:
    return FakeGate()
