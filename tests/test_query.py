"""Search-box text → FTS5 MATCH expression + filters (recommender.query)."""

from __future__ import annotations

import sqlite3
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.query import MAX_TERMS, ParsedQuery, QueryError, fts_tokens, parse_query
from recommender.text import spaced_cjk

# -- exact translations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        # bare words are AND-ed, each one quoted
        ("neural ode", '"neural" "ode"'),
        ("  neural \t ode \n", '"neural" "ode"'),
        ("and or not", '"and" "or" "not"'),
        # compounds joined by punctuation become phrases
        ("neural-ode", '"neural ode"'),
        ("β-VAE", '"β VAE"'),
        ("2+2=5", '"2 2 5"'),
        ("don't", '"don t"'),
        ("café résumé", '"café" "résumé"'),
        # CJK: one token per character, consecutive characters as a phrase
        ("叠加", '"叠 加"'),
        ("量子 叠加", '"量 子" "叠 加"'),
        ("深度learning", '"深 度 learning"'),
        # phrases
        ('"exact phrase"', '"exact phrase"'),
        ('“curly quoted phrase”', '"curly quoted phrase"'),
        ('"differential equations" neural', '"differential equations" "neural"'),
        ('"neural, ode!"', '"neural ode"'),
        # prefixes
        ("neur*", '"neur"*'),
        ("neur**", '"neur"*'),
        ("ne*", '"ne"*'),
        ("a*", '"a"'),
        ("neural-od*", '"neural od"*'),
        ('"neural od"*', '"neural od"*'),
        ("ne*ur", '"ne ur"'),
        ("叠*", '"叠"'),
        # OR binds tighter than the implicit AND
        ("diffusion OR flow", '("diffusion" OR "flow")'),
        ("diffusion OR flow model", '("diffusion" OR "flow") AND "model"'),
        ("neural ode OR flow model", '"neural" AND ("ode" OR "flow") AND "model"'),
        ("a OR b OR c", '("a" OR "b" OR "c")'),
        ("a | b", '("a" OR "b")'),
        ("a or b", '"a" "or" "b"'),
        ("a OR -b", '("a" OR "b")'),
        ("-a OR b", '"b" NOT "a"'),
        ("a AND b", '"a" "b"'),
        # exclusions: FTS5 NOT is binary, so positives come first
        ("neural -ordinary", '"neural" NOT "ordinary"'),
        ("-ordinary neural", '"neural" NOT "ordinary"'),
        ('neural ode -x -"y z"', '("neural" "ode") NOT "x" NOT "y z"'),
        ("a NOT x", '"a" NOT "x"'),
        ("-(a OR b) c", '"c" NOT ("a" OR "b")'),
        ("a (-b)", '"a" NOT "b"'),
        ("a --b", '"a" NOT "b"'),
        ("a -😀", '"a"'),
        # groups
        ("(diffusion OR flow) (model -score)", '("diffusion" OR "flow") AND ("model" NOT "score")'),
        ("((((a b))))", '("a" "b")'),
        ("(a)", '"a"'),
        ("a () b", '"a" "b"'),
        # column searches
        ("title:foo", 'title : "foo"'),
        ("TI:foo", 'title : "foo"'),
        ("abstract:bar", 'abstract : "bar"'),
        ('title:"neural ode"*', 'title : "neural ode"*'),
        ("-title:foo bar", '"bar" NOT title : "foo"'),
        ("title: foo", 'title : "foo"'),
        ("title:", '"title"'),
        # unknown keys are text
        ("arXiv:2310.13548", '"arXiv 2310 13548"'),
        ("http://example.com/a?b=c", '"http example com a b c"'),
        # FTS5 syntax typed by people is never interpreted
        ("AND", '"AND"'),
        ("OR OR", '"OR"'),
        ("NOT x", '"NOT" "x"'),
        ("NEAR(a b)", '"NEAR" AND ("a" "b")'),
        ("NEAR/3", '"NEAR 3"'),
        ("^start", '"start"'),
        ("+plus", '"plus"'),
        ("col:umn", '"col umn"'),
        ("🔥 neural 🔥", '"neural"'),
        ("'); DROP TABLE papers; --", '"DROP" "TABLE" "papers"'),
        # unbalanced quotes and parentheses are ignored
        ('a "b', '"a" "b"'),
        ('"a" "b', '"a" "b"'),
        ("x ( y", '"x" "y"'),
        ("(x) )y(", '"x" "y"'),
        # repeats are searched once
        ("a a a", '"a"'),
    ],
)
def test_match_expression(text, match):
    assert parse_query(text).match == match
    _found(match)   # and SQLite accepts it


def test_terms_are_the_positive_words_and_phrases():
    parsed = parse_query('neural-ode "flow matching" 叠加 -excluded diffusion OR score* title:x')
    assert parsed.terms == ("neural ode", "flow matching", "叠加", "diffusion", "score", "x")


def test_plain_query_has_no_filters():
    assert parse_query("neural") == ParsedQuery(match='"neural"', terms=("neural",))


# -- filters ---------------------------------------------------------------------------------


def test_author_filters():
    parsed = parse_query('author:Duvenaud AUTHOR:"Ricky Chen" neural')
    assert parsed.authors == ("Duvenaud", "Ricky Chen")
    assert parsed.match == '"neural"'
    assert parse_query("au:Chen, ode").authors == ("Chen",)
    assert parse_query("author: Duvenaud ode").authors == ("Duvenaud",)
    assert parse_query("author:Duvenaud author:duvenaud x").authors == ("Duvenaud",)


def test_filters_only_give_no_match():
    parsed = parse_query("author:Duvenaud")
    assert parsed.match is None and parsed.terms == ()
    assert parsed.authors == ("Duvenaud",)
    assert parse_query("cat:cs.LG 😀").match is None


def test_category_filters_keep_what_was_typed():
    assert parse_query("cat:cs.LG").categories == ("cs.LG",)
    assert parse_query("Cat:LG ode").categories == ("LG",)
    assert parse_query("category:cond-mat.stat-mech").categories == ("cond-mat.stat-mech",)
    assert parse_query("cat:cs.LG cat:math.AP").categories == ("cs.LG", "math.AP")
    assert parse_query("cat:cs.lg cat:CS.LG").categories == ("cs.lg",)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("year:2020", (2020, 2020)),
        ("YEAR:2020", (2020, 2020)),
        ("year:2018-2020", (2018, 2020)),
        ("year:2018..2020", (2018, 2020)),
        ("year:2018–2020", (2018, 2020)),
        ("year:2020-2018", (2018, 2020)),
        ("year:>=2021", (2021, 9999)),
        ("year:>2020", (2021, 9999)),
        ("year:<2019", (0, 2018)),
        ("year:<=2019", (0, 2019)),
        ("year:2018..", (2018, 9999)),
        ("year:..2018", (0, 2018)),
        ("year: 2020", (2020, 2020)),
        ("year:2015-2020 year:>=2018", (2018, 2020)),
    ],
)
def test_year_filters(text, years):
    parsed = parse_query(text)
    assert parsed.years == years
    assert parsed.match is None


def test_filters_and_text_together():
    parsed = parse_query("author:Duvenaud cat:cs.LG year:2018-2020 neural ode")
    assert parsed == ParsedQuery(
        match='"neural" "ode"',
        authors=("Duvenaud",),
        categories=("cs.LG",),
        years=(2018, 2020),
        terms=("neural", "ode"),
    )


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00", "\u200b\u202e"])
def test_empty_query(text):
    with pytest.raises(QueryError, match="Type some words to search for") as info:
        parse_query(text)
    assert "`neural ode`" in str(info.value) and "`author:Duvenaud`" in str(info.value)


@pytest.mark.parametrize("text", ['"', '""', "(", ")", "()", "*", "-", "😀", "🔥 🔥", "?!", "'); --", "|"])
def test_no_searchable_words(text):
    with pytest.raises(QueryError, match="no words to look for"):
        parse_query(text)


@pytest.mark.parametrize("text", ["-x", "--x", "-neural -ode", '-"a b"', "-(a b)", "author:Duvenaud -ode"])
def test_only_exclusions(text):
    with pytest.raises(QueryError, match="only of excluded words"):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "shown", "example"),
    [
        ("year:abc", "`year:abc`", "`year:2020`"),
        ("year:99999", "`year:99999`", "`year:2018-2020`"),
        ("year:20", "`year:20`", "`year:2020`"),
        ("year:>9999", "`year:>9999`", "`year:2020`"),
        ("cat:??", "`cat:??`", "`cat:cs.LG`"),
        ("cat:cs.LG.x", "`cat:cs.LG.x`", "`cat:cs.LG`"),
        ("author:", "`author:`", "`author:Duvenaud`"),
        ("neural author:😀", "`author:`", "`author:Duvenaud`"),
        ("year:", "`year:`", "`year:2020`"),
        ("cat: (x)", "`cat:`", "`cat:cs.LG`"),
    ],
)
def test_invalid_filters_name_the_filter_and_give_an_example(text, shown, example):
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert shown in str(info.value) and example in str(info.value)


def test_disjoint_years():
    with pytest.raises(QueryError, match="year"):
        parse_query("year:2010 year:2020")


def test_negated_filters_are_refused():
    with pytest.raises(QueryError, match="`-author:`"):
        parse_query("-author:Duvenaud neural")


def test_message_never_quotes_backticks_or_long_input():
    with pytest.raises(QueryError) as info:
        parse_query("year:`" + "x" * 300)
    message = str(info.value)
    assert message.count("`") % 2 == 0 and len(message) < 200


def test_query_error_is_a_value_error():
    assert issubclass(QueryError, ValueError)


# -- long input ------------------------------------------------------------------------------


def test_pasted_essay_is_cut_not_refused():
    parsed = parse_query("a " * 10_000)
    assert parsed.match == '"a"'
    words = " ".join(f"w{i}" for i in range(5000))
    parsed = parse_query(words)
    assert parsed.match.count('"') == 2 * MAX_TERMS
    assert parsed.terms[:3] == ("w0", "w1", "w2") and len(parsed.terms) == MAX_TERMS


def test_truncation_does_not_cut_a_word_in_half():
    parsed = parse_query("neural " * 100 + "ordinary", max_length=10)
    assert parsed.match == '"neural"'
    assert parse_query("abcdefghij klm", max_length=12).match == '"abcdefghij"'
    assert parse_query("x" * 10_000).match == '"' + "x" * 500 + '"'


def test_terms_beyond_max_length_are_ignored():
    assert parse_query("one two three", max_length=7).match == '"one" "two"'


# -- tokens ----------------------------------------------------------------------------------


def test_fts_tokens():
    assert fts_tokens("Neural-ODE: β-VAE, 2+2=5 😀 café") == ["Neural", "ODE", "β", "VAE", "2", "2", "5", "café"]
    assert fts_tokens("在“叠加”中") == ["在", "叠", "加", "中"]
    assert fts_tokens("e\u0301t\u00e9") == ["e\u0301t\u00e9"]
    assert fts_tokens("a_b") == ["a", "b"]
    assert fts_tokens("") == []


# -- against real SQLite ---------------------------------------------------------------------

ROWS = {
    1: ("Neural Ordinary Differential Equations",
        "We introduce a new family of deep neural network models with continuous depth.",
        "Ricky T. Q. Chen, Yulia Rubanova, Jesse Bettencourt, David Duvenaud"),
    2: ("β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework",
        "Learning an interpretable factorised representation of the generative factors.",
        "Irina Higgins, Loic Matthey"),
    3: (spaced_cjk("量子计算导论"),
        spaced_cjk("量子比特可以在“叠加”中存储信息，这是量子计算的基础。"),
        "张三"),
    4: ("Denoising Diffusion Probabilistic Models",
        "High quality image synthesis using diffusion probabilistic models, with a neural score network.",
        "Jonathan Ho, Ajay Jain, Pieter Abbeel"),
    5: ("Flow Matching for Generative Modeling",
        "A simulation-free approach for training continuous normalizing flows.",
        "Yaron Lipman, Ricky T. Q. Chen"),
    6: ("Un résumé du café", "Equations differential in the wrong order; see the flow of text.", "Zoë Müller"),
}


@lru_cache(maxsize=None)
def _db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute(
        'CREATE VIRTUAL TABLE t USING fts5(title, abstract, authors, tokenize="unicode61 remove_diacritics 2")'
    )
    db.executemany("INSERT INTO t(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
                   [(rowid, *row) for rowid, row in ROWS.items()])
    return db


def _found(match: str) -> set[int]:
    return {row[0] for row in _db().execute("SELECT rowid FROM t WHERE t MATCH ?", [match])}


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("neural ordinary", {1}),
        ('"differential equations"', {1}),
        ('"equations differential"', {6}),
        ("叠加", {3}),
        ("量子", {3}),
        ("“叠加”", {3}),
        ("加叠", set()),
        ("diffusion OR ordinary", {1, 4}),
        ("neural -ordinary", {4}),
        ("neur*", {1, 4}),
        ("β-VAE", {2}),
        ("beta-vae", set()),
        ("VAE", {2}),
        ("variational", {2}),
        ("cafe", {6}),
        ("café resume", {6}),
        ("flow", {5, 6}),
        ("title:flow", {5}),
        ("abstract:flow*", {5, 6}),
        ("(diffusion OR flow) -matching", {4, 6}),
        ("continuous -(flows OR depth)", set()),
        ("continuous -flows", {1}),
        ("NEAR(neural network)", set()),
        ("'); DROP TABLE t; --", set()),
        ("Ho", {4}),
    ],
)
def test_expressions_find_the_expected_rows(text, rows):
    assert _found(parse_query(text).match) == rows


def test_authors_are_left_to_the_caller():
    parsed = parse_query('author:"Ricky Chen" continuous')
    assert parsed.authors == ("Ricky Chen",)
    # what the library does with them: each name token must appear in the authors column
    authors = " AND ".join(f'authors : "{t}"' for t in fts_tokens(parsed.authors[0]))
    assert _found(f"({parsed.match}) AND {authors}") == {1, 5}


def test_fts_tokens_agree_with_unicode61():
    db = sqlite3.connect(":memory:")
    db.execute('CREATE VIRTUAL TABLE d USING fts5(x, tokenize="unicode61 remove_diacritics 2")')
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(d, instance)")
    for text in ["Neural-ODE: β-VAE, 2+2=5 😀 café", "量子比特可以在“叠加”中存储", "x_1^2 + y_{ij} (α≥0)", "C++/C# e.g. i.e."]:
        db.execute("DELETE FROM d")
        db.execute("INSERT INTO d(x) VALUES (?)", [spaced_cjk(text)])
        assert db.execute("SELECT count(*) FROM v").fetchone()[0] == len(fts_tokens(text)), text


# -- whatever is typed is safe ---------------------------------------------------------------

_NASTY = [
    '"', '""', "(", ")", "()", "AND", "OR", "NOT", "NEAR", "NEAR(", "and", "or", "*", "**", "a*", "-", "--",
    "-x", "+", "^", ":", "title:", "abstract:", "authors:", "author:", "cat:", "year:", "rowid:", "t:", "{title}:",
    "{", "}", "😀", "🔥", "\u200d", "\ufe0f", "\x00", "'", ";", "\\", "叠加", "量子", "β", "é", "e\u0301", "2018-2020",
    ">=2021", "cs.LG", "|", "&&", ",", ".", "/", "\n", " ", "  ", "\t", "“", "”", "%", "_", "NEAR/2",
]
_fragment = st.one_of(
    st.sampled_from(_NASTY),
    st.text(alphabet="ab(*)\"-: ^", max_size=6),
    st.text(max_size=8),
)
_mixed = st.lists(_fragment, max_size=40).map("".join) | st.lists(_fragment, max_size=40).map(" ".join)
_long = st.builds(lambda piece, n: piece * n, st.lists(_fragment, min_size=1, max_size=4).map(" ".join),
                  st.integers(min_value=50, max_value=1500))


def _check(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryError as error:
        assert str(error)
        return
    if parsed.match is None:
        assert parsed.authors or parsed.categories or parsed.years
        return
    assert parsed.terms and len(parsed.terms) <= MAX_TERMS
    _found(parsed.match)
    _found(f'({parsed.match}) AND authors : "chen"')      # as the library combines it
    _db().execute("SELECT snippet(t, 1, '[', ']', '…', 8) FROM t WHERE t MATCH ?", [parsed.match]).fetchall()


@pytest.mark.parametrize("text", _NASTY + ["a " * 10_000, "(" * 300 + "a" + ")" * 300, '"' * 301, "-" * 500 + "x"])
def test_nasty_inputs_are_safe(text):
    _check(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_is_safe(text):
    _check(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_mixed, _long))
def test_operator_soup_is_safe(text):
    _check(text)
