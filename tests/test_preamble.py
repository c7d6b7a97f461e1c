"""Commands a BibTeX file defines in its `@preamble`, expanded in its entries (or dropped, their
arguments kept) before the text is cleaned."""

from __future__ import annotations

from datetime import date

from recommender import sources
from recommender.files import read_text_file
from recommender.papers import Record
from recommender.sources.preamble import Macros

TODAY = date(2026, 11, 22)

# The preamble shapes REVTeX, MathSciNet and Russian-language bibliographies write.
BIB = r"""% Encoding: UTF-8

@PREAMBLE{ {\providecommand{\noopsort}[1]{}} # {\providecommand{\singleletter}[1]{#1}%
} }
@preamble{"\def\cprime{$'$} \def\polhk#1{\setbox0=\hbox{#1}{\ooalign{\hidewidth
  \lower1.5ex\hbox{`}\hidewidth\crcr\unhbox0}}}"}
@Preamble{"\newcommand{\bibcyr}[1]{{\fontencoding{T2A}\selectfont #1}}
  \renewcommand*{\Journal}[2][Phys.]{#1~#2} \newcommand\RR{\mathbb{R}}
  \providecommand{\url}[1]{\texttt{#1}} \def\swap#1#2{#2#1}"}

@article{landau1937,
  author = {\bibcyr{Ландау}, Л. Д.},
  title = {\bibcyr{К теории фазовых переходов}},
  journal = {\Journal[\bibcyr{Журн. Эксп. Теор. Физ.}]{7}},
  year = {1937},
}

@article{kolmogorov1941,
  author = {Kolmogorov, A. N. and Kol\cprime tsov, V. and Kol\cprime{}tsov, W.},
  title = {{\noopsort{a}}The local structure of turbulence in $\RR^3$},
  journal = {\Journal{Dokl.}},
  year = {1941},
}

@misc{hook,
  author = {Ma\polhk{a}kowski, J. and \singleletter{A}. Author},
  title = {\swap{a}{b} \url{https://example.org/a_b}},
  year = {2001},
}
"""


def parsed(tmp_path) -> dict[str, Record]:
    path = tmp_path / "preamble.bib"
    path.write_text(BIB, encoding="utf-8")
    fmt, items = sources.parse_text(read_text_file(path, 10**6), "preamble.bib", TODAY)
    assert fmt == "bibtex"
    found = {item.source.line: item for item in items if isinstance(item, Record)}
    assert len(found) == 3
    return found


def test_macros_are_expanded_or_dropped_with_their_arguments_kept(tmp_path):
    landau, kolmogorov, hook = parsed(tmp_path).values()
    # `\bibcyr` switches font encoding: no plain reading, so it goes and its argument stays
    assert landau.title == "К теории фазовых переходов"
    assert [a.display for a in landau.authors] == ["Л. Д. Ландау"]
    assert landau.venue == "Журн. Эксп. Теор. Физ. 7"  # `\Journal[…]{7}`: the optional argument given
    # `\noopsort` prints nothing; `\cprime` is a prime in math; `\RR` expands inside math
    assert kolmogorov.title == "The local structure of turbulence in ℝ³"
    assert [a.display for a in kolmogorov.authors] == ["A. N. Kolmogorov", "V. Kol′tsov", "W. Kol′tsov"]
    assert kolmogorov.venue == "Phys. Dokl."  # the optional argument's default
    # a box-drawing `\def` is dropped with its argument; `\providecommand` leaves `\url` alone
    assert [a.display for a in hook.authors] == ["J. Maakowski", "A. Author"]
    assert hook.title == "ba https://example.org/a_b"


def test_a_file_without_a_preamble_reads_its_commands_as_before():
    text = "@misc{x, title = {\\noopsort{a}Title and \\bibcyr{Иванов}}}\n"
    [record] = sources.parse_text(text, "x.bib", TODAY)[1]
    assert isinstance(record, Record)
    assert record.title == "\\noopsort{a}Title and \\bibcyr{Иванов}"


def test_an_expansion_that_never_ends_stops():
    macros = Macros(["\\def\\loop{\\loop\\loop x} \\def\\grow#1{\\grow{#1#1}}"])
    assert len(macros.expand("a \\loop b \\grow{y}")) < 10_000


def test_a_use_missing_its_arguments_is_left_as_written():
    macros = Macros(["\\newcommand{\\pair}[2]{#1 and #2}"])
    assert macros.expand("\\pair{a}") == "\\pair{a}"
    assert macros.expand("\\pair{a}{b}, \\pair xy, \\pairs") == "a and b, x and y, \\pairs"
