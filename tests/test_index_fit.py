"""The index's fit: the same vocabulary and matrix as scikit-learn's own TfidfVectorizer."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender import counting
from recommender import index as index_module
from recommender.index import TfidfIndex, index_docs, new_vectorizer, transform_aside
from tests.conftest import DATA, INGEST_DAY


@pytest.mark.parametrize("max_features", [300, 5000, None])
def test_the_fit_equals_scikit_learns(seeded, max_features):
    _, docs = index_docs(seeded.store)
    ours = new_vectorizer(len(docs))
    ours.max_features = max_features
    plain = new_vectorizer(len(docs))
    plain.__class__ = TfidfVectorizer
    plain.max_features = max_features
    a, b = plain.fit_transform(docs).tocsr(), ours.fit_transform(docs).tocsr()
    if max_features == 300:
        assert len(plain.vocabulary_) == 300  # the limit chose among the survivors
    assert plain.vocabulary_ == ours.vocabulary_
    assert np.array_equal(plain.idf_, ours.idf_)
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_a_fitted_index_pickles_a_plain_vectorizer(seeded):
    ids, docs = index_docs(seeded.store)
    index = TfidfIndex.fit(ids, docs)
    assert type(index.vectorizer) is TfidfVectorizer
    assert b"_SortingLessVectorizer" not in pickle.dumps(index.vectorizer)


def test_vectors_made_in_processes_aside_equal_those_made_here(seeded, monkeypatch):
    ids, docs = index_docs(seeded.store)
    index = TfidfIndex.fit(ids[:50], docs[:50])
    here = index.vectors(docs[50:])
    aside = transform_aside(index.vectorizer, index.terms, docs[50:], workers=2)
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(here, name), getattr(aside, name))
    assert aside.dtype == np.float32 and aside.shape == (len(docs) - 50, len(index.terms))

    monkeypatch.setattr(index_module, "TRANSFORM_ASIDE", 1)
    grown = index.with_added(ids[50:], docs[50:], "later")
    assert (grown.matrix[50:] != here).nnz == 0
    assert list(grown.ids) == ids


def test_counting_half_in_a_process_aside_equals_scikit_learns(seeded, monkeypatch):
    """The second half of the papers counted by `python -m recommender.counting`: the same
    vocabulary, columns and matrix as one pass of scikit-learn's over all of them."""
    monkeypatch.setattr(counting, "SPLIT_FROM", 10)
    _, docs = index_docs(seeded.store)
    docs = docs + ["Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich. 叠加态 量子"]
    plain = new_vectorizer(len(docs))
    plain.__class__ = TfidfVectorizer
    ours = new_vectorizer(len(docs))
    ours.count_aside = True
    a, b = plain.fit_transform(docs).tocsr(), ours.fit_transform(docs).tocsr()
    assert plain.vocabulary_ == ours.vocabulary_
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_a_failed_counting_process_is_reported(seeded, monkeypatch):
    monkeypatch.setattr(counting, "SPLIT_FROM", 10)
    monkeypatch.setattr(counting, "module_command", lambda *args: [sys.executable, "-c", "raise SystemExit('no luck')"])
    _, docs = index_docs(seeded.store)
    vectorizer = new_vectorizer(len(docs))
    vectorizer.count_aside = True
    with pytest.raises(RuntimeError, match="counting process failed: no luck"):
        vectorizer.fit_transform(docs)


def test_a_sync_that_refits_computes_no_vectors_it_would_throw_away(seeded, monkeypatch):
    """After an import that makes a refit due (here: into a small library), the keeper refits
    at once: the new papers are not first put in the old vocabulary. The index is the one a
    fit on all the papers gives."""
    before = seeded.index()
    assert before.added_since_fit == 0

    def no_vectors(self, docs):
        raise AssertionError("vectors computed in the vocabulary about to be replaced")

    monkeypatch.setattr(TfidfIndex, "vectors", no_vectors)
    seeded.ingest([DATA / "arxiv-ml-sample.csv"], today=INGEST_DAY)
    after = seeded.index()
    ids, docs = index_docs(seeded.store)
    fitted = TfidfIndex.fit(ids, docs)
    assert after.fitted_docs == len(ids) and after.added_since_fit == 0
    assert list(after.ids) == ids
    assert after.vectorizer.vocabulary_ == fitted.vectorizer.vocabulary_
    assert (after.matrix != fitted.matrix).nnz == 0
    assert TfidfIndex.load(seeded.index_path).fitted_docs == len(ids)  # and saved


def test_a_sync_whose_papers_need_no_refit_adds_them_in_the_vocabulary(seeded):
    index = seeded.index()
    ids = [int(i) for i in index.ids]
    assert not index.refit_due_with([])
    assert not index.refit_due_with(ids[:3])  # papers changed, none new
    assert index.refit_due_with([max(ids) + 1])  # a small library refits for any new paper
