"""Settings are declared once (`bot.config.Settings`): the README's settings table and
`.env.example` say the same variables, defaults and ranges, and every setting is read."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.config import ConfigError, Settings, declared, load_settings

ROOT = Path(__file__).resolve().parents[1]


def readme_table() -> list[tuple[str, str, str, str]]:
    """The README's settings table: (variable, default, values taken, meaning) a row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.*?) \| (.*?) \| (.*?) \|$", section, re.MULTILINE)
    return [(env, "" if default == "(empty)" else default, taken, meaning) for env, default, taken, meaning in rows]


def test_the_readme_table_is_the_declaration():
    assert readme_table() == [(env, reader.shown(default), reader.range, meaning)
                              for env, default, reader, meaning in declared()]


def test_env_example_sets_every_setting_to_its_default():
    example = dotenv_values(ROOT / ".env.example")
    assert list(example) == [env for env, _, _, _ in declared()]
    assert example == {env: reader.shown(default) for env, default, reader, _ in declared()}


def test_env_example_as_it_is_gives_the_defaults(monkeypatch):
    for env, _, _, _ in declared():
        monkeypatch.delenv(env, raising=False)
    assert load_settings(ROOT / ".env.example") == Settings()


def test_every_setting_is_read_from_its_variable(monkeypatch):
    values = {"DISCORD_TOKEN": "abc", "PAPERCLUB_DB": "lab.db", "PAPERCLUB_PREFIX": "?", "PAPERCLUB_GUILD_ID": "42",
              "PAPERCLUB_LOG_LEVEL": "debug", "PAPERCLUB_ARXIV_RSS_URL": "http://mirror/rss/",
              "PAPERCLUB_ARXIV_API_URL": "http://mirror/api", "PAPERCLUB_ARXIV_DELAY": "0.5",
              "PAPERCLUB_ARXIV_MAX_BYTES": "500kB", "PAPERCLUB_ARXIV_MAX_DECOMPRESSED_BYTES": "1GB",
              "PAPERCLUB_ARXIV_DEADLINE": "10", "PAPERCLUB_ENRICH": "off", "PAPERCLUB_BACKUP_DIR": "/b",
              "PAPERCLUB_BACKUP_KEEP": "3", "PAPERCLUB_BACKUP_HOUR": "23"}
    assert set(values) == {env for env, _, _, _ in declared()}
    for env, raw in values.items():
        monkeypatch.setenv(env, raw)
    settings = load_settings(env_file=None)
    assert settings.token.reveal() == "abc"
    assert [getattr(settings, f.name) for f in fields(Settings) if f.name != "token"] == [
        "lab.db", "?", 42, "DEBUG", "http://mirror/rss/", "http://mirror/api", 0.5, 500_000, 1_000_000_000, 10.0,
        False, "/b", 3, 23]


@pytest.mark.parametrize(("env", "raw", "must"), [
    ("PAPERCLUB_ARXIV_API_URL", "export.arxiv.org/api/query", "an http or https address"),
    ("PAPERCLUB_LOG_LEVEL", "loud", "one of DEBUG, INFO"),
    ("PAPERCLUB_PREFIX", "!!!!!!", "1 to 5 characters"),
])
def test_a_malformed_setting_is_refused_with_what_it_must_be(monkeypatch, env, raw, must):
    monkeypatch.setenv(env, raw)
    with pytest.raises(ConfigError, match=f"^{env} must be {must}.*got {raw!r}"):
        load_settings(env_file=None)
