"""Counting the words and word pairs of many papers for the TF-IDF fit, half of them in a
process beside this one.

The fit's first step numbers every word and word pair (bigram) in order of first appearance and
counts them per paper: a few million distinct terms at 100,000 papers, most of them seen once.
Here a paper's terms are counted by `Counter` and numbered by mapping the vocabulary's own
look-up over them, both loops in C. From `SPLIT_FROM` papers on, the second half is counted
by `python -m recommender.counting` while this process counts the first; its terms are then
numbered after the first half's, in its own order of first appearance, which is exactly the
numbering one pass over all papers gives. So the counts equal scikit-learn's `_count_vocab`.
"""

from __future__ import annotations

import itertools
import pickle
import re
import subprocess
import sys
import tempfile
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .processes import TEMP_SUFFIX, child_environment, last_words, module_command, run_in_background, usable_cores
from .text import CJK_CHAR

# From this many papers on, half are counted in a process beside this one (starting it and
# sending it the text costs about half a second).
SPLIT_FROM = 20_000

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


@dataclass
class Counts:
    """Terms numbered in order of first appearance (a dict kept in that order), and each
    paper's counts (the parts of a CSR matrix)."""

    vocabulary: dict[str, int]
    indptr: np.ndarray
    columns: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True)
class Tokenizing:
    """How a paper's text becomes words: `prepare`, then the token pattern, less stop words."""

    token_pattern: str
    stop_words: frozenset[str]

    def counts(self, docs: Sequence[str]) -> Counts:
        """The words and bigrams of `docs`, numbered and counted, in this process."""
        tokenize = re.compile(self.token_pattern).findall
        stop = self.stop_words
        vocabulary = _numbering()
        number = vocabulary.__getitem__
        columns, counts, indptr = array("q"), array("q"), array("q", [0])
        for doc in docs:
            words = [word for word in tokenize(prepare(doc)) if word not in stop]
            features = Counter(words)
            features.update(map(" ".join, itertools.pairwise(words)))
            columns.extend(map(number, features))
            counts.extend(features.values())
            indptr.append(len(columns))
        vocabulary.default_factory = None
        return Counts(vocabulary, np.frombuffer(indptr, dtype=np.int64),
                      np.frombuffer(columns, dtype=np.int64), np.frombuffer(counts, dtype=np.int64))

    def counts_split(self, docs: Sequence[str]) -> Counts:
        """`counts(docs)`, the second half counted by a process beside this one when there
        are many (and more than one core); the same numbering and counts either way."""
        if len(docs) < SPLIT_FROM or usable_cores() < 2:
            return self.counts(docs)
        half = len(docs) // 2
        with tempfile.TemporaryDirectory(prefix="paperclub-count-") as folder:
            task, result = Path(folder) / "docs.pickle", Path(folder) / "counts.pickle"
            with open(task, "wb") as out:
                pickle.dump((self, list(docs[half:])), out, protocol=pickle.HIGHEST_PROTOCOL)
            child = subprocess.Popen(
                module_command(__name__, str(task), str(result)),
                env=child_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            try:
                first = self.counts(docs[:half])
                _, stderr = child.communicate()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
            if child.returncode != 0:
                raise RuntimeError(f"the counting process failed: {last_words(stderr, child.returncode)}")
            with open(result, "rb") as handle:
                terms, indptr, columns, counts = pickle.load(handle)
        return _joined(first, terms.split("\n") if terms else [], indptr, columns, counts)


def _numbering() -> defaultdict[str, int]:
    """A dict that numbers each new key it is asked for: 0, 1, 2, ..."""
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    return vocabulary


def _joined(first: Counts, terms: list[str], indptr: np.ndarray, columns: np.ndarray, counts: np.ndarray) -> Counts:
    """The counts of two runs of papers, one after the other: the second's terms take the
    first's numbers where the first has them and new ones, in the second's order, where not."""
    vocabulary = first.vocabulary
    assert isinstance(vocabulary, defaultdict)
    vocabulary.default_factory = vocabulary.__len__
    renumber = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int64, count=len(terms))
    vocabulary.default_factory = None
    return Counts(
        vocabulary,
        np.concatenate([first.indptr, indptr[1:] + first.indptr[-1]]),
        np.concatenate([first.columns, renumber[columns]]),
        np.concatenate([first.counts, counts]),
    )


def count_file(task: str, result: str) -> None:
    """In the counting process: count the papers in `task`, write the counts to `result`."""
    with open(task, "rb") as handle:
        tokenizing, docs = pickle.load(handle)
    counts = tokenizing.counts(docs)
    temp = Path(result + TEMP_SUFFIX)
    with open(temp, "wb") as out:
        pickle.dump(("\n".join(counts.vocabulary), counts.indptr, counts.columns, counts.counts), out,
                    protocol=pickle.HIGHEST_PROTOCOL)
    temp.replace(result)


if __name__ == "__main__":
    from recommender import counting  # noqa: PLW0406 - the module, so the pickle names it

    run_in_background()
    counting.count_file(sys.argv[1], sys.argv[2])
