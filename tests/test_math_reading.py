"""Inline math read without pylatexenc (`text._quick_math`) reads as pylatexenc reads it: every
math span of the shared arXiv samples, and generated ones, give the same plain text (or none)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc import latexwalker

from recommender import text

DATA = Path(__file__).parent / "data"


def walker_reading(math: str) -> str | None:
    """The plain text pylatexenc's parse gives (None: no plain form)."""
    walker = latexwalker.LatexWalker(math, latex_context=text._PARSED_MACROS, tolerant_parsing=False)
    try:
        nodes, _, _ = walker.get_latex_nodes(parsing_state=walker.make_parsing_state(in_math_mode=True))
        return text._math_nodes(text._walked(nodes))
    except (text._NotPlain, latexwalker.LatexWalkerError):
        return None


def quick_reading(math: str) -> tuple[bool, str | None]:
    """Whether `_quick_math` read the math, and the plain text it gives."""
    nodes = text._quick_math(math)
    if nodes is None:
        return False, None
    try:
        return True, text._math_nodes(nodes)
    except text._NotPlain:
        return True, None


def sample_math() -> list[str]:
    """The inside of every `$...$` span of the shared samples' titles and abstracts."""
    texts: list[str] = []
    for name in ("arxiv-ml-sample.csv", "arxiv-math-2025-05.csv"):
        with open(DATA / name, encoding="utf-8", newline="") as handle:
            texts += [row.get("abstract", "") + " " + row.get("title", "") for row in csv.DictReader(handle)]
    with open(DATA / "arxiv-metadata-snapshot-sample.jsonl", encoding="utf-8") as handle:
        texts += [row["abstract"] + " " + row["title"] for row in map(json.loads, handle)]
    spans = []
    for whole in texts:
        for start, end in text._math_spans(whole):
            span = whole[start:end]
            if span.startswith("$") and not span.startswith("$$"):
                spans.append(span[1:-1])
    return spans


def test_the_samples_math_reads_the_same_either_way():
    spans = sample_math()
    quick = 0
    for math in spans:
        read, plain = quick_reading(math)
        if read:
            quick += 1
            assert plain == walker_reading(math), math
    assert len(spans) > 2000 and quick > len(spans) * 0.6  # most of it is read without pylatexenc


@pytest.mark.parametrize("math", [
    "\\alpha x", "\\alpha\n x", "p \\geq 5", "\\mathcal {S}", "\\mathcal{O}(n)", "\\mathrm{d}x", "x^ {2}",
    "{a}_{2}", "a ~b", "\\, x \\!y", "10\\,\\mu m", "\\mathbb{R}^{n}", "\\text{-}", "60\\text{-}80\\times",
    "\\mathcal{P}(μ)^{\\circ}", "e^+ e^-\\to K^+ K^- \\pi^+\\pi^-", "{", "}", "a}b{", "\\mathcal S",
])
def test_hand_picked_math_reads_the_same(math):
    read, plain = quick_reading(math)
    if read:
        assert plain == walker_reading(math)


MATH_PIECES = st.sampled_from([
    "x", "2", " ", "  ", "\n", "^", "_", "{", "}", "~", "-", "+", "(", ")", "'", "\\alpha", "\\to", "\\leq", "\\,",
    "\\!", "\\;", "\\mathcal", "\\mathbb", "\\mathrm", "\\text", "\\frac", "\\sqrt", "\\left", "\\{", "\\ ",
    "\\cite", "\\unknowncommand", "&", "--", "''", "é", "μ", "[", "]", "|", "\\prime", "\\ne",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(MATH_PIECES, min_size=1, max_size=12).map("".join))
def test_generated_math_reads_the_same(math):
    read, plain = quick_reading(math)
    if read:
        assert plain == walker_reading(math)
