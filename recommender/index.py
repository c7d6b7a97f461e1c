"""The TF-IDF index: fitted on the library's text, grown in place, persisted beside the database.

Rows are L2-normalised, so a dot product is a cosine similarity. The index keeps the matrix
twice: by paper (rows, to read a paper's vector) and by term (postings, so scoring a profile
touches only the papers that share its terms).
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from .text import CJK_CHAR

FORMAT_VERSION = 1
MAX_FEATURES = 2**19
REFIT_GROWTH = 0.25
SMALL_LIBRARY = 2000
FIT_SAMPLE = 200_000
TRANSFORM_CHUNK = 50_000

_CJK_RUN = re.compile(CJK_CHAR.pattern + "+")


def _cjk_bigrams(match: re.Match) -> str:
    run = match.group(0)
    if len(run) == 1:
        return " " + run + run + " "
    return " " + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + " "


def prepare(text: str) -> str:
    """Lower-case text with every CJK run turned into its character bigrams, so Chinese
    abstracts share features with one another the way English ones share words."""
    text = text.lower()
    if CJK_CHAR.search(text):
        text = _CJK_RUN.sub(_cjk_bigrams, text)
    return text


CATEGORY_PREFIX = "cat_"


def category_words(categories: list[str]) -> str:
    """Categories as single tokens the vectorizer keeps whole (`cs.LG` → `cat_cs_lg`)."""
    return " ".join(CATEGORY_PREFIX + re.sub(r"\W", "_", c.lower()) for c in categories)


def new_vectorizer(n_docs: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=prepare,
        stop_words="english",
        ngram_range=(1, 2),
        min_df=2 if n_docs >= 50 else 1,
        max_df=0.5 if n_docs >= 50 else 1.0,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
        dtype=np.float32,
    )


@dataclass
class TfidfIndex:
    vectorizer: TfidfVectorizer
    matrix: sp.csr_matrix
    ids: np.ndarray
    fitted_docs: int
    added_since_fit: int = 0
    synced_to: str = ""
    library_id: str = ""
    postings: sp.csr_matrix = field(init=False, repr=False)
    row_of: dict[int, int] = field(init=False, repr=False)
    _terms: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._refresh_lookups()

    @classmethod
    def fit(cls, ids: list[int], docs: list[str], synced_to: str = "", library_id: str = "") -> TfidfIndex:
        vectorizer = new_vectorizer(len(docs))
        if len(docs) > FIT_SAMPLE:
            matrix = _fit_on_sample(vectorizer, docs)
        elif docs:
            matrix = vectorizer.fit_transform(docs)
        else:
            vectorizer.fit(["empty library"])
            matrix = sp.csr_matrix((0, len(vectorizer.vocabulary_)), dtype=np.float32)
        return cls(vectorizer, sp.csr_matrix(matrix, dtype=np.float32), np.asarray(ids, dtype=np.int64),
                   fitted_docs=len(docs), synced_to=synced_to, library_id=library_id)

    def _refresh_lookups(self) -> None:
        self.postings = self.matrix.T.tocsr()
        self.row_of = {int(pid): row for row, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def terms(self) -> np.ndarray:
        if self._terms is None:
            self._terms = self.vectorizer.get_feature_names_out()
        return self._terms

    # -- growing ---------------------------------------------------------------------------

    def add(self, ids: list[int], docs: list[str], synced_to: str) -> None:
        """Add papers (or replace the vectors of papers already in) with the fitted vocabulary."""
        if not ids:
            self.synced_to = max(self.synced_to, synced_to)
            return
        vectors = sp.csr_matrix(self.vectorizer.transform(docs), dtype=np.float32)
        known = [self.row_of.get(pid) for pid in ids]
        keep = np.ones(len(self.ids), dtype=bool)
        keep[[row for row in known if row is not None]] = False
        self.matrix = sp.vstack([self.matrix[keep], vectors], format="csr")
        self.ids = np.concatenate([self.ids[keep], np.asarray(ids, dtype=np.int64)])
        self.added_since_fit += sum(1 for row in known if row is None)
        self.synced_to = max(self.synced_to, synced_to)
        self._refresh_lookups()

    def needs_refit(self) -> bool:
        """Refit when the library has outgrown the vocabulary: it grew by a quarter since the
        fit (new words and shifted document frequencies by then move rankings), or it is small
        enough that refitting costs nothing. (The share of unknown words in new papers was
        tried as a drift signal and rejected: with `max_df` dropping common words it sits near
        a third for same-field and other-field papers alike.)"""
        if self.added_since_fit == 0:
            return False
        if len(self.ids) <= SMALL_LIBRARY:
            return True
        return self.added_since_fit > REFIT_GROWTH * max(self.fitted_docs, 1)

    # -- reading ---------------------------------------------------------------------------

    def rows(self, ids: list[int]) -> list[int]:
        return [self.row_of[pid] for pid in ids if pid in self.row_of]

    def scores(self, profile: sp.csr_matrix) -> np.ndarray:
        """Dot product of a 1×V profile with every paper."""
        if profile.nnz == 0 or len(self.ids) == 0:
            return np.zeros(len(self.ids), dtype=np.float32)
        result = profile @ self.postings
        return np.asarray(result.toarray()).ravel()

    def vector(self, rows: list[int]) -> sp.csr_matrix:
        return self.matrix[rows]

    def shared_terms(self, row: int, other: int, limit: int = 2) -> list[str]:
        """The telling terms contributing most to the similarity of two papers (by row)."""
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        a = slice(indptr[row], indptr[row + 1])
        b = slice(indptr[other], indptr[other + 1])
        common, in_a, in_b = np.intersect1d(indices[a], indices[b], assume_unique=True, return_indices=True)
        if not len(common):
            return []
        weights = data[a][in_a] * data[b][in_b]
        chosen: list[str] = []
        for position in np.argsort(-weights)[: limit * 8]:
            term = str(self.terms[common[position]])
            if not _telling(term) or any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == limit:
                break
        return chosen

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write atomically: a crash leaves the previous index file in place."""
        path = Path(path)
        state = {
            "format": FORMAT_VERSION, "vectorizer": self.vectorizer, "matrix": self.matrix,
            "ids": self.ids, "fitted_docs": self.fitted_docs, "added_since_fit": self.added_since_fit,
            "synced_to": self.synced_to,
            "library_id": self.library_id,
        }
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> TfidfIndex | None:
        """The persisted index, or None when missing, unreadable or of another format."""
        try:
            with open(path, "rb") as handle:
                state = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("format") != FORMAT_VERSION:
            return None
        return cls(
            state["vectorizer"], state["matrix"], state["ids"], state["fitted_docs"],
            state["added_since_fit"], state["synced_to"], state["library_id"],
        )


def _fit_on_sample(vectorizer: TfidfVectorizer, docs: list[str]) -> sp.csr_matrix:
    """Fit the vocabulary and idf on a seeded sample of a large library, then transform it all
    in chunks: the full bigram dictionary of a million abstracts would not fit in memory, and a
    200,000-paper sample already holds every term frequent enough to survive min_df."""
    sample = np.random.default_rng(0).choice(len(docs), FIT_SAMPLE, replace=False)
    vectorizer.fit([docs[i] for i in sample])
    chunks = [
        sp.csr_matrix(vectorizer.transform(docs[start:start + TRANSFORM_CHUNK]), dtype=np.float32)
        for start in range(0, len(docs), TRANSFORM_CHUNK)
    ]
    return sp.vstack(chunks, format="csr")


def _telling(term: str) -> bool:
    """Whether a term means something to a reader: no stop word, no lone digits or letters."""
    words = term.split()
    if any(w.startswith(CATEGORY_PREFIX) for w in words):
        return False
    return all(
        w not in ENGLISH_STOP_WORDS and not w.isdigit() and (len(w) > 2 or CJK_CHAR.match(w)) for w in words
    )


def normalized_sum(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The L2-normalised sum of some rows: a profile that weighs each liked paper equally."""
    total = sp.csr_matrix(matrix.sum(axis=0), dtype=np.float32)
    return normalize(total)
