"""Every merge the library makes when ingesting a file, with the rule that allowed it.

    python bench/merges.py [FILE ...] [--apart] [--together]

Each file (by default the three arXiv samples) is ingested alone into a fresh in-memory library
(with --together, all of them into one, in order), through `Ingester.add_record` (what
`Library.add_record` calls) as `paperclub ingest` does. For every record that joins a paper
already stored, it prints the rule (`merge.match_reason`: arxiv id, doi, title or abstract), the
two titles and ids, and how much of the shorter abstract the other repeats, so each merge can be
checked by eye. With --apart it also lists the candidates the rules kept apart although their
abstracts overlap (containment >= 0.3), with the first rule that refused them.

The script watches `match_reason` calls from outside (it wraps the function the library calls)
and never changes what the library decides.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender import AddOutcome, ingest, sources  # noqa: E402
from recommender.ingest import Ingester  # noqa: E402
from recommender.merge import (  # noqa: E402
    BY_ARXIV_ID,
    BY_DOI,
    authors_contradict,
    doi_norm,
    is_placeholder,
    match_reason,
    resemblance,
    shingles,
)
from recommender.papers import Fields, Record  # noqa: E402
from recommender.store import Store  # noqa: E402

SAMPLES = ["arxiv-metadata-snapshot-sample.jsonl", "arxiv-ml-sample.csv", "arxiv-math-2025-05.csv"]
INGEST_DAY = date(2026, 11, 22)
APART_FROM = 0.3


@dataclass
class Judgement:
    """One candidate the library weighed for a record, and what the rules said."""

    record: Record
    candidate: Fields
    reason: str | None
    overlap: float


def data_dir() -> Path:
    shared = ROOT.parent / "shared" / "data"
    return shared if shared.is_dir() else ROOT / "tests" / "data"


@contextmanager
def watching() -> Iterator[list[Judgement]]:
    """Record every `match_reason` verdict the library reaches while the block runs."""
    seen: list[Judgement] = []
    original = ingest.match_reason

    def watched(candidate: Fields, record: Record, record_shingles: set[int]) -> str | None:
        reason = original(candidate, record, record_shingles)
        overlap = resemblance(shingles(candidate.abstract), record_shingles)
        seen.append(Judgement(record, candidate, reason, overlap))
        return reason

    ingest.match_reason = watched
    try:
        yield seen
    finally:
        ingest.match_reason = original


def ingest_watched(paths: list[Path]) -> tuple[int, int, list[Judgement], list[Judgement]]:
    """Records read, papers kept, the merges made and the overlapping candidates kept apart."""
    store = Store(":memory:")
    ingester = Ingester(store)
    merges: list[Judgement] = []
    apart: list[Judgement] = []
    records = 0
    with watching() as seen:
        for path in paths:
            _, items = sources.parse_text(path.read_text(encoding="utf-8-sig"), path.name, INGEST_DAY)
            with store.transaction():
                for item in items:
                    if not isinstance(item, Record):
                        continue
                    records += 1
                    seen.clear()
                    merge = _add(store, ingester, item, seen)
                    if merge is not None:
                        merges.append(merge)
                    apart += [j for j in seen if j.reason is None and j.overlap >= APART_FROM]
    papers = store.count_papers()
    store.close()
    return records, papers, merges, apart


def _add(store: Store, ingester: Ingester, record: Record, seen: list[Judgement]) -> Judgement | None:
    """Add one record; the merge it made, if any."""
    by_id = store.id_by_arxiv(record.arxiv_id) if record.arxiv_id else None
    doi = doi_norm(record.doi)
    by_doi = store.id_by_doi(doi) if doi and by_id is None else None
    stored = store.fields(by_id) if by_id is not None else None
    stored_by_doi = store.fields(by_doi) if by_doi is not None else None
    outcome = ingester.add_record(record)
    if stored is not None:
        return Judgement(record, stored, BY_ARXIV_ID, _overlap(stored, record))
    if stored_by_doi is not None:
        return Judgement(record, stored_by_doi, BY_DOI, _overlap(stored_by_doi, record))
    if outcome == AddOutcome.ADDED:
        return None
    joined = next((j for j in seen if j.reason is not None), None)
    if joined is None:
        raise RuntimeError("the library merged a record without calling ingest.match_reason")
    return joined


def _overlap(stored: Fields, record: Record) -> float:
    return resemblance(shingles(stored.abstract), shingles(record.abstract))


def refusal(judgement: Judgement) -> str:
    """The first rule of `match_reason` that keeps a candidate apart."""
    record, candidate = judgement.record, judgement.candidate
    if candidate.arxiv_id and record.arxiv_id and candidate.arxiv_id != record.arxiv_id:
        return "different arXiv ids"
    if candidate.doi and record.doi:
        return "different DOIs"
    if authors_contradict(candidate.authors, record.authors):
        return "no author in common"
    if record.title and not candidate.title_derived:
        return "titles differ"
    if is_placeholder(record.abstract) or is_placeholder(candidate.abstract):
        return "placeholder abstract"
    return "abstracts too short or too different"


def describe(judgement: Judgement) -> str:
    record, candidate = judgement.record, judgement.candidate
    ours = f"{record.title or '(no title)'} [{record.arxiv_id or record.source}]"
    derived = " (derived)" if candidate.title_derived else ""
    theirs = f"{candidate.title}{derived} [{candidate.arxiv_id or '-'}]"
    notes = f"abstract overlap {judgement.overlap:.2f}"
    if judgement.reason is None:
        notes += f"; kept apart: {refusal(judgement)}"
    return f"{judgement.reason or 'apart':9} {ours}\n{'':12}= {theirs}\n{'':12}({notes})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--apart", action="store_true", help="also list overlapping papers kept apart")
    parser.add_argument("--together", action="store_true", help="ingest all files into one library")
    args = parser.parse_args()
    paths = args.files or [data_dir() / name for name in SAMPLES]
    for group in [paths] if args.together else [[path] for path in paths]:
        records, papers, merges, apart = ingest_watched(group)
        reasons = Counter(j.reason for j in merges)
        counts = ", ".join(f"{n} by {reason}" for reason, n in sorted(reasons.items())) or "none"
        names = " + ".join(path.name for path in group)
        print(f"{names}: {records} records, {papers} papers, {len(merges)} merges ({counts})")
        for judgement in merges:
            print("  " + describe(judgement))
        if args.apart:
            print(f"  kept apart with abstract overlap >= {APART_FROM}: {len(apart)}")
            for judgement in apart:
                print("  " + describe(judgement))


if __name__ == "__main__":
    main()
