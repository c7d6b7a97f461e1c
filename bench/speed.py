"""Speed and memory of paperclub at scale, on synthetic arXiv corpora, against baselines.

    python bench/speed.py --sizes 10000 100000
    python bench/speed.py --sizes 100000 --no-svm --format csv
    python bench/speed.py --sizes 1000000 --json bench/out/speed-1m.json

For each size it generates (once; cached under bench/out/, keyed by size, seed and generator
version) a synthetic corpus in arXiv's bulk-metadata format with bench/synthetic.py (with
`--format csv`, the same papers also written as a CSV table: id, title, authors, categories,
published, doi, abstract), then runs each phase in a fresh process of this same script, so that
each phase's peak memory is its own:

build     `Library(db)` + `lib.ingest([corpus])` (which parses, de-duplicates, indexes for search
          and fits and persists the TF-IDF index) into a new database: papers/second, the CPU
          time of the process and its children (the parsing and counting processes), peak RSS.
serve     a new `Library(db)` and its first `lib.similar(...)`, which loads the persisted index
          (the start-up cost of the bot); then warm latencies over --calls calls each of
          `recommend` (--users people with --likes likes each, all from one category),
          `similar` (random papers) and `search` (1-3 title words of random papers); peak RSS.
          Afterwards, outside the measured peak, the "array-read floor": one pass summing the
          data and indices arrays of the persisted sparse matrix, the least any ranking that
          looks at every paper must spend.
lab       with --lab: a large lab in the library just built (bench/lab_speed.py): 8,000 members and
          130,000 likes in one group (--lab-members, --lab-likes), and groups of its first 1,000
          and 10,000 likes; per group, recommend p50/p95 of the same members with co-likes and
          text alone, the co-likes' size and build time, the weight the group learns, and a
          like's time (applied to the co-likes, and through `Library.like`).
svm       the arxiv-sanity-lite baseline on the same papers: TfidfVectorizer(ngram_range=(1, 2),
          max_features=20000, min_df=5, max_df=0.1, sublinear_tf=True) on title | authors
          abstract, fitted once (on at most --svm-fit-docs random papers, as arxiv-sanity-lite's
          max_docs does), then per request a LinearSVC(class_weight='balanced', C=0.01,
          dual=True, tol=1e-6, max_iter=10000) with the person's liked papers = 1 and every
          other paper = 0, decision_function over all papers and a full argsort: the median of
          --svm-requests requests (fewer if --svm-budget seconds run out).

The requests (people, their likes, papers, queries) are drawn once per size from --seed, before
any phase, so paperclub and the baseline answer the same ones. The machine is shared and noisy:
the ratios (recommend p50 / SVM request, recommend p50 / array-read floor) are the meaningful
figures; absolute times move with the load. Missing API (like/recommend/similar) prints "n/a".
"""

from __future__ import annotations

import argparse
import csv
import email.utils
import hashlib
import json
import os
import pickle
import platform
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from collections.abc import Callable
from typing import Any, ParamSpec, TypedDict, TypeVar

import numpy as np

from common import ROOT, use_repository_code

use_repository_code()

import synthetic  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
PHASES = ("build", "serve", "lab", "svm")
QUERY_WORD = re.compile(r"[A-Za-z][a-z]{2,}")


# -- small helpers ----------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(times_s: list[float]) -> dict[str, float]:
    """p50/p95/mean in milliseconds."""
    ms = np.asarray(times_s) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "mean_ms": float(ms.mean()), "calls": len(ms)}


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that were waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


P = ParamSpec("P")
T = TypeVar("T")


def timed(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[float, T]:
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# -- corpus and requests ---------------------------------------------------------------------


class Asker(TypedDict):
    """One person of the workload: an id, the category their likes come from, and the likes."""

    user: str
    category: str
    likes: list[str]


class Requests(TypedDict):
    """The calls of one size, drawn before any phase; written as JSON for the phases' interpreters."""

    people: list[Asker]
    papers: list[str]
    queries: list[str]


def generator_version() -> str:
    """A short hash of the generator's source: a changed generator never reuses an old corpus."""
    return hashlib.sha1(Path(synthetic.__file__).read_bytes()).hexdigest()[:8]


def ensure_corpus(n: int, seed: int, fmt: str = "jsonl") -> tuple[Path, dict]:
    """The cached synthetic corpus for (n, seed) in `fmt` (jsonl or csv), generated when
    missing; stale versions removed."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"synth-{n}-seed{seed}-{generator_version()}.jsonl"
    if not path.exists():
        for stale in [*OUT_DIR.glob(f"synth-{n}-seed{seed}-*.jsonl"), *OUT_DIR.glob(f"synth-{n}-seed{seed}-*.csv")]:
            stale.unlink()
        print(f"generating {n:,} synthetic papers -> {path.relative_to(ROOT)}", file=sys.stderr, flush=True)
        stats = synthetic.write(n, seed, path, progress=True)
    if fmt == "csv":
        path = as_csv(path)
    return path, {"format": fmt, "bytes": path.stat().st_size}


CSV_COLUMNS = ("id", "title", "authors", "categories", "published", "doi", "abstract")


def as_csv(jsonl: Path) -> Path:
    """The papers of a bulk-metadata corpus as a CSV table beside it (written once): the
    fields as arXiv gives them (TeX, line breaks in quoted cells), the first version's date."""
    path = jsonl.with_suffix(".csv")
    if path.exists():
        return path
    print(f"writing {path.relative_to(ROOT)}", file=sys.stderr, flush=True)
    partial = path.with_name(path.name + ".partial")
    with open(jsonl, encoding="utf-8") as lines, open(partial, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for line in lines:
            paper = json.loads(line)
            created = email.utils.parsedate_to_datetime(paper["versions"][0]["created"]).date().isoformat()
            writer.writerow([paper["id"], paper["title"], paper["authors"], paper["categories"], created,
                             paper["doi"] or "", paper["abstract"]])
    partial.replace(path)
    return path


def draw_requests(db: Path, seed: int, calls: int, users: int, likes: int) -> Requests:
    """People with likes from one category each, random papers, and search queries.

    Read straight from the database the build phase wrote, by arXiv id (what a person types).
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    try:
        top = conn.execute("SELECT max(id) FROM papers").fetchone()[0]

        def random_rows(k: int) -> list[tuple[str, str, str]]:
            rows: list[tuple[str, str, str]] = []
            while len(rows) < k:
                row = conn.execute("SELECT arxiv_id, title, primary_category FROM papers WHERE id = ?",
                                   [rng.randint(1, top)]).fetchone()
                if row and row[0]:
                    rows.append(row)
            return rows

        people: list[Asker] = []
        while len(people) < users:
            category = random_rows(1)[0][2]
            members = [r[0] for r in conn.execute(
                "SELECT arxiv_id FROM papers WHERE primary_category = ? AND arxiv_id IS NOT NULL ORDER BY id",
                [category])]
            if len(members) >= likes * 2:
                people.append({"user": f"bench-{len(people)}", "category": category,
                               "likes": rng.sample(members, likes)})
        papers = [r[0] for r in random_rows(calls)]
        drafts = [make_query(rng, title) for _, title, _ in random_rows(calls * 2)]
        queries = [q for q in drafts if q][:calls]
    finally:
        conn.close()
    return {"people": people, "papers": papers, "queries": queries}


def make_query(rng: random.Random, title: str) -> str | None:
    """1-3 consecutive content words of a title, lower-cased, as a person would type them."""
    words = [w.lower() for w in QUERY_WORD.findall(title) if w.lower() not in synthetic.STOPWORDS]
    if not words:
        return None
    size = min(len(words), rng.choices([1, 2, 3], weights=[4, 4, 2])[0])
    start = rng.randrange(len(words) - size + 1)
    return " ".join(words[start:start + size])


# -- phases (each runs in its own process) ---------------------------------------------------------


def phase_build(db: Path, corpus: Path) -> dict:
    from recommender import Library

    start, cpu_before = time.perf_counter(), cpu_seconds()
    lib = Library(db)
    report = lib.ingest([corpus])
    ingest_s = time.perf_counter() - start
    if report.errors or report.rejected:
        raise SystemExit(f"ingest failed: {report.errors or report.rejected[:3]}")
    result = {"ingest_s": ingest_s, "cpu_s": cpu_seconds() - cpu_before, "added": report.added,
              "merged": report.merged, "format": report.files[0].format}
    lib.close()
    result["peak_rss_mb"] = peak_rss_mb()
    result["db_mb"] = db.stat().st_size / 1e6
    result["folder_mb"] = folder_mb(db.parent)
    return result


def phase_serve(db: Path, requests: Requests) -> dict:
    import_s, _ = timed(__import__, "recommender")
    from recommender import Library, QueryError

    has_ranking = all(hasattr(Library, name) for name in ("like", "recommend", "similar"))
    start = time.perf_counter()
    lib = Library(db)
    if has_ranking:
        lib.similar(requests["papers"][0], limit=10)
    else:
        lib.search(requests["queries"][0], limit=10)
    result: dict[str, Any] = {"import_s": import_s, "load_s": time.perf_counter() - start,
                              "load_with": "similar" if has_ranking else "search"}
    if has_ranking:
        like_times = [timed(lib.like, p["user"], ref)[0] for p in requests["people"] for ref in p["likes"]]
        result["like"] = percentiles(like_times)
        result["recommend"] = measure_recommend(lib, requests)
        result["similar"] = measure_similar(lib, requests)
    result["search"] = measure_search(lib, requests, QueryError)
    result["peak_rss_mb"] = peak_rss_mb()
    index_file = getattr(lib, "index_path", None)
    lib.close()
    result["floor"] = array_read_floor(Path(index_file)) if index_file and Path(index_file).exists() else None
    return result


def measure_recommend(lib, requests: Requests) -> dict:
    people, calls = requests["people"], len(requests["papers"])
    for person in people[:5]:
        lib.recommend(person["user"], limit=10)
    times, on_topic, empty = [], [], 0
    for i in range(calls):
        person = people[i % len(people)]
        elapsed, recs = timed(lib.recommend, person["user"], limit=10)
        times.append(elapsed)
        empty += not recs
        on_topic += [r.paper.primary_category == person["category"] for r in recs]
    return {**percentiles(times), "empty": empty, "same_category": float(np.mean(on_topic)) if on_topic else None}


def measure_similar(lib, requests: Requests) -> dict:
    for ref in requests["papers"][-5:]:
        lib.similar(ref, limit=10)
    times, on_topic, empty = [], [], 0
    for ref in requests["papers"]:
        elapsed, recs = timed(lib.similar, ref, limit=10)
        times.append(elapsed)
        empty += not recs
        category = lib.paper(ref).primary_category
        on_topic += [r.paper.primary_category == category for r in recs]
    return {**percentiles(times), "empty": empty, "same_category": float(np.mean(on_topic)) if on_topic else None}


def measure_search(lib, requests: Requests, query_error: type[Exception]) -> dict:
    for query in requests["queries"][:5]:
        lib.search(query, limit=10)
    times, empty, errors = [], 0, 0
    for query in requests["queries"]:
        try:
            elapsed, hits = timed(lib.search, query, limit=10)
        except query_error:
            errors += 1
            continue
        times.append(elapsed)
        empty += not hits
    return {**percentiles(times), "empty": empty, "errors": errors}


def phase_lab(db: Path, members: int, likes: int, calls: int, seed: int) -> dict:
    import lab_speed
    from recommender import Library

    lab = lab_speed.prepare(db, members, likes, seed)
    with Library(db) as lib:
        lib.index()
        groups = lab_speed.measure(lib, lab, calls, seed)
    return {"members": members, "likes": len(lab.likes), "asked": len(lab.asked),
            "groups": {str(size): figures for size, figures in groups.items()}, "peak_rss_mb": peak_rss_mb()}


def find_arrays(obj: Any, depth: int = 0) -> list[Any]:
    """Sparse matrices and numeric arrays inside an unpickled index (dicts, objects, tuples)."""
    import scipy.sparse as sp

    if sp.issparse(obj) or (isinstance(obj, np.ndarray) and obj.dtype.kind in "fiu" and obj.size):
        return [obj]
    if depth > 2:
        return []
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        children = list(vars(obj).values())
    else:
        return []
    return [found for child in children for found in find_arrays(child, depth + 1)]


def array_read_floor(index_file: Path, repeat: int = 7) -> dict | None:
    """Time one pass over the biggest CSR matrix (data + indices) of the persisted index."""
    import scipy.sparse as sp

    try:
        with open(index_file, "rb") as handle:
            state = pickle.load(handle)
    except Exception as exc:  # an index format this benchmark does not know
        return {"error": f"cannot read {index_file.name}: {exc}"}
    matrices = [a for a in find_arrays(state) if isinstance(a, sp.csr_matrix)]
    if not matrices:
        return None
    return read_floor(max(matrices, key=lambda m: m.nnz), "persisted index", repeat)


def read_floor(matrix, source: str, repeat: int = 7) -> dict:
    """Median time of summing a CSR matrix's data and indices once, and of one mat-vec."""
    data, indices = matrix.data, matrix.indices
    read = [timed(lambda: (np.add.reduce(data), np.add.reduce(indices, dtype=np.int64)))[0] for _ in range(repeat)]
    vector = np.random.default_rng(0).random(matrix.shape[1], dtype=np.float32).astype(matrix.dtype)
    matvec = [timed(matrix.dot, vector)[0] for _ in range(repeat)]
    return {"source": source, "shape": list(matrix.shape), "nnz": int(matrix.nnz),
            "mb": (data.nbytes + indices.nbytes + matrix.indptr.nbytes) / 1e6,
            "read_ms": statistics.median(read) * 1000, "matvec_ms": statistics.median(matvec) * 1000}


def svm_texts(db: Path, chosen: set[int] | None = None):
    """title | authors abstract, as arxiv-sanity-lite builds its documents, streamed by id."""
    conn = sqlite3.connect(db)
    try:
        for pid, title, abstract, authors in conn.execute("SELECT id, title, abstract, authors FROM papers ORDER BY id"):
            if chosen is None or pid in chosen:
                yield f"{title} | {' '.join(json.loads(authors))} {abstract}"
    finally:
        conn.close()


def phase_svm(db: Path, requests: Requests, fit_docs: int, count: int, budget_s: float) -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    conn = sqlite3.connect(db)
    ids = np.fromiter((r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")), dtype=np.int64)
    row_of_arxiv = {}
    wanted = {ref for p in requests["people"] for ref in p["likes"]}
    for pid, arxiv_id in conn.execute("SELECT id, arxiv_id FROM papers WHERE arxiv_id IS NOT NULL"):
        if arxiv_id in wanted:
            row_of_arxiv[arxiv_id] = int(np.searchsorted(ids, pid))
    conn.close()

    # float64, as arxiv-sanity-lite has it (and liblinear wants: no conversion per request).
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), max_features=20000, min_df=5, max_df=0.1,
                                 sublinear_tf=True)
    sample = None
    if len(ids) > fit_docs:
        sample = set(np.random.default_rng(0).choice(ids, fit_docs, replace=False).tolist())
    fit_s, _ = timed(vectorizer.fit, svm_texts(db, sample))
    transform_s, matrix = timed(vectorizer.transform, svm_texts(db))
    matrix = matrix.tocsr()

    times = []
    started = time.perf_counter()
    for person in requests["people"][:count]:
        labels = np.zeros(matrix.shape[0], dtype=np.int8)
        labels[[row_of_arxiv[ref] for ref in person["likes"]]] = 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            elapsed, _ = timed(svm_request, LinearSVC, matrix, labels)
        times.append(elapsed)
        if time.perf_counter() - started > budget_s:
            break
    return {"fit_s": fit_s, "fit_docs": min(len(ids), fit_docs), "transform_s": transform_s,
            "features": int(matrix.shape[1]), "request": percentiles(times),
            "request_median_ms": statistics.median(times) * 1000, "requests": len(times),
            "peak_rss_mb": peak_rss_mb(), "floor": read_floor(matrix, "svm tf-idf matrix")}


def svm_request(svc_class, matrix, labels: np.ndarray) -> np.ndarray:
    """One arxiv-sanity-lite recommendation: train on this person's likes, rank every paper."""
    clf = svc_class(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01, dual=True)
    clf.fit(matrix, labels)
    scores = clf.decision_function(matrix)
    return np.argsort(-scores)


# -- orchestration -------------------------------------------------------------------------------


def run_phase(phase: str, db: Path, corpus: Path, requests_file: Path, args: argparse.Namespace) -> dict:
    """Run one phase in a fresh interpreter; it writes its result as JSON beside the requests."""
    result_file = requests_file.with_name(f"{phase}.json")
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--db", str(db),
               "--corpus", str(corpus), "--requests-file", str(requests_file), "--result", str(result_file),
               "--svm-fit-docs", str(args.svm_fit_docs), "--svm-requests", str(args.svm_requests),
               "--svm-budget", str(args.svm_budget), "--calls", str(args.calls), "--seed", str(args.seed),
               "--lab-members", str(args.lab_members), "--lab-likes", str(args.lab_likes)]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    result = json.loads(result_file.read_text())
    result["wall_s"] = time.perf_counter() - started
    return result


def run_size(n: int, args: argparse.Namespace) -> dict:
    corpus, corpus_stats = ensure_corpus(n, args.seed, args.format)
    work = OUT_DIR / f"run-{n}-seed{args.seed}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "db").mkdir(parents=True)
    db = work / "db" / "paperclub.db"
    requests_file = work / "requests.json"
    try:
        build = run_phase("build", db, corpus, requests_file, args)
        requests = draw_requests(db, args.seed, args.calls, args.users, args.likes)
        requests_file.write_text(json.dumps(requests))
        serve = run_phase("serve", db, corpus, requests_file, args)
        lab = run_phase("lab", db, corpus, requests_file, args) if args.lab else None
        svm = run_phase("svm", db, corpus, requests_file, args) if not args.no_svm else None
    finally:
        if not args.keep_db:
            shutil.rmtree(work / "db", ignore_errors=True)
    return {**summarise(n, corpus_stats, build, serve, svm), "lab": lab}


def summarise(n: int, corpus: dict, build: dict, serve: dict, svm: dict | None) -> dict:
    floor = serve.get("floor") or (svm or {}).get("floor")
    rec = serve.get("recommend")
    ratios = {
        "recommend_p50_over_svm_request": rec["p50_ms"] / svm["request_median_ms"] if rec and svm else None,
        "recommend_p50_over_array_read": rec["p50_ms"] / floor["read_ms"] if rec and floor and "read_ms" in floor else None,
    }
    return {"papers": n, "corpus": corpus, "build": build, "serve": serve, "svm": svm, "floor": floor,
            "ingest_papers_per_s": n / build["ingest_s"], "ratios": ratios}


COLUMNS = [
    ("papers", 9), ("ingest/s", 9), ("cpu s", 7), ("load s", 7), ("recommend ms", 13), ("similar ms", 13),
    ("search ms", 13), ("build MB", 9), ("serve MB", 9), ("svm ms", 9), ("svm MB", 7),
    ("floor ms", 9), ("rec÷svm", 8), ("rec÷floor", 9),
]


def fmt(value: float | None, spec: str = ".0f") -> str:
    return "n/a" if value is None else format(value, spec)


def pair(stats: dict | None) -> str:
    return "n/a" if not stats or not stats.get("calls") else f"{stats['p50_ms']:.1f}/{stats['p95_ms']:.1f}"


def table_row(s: dict) -> str:
    serve, svm, floor, ratios = s["serve"], s["svm"] or {}, s["floor"] or {}, s["ratios"]
    cells = [
        f"{s['papers']:,}", fmt(s["ingest_papers_per_s"]), fmt(s["build"].get("cpu_s"), ".1f"),
        fmt(serve["load_s"], ".2f"),
        pair(serve.get("recommend")), pair(serve.get("similar")), pair(serve.get("search")),
        fmt(s["build"]["peak_rss_mb"]), fmt(serve["peak_rss_mb"]), fmt(svm.get("request_median_ms"), ".1f"),
        fmt(svm.get("peak_rss_mb")), fmt(floor.get("read_ms"), ".2f"),
        fmt(ratios["recommend_p50_over_svm_request"], ".3f"), fmt(ratios["recommend_p50_over_array_read"], ".1f"),
    ]
    return "  ".join(cell.rjust(width) for cell, (_, width) in zip(cells, COLUMNS))


def machine() -> dict:
    return {
        "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
        "load_average": list(os.getloadavg()), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
    }


def print_notes(results: list[dict], info: dict) -> None:
    print()
    print("ingest/s: papers/s of Library() + ingest() (parse, de-duplicate, FTS5, TF-IDF fit and save)")
    print("of the corpus as " + ", ".join(sorted({s['build'].get('format', 'arxiv-json') for s in results}))
          + "; cpu s: the CPU time that took (user + system, with the parsing and counting processes).")
    print("ms columns: p50/p95 of warm calls (recommend, similar, search: limit=10); load s: a fresh")
    print("Library + its first similar() (index load); MB: peak RSS of the build / serving / SVM process.")
    print("svm ms: median arxiv-sanity-lite request (LinearSVC fit + decision_function over all papers);")
    print("floor ms: one read of the persisted matrix's data+indices arrays (the memory-bandwidth floor).")
    for s in results:
        serve, svm = s["serve"], s["svm"]
        parts = []
        for name in ("recommend", "similar"):
            if serve.get(name):
                parts.append(f"{name} same-category {serve[name]['same_category']:.2f}, empty {serve[name]['empty']}")
        if serve.get("search"):
            parts.append(f"search empty {serve['search']['empty']}/{serve['search']['calls']}")
        if svm:
            parts.append(f"svm fit {svm['fit_s']:.1f} s on {svm['fit_docs']:,} docs + transform "
                         f"{svm['transform_s']:.1f} s, {svm['requests']} requests")
        if s["floor"] and "nnz" in s["floor"]:
            floor = s["floor"]
            parts.append(f"floor on the {floor['source']} ({floor['nnz']:,} non-zeros, {floor['mb']:.0f} MB; "
                         f"a mat-vec over it {floor['matvec_ms']:.1f} ms)")
        print(f"  {s['papers']:,}: " + "; ".join(parts) + f"; db+index {s['build']['folder_mb']:.0f} MB")
    for s in results:
        if s.get("lab"):
            import lab_speed

            lab = s["lab"]
            print(f"\nlarge lab in the {s['papers']:,}-paper library: {lab['members']:,} members, {lab['likes']:,} likes, "
                  f"{lab['asked']} members asked in every group; peak RSS {lab['peak_rss_mb']:,.0f} MB")
            groups = {int(size): figures for size, figures in lab["groups"].items()}
            print("\n".join(lab_speed.report(groups, lab["asked"])))
    print(f"machine: {info['cores']} cores ({info['usable_cores']} usable), load average at start "
          f"{info['load_average'][0]:.2f}, at the end {info['load_average_end'][0]:.2f}, Python {info['python']}, "
          f"SQLite {info['sqlite']}.")
    print("The machine is shared: absolute times move with its load; the ratios (rec÷svm, rec÷floor),")
    print("measured in the same run on the same papers, are the meaningful figures.")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000], help="corpus sizes (papers)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                        help="ingest the corpus as arXiv's JSON lines or as a CSV table")
    parser.add_argument("--calls", type=int, default=200, help="warm calls per operation (≥ 200)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--likes", type=int, default=20, help="likes per person")
    parser.add_argument("--svm-requests", type=int, default=5)
    parser.add_argument("--svm-budget", type=float, default=300.0, help="stop SVM requests after this many s")
    parser.add_argument("--svm-fit-docs", type=int, default=100_000, help="fit the SVM's tf-idf on at most this many")
    parser.add_argument("--no-svm", action="store_true", help="skip the SVM baseline")
    parser.add_argument("--lab", action="store_true", help="add the large-lab case (see the phase 'lab')")
    parser.add_argument("--lab-members", type=int, default=8_000)
    parser.add_argument("--lab-likes", type=int, default=130_000)
    parser.add_argument("--keep-db", action="store_true", help="keep bench/out/run-*/db afterwards")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--requests-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child(args: argparse.Namespace) -> None:
    if args.phase == "build":
        result = phase_build(args.db, args.corpus)
    else:
        requests = json.loads(args.requests_file.read_text())
        if args.phase == "serve":
            result = phase_serve(args.db, requests)
        elif args.phase == "lab":
            result = phase_lab(args.db, args.lab_members, args.lab_likes, args.calls, args.seed)
        else:
            result = phase_svm(args.db, requests, args.svm_fit_docs, args.svm_requests, args.svm_budget)
    args.result.write_text(json.dumps(result))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.phase:
        child(args)
        return
    info = machine()
    print("  ".join(name.rjust(width) for name, width in COLUMNS), flush=True)
    results = []
    for n in args.sizes:
        results.append(run_size(n, args))
        print(table_row(results[-1]), flush=True)
    info["load_average_end"] = list(os.getloadavg())
    print_notes(results, info)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": info, "seed": args.seed, "results": results}, indent=2))


if __name__ == "__main__":
    main()
