"""TF-IDF weights in numpy: the fit and the transform of scikit-learn's `TfidfVectorizer` with the
settings the index uses, the same vocabulary and the same matrix bit for bit (the tests compare
them on the real samples), without importing scikit-learn.

Settings: `prepare` (lower case, CJK runs as character pairs), scikit-learn's default token
pattern, its English stop words, words and word pairs, terms in at least `min_df` and at most
`max_df` papers and at most `max_features` of them (the most frequent), smoothed idf, sublinear
term frequency and rows of unit length. A command that only reads the index needs none of this
module's work, and one that adds papers to a small library refits it: importing scikit-learn
alone took longer than either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import TypedDict

import numpy as np
from numpy.typing import NDArray
import scipy.sparse as sp

from .counting import Tokenizing, kept_counts, prepare
from .stopwords import english

TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default: words of two or more characters
MAX_FEATURES = 2**19


def document_bounds(n_docs: int) -> tuple[int, float]:
    """(min_df, max_df) for a library of `n_docs` papers: a term must be in two papers and in
    at most half of them, except in a library too small for that to leave anything."""
    return (2, 0.5) if n_docs >= 50 else (1, 1.0)


class VectorizerState(TypedDict):
    """A vectorizer as an index file keeps it, beside its terms (see `Vectorizer.state`)."""

    token_pattern: str
    stop_words: str  # one a line
    idf: NDArray[np.float32]


@dataclass
class Vectorizer:
    """A fitted vocabulary (term → column) and its idf weights (float32, one per column)."""

    tokenizing: Tokenizing
    vocabulary: dict[str, int]
    idf: NDArray[np.float32]

    @classmethod
    def fit(cls, docs: Sequence[str], count_aside: bool = False,
            max_features: int | None = MAX_FEATURES) -> tuple[Vectorizer, sp.csr_matrix]:
        """The vocabulary and weights of `docs`, and their rows. With `count_aside`, half of a
        large library's words are read by a process beside this one (see `counting`)."""
        tokenizing = Tokenizing(TOKEN_PATTERN, english())
        words = tokenizing.words_split(docs) if count_aside else tokenizing.words(docs)
        if not words.numbering:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        fewest, most = _document_counts(len(docs))
        terms, counts = kept_counts(words, fewest, most)
        matrix, terms = _sorted_by_term(sp.csr_matrix(counts, dtype=np.float32), terms)
        if max_features is not None:
            matrix, terms = _most_frequent(matrix, terms, max_features)
        vectorizer = cls(tokenizing, dict(zip(terms, range(len(terms)))), _idf(matrix))
        return vectorizer, vectorizer.weigh(matrix)

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """The rows of `docs` in this vocabulary (float32, CSR, sorted columns)."""
        return self.weigh(self.counts(docs))

    def counts(self, docs: Sequence[str]) -> sp.csr_matrix:
        """How often each paper holds each term of the vocabulary: its words less stop words,
        then its pairs of consecutive words, as scikit-learn's word n-grams are."""
        tokenize = self.tokenizing.tokenizer()
        is_stop_word = self.tokenizing.stop_words.__contains__
        column = self.vocabulary.get
        columns: list[int] = []
        lengths = np.zeros(len(docs), dtype=np.int64)
        for at, doc in enumerate(docs):
            words = [w for w in tokenize(prepare(doc)) if not is_stop_word(w)]
            found = [c for c in map(column, words + [f"{a} {b}" for a, b in zip(words, words[1:])]) if c is not None]
            columns.extend(found)
            lengths[at] = len(found)
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        counts = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), (rows, np.asarray(columns, dtype=np.int64))),
                               shape=(len(docs), len(self.vocabulary)))
        counts.sum_duplicates()
        return counts

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts turned into weights, in place: 1 + log(count), times idf, rows of unit length."""
        np.log(counts.data, counts.data)
        counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        return l2_normalized(counts)

    def state(self) -> VectorizerState:
        """What `from_state` needs besides the terms (saved apart: see `TfidfIndex.save`)."""
        return {"token_pattern": self.tokenizing.token_pattern,
                "stop_words": "\n".join(sorted(self.tokenizing.stop_words)), "idf": self.idf}

    @classmethod
    def from_state(cls, state: VectorizerState, terms: Sequence[str]) -> Vectorizer:
        stop_words = frozenset(state["stop_words"].split("\n")) if state["stop_words"] else frozenset()
        # A loop, not dict(zip(...)): hashing half a million new strings in one call would hold
        # the GIL for a third of a second.
        return cls(Tokenizing(state["token_pattern"], stop_words),
                   {term: column for column, term in enumerate(terms)}, state["idf"])


def l2_normalized(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row of a float32 CSR matrix divided by its length, in place, as scikit-learn's
    `normalize` does it: squares summed in float64 in the row's order (bincount adds its
    weights one after another), each value divided in float64 and rounded back. Empty rows
    stay as they are."""
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), lengths)
    squares = np.bincount(rows, weights=matrix.data * matrix.data, minlength=matrix.shape[0])
    norms = np.sqrt(squares)
    norms[squares == 0.0] = 1.0
    matrix.data = (matrix.data.astype(np.float64) / np.repeat(norms, lengths)).astype(np.float32)
    return matrix


def _document_counts(n_docs: int) -> tuple[float, float]:
    """The fewest and the most papers a term may be in to be kept."""
    min_df, max_df = document_bounds(n_docs)
    low = float(min_df if isinstance(min_df, Integral) else min_df * n_docs)
    high = float(max_df if isinstance(max_df, Integral) else max_df * n_docs)
    return low, high


def _sorted_by_term(matrix: sp.csr_matrix, terms: list[str]) -> tuple[sp.csr_matrix, list[str]]:
    """The columns (term `i` in column `i`) renumbered in the order of their terms' names, as
    scikit-learn's fit does before choosing the most frequent (every term here is within the
    document bounds already); the terms in their new order."""
    order = sorted(range(len(terms)), key=terms.__getitem__)  # terms are unique: by name alone
    new_column = np.empty(len(terms), dtype=np.int64)
    new_column[order] = np.arange(len(order))
    matrix.indices = new_column.astype(matrix.indices.dtype).take(matrix.indices, mode="clip")
    return matrix, [terms[i] for i in order]


def _most_frequent(matrix: sp.csr_matrix, terms: list[str], limit: int) -> tuple[sp.csr_matrix, list[str]]:
    """At most `limit` terms: those most often met in all papers, chosen and kept in
    scikit-learn's order (its argsort of the totals, ties included), with their columns."""
    if matrix.shape[1] <= limit:
        return matrix, terms
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    kept = np.sort((-totals).argsort()[:limit])
    return matrix[:, kept], [terms[i] for i in kept.tolist()]


def _idf(matrix: sp.csr_matrix) -> NDArray[np.float32]:
    """Smoothed inverse document frequency, in float32: log((1 + n) / (1 + df)) + 1."""
    documents = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float32)
    documents += 1.0
    idf = np.full_like(documents, fill_value=matrix.shape[0] + 1, dtype=np.float32)
    idf /= documents
    np.log(idf, out=idf)
    idf += 1.0
    return idf
