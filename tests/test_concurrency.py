"""One library shared by threads and processes: writes never lose a like, reads never fail, a
refit aside loses no paper, and a killed save leaves nothing behind. Speed is measured in
bench/responsive.py, not asserted here; the read times seen are printed (pytest -s)."""

from __future__ import annotations

import csv
import multiprocessing
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from recommender import Library
from recommender.papers import Record, Source

from tests.conftest import store_of

# Light imports only (no numpy, scikit-learn or pytest here): each of the liking processes
# imports this module afresh.
DATA = Path(__file__).resolve().parent / "data"
INGEST_DAY = date(2026, 11, 22)
PROCESSES = 8
CALLS_PER_PROCESS = 150


def run_threads(*targets: Callable[[], None]) -> list[str]:
    """Run each target on a thread of its own; the exceptions they raised, as text."""
    errors: list[str] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except Exception as exc:
            errors.append(f"{target.__name__}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def run_or_raise(*targets: Callable[[], None]) -> None:
    errors = run_threads(*targets)
    if errors:
        raise RuntimeError("; ".join(errors))


class Reader:
    """Calls search, recommend and similar in turn until told to stop, timing each call."""

    QUERIES = ["neural ode", '"language models"', "diffusion OR flow", "author:Chen", "graph cat:cs.LG"]

    def __init__(self, lib: Library, user: str, papers: list[int]):
        self.lib, self.user, self.papers = lib, user, papers
        self.stop = threading.Event()
        self.times: dict[str, list[float]] = {"search": [], "recommend": [], "similar": []}

    def __call__(self) -> None:
        rng = random.Random(7)
        calls: dict[str, Callable[[], object]] = {
            "search": lambda: self.lib.search(rng.choice(self.QUERIES)),
            "recommend": lambda: self.lib.recommend(self.user, limit=5),
            "similar": lambda: self.lib.similar(rng.choice(self.papers), limit=5),
        }
        while not self.stop.is_set():
            for name, read in calls.items():
                started = time.perf_counter()
                read()
                self.times[name].append(time.perf_counter() - started)
            time.sleep(0.005)

    def p95_ms(self) -> dict[str, float]:
        return {name: round(statistics.quantiles(t, n=20)[-1] * 1000, 1) for name, t in self.times.items()}


def write_csv_chunks(source: Path, folder: Path, size: int) -> list[Path]:
    with open(source, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    paths = []
    for start in range(0, len(rows), size):
        path = folder / f"{source.stem}-{start}.csv"
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows[start:start + size])
        paths.append(path)
    return paths


def write_jsonl_chunks(source: Path, folder: Path, size: int, total: int) -> list[Path]:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)[:total]
    paths = []
    for start in range(0, len(lines), size):
        path = folder / f"{source.stem}-{start}.jsonl"
        path.write_text("".join(lines[start:start + size]), encoding="utf-8")
        paths.append(path)
    return paths


def paper_ids(lib: Library) -> list[int]:
    return [row.id for row in store_of(lib).index_rows()]


def test_ingest_likes_and_reads_share_one_library(seeded, tmp_path):
    files = (write_csv_chunks(DATA / "arxiv-ml-sample.csv", tmp_path, 1000)
             + write_jsonl_chunks(DATA / "arxiv-metadata-snapshot-sample.jsonl", tmp_path, 400, 400))
    seeds = paper_ids(seeded)
    before = len(seeds)
    seeded.like("reader", seeds[0])
    seeded.like("reader", seeds[1])
    reader = Reader(seeded, "reader", seeds)
    reports = []
    rng = random.Random(3)
    plan = [(f"liker-{rng.randrange(3)}", rng.choice(seeds), rng.choice(["like", "unlike", "dislike"]))
            for _ in range(600)]
    expected: dict[str, dict[int, str]] = {}
    for user, pid, action in plan:
        if action == "unlike":
            expected.setdefault(user, {}).pop(pid, None)
        else:
            expected.setdefault(user, {})[pid] = action

    def ingest() -> None:
        for path in files:
            reports.append(seeded.ingest([path], today=INGEST_DAY))

    def like() -> None:
        for user, pid, action in plan:
            getattr(seeded, action)(user, pid)

    def write_then_stop_reading() -> None:
        try:
            run_or_raise(ingest, like)
        finally:
            reader.stop.set()

    errors = run_threads(write_then_stop_reading, reader)

    assert errors == []
    assert [r.errors for r in reports] == [[]] * len(files)
    added = sum(r.added for r in reports)
    assert added > 1200
    assert store_of(seeded).count_papers() == before + added
    for user, wanted in expected.items():
        signals = {s.paper_id: s.kind for s in store_of(seeded).signals(user)}
        assert signals == wanted, user
    assert set(seeded.index().ids) == set(paper_ids(seeded))
    assert min(len(t) for t in reader.times.values()) > 5
    print(f"\nread p95 ms during the ingest and likes: {reader.p95_ms()}")


def like_in_a_process(path: str, user: str, papers: list[int], seed: int, start: Any, results: Any) -> None:
    """Like and unlike papers in a library of one's own on a shared file; report what was asked
    and every call that failed."""
    failures: list[str] = []
    wanted: set[int] = set()
    rng = random.Random(seed)
    with Library(path) as lib:
        start.wait()
        for _ in range(CALLS_PER_PROCESS):
            pid = rng.choice(papers)
            try:
                if rng.random() < 0.7:
                    lib.like(user, pid)
                    wanted.add(pid)
                else:
                    lib.unlike(user, pid)
                    wanted.discard(pid)
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
    results.put((user, sorted(wanted), failures))


def test_eight_processes_liking_in_one_file_lose_nothing(seeded):
    papers = paper_ids(seeded)
    path = seeded.path
    seeded.close()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(target=like_in_a_process, args=(path, f"proc-{n}", papers, n, start, results))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join()

    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert [failures for _, _, failures in outcomes] == [[]] * PROCESSES
    with Library(path) as lib:
        for user, wanted, _ in outcomes:
            assert sorted(s.paper.id for s in lib.likes(user)) == wanted, user
    print(f"\n{PROCESSES} processes x {CALLS_PER_PROCESS} like/unlike calls: 0 failed, 0 lost")


def record(number: int) -> Record:
    return Record(
        title=f"Spectral sheaf diffusion on temporal hypergraphs, part {number}",
        abstract=f"We study sheaf diffusion on temporal hypergraphs (variant {number}) and show "
                 "spectral bounds for message passing on higher-order networks.",
        authors=["Ada Okafor"], categories=["cs.LG"],
        source=Source(path="added-during-refit", line=number, format="test"),
    )


def test_readers_read_through_a_refit_and_papers_added_meanwhile_are_kept(seeded_db, tmp_path, monkeypatch):
    from recommender.index import TfidfIndex

    path = tmp_path / "refit.db"
    path.write_bytes(seeded_db.read_bytes())
    fitting, added = threading.Event(), threading.Event()
    held: list[bool] = []
    real_fit = TfidfIndex.fit

    def fit_after_papers_are_added(cls: type[TfidfIndex], *args: Any, **kwargs: Any) -> TfidfIndex:
        """The real fit, held until the test has added papers, so that they arrive mid-refit."""
        if threading.current_thread().name == "paperclub-refit" and not fitting.is_set():
            fitting.set()
            held.append(added.wait(20))
        return real_fit(*args, **kwargs)

    lib = Library(path, background_index=True)
    try:
        lib.index()
        monkeypatch.setattr(TfidfIndex, "fit", classmethod(fit_after_papers_are_added))
        reader = Reader(lib, "reader", paper_ids(lib))
        lib.like("reader", reader.papers[0])
        newcomers: list[int] = []

        def write() -> None:
            try:
                lib.ingest([DATA / "arxiv-ml-sample.csv"], today=INGEST_DAY)  # makes a refit due
                assert fitting.wait(30), "no refit started in the background"
                for number in range(20):
                    assert lib.add_record(record(number)) == "added"
                    lib.papers_changed()
                    newcomers.append(lib.paper(record(number).title).id)
                assert set(newcomers) <= set(lib.index().ids)  # findable at once, in the old index
                added.set()
                lib.wait_for_background()
            finally:
                added.set()
                reader.stop.set()

        errors = run_threads(write, reader)
        assert errors == []
        assert held == [True], "papers could not be added while the refit was fitting"
        index = lib.index()
        assert set(newcomers) <= set(index.ids)
        assert set(index.ids) == set(paper_ids(lib))
        assert lib.similar(newcomers[0], limit=3)
        assert min(len(t) for t in reader.times.values()) > 0
        print(f"\nread p95 ms during the refit: {reader.p95_ms()}")
    finally:
        lib.close()


HOLD_A_TEMPORARY = """
import os, sys, tempfile, time
index = sys.argv[1]
handle, name = tempfile.mkstemp(dir=os.path.dirname(index), prefix=os.path.basename(index) + f".{os.getpid()}.",
                                suffix=".tmp")
os.write(handle, b"half an index")
print(name, flush=True)
time.sleep(60)
"""


def start_saving(index: Path) -> tuple[subprocess.Popen, Path]:
    """A process in the middle of saving an index: its temporary is written, not yet renamed."""
    process = subprocess.Popen([sys.executable, "-c", HOLD_A_TEMPORARY, str(index)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_killed_saves_temporary_is_removed_at_the_next_open_and_a_live_ones_kept(seeded):
    seeded.similar(1)
    index, path = seeded.index_path, seeded.path
    seeded.close()
    killed, killed_temp = start_saving(index)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    live, live_temp = start_saving(index)
    try:
        assert killed_temp.exists() and live_temp.exists()
        assert killed_temp.name.startswith(f"{index.name}.{killed.pid}.")

        with Library(path) as lib:
            assert lib.similar(1, limit=3)
            assert not killed_temp.exists()
            assert live_temp.exists()
            assert index.exists()
    finally:
        live.kill()
        live.wait()
    assert sorted(p.name for p in index.parent.iterdir() if p.name.startswith(index.name)) == sorted(
        [index.name, live_temp.name])


def test_a_saved_index_loads_back_with_the_same_vocabulary(seeded, tmp_path):
    """The vocabulary is saved as a string of terms (pickling the dict held the GIL for
    seconds at 100k papers); it must come back exactly."""
    from recommender.index import TfidfIndex

    index = seeded.index()
    index.save(tmp_path / "copy.index")
    loaded = TfidfIndex.load(tmp_path / "copy.index")
    assert loaded is not None
    assert loaded.vectorizer.vocabulary == index.vectorizer.vocabulary
    assert list(loaded.terms) == list(index.terms)
    doc = ["Neural ordinary differential equations for irregularly sampled time series"]
    assert (loaded.vectorizer.transform(doc) != index.vectorizer.transform(doc)).nnz == 0
