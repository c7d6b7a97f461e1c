"""Text alone on held-out likes: recall@K of readers' hidden likes, interests against one profile.

    python bench/heldout.py [--readers 1000] [--seed 0] [--k 50 100 200] [--raw]

The papers: the three shared samples (tests/data/arxiv-math-2025-05.csv, arxiv-ml-sample.csv and
arxiv-metadata-snapshot-sample.jsonl, 6,387 papers), ingested into one temporary Library; with
--raw, ingested without their categories (title and abstract only, as a reference manager's
library has them: paperclub then indexes no category words). A paper's primary arXiv category
(the first one listed) is the ground truth either way.

The readers: each has 1 to 4 interests (30/35/25/10%), each a category of at least 40 papers
drawn at random, and 6 to 80 likes in all (log-normal, median 15) shared among the interests by a
flat Dirichlet draw (at least 2 each), drawn at random from each category. 20% of each reader's
likes (at least one) are held out; the rest are liked with `lib.like`. recall@K is the share of
the held-out likes in `lib.recommend(reader, limit=max K)`'s first K, averaged over readers.

Each reader is asked twice, in the same run: with interests (the product, `lib.recommend`) and
by a recommender on the same file with `max_interests = 1`, one profile of all the likes (what `recommend` did before
interests, on 2026-11-22). The difference is paired (same readers, same likes), with its
standard error; it is also split by whether `taste` found one interest or several, and by how
many interests the reader really has, so that a split of one field can be told apart from a
split of two.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from common import data_file, use_repository_code

use_repository_code()

from recommender import Library, PaperNotFound  # noqa: E402
from recommender.recommend import Recommender  # noqa: E402
from recommender.store import Store  # noqa: E402

FILES = ("arxiv-math-2025-05.csv", "arxiv-ml-sample.csv", "arxiv-metadata-snapshot-sample.jsonl")
METHODS = ("interests", "one profile")


def refs_and_categories(path: Path) -> list[tuple[str, str]]:
    """(how paperclub is asked for the paper, its primary category) of each row."""
    found = []
    if path.suffix == ".jsonl":
        for line in path.open(encoding="utf-8"):
            if line.strip():
                record = json.loads(line)
                found.append((f"arXiv:{record['id']}", (record.get("categories") or "").split()[0]))
    else:
        for record in csv.DictReader(path.open(encoding="utf-8-sig", newline="")):
            ref = f"arXiv:{record['id']}" if record.get("id") else record["title"]
            found.append((ref, (record.get("categories") or " ").split()[0]))
    return found


def without_categories(source: Path, folder: Path) -> Path:
    """A copy of a sample file with no categories in it."""
    target = folder / source.name
    if source.suffix == ".jsonl":
        with target.open("w", encoding="utf-8") as out:
            for line in source.open(encoding="utf-8"):
                if line.strip():
                    out.write(json.dumps({**json.loads(line), "categories": ""}) + "\n")
    else:
        rows = list(csv.DictReader(source.open(encoding="utf-8-sig", newline="")))
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=[name for name in rows[0] if name != "categories"])
            writer.writeheader()
            writer.writerows({k: v for k, v in row.items() if k != "categories"} for row in rows)
    return target


def draw_readers(members: dict[str, list[int]], count: int, seed: int) -> list[tuple[list[int], list[int], int]]:
    """(liked, held out, how many interests) of each reader (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    eligible = sorted(c for c, ids in members.items() if len(ids) >= 40)
    readers = []
    for _ in range(count):
        interests = int(rng.choice([1, 2, 3, 4], p=[0.3, 0.35, 0.25, 0.1]))
        total = int(np.clip(round(rng.lognormal(np.log(15), 0.6)), 6, 80))
        counts = np.maximum(2, np.round(rng.dirichlet(np.ones(interests)) * total)).astype(int)
        likes: list[int] = []
        for category, n in zip(rng.choice(eligible, interests, replace=False), counts):
            pool = [pid for pid in members[category] if pid not in likes]
            likes += [int(pid) for pid in rng.choice(pool, min(n, len(pool) - 5), replace=False)]
        likes = [likes[i] for i in rng.permutation(len(likes))]
        held = max(1, round(0.2 * len(likes)))
        readers.append((likes[held:], likes[:held], interests))
    return readers


def mean_se(values: np.ndarray) -> str:
    return f"{values.mean():+.4f} ± {values.std(ddof=1) / np.sqrt(len(values)):.4f}" if len(values) > 1 else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--raw", action="store_true", help="ingest titles and abstracts only, no categories")
    args = parser.parse_args()
    ks, top = sorted(args.k), max(args.k)
    paths = [data_file(name) for name in FILES]
    with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "heldout.db") as lib:
        started = time.perf_counter()
        lib.ingest([without_categories(p, Path(folder)) for p in paths] if args.raw else paths)
        members: dict[str, list[int]] = defaultdict(list)
        seen: set[int] = set()
        for path in paths:
            for ref, category in refs_and_categories(path):
                try:
                    paper_id = lib.paper(ref).id
                except PaperNotFound:  # merged into a paper stored under another title
                    continue
                if paper_id not in seen:
                    seen.add(paper_id)
                    members[category].append(paper_id)
        readers = draw_readers(dict(members), args.readers, args.seed)
        recall = {method: np.zeros((len(readers), len(ks))) for method in METHODS}
        split = np.zeros(len(readers), dtype=bool)
        mean_profile = Recommender(Store(lib.path), lib.index)
        mean_profile.max_interests = 1
        for number, (liked, held, _) in enumerate(readers):
            user = f"reader-{number}"
            for paper_id in liked:
                lib.like(user, paper_id)
            split[number] = len(lib.taste(user)) > 1
            for method in METHODS:
                ranker = lib if method == "interests" else mean_profile
                picks = [r.paper.id for r in ranker.recommend(user, limit=top)]
                recall[method][number] = [len(set(picks[:k]) & set(held)) / len(held) for k in ks]
        mean_profile.store.close()
        seconds = time.perf_counter() - started
    truth = np.array([interests for _, _, interests in readers])
    text = "titles and abstracts only (--raw)" if args.raw else "titles, abstracts and category words"
    print(f"{len(seen):,} papers indexed by {text}; {len(readers):,} readers, seed {args.seed}; {seconds:.0f} s")
    print(f"{'recall@K':<34}" + "".join(f"{k:>18}" for k in ks))
    for method in METHODS:
        print(f"{method:<34}" + "".join(f"{v:>18.4f}" for v in recall[method].mean(axis=0)))
    gap = recall["interests"] - recall["one profile"]
    print(f"{'interests - one profile (paired)':<34}" + "".join(f"{mean_se(gap[:, i]):>18}" for i in range(len(ks))))
    for interests in (1, 2, 3, 4):
        for found in (False, True):
            chosen = (truth == interests) & (split == found)
            if chosen.sum() > 1:
                label = f"  {interests} true, {'split' if found else 'one interest'} ({chosen.sum()})"
                print(f"{label:<34}" + "".join(f"{mean_se(gap[chosen, i]):>18}" for i in range(len(ks))))


if __name__ == "__main__":
    main()
