"""NUL, other control characters, bidi overrides and zero-width characters are removed from
titles, names, follows and queries before they are stored or shown."""

from __future__ import annotations

import json

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.query import parse_query
from recommender.text import clean_name, clean_title, visible

from .conftest import INGEST_DAY

HIDDEN = ["\x00", "\x07", "\x1b", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad"]


@pytest.mark.parametrize("char", HIDDEN)
def test_invisible_characters_are_removed_from_titles_and_names(char):
    assert clean_title(f"Neural wo{char}rds") == "Neural words"
    assert clean_name(f"Ada Love{char}lace") == "Ada Lovelace"
    assert visible(f"a{char}b") == "ab"


def test_line_breaks_and_tabs_are_spacing_and_other_text_is_kept():
    assert visible("line\nbreak\ttab") == "line\nbreak\ttab"
    assert visible("Erdős–Rényi 中文 Cu₂O") == "Erdős–Rényi 中文 Cu₂O"


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\t", "\r", "\u00a0", "\u2028", "é", "中", *HIDDEN])))
def test_visible_drops_exactly_the_control_and_format_characters_but_spacing(text):
    expected = "".join(c for c in text if c in "\t\n\r" or unicodedata.category(c) not in ("Cc", "Cf"))
    assert visible(text) == expected


def test_a_nul_in_a_title_no_longer_hides_the_word_from_search(empty, tmp_path):
    path = tmp_path / "nul.json"
    path.write_text(json.dumps([{"id": "x", "type": "article-journal", "title": "Zanzibarian wo\u0000mbats",
                                 "author": [{"family": "Lo\u202eve", "given": "Ada\u200b"}],
                                 "issued": {"date-parts": [[2021]]}}]), encoding="utf-8")
    empty.import_likes("ada", [path], today=INGEST_DAY)
    [found] = empty.search("wombats")
    assert found.paper.title == "Zanzibarian wombats"
    assert found.paper.authors[0].family == "Love" and found.paper.authors[0].given == "Ada"


@pytest.mark.parametrize("text", ["neural\u200b ode", "neural \u202eode\u202c", "neural ode\x07"])
def test_follows_are_stored_without_invisible_characters(empty, text):
    follow, new = empty.follow("ada", text)
    assert new and follow.text == "neural ode"
    again, new = empty.follow("ada", "neural ode")
    assert not new and again.text == "neural ode"
    assert [f.text for f in empty.follows("ada")] == ["neural ode"]


def test_a_zero_width_space_in_a_query_does_not_split_a_word():
    assert parse_query("wom\u200bbats").match == parse_query("wombats").match
    assert parse_query("\u202eneural\x00 ode").match == parse_query("neural ode").match


def test_command_arguments_lose_their_invisible_characters(tmp_path):
    from click.testing import CliRunner

    from bot.cli import cli

    db = str(tmp_path / "x.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "follow", "a\u202eda\x1b", "neural", "\u200bode"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    listed = runner.invoke(cli, ["--db", db, "follows", "ada"])
    assert "neural ode" in listed.output
