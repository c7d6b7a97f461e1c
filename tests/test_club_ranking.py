"""What the paper club teaches the ranking, on the real ML sample (tests/data/arxiv-ml-sample.csv,
a copy of /work/shared/data's): a paper the lab read together lifts its neighbours in the lab's
ranking (what its digests use) and in its members' recommendations there, and nothing else moves.
The weight itself is measured by bench/club.py."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from recommender import Library

from .conftest import DATA, INGEST_DAY

LAB = "lab"
LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)
# Two readers of segmentation, two of reinforcement learning; the club reads a diffusion paper.
READERS = {"ada": "segmentation", "bob": "segmentation", "cy": "reinforcement", "dee": "reinforcement"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("club-sample") / "ml.db"
    with Library(path) as library:
        library.ingest([DATA / "arxiv-ml-sample.csv"], today=INGEST_DAY)
    return path


@pytest.fixture
def lab(sample_db, tmp_path):
    import shutil

    path = tmp_path / "ml.db"
    shutil.copy(sample_db, path)
    with Library(path) as library:
        for user, topic in READERS.items():
            offset = 0 if user in ("ada", "cy") else 4
            for result in library.search(topic, limit=4, offset=offset):
                library.like(user, result.paper.id, LAB)
        yield library


def order(results) -> list[int]:
    return [r.paper.id for r in results]


def read_paper(library: Library) -> int:
    liked = {pid for _, pid in library.store.group_signals(LAB)}
    return next(r.paper.id for r in library.search("diffusion model", limit=20) if r.paper.id not in liked)


def unrelated_to(library: Library, paper_id: int) -> set[int]:
    """Papers sharing no word with the paper (similarity 0)."""
    index = library.index()
    scores = index.scores(index.vector([index.row_of[paper_id]]))
    return {int(index.ids[row]) for row in np.flatnonzero(scores == 0)}


def test_a_paper_read_together_lifts_its_neighbours_in_the_labs_ranking_and_nothing_else(lab):
    everything = lab.store.count_papers()
    before = order(lab.lab_ranking(LAB, everything))
    read = read_paper(lab)
    neighbours = [p for p in order(lab.similar(read, 12)) if p in before][:10]
    assert len(neighbours) == 10
    lab.schedule_session(LAB, read, "2020-01-02 18:00", LONG_AGO)
    after = order(lab.lab_ranking(LAB, everything))

    assert read not in after
    lifted = [after.index(pid) < before.index(pid) for pid in neighbours]
    assert sum(lifted) >= 9, [(before.index(p), after.index(p)) for p in neighbours]
    assert np.median([after.index(p) for p in neighbours]) < np.median([before.index(p) for p in neighbours]) / 2
    unrelated = unrelated_to(lab, read)
    assert len(unrelated) > 10   # in this sample nearly every abstract shares a word with it
    assert [p for p in after if p in unrelated] == [p for p in before if p in unrelated and p != read]


def test_it_lifts_them_in_a_members_recommendations_in_that_lab_only(lab):
    before = order(lab.recommend("ada", 1000, LAB))
    elsewhere = order(lab.recommend("ada", 1000))
    read = read_paper(lab)
    neighbours = [p for p in order(lab.similar(read, 10)) if p in before]
    lab.schedule_session(LAB, read, "2020-01-02 18:00", LONG_AGO)
    after = order(lab.recommend("ada", 1000, LAB))

    assert read not in after and order(lab.recommend("ada", 1000)) == elsewhere
    assert sum(after.index(p) < before.index(p) for p in neighbours if p in after) >= len(neighbours) - 1
    unrelated = unrelated_to(lab, read)
    assert [p for p in after if p in unrelated] == [p for p in before if p in unrelated and p != read]


def test_a_session_to_come_or_cancelled_changes_nothing(lab):
    everything = lab.store.count_papers()
    before = lab.lab_ranking(LAB, everything)
    read = read_paper(lab)
    lab.schedule_session(LAB, read, "2999-01-02 18:00", LONG_AGO)
    assert lab.lab_ranking(LAB, everything) == before
    lab.schedule_session(LAB, "Neural ODEs", "2020-01-02 18:00", LONG_AGO)
    lab.store.update_session(2, status="cancelled")
    assert lab.lab_ranking(LAB, everything) == before
