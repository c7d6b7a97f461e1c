"""Every numeric setting and option has a range, and `nan` and infinities are refused."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, load_settings
from recommender import ONLY_RELEVANT, FloorConflict, SubscriptionError, relevance_floor


@pytest.mark.parametrize(("name", "raw", "range_text"), [
    ("PAPERCLUB_ARXIV_DEADLINE", "1e10", "from 0.1 to 3600"),
    ("PAPERCLUB_ARXIV_DEADLINE", "nan", "from 0.1 to 3600"),
    ("PAPERCLUB_ARXIV_DEADLINE", "0", "from 0.1 to 3600"),
    ("PAPERCLUB_ARXIV_DELAY", "1e10", "from 0 to 3600"),
    ("PAPERCLUB_ARXIV_DELAY", "-inf", "from 0 to 3600"),
    ("PAPERCLUB_ARXIV_MAX_BYTES", "1e30", "from 1kB to 2GB"),
    ("PAPERCLUB_ARXIV_MAX_BYTES", "10", "from 1kB to 2GB"),
    ("PAPERCLUB_ARXIV_MAX_DECOMPRESSED_BYTES", "infGB", "from 1kB to 10GB"),
    ("PAPERCLUB_BACKUP_KEEP", "0", "from 1 to 365"),
    ("PAPERCLUB_BACKUP_KEEP", "99999999999999999999999", "from 1 to 365"),
    ("PAPERCLUB_BACKUP_KEEP", "nan", "from 1 to 365"),
    ("PAPERCLUB_BACKUP_HOUR", "24", "from 0 to 23"),
    ("PAPERCLUB_BACKUP_HOUR", "-1", "from 0 to 23"),
])
def test_a_setting_out_of_range_is_refused_with_its_name_and_range(monkeypatch, name, raw, range_text):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    message = str(caught.value)
    assert message.startswith(f"{name} must be") and range_text in message and repr(raw) in message


def test_a_server_id_longer_than_discord_makes_them_is_refused(monkeypatch):
    monkeypatch.setenv("PAPERCLUB_GUILD_ID", "9" * 40)
    with pytest.raises(ConfigError, match="^PAPERCLUB_GUILD_ID must be a server id"):
        load_settings(env_file=None)


def test_settings_in_range_are_taken(monkeypatch, tmp_path):
    for name, raw in (("PAPERCLUB_ARXIV_DEADLINE", "3600"), ("PAPERCLUB_ARXIV_DELAY", "0"),
                      ("PAPERCLUB_ARXIV_MAX_BYTES", "2GB"), ("PAPERCLUB_BACKUP_KEEP", "30"),
                      ("PAPERCLUB_BACKUP_HOUR", "0"), ("PAPERCLUB_BACKUP_DIR", str(tmp_path / "b")), ("PAPERCLUB_DB", str(tmp_path / "x.db"))):
        monkeypatch.setenv(name, raw)
    settings = load_settings(env_file=None)
    assert (settings.arxiv_deadline, settings.arxiv_delay, settings.arxiv_max_bytes) == (3600, 0, 2_000_000_000)
    assert (settings.backup_keep, settings.backup_hour, settings.backup_folder) == (30, 0, tmp_path / "b")
    monkeypatch.delenv("PAPERCLUB_BACKUP_DIR")
    assert load_settings(env_file=None).backup_folder == tmp_path / "backups"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1.5"])
def test_digest_min_score_refuses_nan_and_infinities(tmp_path, value):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "digest", "--categories", "cs.LG",
                                      "--no-fetch", "--min-score", value])
    assert result.exit_code == 2
    assert "--min-score" in result.output and "0<=x<1" in result.output


@pytest.mark.parametrize("args", [["taste", "ada", "--mute", "9" * 30], ["enrich", "--limit", "9" * 30]])
def test_whole_number_options_have_an_upper_bound(tmp_path, args):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), *args])
    assert result.exit_code == 2 and "is not in the range" in result.output


def test_the_relevance_floor_refuses_a_min_score_of_nan():
    with pytest.raises(SubscriptionError, match="not nan"):
        relevance_floor(None, float("nan"))


def test_the_relevance_floor_is_a_score_only_relevant_or_none_never_both():
    assert (relevance_floor(None, 0.3), relevance_floor(True, None), relevance_floor(False, None)) == (
        0.3, ONLY_RELEVANT, None)
    with pytest.raises(FloorConflict, match="not both"):
        relevance_floor(True, 0.3)


@pytest.mark.parametrize("options", [{"deadline": 1e10}, {"delay": 1e10}, {"timeout": float("nan")},
                                     {"deadline": float("inf")}, {"delay": -1.0}])
def test_the_arxiv_client_refuses_seconds_out_of_range(options, fake_gate):
    from recommender.arxiv import ArxivClient

    with pytest.raises(ValueError, match="seconds"):
        ArxivClient(gate=fake_gate, **options)
