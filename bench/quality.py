"""Recommendation quality on real arXiv data: paperclub against simple baselines, same requests.

    python bench/quality.py [--seed 0] [--methods random tfidf-mean svm tfidf-bigrams paperclub]
                            [--readers 30] [--categories 20] [--files math ml] [--json PATH]

For each sample file (tests/data/arxiv-math-2025-05.csv and tests/data/arxiv-ml-sample.csv) it
measures, with a paper's primary arXiv category (the first one listed) as the ground truth:

precision@10, simulated readers
    For each of the --categories largest primary categories with at least 6 papers, --readers
    readers who each like 5 random papers of that category. precision@10 is the share of a
    method's top 10 recommendations (liked papers excluded) in the reader's category.
more-like-this@5
    For every paper (a random sample of 1,000 when the file has more), the share of its 5
    nearest papers (itself excluded) in its primary category.

Each figure is a mean with its standard error, std/sqrt(n), printed as `0.712 ± 0.012`. The
readers and the query papers are drawn once from --seed, as row indices, before any method runs,
so every method answers exactly the same requests. "paperclub vs tfidf-mean" is the mean of the
per-reader differences over those same readers; its noise is the standard error of those paired
differences (usually much smaller than either row's own ±, since reader difficulty cancels out).

The papers: each file is ingested into a temporary paperclub Library and every CSV row is looked
up through the public API, `lib.paper("arXiv:<id>")`, or the exact title when the file has no ids.
A row the library merged into an earlier row's paper, or that it cannot find, is dropped for every
method, so all methods rank the same papers (the ML file: 1,000 rows, 992 papers).

Methods (table rows):
  random         a random ranking: the floor, about the category's share of the papers
  tfidf-mean     the baseline: TfidfVectorizer(sublinear_tf=True) on title + abstract (the team's
                 reference settings: default settings score 0.55 on the math file), profile = mean of the liked
                 rows, ranked by cosine similarity; more-like-this by cosine
  svm            arxiv-sanity-lite's recipe: tf-idf of title + abstract + authors (1-2 grams,
                 at most 20,000 features, min_df=5, max_df=0.1, sublinear tf) and one LinearSVC
                 per request (liked = 1, every other paper = 0) ranked by decision_function;
                 more-like-this trains it with the one paper as the only positive
  tfidf-bigrams  tfidf-mean with ngram_range=(1, 2)
  paperclub      the product: each reader ("reader-1", ...) likes its 5 papers with lib.like,
                 then lib.recommend(reader, limit=10); more-like-this is lib.similar(paper,
                 limit=5). Reported as not available, with the reason, when the Library lacks them

A method that returns fewer than 10 (or 5) papers, or returns liked papers, is charged a miss for
each missing slot. The time column is each method's wall time on the file (fitting plus every
request) and the mean time of one reader's recommendation request (paperclub's likes excluded).
`--json PATH` writes all the numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
import traceback
import warnings
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from common import data_file, use_repository_code

FILES = {"math": "arxiv-math-2025-05.csv", "ml": "arxiv-ml-sample.csv"}
LIKES_PER_READER = 5
TOP_K = 10
SIMILAR_K = 5
MAX_QUERIES = 1000
MISSING = -1  # a recommended paper that maps to no evaluated row: counts as a miss


# -- the papers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One paper of a sample file, as the CSV gives it."""

    number: int  # 1-based data row in the file, for messages
    title: str
    abstract: str
    authors: tuple[str, ...]
    category: str  # the primary category: the first one listed
    ref: str  # how paperclub is asked for it: "arXiv:<id>", or the exact title


@dataclass
class Dataset:
    """The de-duplicated papers of one file, which every method ranks, and paperclub's copy."""

    name: str
    rows: list[Row]
    total_rows: int
    notes: list[str] = field(default_factory=list)
    library: Any = None  # a recommender.Library holding the ingested file
    paper_ids: list[int] | None = None  # paperclub's id for each row
    library_error: str | None = None
    ingest_seconds: float = 0.0


def read_rows(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        for number, record in enumerate(csv.DictReader(file), 1):
            arxiv_id = (record.get("id") or "").strip()
            authors = tuple(a.strip() for a in (record.get("authors") or "").split(";") if a.strip())
            categories = (record.get("categories") or "").split()
            rows.append(Row(
                number=number,
                title=record["title"],
                abstract=record["abstract"],
                authors=authors,
                category=categories[0] if categories else "",
                ref=f"arXiv:{arxiv_id}" if arxiv_id else record["title"],
            ))
    return rows


def squashed(text: str) -> str:
    return " ".join(text.split()).casefold()


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def dedupe(rows: list[Row], identify: Callable[[Row], Hashable | None]) -> tuple[list[Row], list, list[str]]:
    """Keep the first row of each paper; `identify` names a row's paper, or None if it finds none.

    Rows without a category are dropped too (they have no ground truth). Returns the kept rows,
    their paper keys, and notes on what was dropped."""
    kept: list[Row] = []
    keys: list = []
    first_row: dict[Hashable, Row] = {}
    repeats, unfound, uncategorized = [], [], []
    for row in rows:
        key = identify(row) if row.category else None
        if not row.category:
            uncategorized.append(str(row.number))
        elif key is None:
            unfound.append(f"row {row.number} {row.title[:60]!r}")
        elif key in first_row:
            repeats.append(f"{row.number}→{first_row[key].number}")
        else:
            first_row[key] = row
            kept.append(row)
            keys.append(key)
    notes = []
    if repeats:
        notes.append(f"dropped {plural(len(repeats), 'row')} holding an earlier row's paper (row→row: {', '.join(repeats)})")
    if unfound:
        notes.append(
            f"dropped {plural(len(unfound), 'row')} that paperclub does not find as itself (merged into a paper "
            f"stored under another title?): {'; '.join(unfound)}"
        )
    if uncategorized:
        notes.append(f"dropped {plural(len(uncategorized), 'row')} without a category: {', '.join(uncategorized)}")
    return kept, keys, notes


def library_identity(lib: Any) -> Callable[[Row], int | None]:
    """A row's paper id in the library; None when the lookup fails or finds another paper."""
    from recommender import PaperNotFound
    from recommender.text import clean_title

    def identify(row: Row) -> int | None:
        try:
            paper = lib.paper(row.ref)
        except PaperNotFound:
            return None
        if row.ref.startswith("arXiv:"):
            same = paper.arxiv_id == row.ref.removeprefix("arXiv:")
        else:
            # the library writes TeX as text (`--` as a dash); the row as written, the same way
            same = squashed(paper.title) == squashed(clean_title(row.title))
        return paper.id if same else None

    return identify


def ingest(path: Path, folder: Path) -> tuple[Any, float]:
    use_repository_code()
    from recommender import Library

    start = time.perf_counter()
    lib = Library(folder / "paperclub.db")
    try:
        report = lib.ingest([path])
        if report.errors:
            raise RuntimeError("; ".join(report.errors))
    except Exception:
        lib.close()
        raise
    return lib, time.perf_counter() - start


def load_dataset(path: Path, folder: Path) -> Dataset:
    """Read a file, ingest it into a Library in `folder`, and keep one row per stored paper.

    If the library cannot even ingest (it is being edited), rows are de-duplicated by arXiv id or
    title instead, so the baselines still run; the output says so."""
    rows = read_rows(path)
    try:
        lib, seconds = ingest(path, folder)
    except Exception as exc:  # noqa: BLE001 - any failure of the product must not stop the baselines
        kept, _, notes = dedupe(rows, lambda row: squashed(row.ref))
        error = f"ingest failed: {type(exc).__name__}: {exc}"
        notes.append(f"{error}; rows de-duplicated by id or title instead")
        return Dataset(path.name, kept, len(rows), notes, library_error=error)
    kept, paper_ids, notes = dedupe(rows, library_identity(lib))
    return Dataset(path.name, kept, len(rows), notes, lib, paper_ids, ingest_seconds=seconds)


# -- the requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    id: str  # the user id paperclub sees, e.g. "reader-17"
    category: str
    liked: tuple[int, ...]  # row indices


@dataclass(frozen=True)
class Workload:
    """The same requests for every method: readers and more-like-this query papers."""

    categories: list[tuple[str, int]]  # (category, papers in it) the readers come from
    readers: list[Reader]
    queries: list[int]  # row indices
    sampled: bool  # queries are a sample, not every paper


def draw_workload(rows: list[Row], n_categories: int, per_category: int, rng: np.random.Generator) -> Workload:
    members: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        members[row.category].append(index)
    eligible = [c for c in members if len(members[c]) > LIKES_PER_READER]
    chosen = sorted(eligible, key=lambda c: (-len(members[c]), c))[:n_categories]
    readers: list[Reader] = []
    for category in chosen:
        for _ in range(per_category):
            liked = rng.choice(members[category], LIKES_PER_READER, replace=False)
            readers.append(Reader(f"reader-{len(readers) + 1}", category, tuple(int(i) for i in liked)))
    sampled = len(rows) > MAX_QUERIES
    queries = rng.choice(len(rows), MAX_QUERIES, replace=False) if sampled else rng.permutation(len(rows))
    return Workload([(c, len(members[c])) for c in chosen], readers, [int(q) for q in queries], sampled)


# -- the methods ------------------------------------------------------------------------------


class Unavailable(Exception):
    """A method that cannot run here; the message says why."""


class Method(ABC):
    key: str  # what --methods takes
    label: str  # the table row

    @abstractmethod
    def fit(self, data: Dataset) -> None:
        """Prepare for ranking `data.rows`; raise Unavailable when the method cannot run."""

    def prepare(self, reader: Reader) -> None:
        """Work done before a reader's request that is not part of its timing (e.g. likes)."""

    @abstractmethod
    def recommend(self, reader: Reader, k: int) -> list[int]:
        """Row indices of the best k papers for the reader, best first."""

    @abstractmethod
    def similar(self, index: int, k: int) -> list[int]:
        """Row indices of the k papers most like the paper at `index`, best first."""

    def notes(self) -> list[str]:
        return []


def top_k(scores: np.ndarray, k: int, exclude: Sequence[int]) -> list[int]:
    """Indices of the k highest scores, skipping `exclude`; ties go to the lower index."""
    scores = np.array(scores, dtype=float)
    scores[list(exclude)] = -np.inf
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]


class RandomRanking(Method):
    key = label = "random"

    def __init__(self, seed: np.random.SeedSequence):
        self.seed = seed

    def fit(self, data: Dataset) -> None:
        self.count = len(data.rows)
        self.rng = np.random.default_rng(self.seed)  # the same draws whichever files run

    def recommend(self, reader: Reader, k: int) -> list[int]:
        return top_k(self.rng.random(self.count), k, reader.liked)

    def similar(self, index: int, k: int) -> list[int]:
        return top_k(self.rng.random(self.count), k, [index])


class MeanProfile(Method):
    """TF-IDF of title + abstract; a reader's profile is the mean of the liked rows. Rows are
    unit length, so ranking by the dot product with the profile is ranking by cosine."""

    def __init__(self, key: str, ngram_range: tuple[int, int]):
        self.key = self.label = key
        self.ngram_range = ngram_range

    def fit(self, data: Dataset) -> None:
        texts = [f"{row.title} {row.abstract}" for row in data.rows]
        vectorizer = TfidfVectorizer(ngram_range=self.ngram_range, sublinear_tf=True)
        self.matrix = sparse.csr_matrix(vectorizer.fit_transform(texts))

    def recommend(self, reader: Reader, k: int) -> list[int]:
        profile = np.asarray(self.matrix[list(reader.liked)].mean(axis=0)).ravel()
        return top_k(self.matrix @ profile, k, reader.liked)

    def similar(self, index: int, k: int) -> list[int]:
        return top_k((self.matrix @ self.matrix[index].T).toarray().ravel(), k, [index])


class ArxivSanitySvm(Method):
    """arxiv-sanity-lite's ranking: an SVM per request, trained on every paper in the library."""

    key = "svm"
    label = "svm (arxiv-sanity-lite)"

    def fit(self, data: Dataset) -> None:
        texts = [" ".join([row.title, row.abstract, ", ".join(row.authors)]) for row in data.rows]
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), max_features=20000, min_df=5, max_df=0.1, sublinear_tf=True
        )
        self.matrix = sparse.csr_matrix(vectorizer.fit_transform(texts))
        self.unconverged = 0

    def scores(self, positives: Sequence[int]) -> np.ndarray:
        labels = np.zeros(self.matrix.shape[0], dtype=int)
        labels[list(positives)] = 1
        svm = LinearSVC(class_weight="balanced", C=0.01, dual=True, tol=1e-6, max_iter=10000, random_state=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            svm.fit(self.matrix, labels)
        self.unconverged += any(issubclass(w.category, ConvergenceWarning) for w in caught)
        return svm.decision_function(self.matrix)

    def recommend(self, reader: Reader, k: int) -> list[int]:
        return top_k(self.scores(reader.liked), k, reader.liked)

    def similar(self, index: int, k: int) -> list[int]:
        return top_k(self.scores([index]), k, [index])

    def notes(self) -> list[str]:
        return [f"{self.unconverged} SVM fits did not converge"] if self.unconverged else []


class Paperclub(Method):
    """The product through its public API, on the library the file was ingested into."""

    key = label = "paperclub"
    API = ("like", "recommend", "similar")

    def fit(self, data: Dataset) -> None:
        if data.library is None or data.paper_ids is None:
            raise Unavailable(data.library_error or "no library")
        missing = [name for name in self.API if not callable(getattr(data.library, name, None))]
        if missing:
            raise Unavailable(f"recommender.Library has no {', '.join(missing)} yet")
        self.lib = data.library
        self.paper_ids = data.paper_ids
        self.row_of = {paper_id: index for index, paper_id in enumerate(data.paper_ids)}
        self.unknown = 0

    def rows_of(self, recommendations: Sequence[Any]) -> list[int]:
        rows = [self.row_of.get(rec.paper.id, MISSING) for rec in recommendations]
        self.unknown += rows.count(MISSING)
        return rows

    def prepare(self, reader: Reader) -> None:
        for index in reader.liked:
            self.lib.like(reader.id, self.paper_ids[index])

    def recommend(self, reader: Reader, k: int) -> list[int]:
        return self.rows_of(self.lib.recommend(reader.id, limit=k))

    def similar(self, index: int, k: int) -> list[int]:
        return self.rows_of(self.lib.similar(self.paper_ids[index], limit=k))

    def notes(self) -> list[str]:
        return [f"{self.unknown} recommended papers are not among the evaluated rows"] if self.unknown else []


def make_methods(keys: Sequence[str], seed: np.random.SeedSequence) -> list[Method]:
    factories: dict[str, Callable[[], Method]] = {
        "random": lambda: RandomRanking(seed),
        "tfidf-mean": lambda: MeanProfile("tfidf-mean", (1, 1)),
        "svm": ArxivSanitySvm,
        "tfidf-bigrams": lambda: MeanProfile("tfidf-bigrams", (1, 2)),
        "paperclub": Paperclub,
    }
    return [factories[key]() for key in factories if key in keys]


# -- evaluation -------------------------------------------------------------------------------


@dataclass
class Outcome:
    label: str
    key: str
    status: str = "ok"  # or "not available (...)", "failed (...)"
    precision: np.ndarray | None = None  # per reader
    similar: np.ndarray | None = None  # per query paper
    seconds: float = 0.0
    request_ms: float = 0.0  # mean per reader request
    similar_ms: float = 0.0  # mean per more-like-this request
    liked_returned: int = 0  # liked papers a method recommended back (dropped, so they cost)
    notes: list[str] = field(default_factory=list)


def category_share(ranked: Sequence[int], exclude: Sequence[int], category: str, rows: list[Row], k: int) -> float:
    """Share of the first k results (excluded ones skipped) in `category`; missing slots are misses."""
    shown = [i for i in ranked if i not in exclude][:k]
    return sum(1 for i in shown if i != MISSING and rows[i].category == category) / k


def timed(call: Callable[[], list[int]]) -> tuple[list[int], float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def evaluate(method: Method, data: Dataset, work: Workload) -> Outcome:
    outcome = Outcome(method.label, method.key)
    start = time.perf_counter()
    method.fit(data)
    precision, request_times = [], []
    for reader in work.readers:
        method.prepare(reader)
        ranked, seconds = timed(lambda: method.recommend(reader, TOP_K))
        request_times.append(seconds)
        outcome.liked_returned += sum(1 for i in ranked[:TOP_K] if i in reader.liked)
        precision.append(category_share(ranked, reader.liked, reader.category, data.rows, TOP_K))
    similar, similar_times = [], []
    for query in work.queries:
        ranked, seconds = timed(lambda: method.similar(query, SIMILAR_K))
        similar_times.append(seconds)
        similar.append(category_share(ranked, [query], data.rows[query].category, data.rows, SIMILAR_K))
    outcome.seconds = time.perf_counter() - start
    outcome.precision, outcome.similar = np.array(precision), np.array(similar)
    outcome.request_ms = 1000 * float(np.mean(request_times)) if request_times else 0.0
    outcome.similar_ms = 1000 * float(np.mean(similar_times)) if similar_times else 0.0
    outcome.notes = method.notes()
    if outcome.liked_returned:
        outcome.notes.append(f"recommended {outcome.liked_returned} already-liked papers (dropped, counted as misses)")
    return outcome


def run_method(method: Method, data: Dataset, work: Workload) -> Outcome:
    """Evaluate one method; a method that cannot run or fails is reported, never fatal."""
    try:
        outcome = evaluate(method, data, work)
    except Unavailable as exc:
        return Outcome(method.label, method.key, status=f"not available ({exc})")
    except Exception as exc:  # noqa: BLE001 - report it and let the other methods run
        traceback.print_exc()
        return Outcome(method.label, method.key, status=f"failed ({type(exc).__name__}: {exc})")
    print(f"  {data.name}: {method.label} done in {outcome.seconds:.1f} s", file=sys.stderr)
    return outcome


# -- reporting --------------------------------------------------------------------------------


def mean_se(values: np.ndarray) -> tuple[float, float]:
    if len(values) < 2:
        return float(np.mean(values)) if len(values) else float("nan"), float("nan")
    return float(np.mean(values)), float(np.std(values, ddof=1) / np.sqrt(len(values)))


def summary(values: np.ndarray | None) -> dict | None:
    if values is None:
        return None
    mean, se = mean_se(values)
    return {"mean": round(mean, 4), "se": round(se, 4), "n": len(values)}


def shown(values: np.ndarray | None) -> str:
    if values is None:
        return "-"
    mean, se = mean_se(values)
    return f"{mean:.3f} ± {se:.3f}"


def comparison(outcomes: list[Outcome], key: str = "paperclub", baseline: str = "tfidf-mean") -> dict | None:
    """Mean paired difference in precision@10 over the same readers, with its standard error."""
    by_key = {o.key: o for o in outcomes}
    if key not in by_key or baseline not in by_key:
        return None
    ours, theirs = by_key[key].precision, by_key[baseline].precision
    if ours is None or theirs is None:
        missing = by_key[key] if ours is None else by_key[baseline]
        return {"status": f"{missing.label} {missing.status}"}
    diff, se = mean_se(ours - theirs)
    return {"status": "ok", "difference": round(diff, 4), "se": round(se, 4), "n": len(ours)}


def header_lines(data: Dataset, work: Workload, seed: int) -> list[str]:
    papers = f"{data.total_rows:,} rows → {len(data.rows):,} papers"
    if data.library is not None:
        papers += f" (paperclub ingest {data.ingest_seconds:.1f} s)"
    per_category = len(work.readers) // max(1, len(work.categories))
    queries = f"{len(work.queries):,} more-like-this queries" + (" (seeded random sample)" if work.sampled else " (every paper)")
    categories = ", ".join(f"{c} ({n})" for c, n in work.categories)
    return [
        f"## {data.name}: {papers}",
        f"seed {seed}; {len(work.readers):,} readers = {len(work.categories)} categories × {per_category}, "
        f"{LIKES_PER_READER} likes each; {queries}",
        f"categories: {categories}",
        *[f"note: {note}" for note in data.notes],
    ]


def table_lines(outcomes: list[Outcome]) -> list[str]:
    done = [o for o in outcomes if o.status == "ok"]
    rows = [("method", "precision@10", f"more-like-this@{SIMILAR_K}", "time")]
    for o in done:
        rows.append((o.label, shown(o.precision), shown(o.similar), f"{o.seconds:.1f} s, {o.request_ms:.1f} ms/request"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for o in outcomes:
        if o.status != "ok":
            lines.append(f"{o.label}: {o.status}")
        lines += [f"{o.label}: {note}" for note in o.notes]
        if o.key == "svm" and o.status == "ok":
            lines.append(f"{o.label}: {o.request_ms:.1f} ms per reader request, {o.similar_ms:.1f} ms per more-like-this request")
    return lines


def comparison_line(result: dict | None, baseline: str = "tfidf-mean") -> str | None:
    if result is None:
        return None
    if result["status"] != "ok":
        return f"paperclub vs {baseline}: n/a, {result['status']}"
    return (
        f"paperclub vs {baseline}: {result['difference']:+.3f} precision@{TOP_K} "
        f"(noise ±{result['se']:.3f}, paired over the same {result['n']} readers)"
    )


def outcome_json(o: Outcome) -> dict:
    return {
        "method": o.label,
        "status": o.status,
        "precision_at_10": summary(o.precision),
        "more_like_this_at_5": summary(o.similar),
        "seconds": round(o.seconds, 3),
        "ms_per_request": round(o.request_ms, 3),
        "ms_per_similar_request": round(o.similar_ms, 3),
        "notes": o.notes,
    }


# -- main -------------------------------------------------------------------------------------


def run_file(path: Path, args: argparse.Namespace) -> dict:
    workload_seed, random_seed = np.random.SeedSequence(args.seed).spawn(2)
    with tempfile.TemporaryDirectory(prefix="paperclub-quality-") as folder:
        data = load_dataset(path, Path(folder))
        try:
            work = draw_workload(data.rows, args.categories, args.readers, np.random.default_rng(workload_seed))
            outcomes = [run_method(m, data, work) for m in make_methods(args.methods, random_seed)]
        finally:
            if data.library is not None:
                data.library.close()
    versus = comparison(outcomes)
    lines = header_lines(data, work, args.seed) + [""] + table_lines(outcomes)
    line = comparison_line(versus)
    print("\n".join(lines + ([line] if line else [])) + "\n", flush=True)
    return {
        "rows": data.total_rows,
        "papers": len(data.rows),
        "notes": data.notes,
        "categories": dict(work.categories),
        "readers": len(work.readers),
        "queries": len(work.queries),
        "queries_sampled": work.sampled,
        "methods": {o.key: outcome_json(o) for o in outcomes},
        "paperclub_vs_tfidf_mean": versus,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    methods = ["random", "tfidf-mean", "svm", "tfidf-bigrams", "paperclub"]
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=methods, metavar="NAME",
                        help=f"methods to run, from: {' '.join(methods)} (default: all)")
    parser.add_argument("--readers", type=int, default=30, help="readers per category (default 30)")
    parser.add_argument("--categories", type=int, default=20, help="largest categories to use (default 20)")
    parser.add_argument("--files", nargs="+", choices=list(FILES), default=list(FILES), help="sample files (default: both)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers to PATH")
    args = parser.parse_args(argv)
    args.methods = [m for item in args.methods for m in item.split(",") if m]
    unknown = sorted(set(args.methods) - set(methods))
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(methods)}")
    if args.readers < 1 or args.categories < 1:
        parser.error("--readers and --categories must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a method failed (not merely unavailable)."""
    args = parse_args(argv)
    start = time.perf_counter()
    results = {name: run_file(data_file(FILES[name]), args) for name in args.files}
    elapsed = time.perf_counter() - start
    print(f"total time {elapsed:.0f} s")
    if args.json:
        report = {
            "seed": args.seed,
            "readers_per_category": args.readers,
            "categories": args.categories,
            "likes_per_reader": LIKES_PER_READER,
            "seconds": round(elapsed, 1),
            "files": {FILES[name]: result for name, result in results.items()},
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    statuses = [m["status"] for result in results.values() for m in result["methods"].values()]
    return 1 if any(status.startswith("failed") for status in statuses) else 0


if __name__ == "__main__":
    sys.exit(main())
