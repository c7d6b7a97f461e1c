"""The index's fit: the same vocabulary and matrix as scikit-learn's own TfidfVectorizer."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender.index import TfidfIndex, index_docs, new_vectorizer


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
