"""The TF-IDF index and its keeper: fitted on the library's text, persisted beside the database.

Rows are L2-normalised, so a dot product is a cosine similarity. The index keeps the matrix
twice: by paper (rows, to read a paper's vector) and by term (postings, so scoring a profile
touches only the papers that share its terms).

An index is never changed once built: growing it makes a new one (`with_added`), so a reader
holding an index keeps a consistent view while the `IndexKeeper` swaps in the next.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
import scipy.sparse as sp

from .processes import (
    TEMP_SUFFIX,
    child_environment,
    last_words,
    module_command,
    run_in_background,
    temporary_folder,
    usable_cores,
)
from .stopwords import LANGUAGE_MIN_SHARE, LANGUAGE_MIN_WORDS, english, other_languages
from .text import CJK_CHAR
from .tfidf import Vectorizer, l2_normalized

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 2: the vocabulary is stored as one string of terms; 3: no scikit-learn object
REFIT_GROWTH = 0.25
SMALL_LIBRARY = 2000
FIT_SAMPLE = 200_000
TRANSFORM_CHUNK = 50_000
# Above this many papers a refit runs in a process of its own, so that the bot's threads keep
# answering while the vocabulary is learnt.
FIT_IN_PROCESS = 20_000
# From this many new papers on, their vectors are computed in processes beside this one (each
# costs a fraction of a second to start: importing numpy and rebuilding the vocabulary).
TRANSFORM_ASIDE = 5_000
TRANSFORM_WORKERS = 2

CATEGORY_PREFIX = "cat_"
# Names of TeX commands that inline maths leaves among a paper's words: shown to nobody.
TEX_WORDS = frozenset({
    "mathbb", "mathcal", "mathrm", "mathbf", "mathfrak", "mathsf", "mathit", "mathscr", "frak", "operatorname",
    "varepsilon", "varphi", "vartheta", "varrho", "varpi", "varsigma", "epsilon", "frac", "dfrac", "sqrt",
    "cdot", "cdots", "ldots", "dots", "infty", "leq", "geq", "neq", "left", "right", "langle", "rangle",
    "widetilde", "tilde", "overline", "textbf", "textit", "text", "mbox", "hbox", "emph", "cite", "ref",
})


def category_words(categories: list[str]) -> str:
    """Categories as single tokens the vectorizer keeps whole (`cs.LG` → `cat_cs_lg`)."""
    return " ".join(CATEGORY_PREFIX + re.sub(r"\W", "_", c.lower()) for c in categories)


@dataclass
class TfidfIndex:
    vectorizer: Vectorizer
    matrix: sp.csr_matrix
    ids: NDArray[np.int64]
    fitted_docs: int
    added_since_fit: int = 0
    synced_to: str = ""
    library_id: str = ""
    postings: sp.csr_matrix = field(init=False, repr=False)
    row_of: dict[int, int] = field(init=False, repr=False)
    _terms: NDArray[np.object_] | None = field(init=False, repr=False, default=None)
    # For each term, one bit for each of `other_languages()` (in its order) whose stop word it is.
    _language_bits: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._refresh_lookups()

    @classmethod
    def fit(cls, ids: list[int], docs: list[str], synced_to: str = "", library_id: str = "",
            count_aside: bool = True) -> TfidfIndex:
        """Learn the vocabulary and weights of `docs` (see `tfidf`). With `count_aside`, half
        of a large library's words are counted in a process beside this one (see `counting`);
        a refit, which runs beside people's requests, leaves that core to them."""
        if len(docs) > FIT_SAMPLE:
            vectorizer, matrix = _fit_on_sample(docs, count_aside)
        elif docs:
            vectorizer, matrix = Vectorizer.fit(docs, count_aside)
        else:
            vectorizer, _ = Vectorizer.fit(["empty library"])
            matrix = sp.csr_matrix((0, len(vectorizer.vocabulary)))
        return cls(vectorizer, sp.csr_matrix(matrix, dtype=np.float32), np.asarray(ids, dtype=np.int64),
                   fitted_docs=len(docs), synced_to=synced_to, library_id=library_id)

    def _refresh_lookups(self) -> None:
        self.postings = self.matrix.T.tocsr()
        self.row_of = {int(pid): row for row, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def terms(self) -> NDArray[np.object_]:
        """The term of each column. Built by a loop rather than `get_feature_names_out()`,
        whose sort of the whole vocabulary (half a million terms) holds the GIL for a second
        and stalls every other thread; the loop lets them run and is faster too."""
        if self._terms is None:
            terms = np.empty(len(self.vectorizer.vocabulary), dtype=object)
            for term, column in self.vectorizer.vocabulary.items():
                terms[column] = term
            self._terms = terms
        return self._terms

    # -- growing ---------------------------------------------------------------------------

    def with_added(self, ids: list[int], docs: list[str], synced_to: str) -> TfidfIndex:
        """A new index with papers added (or their vectors replaced), in the fitted vocabulary;
        this one is left as it was for whoever still reads it."""
        if not ids:
            return replace(self, synced_to=max(self.synced_to, synced_to))
        vectors = self.vectors(docs)
        known = [self.row_of.get(pid) for pid in ids]
        keep = np.ones(len(self.ids), dtype=bool)
        keep[[row for row in known if row is not None]] = False
        grown = TfidfIndex(
            self.vectorizer, sp.vstack([self.matrix[keep], vectors], format="csr"),
            np.concatenate([self.ids[keep], np.asarray(ids, dtype=np.int64)]),
            fitted_docs=self.fitted_docs,
            added_since_fit=self.added_since_fit + sum(1 for row in known if row is None),
            synced_to=max(self.synced_to, synced_to), library_id=self.library_id,
        )
        grown._terms = self._terms
        grown._language_bits = self._language_bits
        return grown

    def vectors(self, docs: list[str]) -> sp.csr_matrix:
        """The rows of new papers in the fitted vocabulary. Many are tokenised in processes
        beside this one (`transform_aside`): tokenising is Python that holds the GIL, about
        half a millisecond a paper, which stalled every reader thread for as long."""
        if len(docs) >= TRANSFORM_ASIDE:
            try:
                return transform_aside(self.vectorizer, self.terms, docs)
            except (OSError, RuntimeError, pickle.UnpicklingError, EOFError) as exc:
                log.warning("Transforming aside failed (%s); transforming here", exc)
        return self.vectorizer.transform(docs)

    def needs_refit(self) -> bool:
        """Refit when the library has outgrown the vocabulary: it grew by a quarter since the
        fit (new words and shifted document frequencies by then move rankings), or it is small
        enough that refitting costs nothing. (The share of unknown words in new papers was
        tried as a drift signal and rejected: with `max_df` dropping common words it sits near
        a third for same-field and other-field papers alike.)"""
        return self._refit_due(self.added_since_fit, len(self.ids))

    def refit_due_with(self, ids: list[int]) -> bool:
        """Whether `with_added(ids, ...)` would give an index that `needs_refit`."""
        known = [self.row_of.get(pid) for pid in ids]
        replaced = len({row for row in known if row is not None})
        return self._refit_due(self.added_since_fit + known.count(None), len(self.ids) - replaced + len(ids))

    def _refit_due(self, added_since_fit: int, papers: int) -> bool:
        if added_since_fit == 0:
            return False
        if papers <= SMALL_LIBRARY:
            return True
        return added_since_fit > REFIT_GROWTH * max(self.fitted_docs, 1)

    # -- reading ---------------------------------------------------------------------------

    def rows(self, ids: list[int]) -> list[int]:
        return [self.row_of[pid] for pid in ids if pid in self.row_of]

    def scores(self, profile: sp.csr_matrix) -> NDArray[np.float32]:
        """Dot product of a 1×V profile with every paper."""
        if profile.nnz == 0 or len(self.ids) == 0:
            return np.zeros(len(self.ids), dtype=np.float32)
        # The postings of the profile's terms, weighted and summed straight into one dense
        # vector: the same products added in the same order as `profile @ postings`, without
        # building that product as a sparse matrix of up to one entry per paper first.
        terms = self.postings[profile.indices]
        return np.asarray(terms.T @ profile.data).ravel()

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
        return self.telling_terms(common[np.argsort(-weights)], limit, [row, other])

    def telling_terms(self, columns: np.ndarray, limit: int, rows: Sequence[int]) -> list[str]:
        """The first `limit` terms of some columns (most important first) that mean something
        to a reader, skipping one that repeats a word already chosen. `rows` are the papers the
        terms come from: the stop words of the languages they are written in are left out."""
        stop_words = english().union(*(other_languages()[code] for code in self.languages(rows)))
        chosen: list[str] = []
        for column in columns[: limit * 8]:
            term = str(self.terms[column])
            if not _telling(term, stop_words) or any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == limit:
                break
        return chosen

    def languages(self, rows: Sequence[int]) -> set[str]:
        """The languages other than English that some of these papers are written in, told by
        the share of their terms that are that language's stop words (see `stopwords`)."""
        if self._language_bits is None:
            bits = np.zeros(self.matrix.shape[1], dtype=np.int64)
            vocabulary = self.vectorizer.vocabulary
            for bit, words in enumerate(other_languages().values()):
                columns = np.fromiter((vocabulary[w] for w in words if w in vocabulary), dtype=np.int64)
                bits[columns] |= 1 << bit
            self._language_bits = bits
        # A request's reasons ask this of every result: its terms are read straight from the
        # matrix's arrays, and a paper with no stop word of another language costs no more.
        indptr, indices = self.matrix.indptr, self.matrix.indices
        terms = [indices[indptr[row]:indptr[row + 1]] for row in rows]
        marks = self._language_bits[np.concatenate(terms)] if terms else np.zeros(0, dtype=np.int64)
        if not marks.any():
            return set()
        lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
        owner = np.repeat(np.arange(len(lengths)), lengths)
        needed = np.maximum(LANGUAGE_MIN_WORDS, LANGUAGE_MIN_SHARE * lengths)
        found = set()
        for bit, code in enumerate(other_languages()):
            hit = (marks >> bit) & 1
            if hit.any() and (np.bincount(owner, weights=hit, minlength=len(lengths)) >= needed).any():
                found.add(code)
        return found

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write atomically: a crash leaves the previous index file in place.

        The vocabulary is written as one string of terms, one a line (a term is word
        characters and spaces), not as the vectorizer's dict: pickling a dict of half a million
        terms takes seconds, all of them holding the GIL, so every reader thread stalled."""
        path = Path(path)
        state = {
            "format": FORMAT_VERSION, "vectorizer": self.vectorizer.state(), "terms": "\n".join(self.terms),
            "matrix": self.matrix, "ids": self.ids, "fitted_docs": self.fitted_docs,
            "added_since_fit": self.added_since_fit, "synced_to": self.synced_to,
            "library_id": self.library_id,
        }
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.{os.getpid()}.",
                                        suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> TfidfIndex | None:
        """The persisted index, or None when missing, unreadable or of another format. An
        index of format 2 (which held a scikit-learn vectorizer, and so imported scikit-learn
        to be read) is read once more, its weights taken over."""
        try:
            with open(path, "rb") as handle:
                state = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("format") not in (2, FORMAT_VERSION):
            return None
        terms = state["terms"].split("\n") if state["terms"] else []
        weights = state["vectorizer"]
        if state["format"] == 2:
            weights = {"token_pattern": weights.token_pattern, "idf": np.asarray(weights.idf_, dtype=np.float32),
                       "stop_words": "\n".join(sorted(weights.get_stop_words() or ()))}
        vectorizer = Vectorizer.from_state(weights, terms)
        index = cls(
            vectorizer, state["matrix"], state["ids"], state["fitted_docs"],
            state["added_since_fit"], state["synced_to"], state["library_id"],
        )
        index._terms = np.array(terms, dtype=object)
        return index


def index_text(title: str, abstract: str, categories: list[str]) -> str:
    """The text a paper is indexed by: title, abstract, and its arXiv categories as words of
    their own, twice (a category is a strong hint of a paper's field).

    Chosen with bench/quality.py on the math sample (precision@10 / more-like-this@5):
    title + abstract 0.68 / 0.51; title twice 0.68 / 0.50; with authors 0.67 / 0.50;
    with categories once 0.77 / 0.53; twice 0.85 / 0.60 (three times overshoots to
    recommending by category alone).
    """
    return f"{title}. {abstract} {category_words(categories)} {category_words(categories)}"


def index_docs(store: Store, since: str = "") -> tuple[list[int], list[str]]:
    """Ids and index texts of the papers changed at or after `since` (all papers for "")."""
    ids, docs = [], []
    for row in store.index_rows(since):
        ids.append(row.id)
        docs.append(index_text(row.title, row.abstract, row.categories))
    return ids, docs


class IndexKeeper:
    """The one index a library's readers share, kept in step with the papers.

    `current()` never waits: it hands out the index as it is (loading or fitting it on first
    use). Writers call `sync()` after a commit: changed papers are added with the fitted
    vocabulary and the new index is swapped in whole. When the library has outgrown the
    vocabulary, `refit()` fits a new one aside (in another process for a large library),
    catches up with papers written meanwhile, and swaps it in; readers use the old index until
    then and no paper is lost. Safe to use from several threads.
    """

    def __init__(self, store: Store, path: Path | None, library_id: str):
        self._store = store
        self._path = path
        self._library_id = library_id
        self._index: TfidfIndex | None = None
        self._lock = threading.Lock()  # one sync at a time
        self._refit_lock = threading.Lock()  # one refit at a time
        self._starting = threading.Lock()  # held only while a background thread is started
        self._background: dict[str, threading.Thread] = {}
        self._closed = False

    def current(self) -> TfidfIndex:
        """The index to read now. Papers written by another process are brought in by a sync
        in the background, so this call stays quick."""
        index = self._index
        if index is None:
            return self.sync()
        if index.synced_to < self._store.last_update() and not self._lock.locked():
            self._in_background("paperclub-index", self._sync_quietly)
        return index

    def sync(self, refit_in_background: bool = False) -> TfidfIndex:
        """Bring the index up to date with the library and return it. A refit that is due
        runs now (or, when one already runs in the background, is waited for), or with
        `refit_in_background` on a thread of its own."""
        with self._lock:
            latest = self._store.last_update()
            index = self._index or self._load()
            if index is not None and index.synced_to > latest:
                index = None  # the database was replaced by an older one
            if index is None:
                index = self._fit(latest)
            elif index.synced_to < latest:
                ids, docs = index_docs(self._store, index.synced_to)
                if not refit_in_background and index.refit_due_with(ids):
                    # The refit follows at once, so the new papers' vectors in the old
                    # vocabulary would be thrown away unread (after a large import, computed by
                    # processes of their own): refit now instead, as `refit` would.
                    index = self._fit_aside(latest)
                    _ = index.terms
                    self._index = index
                    self._save(index)
                    return index
                index = index.with_added(ids, docs, latest)
                self._index = index
                if not index.needs_refit():
                    self._save(index)
            self._index = index
        if index.needs_refit():
            if refit_in_background:
                self._refit_soon()
            else:
                index = self._refit_if_due()
        return index

    def settled(self) -> TfidfIndex:
        """The index holding every paper written so far, in a vocabulary not due for a refit: a
        refit that is due runs here or, when it already runs in the background, is waited for.
        Whatever the threads' timing, the same papers get the same scores; digests rank with
        it (new papers scored in the vocabulary from before them score differently once it is
        refitted with them, enough to cross a relevance floor or swap two papers). The papers
        are added under the writers' lock, the refit is not: a writer never waits for it."""
        index = self.sync(refit_in_background=True)
        return self._refit_if_due() if index.needs_refit() else index

    def refit(self) -> TfidfIndex:
        """Learn the vocabulary anew, aside, and swap the result in."""
        with self._refit_lock:
            return self._refit_locked()

    def _refit_if_due(self) -> TfidfIndex:
        """Refit unless the index no longer needs it: a refit that held the lock meanwhile (one
        running in the background when this was called) is waited for, not repeated."""
        with self._refit_lock:
            index = self._index
            if index is not None and not index.needs_refit():
                return index
            return self._refit_locked()

    def _refit_locked(self) -> TfidfIndex:
        """`refit`, the refit lock held."""
        fitted = self._fit_aside(self._store.last_update())
        _ = fitted.terms  # built here rather than by the first reader after the swap
        with self._lock:
            if self._closed:
                return fitted
            latest = self._store.last_update()
            if latest > fitted.synced_to:
                ids, docs = index_docs(self._store, fitted.synced_to)
                fitted = fitted.with_added(ids, docs, latest)
            self._index = fitted
            self._save(fitted)
        return fitted

    def wait(self) -> None:
        """Wait for the work running in the background (a refit, a catch-up)."""
        for thread in list(self._background.values()):
            thread.join()

    def close(self) -> None:
        """Start nothing more and wait for what runs, so the store may be closed after."""
        with self._starting:
            self._closed = True
        self.wait()

    def _refit_soon(self) -> None:
        self._in_background("paperclub-refit", self._refit_quietly)

    def _in_background(self, name: str, work: Callable[[], None]) -> None:
        """Run `work` on a thread of its own unless one of that name still runs. Not under the
        refit lock: that is held for the whole of a refit, and a writer must not wait for one."""
        with self._starting:
            running = self._background.get(name)
            if self._closed or (running is not None and running.is_alive()):
                return
            thread = threading.Thread(target=work, name=name, daemon=True)
            self._background[name] = thread
            thread.start()

    def _refit_quietly(self) -> None:
        try:
            self._refit_if_due()
        except Exception:
            log.exception("Refitting the index failed; the previous index stays in use")

    def _sync_quietly(self) -> None:
        try:
            self.sync(refit_in_background=True)
        except Exception:
            log.exception("Bringing the index up to date failed")

    def _load(self) -> TfidfIndex | None:
        if self._path is None or not self._path.exists():
            return None
        loaded = TfidfIndex.load(self._path)
        return loaded if loaded is not None and loaded.library_id == self._library_id else None

    def _fit(self, latest: str) -> TfidfIndex:
        ids, docs = index_docs(self._store)
        index = TfidfIndex.fit(ids, docs, synced_to=latest, library_id=self._library_id)
        self._save(index)
        return index

    def _fit_aside(self, latest: str) -> TfidfIndex:
        if self._path is None or self._store.count_papers() <= FIT_IN_PROCESS:
            ids, docs = index_docs(self._store)
            return TfidfIndex.fit(ids, docs, synced_to=latest, library_id=self._library_id)
        out = self._path.with_name(f"{self._path.name}.{os.getpid()}.refit{TEMP_SUFFIX}")
        try:
            done = subprocess.run(
                module_command(__name__, self._store.path, str(out), latest, self._library_id),
                env=child_environment(), capture_output=True, check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"the refit process failed: {last_words(done.stderr, done.returncode)}")
            fitted = TfidfIndex.load(out)
        finally:
            out.unlink(missing_ok=True)
        if fitted is None:
            raise RuntimeError(f"the refitted index could not be read back from {out}")
        return fitted

    def _save(self, index: TfidfIndex) -> None:
        if self._path is not None:
            index.save(self._path)


def fit_file(db_path: str, out: str, synced_to: str, library_id: str) -> None:
    """Fit an index on a library's papers and save it to `out` (run in a process of its own:
    `python -m recommender.index DB OUT SYNCED_TO LIBRARY_ID`)."""
    from .store import Store

    store = Store(db_path)
    try:
        ids, docs = index_docs(store)
    finally:
        store.close()
    TfidfIndex.fit(ids, docs, synced_to=synced_to, library_id=library_id, count_aside=False).save(out)


def transform_aside(vectorizer: Vectorizer, terms: np.ndarray, docs: list[str],
                    workers: int | None = None) -> sp.csr_matrix:
    """`vectorizer.transform(docs)`, computed by `workers` processes of their own (`python -m
    recommender.index --transform`, below the threads answering people), each on a consecutive
    chunk of the documents. The vectorizer goes to them as `save` writes it: without its
    vocabulary dict, whose pickling would hold the GIL for seconds."""
    workers = workers or min(TRANSFORM_WORKERS, usable_cores())
    size = -(-len(docs) // workers)
    with temporary_folder("transform") as folder:
        shared = Path(folder) / "vectorizer.pickle"
        with open(shared, "wb") as out:
            pickle.dump((vectorizer.state(), "\n".join(terms)), out, protocol=pickle.HIGHEST_PROTOCOL)
        children = []
        try:
            for number, start in enumerate(range(0, len(docs), size)):
                chunk, result = Path(folder) / f"docs-{number}.pickle", Path(folder) / f"rows-{number}.pickle"
                with open(chunk, "wb") as out:
                    pickle.dump(docs[start:start + size], out, protocol=pickle.HIGHEST_PROTOCOL)
                children.append((result, subprocess.Popen(
                    module_command(__name__, "--transform", str(shared), str(chunk), str(result)),
                    env=child_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )))
            parts: list[sp.csr_matrix] = []
            for result, child in children:
                _, stderr = child.communicate()
                if child.returncode != 0:
                    raise RuntimeError(f"a transform process failed: {last_words(stderr, child.returncode)}")
                with open(result, "rb") as handle:
                    parts.append(pickle.load(handle))
        finally:
            for _, child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]


def transform_file(shared: str, chunk: str, result: str) -> None:
    """In a transform process: the rows of the documents in `chunk`, written to `result`."""
    with open(shared, "rb") as handle:
        weights, terms = pickle.load(handle)
    vectorizer = Vectorizer.from_state(weights, terms.split("\n") if terms else [])
    with open(chunk, "rb") as handle:
        docs = pickle.load(handle)
    rows = vectorizer.transform(docs)
    temp = Path(result + TEMP_SUFFIX)
    with open(temp, "wb") as out:
        pickle.dump(rows, out, protocol=pickle.HIGHEST_PROTOCOL)
    temp.replace(result)


def _fit_on_sample(docs: list[str], count_aside: bool) -> tuple[Vectorizer, sp.csr_matrix]:
    """Fit the vocabulary and idf on a seeded sample of a large library, then transform it all
    in chunks: the full bigram dictionary of a million abstracts would not fit in memory, and a
    200,000-paper sample already holds every term frequent enough to survive min_df."""
    sample = np.random.default_rng(0).choice(len(docs), FIT_SAMPLE, replace=False)
    vectorizer, _ = Vectorizer.fit([docs[i] for i in sample], count_aside)
    chunks = [vectorizer.transform(docs[start:start + TRANSFORM_CHUNK]) for start in range(0, len(docs), TRANSFORM_CHUNK)]
    return vectorizer, sp.vstack(chunks, format="csr")


def _telling(term: str, stop_words: frozenset[str]) -> bool:
    """Whether a term means something to a reader: no stop word, TeX command name, lone digits
    or letters."""
    words = term.split()
    if any(w.startswith(CATEGORY_PREFIX) for w in words):
        return False
    return all(
        w not in stop_words and w not in TEX_WORDS and not w.isdigit() and (len(w) > 2 or CJK_CHAR.match(w))
        for w in words
    )


def normalized_sum(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The L2-normalised sum of some rows: a profile that weighs each liked paper equally."""
    # Summed sparse (ones @ rows, as `matrix.sum(axis=0)` does it, but without a dense row of
    # half a million columns turned back into a sparse one): the same sums, in the same order.
    ones = sp.csr_matrix(np.ones((1, matrix.shape[0]), dtype=np.float32))
    total = sp.csr_matrix(ones @ matrix, dtype=np.float32)
    total.sort_indices()
    return l2_normalized(total)


if __name__ == "__main__":
    from recommender import index  # noqa: PLW0406 - the module, so the pickle names it

    run_in_background()
    if sys.argv[1] == "--transform":
        index.transform_file(*sys.argv[2:5])
    else:
        index.fit_file(*sys.argv[1:5])
