"""Does blending in colleagues' likes ("people who liked what you liked also liked …") help?

    python bench/colleagues.py [--seed 0] [--labs 20] [--members 8] [--weights 0 0.1 0.3 0.5 1]

Simulated labs on the real math sample (tests/data/arxiv-math-2025-05.csv), through the public
API. Each lab works in one of the 20 largest primary categories and shares a reading pool of 30
of its papers; each member likes 6 papers of the pool and 1 random paper from anywhere (people
stray). One pool paper per member is held out (not liked by that member; colleagues may like it).
Every member then asks `lib.recommend(member, limit=10, group=lab)`, with the colleague weight
set to each value in turn (0 = text similarity alone, the same readers and likes every time).

Printed per weight: hit@10 (the member's held-out paper is among the 10), precision@10 (share in
the lab's category), and the paired difference from weight 0 with its standard error.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender import Library  # noqa: E402

DATA = ROOT / "tests" / "data" / "arxiv-math-2025-05.csv"
POOL, LIKES, STRAYS = 30, 6, 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--labs", type=int, default=20)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.1, 0.3, 0.5, 1.0])
    args = parser.parse_args()

    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    primary = np.array([r["categories"].split()[0] for r in rows])
    rng = np.random.default_rng(args.seed)
    categories = [c for c, _ in Counter(primary).most_common(args.labs)]

    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "bench.db") as lib:
        lib.ingest([DATA])
        ids = [lib.paper("arXiv:" + r["id"]).id for r in rows]
        members = []  # (user, lab, category, held-out paper id)
        for lab_number, category in enumerate(categories):
            lab = f"lab-{lab_number}"
            pool = rng.choice(np.flatnonzero(primary == category), POOL, replace=False)
            for member in range(args.members):
                user = f"{lab}-member-{member}"
                liked = rng.choice(pool, LIKES + 1, replace=False)
                held_out, kept = liked[0], liked[1:]
                strays = rng.choice(len(rows), STRAYS, replace=False)
                for row in [*kept, *strays]:
                    lib.like(user, ids[row], group=lab)
                members.append((user, lab, category, ids[held_out]))

        category_of = {ids[i]: primary[i] for i in range(len(rows))}
        results: dict[float, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
        for weight in args.weights:
            lib.colleague_weight = weight
            hits: list[float] = []
            precision: list[float] = []
            for user, lab, category, held_out in members:
                picks = [r.paper.id for r in lib.recommend(user, limit=10, group=lab)]
                hits.append(float(held_out in picks))
                precision.append(float(np.mean([category_of[p] == category for p in picks])) if picks else 0.0)
            results[weight] = (np.array(hits), np.array(precision))

    base_hits, base_precision = results[args.weights[0]]
    print(f"{len(members)} members in {len(categories)} labs; pool {POOL}, {LIKES} likes + {STRAYS} stray each; seed {args.seed}")
    print(f"{'weight':>6} | {'hit@10':>13} | {'precision@10':>13} | {'Δhit vs 0':>17} | {'Δprecision vs 0':>17}")
    for weight, (hit_rates, precisions) in results.items():
        print(
            f"{weight:6.2f} | {_mean(hit_rates)} | {_mean(precisions)} | "
            f"{_mean(hit_rates - base_hits, signed=True)} | {_mean(precisions - base_precision, signed=True)}"
        )


def _mean(values: NDArray[np.float64], signed: bool = False) -> str:
    error = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{values.mean():+.3f} ± {error:.3f}" if signed else f"{values.mean():.3f} ± {error:.3f}"


if __name__ == "__main__":
    main()
