"""Counting the words and word pairs of many papers for the TF-IDF fit, the words of half of
them read in a process beside this one.

The fit numbers every word and word pair (bigram) in order of first appearance, counts them
per paper, and keeps those in at least `min_df` and at most `max_df` papers: at 100,000 papers
a few million distinct terms are seen, most of them once, and about a million are kept. Here
only the words are read in Python: each paper's words, less stop words, are numbered by
mapping the vocabulary's own look-up over them (a loop in C over a dictionary of words, not
of word pairs). From `SPLIT_FROM` papers on, the second half is read by `python -m
recommender.counting` while this process reads the first; its words are then numbered after
the first half's, in its own order of first appearance, as one pass over all papers numbers
them. The pairs are then numbers made of two word numbers, counted by numpy, and only the
terms kept get a name. The kept terms, their order of first appearance and their counts are
those of scikit-learn's `_count_vocab` less the terms that `min_df` and `max_df` drop.
"""

from __future__ import annotations

import itertools
import pickle
import re
import subprocess
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
from .text import CJK_CHAR

# From this many papers on, half are read in a process beside this one (starting it and
# sending it the text costs about half a second).
SPLIT_FROM = 20_000

_CJK_RUN = re.compile(CJK_CHAR.pattern + "+")


def _cjk_bigrams(match: re.Match[str]) -> str:
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


@dataclass
class Words:
    """Each paper's words less stop words, as numbers: `numbering` gives each word its number
    in order of first appearance, `ids` holds the numbers of all papers' words one paper after
    another, `lengths` how many each paper has."""

    numbering: dict[str, int]
    ids: np.ndarray
    lengths: np.ndarray


@dataclass(frozen=True)
class Tokenizing:
    """How a paper's text becomes words: `prepare`, then the token pattern, less stop words."""

    token_pattern: str
    stop_words: frozenset[str]

    def tokenizer(self) -> Callable[[str], list[str]]:
        """A text's tokens by the token pattern (stop words not yet left out)."""
        return re.compile(self.token_pattern).findall

    def words(self, docs: Sequence[str]) -> Words:
        """The words of `docs`, numbered, in this process."""
        tokenize = self.tokenizer()
        is_stop_word = self.stop_words.__contains__
        numbering = _numbering()
        number = numbering.__getitem__
        ids, lengths = array("q"), array("q")
        for doc in docs:
            before = len(ids)
            ids.extend(map(number, itertools.filterfalse(is_stop_word, tokenize(prepare(doc)))))
            lengths.append(len(ids) - before)
        numbering.default_factory = None
        return Words(numbering, np.frombuffer(ids, dtype=np.int64), np.frombuffer(lengths, dtype=np.int64))

    def words_split(self, docs: Sequence[str]) -> Words:
        """`words(docs)`, the second half read by a process beside this one when there are
        many (and more than one core); the same numbers either way."""
        if len(docs) < SPLIT_FROM or usable_cores() < 2:
            return self.words(docs)
        half = len(docs) // 2
        with temporary_folder("count") as folder:
            task, result = Path(folder) / "docs.pickle", Path(folder) / "words.pickle"
            with open(task, "wb") as out:
                pickle.dump((self, list(docs[half:])), out, protocol=pickle.HIGHEST_PROTOCOL)
            child = subprocess.Popen(
                module_command(__name__, str(task), str(result)),
                env=child_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            try:
                first = self.words(docs[:half])
                _, stderr = child.communicate()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
            if child.returncode != 0:
                raise RuntimeError(f"the counting process failed: {last_words(stderr, child.returncode)}")
            with open(result, "rb") as handle:
                terms, ids, lengths = pickle.load(handle)
        return _joined(first, terms.split("\n") if terms else [], ids, lengths)


def _numbering() -> defaultdict[str, int]:
    """A dict that numbers each new key it is asked for: 0, 1, 2, ..."""
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    return vocabulary


def _joined(first: Words, terms: list[str], ids: np.ndarray, lengths: np.ndarray) -> Words:
    """The words of two runs of papers, one after the other: the second's words take the
    first's numbers where the first has them and new ones, in the second's order, where not."""
    numbering = first.numbering
    assert isinstance(numbering, defaultdict)
    numbering.default_factory = numbering.__len__
    renumber = np.fromiter(map(numbering.__getitem__, terms), dtype=np.int64, count=len(terms))
    numbering.default_factory = None
    return Words(numbering, np.concatenate([first.ids, renumber[ids]]), np.concatenate([first.lengths, lengths]))


def kept_counts(words: Words, fewest: float, most: float) -> tuple[list[str], sp.csr_matrix]:
    """The words and word pairs in at least `fewest` and at most `most` papers, in order of
    first appearance (a paper's words before its pairs, each in the order they come: term `i`
    is column `i`), and each paper's counts of them."""
    n_words, ids, lengths = len(words.numbering), words.ids, words.lengths
    n_docs, total = len(lengths), len(ids)
    paper_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    pair_at = np.flatnonzero(paper_of[:-1] == paper_of[1:])  # where a pair within a paper starts
    pairs, pair_number = _distinct(_pair_keys(ids[pair_at], ids[pair_at + 1], n_words))
    pairs = pairs.astype(np.int64)
    word_counts = _per_paper(paper_of, ids, n_docs, n_words)
    pair_counts = _per_paper(paper_of[pair_at], pair_number, n_docs, len(pairs))

    def kept(counts: sp.csr_matrix) -> np.ndarray:
        papers = np.bincount(counts.indices, minlength=counts.shape[1])
        return np.flatnonzero((papers >= fewest) & (papers <= most))

    kept_words, kept_pairs = kept(word_counts), kept(pair_counts)
    # Where each term is first seen: words are numbered in that order, so a word is first
    # seen where the running maximum of the numbers rises.
    word_first = np.flatnonzero(np.concatenate([[True], ids[1:] > np.maximum.accumulate(ids)[:-1]]))[:n_words]
    pair_first = np.full(len(pairs), total, dtype=np.int64)
    np.minimum.at(pair_first, pair_number, pair_at)
    span = 2 * total  # a paper's words come before its pairs, and both before the next paper's
    seen = np.concatenate([
        paper_of[word_first[kept_words]] * span + word_first[kept_words],
        paper_of[pair_first[kept_pairs]] * span + total + pair_first[kept_pairs],
    ])
    column = np.empty(len(seen), dtype=np.int64)
    column[np.argsort(seen, kind="stable")] = np.arange(len(seen))

    terms = list(words.numbering)
    names = np.empty(len(seen), dtype=object)
    names[column[:len(kept_words)]] = [terms[w] for w in kept_words.tolist()]
    kept_keys = pairs[kept_pairs]
    names[column[len(kept_words):]] = [
        terms[a] + " " + terms[b] for a, b in zip((kept_keys // n_words).tolist(), (kept_keys % n_words).tolist())
    ]
    # The kept words' and pairs' counts side by side (in `seen`'s order), each moved to its column.
    matrix = sp.hstack([word_counts[:, kept_words], pair_counts[:, kept_pairs]], format="csr")
    matrix.indices = column[matrix.indices].astype(matrix.indices.dtype)
    matrix.has_sorted_indices = False
    matrix.sort_indices()
    return names.tolist(), matrix


def _pair_keys(first: np.ndarray, second: np.ndarray, n_words: int) -> np.ndarray:
    """One number for each pair of word numbers, ordered as the pairs are: in 32 bits when every
    pair fits (numpy finds the distinct ones of millions of those in half the time), else 64."""
    keys: np.ndarray
    if n_words * n_words <= 2**32:
        keys = first.astype(np.uint32) * np.uint32(n_words) + second.astype(np.uint32)
    else:
        keys = first * n_words + second
    return keys


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(keys, return_inverse=True)`: the distinct keys in order, and the number of
    each key's among them. A stable argsort and a scatter give them faster for the millions of
    word pairs of a large library: 9 million pairs took 1.32 s instead of 1.75 in 32 bits and
    1.08 s instead of 2.41 in 64 (numpy's unique argsorts with quicksort, and its stable sort of
    integers is faster)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    return ordered[starts], inverse


def _per_paper(papers: np.ndarray, terms: np.ndarray, n_docs: int, n_terms: int) -> sp.csr_matrix:
    """How often each paper holds each term, from the paper and term of every occurrence."""
    counts = sp.csr_matrix((np.ones(len(papers), dtype=np.int64), (papers, terms)), shape=(n_docs, n_terms))
    counts.sum_duplicates()
    return counts


def read_file(task: str, result: str) -> None:
    """In the counting process: read the words of the papers in `task`, write them to `result`."""
    with open(task, "rb") as handle:
        tokenizing, docs = pickle.load(handle)
    words = tokenizing.words(docs)
    temp = Path(result + TEMP_SUFFIX)
    with open(temp, "wb") as out:
        pickle.dump(("\n".join(words.numbering), words.ids, words.lengths), out, protocol=pickle.HIGHEST_PROTOCOL)
    temp.replace(result)


if __name__ == "__main__":
    from recommender import counting  # noqa: PLW0406 - the module, so the pickle names it

    run_in_background()
    counting.read_file(sys.argv[1], sys.argv[2])
