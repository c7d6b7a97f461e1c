"""Several interests per person: does each of a reader's interests get its places?

    python bench/interests.py [--seed 0] [--readers 200] [--likes 5 5] [--k 20 50] [--spread category|field]
                              [--control-likes 5 10 20] [--control-categories 20] [--control-readers 10]
                              [--json PATH]
    python bench/interests.py --floor [--seed 0] [--floor-readers 100] [--thresholds 0.05 0.1 ...]
    exploring (not the product's settings): --separation S --min-likes M --max-interests N

The papers: the three shared samples (tests/data/arxiv-math-2025-05.csv, arxiv-ml-sample.csv and
arxiv-metadata-snapshot-sample.jsonl) are ingested together into one temporary Library with
`lib.ingest`, and every row is looked up through the public API as bench/quality.py does
(`lib.paper("arXiv:<id>")`, or the exact title when the file has no ids); a row merged into an
earlier row's paper, or not found, is dropped. A paper's primary arXiv category (the first one
listed) is the ground truth, and categories are put in three fields: mathematics (math.*,
math-ph), computing and statistics (cs.*, stat.*, eess.*) and physics (everything else).

Two-interest readers
    Each reader likes A random papers of one category and B of another (--likes A B, 5 and 5 by
    default), the two categories from different fields (so unrelated: e.g. math.AP and astro-ph,
    cs.CV and math.NT), each with at least --min-papers papers: a pair of fields is drawn
    uniformly, then a category of each field uniformly (so the 20-odd mathematics categories do
    not crowd out the rest), and with A != B which category gets A is drawn too. Every reader then asks
    `recommend(reader, limit=K)` for each K in --k of three recommenders on the library's file:
    one with interests (the product's default), one with `max_interests = 1`, which is the old
    single mean profile through the same code, and one with the true interests (below). Same
    readers, same likes, so every difference is paired.

    For a category c with L_c of the reader's likes, its fair share of a top K is
    K * L_c / (A + B) places (K/2 for 5 and 5). Per reader and method:
      places(c)     papers of category c in the top K (missing slots are misses);
      recall(c)     places(c) / fair share of c (1.0 = the category got the places its likes
                    earn; it can pass 1 when the other category gets fewer);
      starved       the recall of the category the mean profile gave fewer places (relative
                    to fair share), under each method: the interest the issue is about, followed
                    from one ranking to the other;
      weaker        the smaller of the two recalls under each method (its own worse interest,
                    a stricter figure: under interests it may be the other category);
      stronger      the larger one;
      precision     (places of both categories) / K;
      ... by field  the same with a place counted for an interest when the paper is in that
                    category's field (a stat.ML reader's cs.LG paper counts; the two categories
                    are in different fields, so no place counts twice): how much of the
                    shortfall is the category labels' overlap rather than a lost interest.
    The ratios of the two methods' mean starved and weaker recalls are printed with the standard
    error of a ratio of paired means (delta method: std(x - R*y) / sqrt(n) / mean(y)). The issue's
    target is a ratio of at least 2 for the weaker interest, the one the mean profile starves.
    Beside them, two bounds on that ratio: "true interests", the same readers ranked through the
    same code with their two categories' likes as the two interests (`interests.group_likes`
    answered by the bench: what a perfect grouping would give), and the ratio the starved
    interest would reach if every place of its fair share were a paper of its category (1 over
    the mean profile's starved recall). Also printed: how often `lib.taste(reader)`
    found exactly two interests, and how often they were the two categories (each interest's
    likes all from one category, a different one each).

    With --spread field, each interest's likes are drawn from a whole field instead (papers of
    several categories, little alike: closer to real readers' libraries than one category), and
    the field is the ground truth throughout.

Single-interest control (same run)
    Readers liking 5, 10 and 20 (--control-likes) random papers of ONE category, --control-readers
    per category of the --control-categories largest (with at least likes + 10 papers).
    precision@10 (share of the top 10 in the reader's category) with interests and with the mean
    profile, their paired difference (the target: no drop beyond 0.01), and how often the likes
    were split into more than one interest.

--floor: calibrating the digest's "only relevant" floor (recommender/digest.py ONLY_RELEVANT)
    --floor-readers readers, each liking 5 to 10 (uniform) random papers of one category of the
    20 largest. Candidates are all the papers the reader did not like, and for each floor t in
    --thresholds the reader asks `lib.personal_ranking(reader, limit=<all candidates>,
    candidates=..., min_score=t)`. Per t: kept (papers passing), precision (share of the kept in
    the reader's category, over readers who kept any), recall (share of the reader's category's
    candidates that were kept), out-of-category kept per 1,000 out-of-category candidates (what
    an unrelated day lets through), and how many readers kept nothing.

Each figure is a mean over readers with its standard error, std/sqrt(n), as `0.712 ± 0.012`;
the readers and their likes are drawn once from --seed before any method runs. --json PATH
writes all the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from common import data_file, use_repository_code

use_repository_code()

from quality import Row, dedupe, library_identity, mean_se, read_rows

FILES = ("arxiv-math-2025-05.csv", "arxiv-ml-sample.csv", "arxiv-metadata-snapshot-sample.jsonl")
FIELDS = ("mathematics", "computing+statistics", "physics")
CONTROL_K = 10
FLOOR_LIKES = (5, 10)
FLOOR_CATEGORIES = 20
DEFAULT_THRESHOLDS = (0.03, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3)


def field_of(category: str) -> str:
    if category in FIELDS:
        return category
    archive = category.split(".")[0]
    if archive in ("math", "math-ph"):
        return FIELDS[0]
    if archive in ("cs", "stat", "eess"):
        return FIELDS[1]
    return FIELDS[2]


# -- the papers -------------------------------------------------------------------------------


def read_jsonl_rows(path: Path) -> list[Row]:
    """The rows of arXiv's bulk-snapshot form, one JSON object a line."""
    rows = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate((line for line in file if line.strip()), 1):
            record = json.loads(line)
            categories = (record.get("categories") or "").split()
            authors = tuple(a.strip() for a in (record.get("authors") or "").replace(" and ", ",").split(",") if a.strip())
            rows.append(Row(
                number=number, title=record["title"], abstract=record["abstract"], authors=authors,
                category=categories[0] if categories else "", ref=f"arXiv:{record['id']}",
            ))
    return rows


@dataclass
class Corpus:
    """Every evaluated paper of the three files in one library: paper id → primary category."""

    lib: Any
    category_of: dict[int, str]
    members: dict[str, list[int]]  # category → paper ids
    rows: int
    notes: list[str]
    ingest_seconds: float


def load_corpus(folder: Path) -> Corpus:
    from recommender import Library

    paths = [data_file(name) for name in FILES]
    rows: list[Row] = []
    for path in paths:
        rows += read_jsonl_rows(path) if path.suffix == ".jsonl" else read_rows(path)
    start = time.perf_counter()
    lib = Library(folder / "paperclub.db")
    report = lib.ingest(paths)
    if report.errors:
        lib.close()
        raise RuntimeError("; ".join(report.errors))
    seconds = time.perf_counter() - start
    kept, paper_ids, notes = dedupe(rows, library_identity(lib))
    category_of = {int(pid): row.category for pid, row in zip(paper_ids, kept)}
    members: dict[str, list[int]] = defaultdict(list)
    for pid, category in category_of.items():
        members[category].append(pid)
    return Corpus(lib, category_of, dict(members), len(rows), notes, seconds)


def by_field(corpus: Corpus) -> Corpus:
    """The corpus with each paper's field standing for its category (for --spread field)."""
    category_of = {pid: field_of(category) for pid, category in corpus.category_of.items()}
    members: dict[str, list[int]] = defaultdict(list)
    for pid, field in category_of.items():
        members[field].append(pid)
    return replace(corpus, category_of=category_of, members=dict(members))


# -- readers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    id: str
    categories: tuple[str, ...]  # one or two
    likes: tuple[tuple[int, ...], ...]  # paper ids liked, per category

    @property
    def liked(self) -> list[int]:
        return [pid for group in self.likes for pid in group]


def draw_pairs(corpus: Corpus, count: int, split: tuple[int, int], min_papers: int,
               rng: np.random.Generator) -> tuple[list[Reader], list[tuple[str, str]]]:
    eligible = sorted(c for c, ids in corpus.members.items() if len(ids) >= max(min_papers, max(split) + 1))
    in_field = {f: [c for c in eligible if field_of(c) == f] for f in FIELDS}
    field_pairs = [(f, g) for i, f in enumerate(FIELDS) for g in FIELDS[i + 1:] if in_field[f] and in_field[g]]
    if not field_pairs:
        raise SystemExit(f"no two categories from different fields have {min_papers} papers")
    pairs = [(a, b) for f, g in field_pairs for a in in_field[f] for b in in_field[g]]
    readers = []
    for number in range(count):
        f, g = field_pairs[int(rng.integers(len(field_pairs)))]
        a = in_field[f][int(rng.integers(len(in_field[f])))]
        b = in_field[g][int(rng.integers(len(in_field[g])))]
        if split[0] != split[1] and rng.random() < 0.5:
            a, b = b, a
        likes = tuple(
            tuple(int(p) for p in rng.choice(corpus.members[c], n, replace=False)) for c, n in zip((a, b), split)
        )
        readers.append(Reader(f"pair-{number + 1}", (a, b), likes))
    return readers, pairs


def draw_singles(corpus: Corpus, likes: int, categories: int, per_category: int, prefix: str,
                 rng: np.random.Generator) -> list[Reader]:
    eligible = [c for c, ids in corpus.members.items() if len(ids) >= likes + 10]
    chosen = sorted(eligible, key=lambda c: (-len(corpus.members[c]), c))[:categories]
    readers: list[Reader] = []
    for category in chosen:
        for _ in range(per_category):
            ids = tuple(int(p) for p in rng.choice(corpus.members[category], likes, replace=False))
            readers.append(Reader(f"{prefix}-{len(readers) + 1}", (category,), (ids,)))
    return readers


def like_all(lib: Any, reader: Reader) -> None:
    for paper_id in reader.liked:
        lib.like(reader.id, paper_id)


# -- measuring --------------------------------------------------------------------------------


METHODS = ("interests", "mean profile")
# The two-interest readers are also ranked with their true interests: the ceiling of grouping.
PAIR_METHODS = (*METHODS, "true interests")
# The max_interests of the "true interests" recommender (no product setting is this large): the
# grouping it asks for is answered by `TrueInterests`.
TRUE_INTERESTS = 1_000_000


def method_rankers(lib: Any, default_max: int, methods: Sequence[str] = METHODS) -> dict[str, Any]:
    """A recommender per method, on the library's file and index: interests (at most
    `default_max`), one mean profile of all the likes, and the true interests (while
    `TrueInterests` is installed). The likes the run makes through the library reach them as
    another connection's writes do: at their next ranking."""
    from recommender.recommend import Recommender
    from recommender.store import Store

    most = {"interests": default_max, "mean profile": 1, "true interests": TRUE_INTERESTS}
    rankers = {}
    for method in methods:
        ranker = Recommender(Store(lib.path), lib.index)
        ranker.max_interests = most[method]
        rankers[method] = ranker
    return rankers


def close_rankers(rankers: dict[str, Any]) -> None:
    for ranker in rankers.values():
        ranker.close()
        ranker.store.close()


class TrueInterests:
    """While installed, `recommender.interests.group_likes` answers the current reader's likes
    with their categories as interests (when asked with max_groups `TRUE_INTERESTS`), so the
    recommender ranks each true interest alone, through its own code, and interleaves them."""

    def __init__(self) -> None:
        from recommender import interests

        self.module = interests
        self.original = interests.group_likes
        self.reader: Reader | None = None

    def group_likes(self, index: Any, rows: Sequence[int], max_groups: int = 6) -> list[list[int]]:
        if max_groups != TRUE_INTERESTS or self.reader is None:
            return self.original(index, rows, max_groups)
        return sorted((index.rows(list(group)) for group in self.reader.likes), key=len, reverse=True)

    def __enter__(self) -> TrueInterests:
        self.module.group_likes = self.group_likes
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.group_likes = self.original


def places(ranker: Any, reader: Reader, k: int, category_of: dict[int, str]) -> list[int]:
    """Places in the reader's top k (liked papers never count) of each of the reader's
    categories, then of each category's field."""
    liked = set(reader.liked)
    picks = [r.paper.id for r in ranker.recommend(reader.id, limit=k) if r.paper.id not in liked][:k]
    found = Counter(category_of.get(pid, "") for pid in picks)
    fields = Counter(field_of(category_of[pid]) for pid in picks if pid in category_of)
    return [found[c] for c in reader.categories] + [fields[field_of(c)] for c in reader.categories]


def grouping(ranker: Any, reader: Reader) -> tuple[int, bool]:
    """How many interests `taste` finds, and whether they are exactly the reader's categories."""
    found = ranker.taste(reader.id)
    side = {pid: i for i, group in enumerate(reader.likes) for pid in group}
    sides = [{side.get(pid, -1) for pid in interest.paper_ids} for interest in found]
    matching = (
        len(found) == len(reader.likes)
        and all(len(s) == 1 for s in sides)
        and sorted(next(iter(s)) for s in sides) == list(range(len(reader.likes)))
    )
    return len(found), matching


def ratio_se(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """mean(x) / mean(y) over paired values, with its delta-method standard error."""
    my = float(np.mean(y))
    if my == 0:
        return float("inf"), float("nan")
    ratio = float(np.mean(x)) / my
    if len(x) < 2:
        return ratio, float("nan")
    return ratio, float(np.std(x - ratio * y, ddof=1) / np.sqrt(len(x)) / my)


def shown(values: np.ndarray, signed: bool = False) -> str:
    mean, se = mean_se(np.asarray(values, dtype=float))
    return f"{mean:+.3f} ± {se:.3f}" if signed else f"{mean:.3f} ± {se:.3f}"


def summary(values: np.ndarray) -> dict:
    mean, se = mean_se(np.asarray(values, dtype=float))
    return {"mean": round(mean, 4), "se": round(se, 4), "n": len(values)}


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(cell).ljust(w) for cell, w in zip(row, widths)) + " |" for row in [header, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def run_pairs(corpus: Corpus, readers: list[Reader], split: tuple[int, int], ks: Sequence[int],
              default_max: int) -> tuple[list[str], dict]:
    lib = corpus.lib
    total = sum(split)
    counts: Counter[int] = Counter()
    matching = 0
    # per K, method: arrays over readers of places per side
    got: dict[int, dict[str, list[list[int]]]] = {k: {m: [] for m in PAIR_METHODS} for k in ks}
    start = time.perf_counter()
    rankers = method_rankers(lib, default_max, PAIR_METHODS)
    with TrueInterests() as true_interests:
        for reader in readers:
            like_all(lib, reader)
            true_interests.reader = reader
            for method in PAIR_METHODS:
                for k in ks:
                    got[k][method].append(places(rankers[method], reader, k, corpus.category_of))
            found, same = grouping(rankers["interests"], reader)
            counts[found] += 1
            matching += same
    close_rankers(rankers)
    seconds = time.perf_counter() - start
    n = len(readers)
    fields = Counter(" + ".join(sorted((field_of(reader.categories[0]), field_of(reader.categories[1]))))
                     for reader in readers)
    lines = [
        (f"## Two interests: {n} readers, likes {split[0]} + {split[1]} from two categories of different fields "
        f"({seconds:.0f} s)"),
        "field pairs: " + ", ".join(f"{name} {count}" for name, count in fields.most_common()),
        "interests found by taste: " + ", ".join(f"{c}: {counts[c]}" for c in sorted(counts))
        + f"; exactly 2: {counts[2] / n:.1%}; the two categories exactly: {matching / n:.1%}",
    ]
    result: dict = {"readers": n, "likes": list(split), "field_pairs": dict(fields),
                    "interests_found": {str(c): counts[c] for c in sorted(counts)},
                    "exactly_two": round(counts[2] / n, 4), "matching_categories": round(matching / n, 4),
                    "seconds": round(seconds, 1), "k": {}}
    fair = np.array(split, dtype=float) / total
    minority = int(np.argmin(split)) if split[0] != split[1] else None
    for k in ks:
        metrics: dict[str, dict[str, np.ndarray]] = {}
        mean_placed = np.array(got[k]["mean profile"], dtype=float)[:, :2]
        starved_side = np.argmin(mean_placed / (k * fair), axis=1)
        for method in PAIR_METHODS:
            placed_all = np.array(got[k][method], dtype=float)  # readers × (2 categories, 2 fields)
            placed, placed_fields = placed_all[:, :2], placed_all[:, 2:]
            recall, field_recall = placed / (k * fair), placed_fields / (k * fair)
            weak_side = np.argmin(recall, axis=1)
            rows = np.arange(n)
            metrics[method] = {
                "starved recall": recall[rows, starved_side],
                "weaker recall": recall[rows, weak_side],
                "stronger recall": recall[rows, 1 - weak_side],
                "weaker places": placed[rows, weak_side],
                "stronger places": placed[rows, 1 - weak_side],
                "precision": placed.sum(axis=1) / k,
                "weaker recall, by field": field_recall.min(axis=1),
                "stronger recall, by field": field_recall.max(axis=1),
            }
            if minority is not None:
                metrics[method][f"recall of the {split[minority]}-like category"] = recall[:, minority]
        names = list(metrics["interests"])
        body = [(name, shown(metrics["interests"][name]), shown(metrics["mean profile"][name]),
                 shown(metrics["interests"][name] - metrics["mean profile"][name], signed=True),
                 shown(metrics["true interests"][name])) for name in names]
        ratio, se = ratio_se(metrics["interests"]["weaker recall"], metrics["mean profile"]["weaker recall"])
        lines += ["", f"top {k} (fair share: {' and '.join(f'{k * f:g}' for f in fair)} places)"]
        lines += table(("per reader", "interests", "mean profile", "difference (paired)", "true interests"), body)
        field_ratio, field_se = ratio_se(metrics["interests"]["weaker recall, by field"],
                                         metrics["mean profile"]["weaker recall, by field"])
        starved, starved_se = ratio_se(metrics["interests"]["starved recall"], metrics["mean profile"]["starved recall"])
        true_starved, true_se = ratio_se(metrics["true interests"]["starved recall"],
                                         metrics["mean profile"]["starved recall"])
        ceiling = 1 / float(np.mean(metrics["mean profile"]["starved recall"]))
        lines.append(f"starved interest's recall (the one the mean profile gives fewer places), interests / mean "
                     f"profile: {starved:.2f} ± {starved_se:.2f} (target ≥ 2); each true interest ranked alone: "
                     f"{true_starved:.2f} ± {true_se:.2f}; every place of its fair share in its category: {ceiling:.2f}")
        lines.append(f"weaker interest's recall (each method's own worse one), interests / mean profile: "
                     f"{ratio:.2f} ± {se:.2f}; by field: {field_ratio:.2f} ± {field_se:.2f}")
        by_field = []
        for pair in sorted(fields):
            mask = np.array([" + ".join(sorted((field_of(r.categories[0]), field_of(r.categories[1])))) == pair
                             for r in readers])
            by_field.append((pair, str(int(mask.sum())), shown(metrics["interests"]["weaker recall"][mask]),
                             shown(metrics["mean profile"]["weaker recall"][mask])))
        lines += table(("weaker recall by fields", "readers", "interests", "mean profile"), by_field)
        result["k"][str(k)] = {
            "methods": {m: {name: summary(v) for name, v in metrics[m].items()} for m in PAIR_METHODS},
            "differences": {name: summary(metrics["interests"][name] - metrics["mean profile"][name]) for name in names},
            "starved_ratio": {"ratio": round(starved, 4), "se": round(starved_se, 4), "n": n},
            "starved_ratio_true_interests": {"ratio": round(true_starved, 4), "se": round(true_se, 4), "n": n},
            "starved_ratio_ceiling": round(ceiling, 4),
            "weaker_ratio": {"ratio": round(ratio, 4), "se": round(se, 4), "n": n},
            "weaker_ratio_by_field": {"ratio": round(field_ratio, 4), "se": round(field_se, 4), "n": n},
        }
    return lines, result


def run_control(corpus: Corpus, readers_by_likes: dict[int, list[Reader]], default_max: int) -> tuple[list[str], dict]:
    lib = corpus.lib
    body, result = [], {}
    rankers = method_rankers(lib, default_max)
    start = time.perf_counter()
    for likes, readers in readers_by_likes.items():
        precision: dict[str, list[float]] = {m: [] for m in METHODS}
        split = 0
        for reader in readers:
            like_all(lib, reader)
            for method in METHODS:
                precision[method].append(places(rankers[method], reader, CONTROL_K, corpus.category_of)[0] / CONTROL_K)
            split += grouping(rankers["interests"], reader)[0] > 1
        ours, theirs = np.array(precision["interests"]), np.array(precision["mean profile"])
        body.append((str(likes), str(len(readers)), shown(ours), shown(theirs), shown(ours - theirs, signed=True),
                     f"{split / len(readers):.1%}"))
        result[str(likes)] = {"readers": len(readers), "interests": summary(ours), "mean_profile": summary(theirs),
                              "difference": summary(ours - theirs), "split_share": round(split / len(readers), 4)}
    categories = len({r.categories[0] for readers in readers_by_likes.values() for r in readers})
    lines = [(f"## One interest (control): readers liking papers of one category, {categories} categories "
             f"({time.perf_counter() - start:.0f} s)")]
    lines += table(("likes", "readers", f"precision@{CONTROL_K} interests", "mean profile", "difference (paired)",
                    "split into >1 interest"), body)
    return lines, result


def run_floor(corpus: Corpus, readers: list[Reader], thresholds: Sequence[float]) -> tuple[list[str], dict]:
    lib = corpus.lib
    everything = set(corpus.category_of)
    kept: dict[float, list[int]] = {t: [] for t in thresholds}
    precision: dict[float, list[float]] = {t: [] for t in thresholds}
    recall: dict[float, list[float]] = {t: [] for t in thresholds}
    stray: dict[float, list[float]] = {t: [] for t in thresholds}
    start = time.perf_counter()
    for reader in readers:
        like_all(lib, reader)
        candidates = sorted(everything - set(reader.liked))
        inside = sum(1 for pid in candidates if corpus.category_of[pid] == reader.categories[0])
        outside = len(candidates) - inside
        for t in thresholds:
            ranked = lib.personal_ranking(reader.id, limit=len(candidates), candidates=candidates, min_score=t)
            hits = sum(1 for r in ranked if corpus.category_of.get(r.paper.id) == reader.categories[0])
            kept[t].append(len(ranked))
            if ranked:
                precision[t].append(hits / len(ranked))
            recall[t].append(hits / inside)
            stray[t].append(1000 * (len(ranked) - hits) / outside)
    seconds = time.perf_counter() - start
    body, result = [], {}
    for t in thresholds:
        empty = sum(1 for n in kept[t] if n == 0)
        body.append((f"{t:g}", shown(np.array(kept[t])), shown(np.array(precision[t])) if precision[t] else "-",
                     shown(np.array(recall[t])), shown(np.array(stray[t])), str(empty)))
        result[f"{t:g}"] = {"kept": summary(np.array(kept[t])), "precision": summary(np.array(precision[t])),
                            "recall": summary(np.array(recall[t])), "stray_per_1000": summary(np.array(stray[t])),
                            "readers_keeping_nothing": empty}
    lines = [(f"## Floor: {len(readers)} readers, {FLOOR_LIKES[0]} to {FLOOR_LIKES[1]} likes of one category; "
             f"candidates = every paper not liked ({len(everything):,} papers; {seconds:.0f} s)")]
    lines += table(("min_score", "kept", "precision (in category)", "recall (category kept)",
                    "other categories kept per 1,000", "readers keeping none"), body)
    return lines, result


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--readers", type=int, default=200, help="two-interest readers (default 200)")
    parser.add_argument("--likes", type=int, nargs=2, default=[5, 5], metavar=("A", "B"),
                        help="likes from the first and the second category (default 5 5)")
    parser.add_argument("--k", type=int, nargs="+", default=[20, 50], help="top-K sizes (default 20 50)")
    parser.add_argument("--min-papers", type=int, default=50, help="papers a two-interest category needs (default 50)")
    parser.add_argument("--spread", choices=("category", "field"), default="category",
                        help="draw each interest's likes from one category (default) or from a whole field")
    parser.add_argument("--control-likes", type=int, nargs="*", default=[5, 10, 20],
                        help="single-interest readers' like counts (default 5 10 20; none to skip)")
    parser.add_argument("--control-categories", type=int, default=20)
    parser.add_argument("--control-readers", type=int, default=10, help="control readers per category (default 10)")
    parser.add_argument("--floor", action="store_true", help="calibrate the digest floor instead")
    parser.add_argument("--floor-readers", type=int, default=100)
    parser.add_argument("--thresholds", type=float, nargs="+", default=list(DEFAULT_THRESHOLDS))
    parser.add_argument("--separation", type=float, help="explore: recommender.interests.SEPARATION")
    parser.add_argument("--min-likes", type=int, help="explore: recommender.interests.MIN_LIKES")
    parser.add_argument("--max-interests", type=int, help="explore: the interests method's max_interests")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers to PATH")
    args = parser.parse_args(argv)
    if args.readers < 1 or min(args.likes) < 1 or min(args.k) < 1:
        parser.error("--readers, --likes and --k must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from recommender import interests

    explored = []
    if args.separation is not None:
        interests.SEPARATION = args.separation
        explored.append(f"SEPARATION={args.separation:g}")
    if args.min_likes is not None:
        interests.MIN_LIKES = args.min_likes
        explored.append(f"MIN_LIKES={args.min_likes}")
    default_max = args.max_interests if args.max_interests is not None else interests.MAX_INTERESTS
    if args.max_interests is not None:
        explored.append(f"max_interests={default_max}")
    settings = (f"interests: MIN_LIKES={interests.MIN_LIKES}, SEPARATION={interests.SEPARATION:g}, "
                f"max_interests={default_max}" + (f" (EXPLORING, not the product's: {', '.join(explored)})"
                                                  if explored else " (the product's settings)"))
    pairs_seed, control_seed, floor_seed = np.random.SeedSequence(args.seed).spawn(3)
    start = time.perf_counter()
    report: dict = {"seed": args.seed, "settings": settings}
    with tempfile.TemporaryDirectory(prefix="paperclub-interests-") as folder:
        corpus = load_corpus(Path(folder))
        try:
            out = [f"# Interests benchmark, seed {args.seed}",
                   (f"{corpus.rows:,} rows of {', '.join(FILES)} → {len(corpus.category_of):,} papers "
                   f"(one library; ingest {corpus.ingest_seconds:.0f} s)"), settings,
                   *[f"note: {note}" for note in corpus.notes]]
            print("\n".join(out), flush=True)
            report["papers"] = len(corpus.category_of)
            if args.floor:
                rng = np.random.default_rng(floor_seed)
                per_category = max(1, args.floor_readers // FLOOR_CATEGORIES)
                readers = []
                for reader in draw_singles(corpus, FLOOR_LIKES[1], FLOOR_CATEGORIES, per_category, "floor", rng):
                    n = int(rng.integers(FLOOR_LIKES[0], FLOOR_LIKES[1] + 1))
                    readers.append(Reader(reader.id, reader.categories, (reader.likes[0][:n],)))
                lines, report["floor"] = run_floor(corpus, readers, sorted(args.thresholds))
                print("\n" + "\n".join(lines), flush=True)
            else:
                split = (args.likes[0], args.likes[1])
                pairs_corpus = by_field(corpus) if args.spread == "field" else corpus
                readers, pairs = draw_pairs(pairs_corpus, args.readers, split, args.min_papers,
                                            np.random.default_rng(pairs_seed))
                rng = np.random.default_rng(control_seed)
                control = {likes: draw_singles(corpus, likes, args.control_categories, args.control_readers,
                                               f"single{likes}", rng) for likes in args.control_likes}
                lines, report["two_interests"] = run_pairs(pairs_corpus, readers, split, sorted(set(args.k)), default_max)
                report["two_interests"]["category_pairs"] = len(pairs)
                print("\n" + "\n".join(lines), flush=True)
                if control:
                    lines, report["control"] = run_control(corpus, control, default_max)
                    print("\n" + "\n".join(lines), flush=True)
        finally:
            corpus.lib.close()
    elapsed = time.perf_counter() - start
    print(f"\ntotal time {elapsed:.0f} s")
    report["seconds"] = round(elapsed, 1)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
