"""Co-likes in labs of 50, 500 and 5,000 readers: recall against text alone and the old blend,
and the weight each lab learns beside the best one in hindsight.

    python bench/lab.py [--sizes 50 500 5000] [--seed 0] [--evaluated 300]

The library is the real math sample (tests/data/arxiv-math-2025-05.csv, 3,397 papers). A lab of
R readers is made of R/8 circles; each circle reads one of the 20 largest categories and shares
a pool of 40 of its papers whose popularity falls off as 1/rank (Zipf). A reader joins one to
three circles (their interests) and likes 4 to 30 papers (log-normal) from them, plus, with
probability 0.3, one of the lab's 30 favourites (from anywhere) and, with 0.3, one paper at
random (the long tail). Most of the library is liked by no one.

One like per reader is held out. For up to --evaluated readers, every paper but the reader's
other likes is scored, and hit@20 says whether the held-out paper is among the top 20:

text        the TF-IDF profile of the reader's likes, scaled so its best is 1 (paperclub's text part)
old blend   text + 0.5 × the user-user scores main used before co-likes (each colleague's likes
            weighted by the cosine of the two like sets; main read every like of the group a request)
co-likes w  text + w × co-like neighbours (recommender.colikes), for every candidate weight
learned     the weight `recommender.blend.learn` chose from the training likes alone

All methods score one profile of all the reader's likes (the interleaving of interests that
`recommend` adds is left out, the same for every method). Mean ± standard error over readers.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from common import data_file, use_repository_code

use_repository_code()

from recommender import Library, blend, ranking  # noqa: E402
from recommender.colikes import CoLikes  # noqa: E402

DATA = "arxiv-math-2025-05.csv"
CIRCLE_READERS, POOL, FAVOURITES, AT = 8, 40, 30, 20


def make_lab(readers: int, primary: list[str], ids: list[int], rng: random.Random) -> dict[str, list[int]]:
    """Each reader's likes (see the module's docstring)."""
    categories = [c for c, _ in Counter(primary).most_common(20)]
    by_category = {c: [ids[i] for i, p in enumerate(primary) if p == c] for c in categories}
    circles = []
    for _ in range(max(1, readers // CIRCLE_READERS)):
        papers = by_category[rng.choice(categories)]
        circles.append(rng.sample(papers, min(POOL, len(papers))))
    zipf = [1 / (rank + 1) for rank in range(POOL)]
    favourites = rng.sample(ids, FAVOURITES)
    lab = {}
    for reader in range(readers):
        mine = rng.sample(circles, min(len(circles), rng.choice((1, 1, 2, 2, 3))))
        wanted = min(30, max(4, int(round(rng.lognormvariate(math.log(9), 0.6)))))
        liked: set[int] = set()
        for _ in range(wanted * 4):
            if len(liked) >= wanted:
                break
            circle = rng.choice(mine)
            liked.add(rng.choices(circle, weights=zipf[: len(circle)])[0])
        if rng.random() < 0.3:
            liked.add(rng.choice(favourites))
        if rng.random() < 0.3:
            liked.add(rng.choice(ids))
        lab[f"r{reader}"] = sorted(liked)
    return lab


def old_blend(mine: set[int], lab: dict[str, set[int]], user: str, index) -> np.ndarray:
    """main's colleague scores before this change (ranking.colleague_scores), for comparison."""
    scores = np.zeros(len(index), dtype=np.float32)
    for other, liked in lab.items():
        overlap = len(mine & liked) if other != user else 0
        if not overlap:
            continue
        weight = overlap / np.sqrt(len(mine) * len(liked))
        for paper_id in liked - mine:
            scores[index.row_of[paper_id]] += weight
    best = scores.max(initial=0.0)
    return scores / best if best > 0 else scores


def run_lab(lib: Library, readers: int, primary: list[str], ids: list[int], args) -> None:
    rng = random.Random(args.seed * 1000 + readers)
    lab = make_lab(readers, primary, ids, rng)
    held = {user: rng.choice(liked) for user, liked in lab.items() if len(liked) >= 2}
    train = {user: {pid for pid in liked if held.get(user) != pid} for user, liked in lab.items()}
    likes = sum(len(liked) for liked in train.values())
    started = time.perf_counter()
    colikes = CoLikes((user, pid) for user, liked in train.items() for pid in liked)
    built_s = time.perf_counter() - started
    index = lib.index()
    started = time.perf_counter()
    learned = blend.learn(colikes, index, seed=args.seed)
    learn_s = time.perf_counter() - started
    evaluated = rng.sample(sorted(held), min(args.evaluated, len(held)))
    weights = list(blend.CANDIDATES)
    hits: dict[str, list[float]] = {name: [] for name in ["text", "old blend", *map(str, weights)]}
    for user in evaluated:
        rest = sorted(train[user])
        rows = index.rows(rest)
        text = index.scores(ranking.profile(index, rows))
        text = text / max(float(text.max(initial=0.0)), 1e-9)
        social = blend.social_scores(colikes.scores(rest), index)
        old = old_blend(set(rest), train, user, index)
        target = index.row_of[held[user]]
        candidates: dict[str, NDArray[np.floating]] = {"text": text, "old blend": text + 0.5 * old}
        candidates.update({str(w): text + w * social for w in weights})
        for name, scores in candidates.items():
            scores = scores.copy()
            scores[rows] = -np.inf
            hits[name].append(float(int((scores > scores[target]).sum()) < AT))
    means = {name: np.mean(values) for name, values in hits.items()}
    best = max(weights, key=lambda w: (means[str(w)], -w))
    print(f"\n{readers} readers, {likes} training likes, {len(evaluated)} evaluated; co-likes built in "
          f"{built_s * 1000:.0f} ms, weight learned in {learn_s:.1f} s")
    for name, values in hits.items():
        label = f"co-likes w={name}" if name not in ("text", "old blend") else name
        error = np.std(values, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
        print(f"  {label:<18} hit@{AT} {np.mean(values):.3f} ± {error:.3f}")
    print(f"  learned weight {learned.weight:g} (held-out recall@{blend.AT} {learned.recall:.3f}, text alone "
          f"{learned.text_recall:.3f}, on {learned.members} members) → hit@{AT} {means[str(learned.weight)]:.3f}; "
          f"best in hindsight {best:g} → {means[str(best)]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--evaluated", type=int, default=300)
    args = parser.parse_args()
    path = data_file(DATA)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "lab.db") as lib:
        lib.ingest([path])
        ids = [lib.paper("arXiv:" + r["id"]).id for r in rows]
        primary = [r["categories"].split()[0] for r in rows]
        print(f"{len(ids)} papers; seed {args.seed}; hit@{AT} of one held-out like per reader")
        for readers in args.sizes:
            run_lab(lib, readers, primary, ids, args)


if __name__ == "__main__":
    main()
