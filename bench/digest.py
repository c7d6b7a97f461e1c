"""The daily digest path at a lab's scale, against the cost of one /recommend in the same run.

    python bench/digest.py                    # 10,000 papers, 4 feeds, 50 channels in 10 servers
    python bench/digest.py --quick            # 2,000 papers, 2 feeds, 10 channels (a smoke run)
    python bench/digest.py --json bench/out/digest.json

The library is the synthetic arXiv corpus of bench/synthetic.py (built once, cached under
bench/out/). Each feed is one day's announcement of a category in arXiv's real RSS format (150 new
papers, 80 cross-lists and 60 replacements of stored papers, like a busy cs.LG day), written from
papers of a larger synthetic corpus that the library does not hold, and served by a local HTTP
server. The real client fetches and parses them through a rate gate with no pause (arXiv's 3 s
would only add waiting). Each server has 3 to 5 members with 5 to 20 likes each; each channel
subscribes to two of the categories, 5 papers a day.

Measured: fetch + parse per feed, `store_announcement` per feed (adds the papers, updates the
index), `prepare_digest` per channel (choose, rank and record the digest), the whole round, and as the
baseline in the same process `recommend` for the same members. The machine is shared and noisy:
the ratio prepare / recommend is the meaningful figure.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ParamSpec, TypeVar
from xml.sax.saxutils import escape

from common import ROOT, use_repository_code

use_repository_code()

from recommender import ArxivClient, Library, RateGate  # noqa: E402

import synthetic  # noqa: E402

OUT = ROOT / "bench" / "out"
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)
CATEGORIES = ["cs.LG", "cs.CV", "math.OC", "math.PR"]
NEW, CROSS, REPLACED = 150, 80, 60


def corpus_path(papers: int, seed: int) -> Path:
    """The synthetic corpus of the library, written once."""
    path = OUT / f"digest-corpus-{papers}-seed{seed}.jsonl"
    if not path.exists():
        synthetic.write(papers, seed, path)
    return path


def fresh_papers(count: int, seed: int) -> list[dict]:
    """Papers the library does not hold, with June 2025 ids, for the day's announcements."""
    found = []
    for number, entry in enumerate(synthetic.generate(count, seed + 1), 1):
        found.append({**entry, "id": f"2506.{number:05d}"})
    return found


def library_copy(papers: int, seed: int, folder: Path) -> Path:
    """A database of `papers` synthetic papers (built once and cached), copied for this run."""
    cached = OUT / f"digest-library-{papers}-seed{seed}.db"
    if not cached.exists():
        corpus = corpus_path(papers, seed)
        started = time.perf_counter()
        with Library(cached) as lib:
            lib.ingest([corpus])
        print(f"built the {papers:,}-paper library in {time.perf_counter() - started:.0f} s (cached: {cached})")
    target = folder / "digest.db"
    shutil.copy(cached, target)
    return target


def rss_item(entry: dict, kind: str, category: str, version: int = 1) -> str:
    cats = "".join(f"<category>{escape(c)}</category>" for c in entry["categories"].split())
    description = f"arXiv:{entry['id']}v{version} Announce Type: {kind} \nAbstract: {entry['abstract'].strip()}"
    return (
        f"<item><title>{escape(entry['title'])}</title><link>https://arxiv.org/abs/{entry['id']}</link>"
        f"<description>{escape(description)}</description>"
        f"<guid isPermaLink=\"false\">oai:arXiv.org:{entry['id']}v{version}</guid>{cats}"
        f"<pubDate>Mon, 02 Jun 2025 00:00:00 -0400</pubDate><arxiv:announce_type>{kind}</arxiv:announce_type>"
        f"<dc:creator>{escape(entry['authors'])}</dc:creator></item>"
    )


def feeds(categories: list[str], stored: list[dict], fresh: list[dict], rng: random.Random) -> dict[str, bytes]:
    """One day's RSS document per category."""
    documents = {}
    fresh_iter = iter(fresh)
    for category in categories:
        items = [rss_item(next(fresh_iter), "new", category) for _ in range(NEW)]
        items += [rss_item(next(fresh_iter), "cross", category) for _ in range(CROSS)]
        items += [rss_item(entry, "replace", category, 2) for entry in rng.sample(stored, REPLACED)]
        documents[category] = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
            f"<title>{category} updates on arXiv.org</title><link>http://rss.arxiv.org/rss/{category}</link>"
            "<pubDate>Mon, 02 Jun 2025 00:00:00 -0400</pubDate>" + "".join(items) + "</channel></rss>"
        ).encode()
    return documents


def serve(documents: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            body = documents.get(self.path.rsplit("/", 1)[-1])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def read_jsonl(path: Path) -> list[dict]:
    with path.open() as lines:
        return [json.loads(line) for line in lines]


P = ParamSpec("P")
T = TypeVar("T")


def timed(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"{statistics.median(values) * 1000:8.1f} / {p90 * 1000:8.1f}"


def run(papers: int, categories: list[str], channels: int, servers: int, seed: int) -> dict:
    rng = random.Random(seed)
    folder = OUT / "digest-run"
    folder.mkdir(parents=True, exist_ok=True)
    lib = Library(library_copy(papers, seed, folder))
    stored = read_jsonl(corpus_path(papers, seed))
    fresh = fresh_papers(len(categories) * (NEW + CROSS), seed)
    server = serve(feeds(categories, stored, fresh, rng))
    client = ArxivClient(f"http://127.0.0.1:{server.server_port}/rss/", "http://127.0.0.1:9/api", gate=RateGate(0))
    all_ids = [entry["id"] for entry in stored]

    members: dict[str, list[str]] = {}
    for number in range(servers):
        group = f"server{number}"
        members[group] = [f"{group}-member{k}" for k in range(rng.randint(3, 5))]
        for person in members[group]:
            for arxiv_id in rng.sample(all_ids, rng.randint(5, 20)):
                lib.like(person, arxiv_id, group=group)
    for number in range(channels):
        group = f"server{number % servers}"
        lib.subscribe(f"channel:{number + 1}", rng.sample(categories, 2), post_time="08:00", timezone_name="UTC",
                       group=group, now=NOW - timedelta(days=3))

    fetch_times, store_times, prepare_times, recommend_times = [], [], [], []
    round_started = time.perf_counter()
    due = lib.subscriptions_due(NOW)
    for category, day in lib.feeds_needed(due, NOW):
        seconds, announcement = timed(client.announcement, category, day)
        fetch_times.append(seconds)
        seconds, report = timed(lib.store_announcement, announcement, day, NOW)
        store_times.append(seconds)
        assert report.new == NEW and report.cross == CROSS and report.updated == REPLACED, report
    for subscription in due:
        seconds, digest = timed(lib.prepare_digest, subscription, NOW)
        prepare_times.append(seconds)
        assert digest is not None, subscription
        lib.mark_digest_sent(digest.id, NOW)
    round_seconds = time.perf_counter() - round_started
    for group, people in members.items():
        for person in people:
            recommend_times.append(timed(lib.recommend, person, 10, group)[0])
    server.shutdown()
    lib.close()

    result = {
        "papers": papers, "feeds": len(fetch_times), "channels": len(prepare_times),
        "fetch_parse_ms": statistics.median(fetch_times) * 1000,
        "store_ms": statistics.median(store_times) * 1000,
        "prepare_ms": statistics.median(prepare_times) * 1000,
        "recommend_ms": statistics.median(recommend_times) * 1000,
        "round_s": round_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    result["prepare_per_recommend"] = result["prepare_ms"] / result["recommend_ms"]
    print(f"{papers:,} papers · {len(fetch_times)} feeds of {NEW} new + {CROSS} cross + {REPLACED} replaced · "
          f"{len(prepare_times)} channels in {servers} servers")
    print("                               median /      p90 (ms)")
    print(f"fetch + parse, per feed      {ms(fetch_times)}")
    print(f"store announcement, per feed {ms(store_times)}")
    print(f"prepare digest, per channel  {ms(prepare_times)}")
    print(f"recommend (baseline)         {ms(recommend_times)}")
    print(f"whole round {round_seconds:.2f} s · prepare / recommend = {result['prepare_per_recommend']:.2f} · "
          f"peak RSS {result['peak_rss_mb']:.0f} MB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2,000 papers, 2 feeds, 10 channels")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    categories = CATEGORIES
    if args.quick:
        args.papers, args.channels, args.servers, categories = 2_000, 10, 3, CATEGORIES[:2]
    result = run(args.papers, categories, args.channels, args.servers, args.seed)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
