"""The index's TF-IDF (`recommender.tfidf`): the same vocabulary and matrix as scikit-learn's own
TfidfVectorizer with the same settings, for the fit and for new papers, bit for bit."""

from __future__ import annotations

import csv
import pickle
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender import counting
from recommender import index as index_module
from recommender.counting import prepare
from recommender.index import TfidfIndex, index_docs, index_text, normalized_sum, transform_aside
from recommender.stopwords import english
from recommender.tfidf import MAX_FEATURES, Vectorizer, document_bounds, l2_normalized
from tests.conftest import DATA, INGEST_DAY, store_of

MIXED = "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich. 叠加态 量子"


def scikit_learns(n_docs: int, max_features: int | None = MAX_FEATURES) -> TfidfVectorizer:
    """scikit-learn's vectorizer with the index's settings."""
    min_df, max_df = document_bounds(n_docs)
    return TfidfVectorizer(preprocessor=prepare, stop_words="english", ngram_range=(1, 2), min_df=min_df,
                           max_df=max_df, sublinear_tf=True, max_features=max_features, dtype=np.float32)


def sample_docs(name: str) -> list[str]:
    with open(DATA / name, encoding="utf-8") as handle:
        return [index_text(row["title"], row["abstract"], row["categories"].split()) for row in csv.DictReader(handle)]


def assert_same(a: sp.spmatrix, b: sp.spmatrix) -> None:
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_the_english_stop_words_are_scikit_learns():
    assert english() == ENGLISH_STOP_WORDS


def test_english_stop_words_are_imported_when_the_literal_moves(monkeypatch):
    from recommender import stopwords

    monkeypatch.setattr(stopwords, "_english_literal", lambda: None)
    stopwords.english.cache_clear()
    try:
        assert stopwords.english() == ENGLISH_STOP_WORDS
    finally:
        stopwords.english.cache_clear()


@pytest.mark.parametrize("max_features", [300, 5000, None, MAX_FEATURES])
def test_the_fit_equals_scikit_learns(seeded, max_features):
    _, docs = index_docs(store_of(seeded))
    docs = docs + [MIXED]
    plain = scikit_learns(len(docs), max_features)
    expected = plain.fit_transform(docs)
    ours, matrix = Vectorizer.fit(docs, max_features=max_features)
    if max_features == 300:
        assert len(plain.vocabulary_) == 300  # the limit chose among the survivors
    assert plain.vocabulary_ == ours.vocabulary
    assert np.array_equal(plain.idf_, ours.idf) and ours.idf.dtype == np.float32
    assert_same(expected, matrix)


@pytest.mark.parametrize("sample", ["arxiv-ml-sample.csv", "arxiv-math-2025-05.csv"])
def test_fit_and_transform_equal_scikit_learns_on_the_real_samples(sample):
    """Fitted on most of a real sample (min_df 2, max_df 0.5 apply), then papers it has not
    seen, as an ingest adds them."""
    docs = sample_docs(sample)
    fitted, new = docs[:-200], docs[-200:] + [MIXED, "", "the of and"]
    plain = scikit_learns(len(fitted))
    expected = plain.fit_transform(fitted)
    ours, matrix = Vectorizer.fit(fitted)
    assert plain.vocabulary_ == ours.vocabulary
    assert np.array_equal(plain.idf_, ours.idf)
    assert_same(expected, matrix)
    assert_same(plain.transform(new), ours.transform(new))


def test_rows_are_normalised_as_scikit_learn_normalises_them():
    docs = sample_docs("arxiv-ml-sample.csv")
    _, matrix = Vectorizer.fit(docs)
    summed = sp.csr_matrix(np.ones((1, 300), dtype=np.float32)) @ matrix[:300]
    assert_same(normalize(sp.csr_matrix(summed, dtype=np.float32)), l2_normalized(sp.csr_matrix(summed, dtype=np.float32)))
    assert_same(normalize(matrix[:300] * 3.5), l2_normalized(sp.csr_matrix(matrix[:300] * 3.5)))
    assert normalized_sum(matrix[:3]).nnz > 0


def test_a_saved_index_holds_no_scikit_learn_object(seeded):
    ids, docs = index_docs(store_of(seeded))
    index = TfidfIndex.fit(ids, docs)
    index.save(seeded.index_path)
    assert b"sklearn" not in seeded.index_path.read_bytes()
    loaded = TfidfIndex.load(seeded.index_path)
    assert loaded.vectorizer.vocabulary == index.vectorizer.vocabulary
    assert_same(loaded.vectorizer.transform(docs[:5]), index.vectorizer.transform(docs[:5]))


def test_an_index_of_the_format_before_is_read_with_its_weights(seeded):
    """An index saved before (format 2: a scikit-learn vectorizer inside) is taken over as it
    is, not refitted: the same vocabulary, weights and rows."""
    ids, docs = index_docs(store_of(seeded))
    plain = scikit_learns(len(docs))
    matrix = sp.csr_matrix(plain.fit_transform(docs), dtype=np.float32)
    terms = plain.get_feature_names_out()
    del plain.vocabulary_
    state = {"format": 2, "vectorizer": plain, "terms": "\n".join(terms), "matrix": matrix,
             "ids": np.asarray(ids, dtype=np.int64), "fitted_docs": len(docs), "added_since_fit": 0,
             "synced_to": "2026-01-01", "library_id": "old"}
    seeded.index_path.write_bytes(pickle.dumps(state))
    loaded = TfidfIndex.load(seeded.index_path)
    fitted = TfidfIndex.fit(ids, docs)
    assert loaded.vectorizer.vocabulary == fitted.vectorizer.vocabulary
    assert_same(loaded.matrix, fitted.matrix)
    assert_same(loaded.vectors(docs[:7]), fitted.vectors(docs[:7]))


def test_vectors_made_in_processes_aside_equal_those_made_here(seeded, monkeypatch):
    ids, docs = index_docs(store_of(seeded))
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
    _, docs = index_docs(store_of(seeded))
    docs = docs + [MIXED]
    plain = scikit_learns(len(docs))
    expected = plain.fit_transform(docs)
    ours, matrix = Vectorizer.fit(docs, count_aside=True)
    assert plain.vocabulary_ == ours.vocabulary
    assert_same(expected, matrix)


def test_word_pairs_in_64_bits_give_scikit_learns_fit_too(monkeypatch):
    """A library of more than 65,536 words numbers its word pairs in 64 bits instead of 32: the
    same fit (the samples have fewer words, so the wider numbering is forced here)."""
    monkeypatch.setattr(counting, "_pair_keys", lambda first, second, n_words: first * n_words + second)
    docs = sample_docs("arxiv-ml-sample.csv")
    plain = scikit_learns(len(docs))
    expected = plain.fit_transform(docs)
    ours, matrix = Vectorizer.fit(docs)
    assert plain.vocabulary_ == ours.vocabulary
    assert_same(expected, matrix)


@given(hnp.arrays(st.sampled_from([np.uint32, np.int64]), st.integers(0, 300), elements=st.integers(0, 40)))
def test_distinct_word_pairs_are_numpys_unique(keys):
    uniques, inverse = counting._distinct(keys)
    expected, expected_inverse = np.unique(keys, return_inverse=True)
    assert uniques.dtype == keys.dtype
    assert uniques.tolist() == expected.tolist() and inverse.tolist() == expected_inverse.ravel().tolist()


def test_a_failed_counting_process_is_reported(seeded, monkeypatch):
    monkeypatch.setattr(counting, "SPLIT_FROM", 10)
    monkeypatch.setattr(counting, "module_command", lambda *args: [sys.executable, "-c", "raise SystemExit('no luck')"])
    _, docs = index_docs(store_of(seeded))
    with pytest.raises(RuntimeError, match="counting process failed: no luck"):
        Vectorizer.fit(docs, count_aside=True)


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
    ids, docs = index_docs(store_of(seeded))
    fitted = TfidfIndex.fit(ids, docs)
    assert after.fitted_docs == len(ids) and after.added_since_fit == 0
    assert list(after.ids) == ids
    assert after.vectorizer.vocabulary == fitted.vectorizer.vocabulary
    assert (after.matrix != fitted.matrix).nnz == 0
    assert TfidfIndex.load(seeded.index_path).fitted_docs == len(ids)  # and saved


def test_a_sync_whose_papers_need_no_refit_adds_them_in_the_vocabulary(seeded):
    index = seeded.index()
    ids = [int(i) for i in index.ids]
    assert not index.refit_due_with([])
    assert not index.refit_due_with(ids[:3])  # papers changed, none new
    assert index.refit_due_with([max(ids) + 1])  # a small library refits for any new paper
