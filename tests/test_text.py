"""clean_text: TeX and HTML entities as readers expect them, simple math in Unicode, other math and
unknown commands kept."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.text import clean_abstract, clean_name, clean_text, clean_title


@pytest.mark.parametrize("raw,expected", [
    # accents, in every spelling arXiv metadata uses
    ("Erd\\H{o}s-R\\'enyi", "Erdős-Rényi"),
    ("{\\\"u}ber G{\\\"o}del", "über Gödel"),
    ("Bal\\'azs, Tom\\`as, Jo\\~ao, Provid\\^encia, C\\'{e}dric", "Balázs, Tomàs, João, Providência, Cédric"),
    ("\\c{C}a\\u{g}lar \\v{S}koda \\c c \\v s", "Çağlar Škoda ç š"),
    ("Bizo\\'n \\L\\'od\\'z Stra\\ss e \\O rsted", "Bizoń Łódź Straße Ø rsted"),
    ("\\'{\\i}ndice and \\\"\\i", "índice and ï"),
    # dotless i and j take their accents, also unbraced with the word going on after them
    ("Mart\\'\\in, Beno\\^\\it, Mart\\'\\i n, na\\\"\\i ve", "Martín, Benoît, Martín, naïve"),
    ("{\\'\\i}, \\'{\\i}, \\v{\\j}, \\v\\j", "í, í, ǰ, ǰ"),
    # formatting, escapes, dashes, ties, quotes
    ("\\emph{not} \\textit{pp} \\textbf{bold \\emph{nested}} {\\em very} {\\bf x}", "not pp bold nested very x"),
    ("{GPU}s and {B}ayesian", "GPUs and Bayesian"),
    ("R\\&D, 95\\% and \\#1 and a\\_b", "R&D, 95% and #1 and a_b"),
    ("costs \\$5", "costs $5"),
    ("pages 1--10 --- and so", "pages 1–10 — and so"),
    ("B --> K and <!-- and ----", "B --> K and <!-- and ----"),
    ("Fig.~3, et~al., Section~2, e.g.~this, models~(LMs), method~\\cite{x}",
     "Fig. 3, et al., Section 2, e.g. this, models (LMs), method \\cite{x}"),
    ("z~2.5, a^2~0.005, ~100 stars, T ~ C, x~(3-4), http://a.org/~user",
     "z~2.5, a^2~0.005, ~100 stars, T ~ C, x~(3-4), http://a.org/~user"),
    ("``quoted'' but 6'' and don't", "“quoted” but 6'' and don't"),
    ("\\LaTeX\\ and \\ldots and \\alpha-synuclein and 70 \\AA which", "LaTeX and … and α-synuclein and 70 Å which"),
    ("10\\,km and a\\\\b and \\url{http://x.org/~a_b}", "10 km and a b and http://x.org/~a_b"),
    # HTML entities, also escaped twice as in old feeds
    ("Fish &amp; chips &#39;n&#39; caf&eacute; &#x3b1; &amp;lt;p&amp;gt;", "Fish & chips 'n' café α <p>"),
    ("AT&T R&D &foo; a & b", "AT&T R&D &foo; a & b"),
    # simple inline math reads as Unicode
    ("$O(n^2)$ time -- fast", "O(n²) time – fast"),
    ("Cu$_2$O, $H_2O$, $10^{-3}$, $x^2$, $A^T$, $^\\circ$C, $f'$", "Cu₂O, H₂O, 10⁻³, x², Aᵀ, °C, f′"),
    ("$\\alpha$-synuclein, $A \\to B$, $\\mathcal{O}(n)$, $\\mathbb{R}^n$, $\\ell_1$, \\(\\beta\\)",
     "α-synuclein, A → B, 𝒪(n), ℝⁿ, ℓ₁, β"),
    ("the $(k,\\ell)$-pebble game, $10\\,\\mu m$, $\\alpha x$, $\\mathrm{d}x$, $-1 \\leq x$",
     "the (k,ℓ)-pebble game, 10 μm, αx, dx, −1 ≤ x"),
    ("$O(N \\log N)$ and $\\sin x$", "O(N log N) and sin x"),
    ("$a <b$ and $c> d$ &amp; more", "a <b and c> d & more"),
    ("depth $\\sim 60 {\\AA}$ and ${\\o}d$-closed", "depth ∼ 60 Å and ød-closed"),
    ("\\$5 is not $x$ math", "$5 is not x math"),
    # math with no faithful plain form stays as written, text-mode letters in it excepted
    ("$\\frac{a}{b}$, $A_N$, $x_{i,j}$, $e^{i\\pi}$, $\\mathbb{1}$, $\\left(x\\right)$, $\\R^n$",
     "$\\frac{a}{b}$, $A_N$, $x_{i,j}$, $e^{i\\pi}$, $\\mathbb{1}$, $\\left(x\\right)$, $\\R^n$"),
    ("$$x--y$$ and \\[\\frac{1}{2}\\] and \\[x^2\\] and $a\\&b$", "$$x--y$$ and \\[\\frac{1}{2}\\] and \\[x^2\\] and $a\\&b$"),
    ("$\\frac{1}{\\AA}$ and ${\\o}\\frac{d}{x}$", "$\\frac{1}{Å}$ and ${ø}\\frac{d}{x}$"),
    # dollars that are money, not math (Pandoc's rule: no space inside, no digit after)
    ("costs $5 and $6 -- or $5-$10", "costs $5 and $6 – or $5-$10"),
    ("an unclosed $ sign -- here", "an unclosed $ sign – here"),
    # commands it does not know, and their arguments, are kept
    ("\\cite[p.~3]{key} and \\R^n and \\frac{a}{b} and C:\\Users", "\\cite[p.~3]{key} and \\R^n and \\frac{a}{b} and C:\\Users"),
    ("a \\{set\\} and \\~{} and a lone { brace", "a \\{set\\} and \\~{} and a lone { brace"),
])
def test_examples(raw, expected):
    assert clean_text(raw) == expected
    assert clean_text(expected) == expected


@pytest.mark.parametrize("plain", [
    "A plain abstract about neural networks, with hyphen-ated words and 50% gains.",
    "本文提出了一种新的方法，用于解决大规模优化问题（包括“叠加”）。",
    "Multiple  spaces\nand lines stay as they are",
    "",
])
def test_plain_text_is_returned_as_it_is(plain):
    assert clean_text(plain) is plain


def test_plain_text_is_fast():
    abstracts = [f"Plain abstract number {i} about optimisation and learning. " * 15 for i in range(5000)]
    start = time.perf_counter()
    for abstract in abstracts:
        clean_text(abstract)
    assert time.perf_counter() - start < 0.5  # about 5 ms here


def test_names_titles_and_abstracts():
    assert clean_name("  Jos{\\'e} {van der} Waals ") == "José van der Waals"
    assert clean_title("Sparsity-certifying\n  Graph {D}ecompositions --- a study") == \
        "Sparsity-certifying Graph Decompositions — a study"
    assert clean_abstract("  We use\n$\\alpha$--stable laws.\n") == "We use α–stable laws."


TEX_PIECES = st.sampled_from(
    list("ab e~-$\\{}&;#'`^\"HvcuitsL.x1/( ") + [
        "amp;", "&lt;", "&#39;", "--", "``", "''", "\\emph", "\\'", "\\ss", "\\AA", "\\cite",
        "\\(", "\\)", "\\[", "\\]", "$$", "\\$", "\\~{}", "\\url", "Fig.", "中文",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(TEX_PIECES, max_size=30).map("".join)))
def test_idempotent_and_never_raises(text):
    once = clean_text(text)
    assert isinstance(once, str)
    assert clean_text(once) == once


def test_accents_nest():
    assert clean_name(r"Nguy{\~{\^e}}n, Th{\d{i}} Mai") == "Nguyễn, Thị Mai"
