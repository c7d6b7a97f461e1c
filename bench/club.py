"""How much a paper the lab read together in its paper club should count in the lab's ranking.

    python bench/club.py [--labs 60] [--seed 0]

The library is the real math sample (tests/data/arxiv-math-2025-05.csv, 3,397 papers). A lab of
8 readers is made of two circles, each reading one of the 20 largest categories; a reader joins
one or both and likes 4 to 12 papers of them. The club reads one paper of a circle's category
that nobody liked.

"A strong lab signal" is measured against what it stands for: half the lab (4 readers) liking
the paper. For each lab, the read paper's 20 nearest neighbours (cosine of TF-IDF vectors) are
ranked among every paper nobody liked, three ways:

before      the lab's ranking (`ranking.group_scores`) as it is
4 likes     4 of the 8 readers also like the read paper
club w      the club signal at weight w (`group_scores(..., read_together, w)`)

and their median rank is taken. The weight chosen is the candidate whose median rank, over
labs, comes closest to 4 likes' (in log ratio, so twice too high and half too low weigh the
same). "Nothing else changes" is checked in every lab: the papers sharing no word with the read
paper keep their order exactly (Kendall's tau 1), and the printed share of the lab's top 20
that stays in its top 20 says how much room the read paper's neighbours took.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from common import data_file, use_repository_code

use_repository_code()

from recommender import Library, ranking  # noqa: E402
from recommender.recommend import CLUB_WEIGHT  # noqa: E402
from recommender.store import Store  # noqa: E402

DATA = "arxiv-math-2025-05.csv"
CANDIDATES = (0.05, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1.0, 2.0)
READERS, NEIGHBOURS, AT = 8, 20, 20


def make_lab(by_category: dict[str, list[int]], rng: random.Random) -> tuple[list[list[int]], str]:
    """Eight readers' likes from two circles, and the category of the circle the club reads in."""
    categories = rng.sample(sorted(by_category), 2)
    pools = [rng.sample(by_category[c], min(40, len(by_category[c]))) for c in categories]
    members = []
    for _ in range(READERS):
        mine = rng.choice(([0], [1], [0, 1]))
        liked = {rng.choice(pools[rng.choice(mine)]) for _ in range(rng.randint(4, 12))}
        members.append(sorted(liked))
    return members, rng.choice(categories)


def ranks_of(scores: np.ndarray, rows: list[int], hidden: list[int]) -> list[int]:
    """Each row's place (1 = first) in the ranking by `scores`, hidden rows left out."""
    scores = scores.astype(np.float64, copy=True)
    scores[hidden] = -np.inf
    order = np.argsort(-scores, kind="stable")
    place = np.empty(len(scores), dtype=np.int64)
    place[order] = np.arange(1, len(scores) + 1)
    return [int(place[row]) for row in rows]


def same_order(before: np.ndarray, after: np.ndarray) -> bool:
    """Whether two score vectors order their entries the same way (ties kept as ties)."""
    order = np.argsort(before, kind="stable")
    return bool(np.array_equal(np.sign(np.diff(before[order])), np.sign(np.diff(after[order]))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "club.db") as library:
        library.ingest([data_file(DATA)])
        index = library.index()
        with open(data_file(DATA), encoding="utf-8") as handle:
            primary = {row["title"]: row["categories"].split()[0] for row in csv.DictReader(handle)}
        by_category: dict[str, list[int]] = {}
        store = Store(library.path)
        for paper in store.papers(store.all_ids()):
            category = primary.get(paper.title)
            if category and paper.id in index.row_of:
                by_category.setdefault(category, []).append(index.row_of[paper.id])
        top = {c for c, _ in Counter({c: len(rows) for c, rows in by_category.items()}).most_common(20)}
        by_category = {c: rows for c, rows in by_category.items() if c in top}
        print(f"library: {len(index)} papers; {options.labs} labs of {READERS} readers (seed {options.seed}); "
              f"indexed in {time.perf_counter() - started:.1f} s")
        unchanged: list[float] = []
        reference: list[float] = []
        by_weight: dict[float, list[float]] = {w: [] for w in CANDIDATES}
        kept: dict[float, list[float]] = {w: [] for w in CANDIDATES}
        untouched = {w: 0 for w in CANDIDATES}
        for _ in range(options.labs):
            members, category = make_lab(by_category, rng)
            liked = sorted({row for rows in members for row in rows})
            read = rng.choice([row for row in by_category[category] if row not in liked])
            hidden = liked + [read]
            near = index.scores(index.vector([read]))
            near[hidden] = -np.inf
            neighbours = [int(r) for r in np.argsort(-near)[:NEIGHBOURS]]
            before, _ = ranking.group_scores(index, members, hidden)
            unchanged.append(statistics.median(ranks_of(before, neighbours, hidden)))
            top_before = set(np.argsort(-np.where(np.isin(np.arange(len(index)), hidden), -np.inf, before))[:AT])
            liking = [rows + [read] if at < READERS // 2 else rows for at, rows in enumerate(members)]
            four, _ = ranking.group_scores(index, liking, hidden)
            reference.append(statistics.median(ranks_of(four, neighbours, hidden)))
            unrelated = np.flatnonzero(index.scores(index.vector([read])) == 0)
            unrelated = unrelated[~np.isin(unrelated, hidden)]
            for weight in CANDIDATES:
                after, _ = ranking.group_scores(index, members, hidden, [read], weight)
                by_weight[weight].append(statistics.median(ranks_of(after, neighbours, hidden)))
                masked = np.where(np.isin(np.arange(len(index)), hidden), -np.inf, after)
                kept[weight].append(len(top_before & set(np.argsort(-masked)[:AT])) / AT)
                untouched[weight] += same_order(before[unrelated], after[unrelated])
        print(f"\nmedian rank of the read paper's {NEIGHBOURS} nearest neighbours among {len(index)} papers "
              f"(median over labs):")
        print(f"  before                      {statistics.median(unchanged):7.0f}")
        print(f"  4 of 8 readers like it      {statistics.median(reference):7.0f}")
        errors = {}
        for weight in CANDIDATES:
            ratio = [abs(np.log(w / r)) for w, r in zip(by_weight[weight], reference)]
            errors[weight] = statistics.median(ratio)
            print(f"  club weight {weight:<5g}           {statistics.median(by_weight[weight]):7.0f}   "
                  f"|log ratio| to 4 likes {errors[weight]:.2f} · top {AT} kept {statistics.mean(kept[weight]):.0%} · "
                  f"unrelated order unchanged in {untouched[weight]}/{options.labs} labs")
        best = min(CANDIDATES, key=lambda w: (errors[w], w))
        print(f"\nchosen: {best:g} (recommender.recommend.CLUB_WEIGHT is {CLUB_WEIGHT:g}); "
              f"{time.perf_counter() - started:.1f} s in all")


if __name__ == "__main__":
    main()
