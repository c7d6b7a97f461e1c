"""Stop words: scikit-learn's English list, which the index leaves out of every paper's terms,
and the lists of the other languages papers come in, which keep the words of a non-English
paper's grammar ("und", "die", "dans") out of the words shown to people (interest topics,
reasons).

Both are read without importing a library of any weight: the English list from the file of
scikit-learn that defines it (importing any part of scikit-learn imports most of it, about a
second), the others from the `stop-words` package.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Mapping
from functools import cache
from pathlib import Path

# The languages whose grammar words are kept out of what is shown (ISO 639-1 codes, as the
# `stop-words` package names them).
LANGUAGES = (
    "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "ro", "hu", "tr", "ca", "ru", "uk", "el",
)
# A paper is taken to be in a language when at least this many of its distinct words are
# stop words of that language, and they are at least this share of its terms. English papers
# meet a few by chance ("point" and "plus" are French stop words, "non", "quasi" and "fine"
# Italian ones: up to 5 in one abstract of the shared arXiv samples, under 3% of its terms); a
# paper written in the language has dozens.
LANGUAGE_MIN_WORDS = 6
LANGUAGE_MIN_SHARE = 0.06


@cache
def english() -> frozenset[str]:
    """scikit-learn's English stop words (`ENGLISH_STOP_WORDS`), the list the index was always
    fitted with: read from the module that defines it as the literal it is (importing
    scikit-learn costs about a second at every command), or, should a release move or reshape
    it, imported by its public name."""
    return _english_literal() or frozenset(_imported_english())


def _english_literal() -> frozenset[str] | None:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "feature_extraction" / "_stop_words.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ENGLISH_STOP_WORDS" for t in node.targets):
            call = node.value
            if isinstance(call, ast.Call) and call.args:
                try:
                    return frozenset(ast.literal_eval(call.args[0]))
                except ValueError:
                    return None
    return None


def _imported_english() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@cache
def other_languages() -> Mapping[str, frozenset[str]]:
    """Each language's stop words, lower-cased, less the English ones (which are left out of
    the index already)."""
    from stop_words import get_stop_words

    return {code: frozenset(w.lower() for w in get_stop_words(code)) - english() for code in LANGUAGES}


