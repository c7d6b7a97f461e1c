"""Known conditions get sentences, not "please report it": a damaged or locked database,
Discord refusing the token (4004) or failing at login (500), a `.env` others can read; and
backups made with SQLite's online backup API while another process writes."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest
from click.testing import CliRunner

from bot.render.errors import error_text
from bot import client as bot_client
from bot.cli import cli
from bot.cli.errors import report_failure
from bot.client import SetupProblem, run_bot
from bot.backups import CHECK_MINUTES, NightlyBackup
from bot.config import Secret, Settings, env_file_warning
from recommender import Library, database_problem
from recommender.backup import backup_due, backups

ROOT = Path(__file__).resolve().parents[1]
WELL_FORMED = "MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789_-"
DAMAGED = "The database file is damaged: restore it from a backup"


def paperclub(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.fixture
def database(tmp_path) -> Path:
    path = tmp_path / "lib.db"
    with Library(path) as library:
        library.ensure_seeded()
    return path


def _damage(path: Path, start_page: int) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as out:
        for offset in range(start_page * 4096, size, 4096):
            out.seek(offset)
            out.write(b"\xa5" * 4096)


def test_a_damaged_database_is_said_to_be_damaged(database, tmp_path):
    _damage(database, 2)
    done = paperclub("--db", str(database), "like", "ada", "1", cwd=tmp_path)
    assert done.returncode == 1
    assert DAMAGED in done.stderr and "please report" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("error", "sentence"), [
    (sqlite3.DatabaseError("database disk image is malformed"), DAMAGED),
    (sqlite3.DatabaseError("database corruption at line 1234"), DAMAGED),
    (sqlite3.OperationalError("database is locked"), "The database is locked: another paperclub process"),
    (sqlite3.OperationalError("database or disk is full"), "The disk that holds the database is full"),
])
def test_known_database_conditions_are_sentences_in_the_terminal_and_the_bot(capsys, error, sentence):
    report_failure(error)
    said = capsys.readouterr().err
    assert said.startswith(sentence) and "please report" not in said
    assert error_text(error).startswith(sentence)
    assert database_problem(RuntimeError("database is locked")) is None


def test_other_errors_are_still_unexpected(capsys):
    report_failure(sqlite3.OperationalError("no such table: x"))
    assert "please report it" in capsys.readouterr().err


def _closed(code: int) -> discord.ConnectionClosed:
    return discord.ConnectionClosed(SimpleNamespace(close_code=code), shard_id=None, code=code)  # type: ignore[arg-type]


def test_discord_refusing_the_token_at_the_gateway_is_named(tmp_path, monkeypatch):
    async def start(self, token, *, reconnect=True):
        raise _closed(4004)

    monkeypatch.setattr(bot_client.PaperclubBot, "start", start)
    with pytest.raises(SetupProblem) as raised:
        run_bot(Settings(db_path=str(tmp_path / "bot.db"), token=Secret(WELL_FORMED)))
    assert "Discord refused the token (4004" in str(raised.value) and WELL_FORMED not in str(raised.value)


def test_another_gateway_close_is_not_taken_for_a_refused_token(tmp_path, monkeypatch):
    async def start(self, token, *, reconnect=True):
        raise _closed(4000)

    monkeypatch.setattr(bot_client.PaperclubBot, "start", start)
    with pytest.raises(discord.ConnectionClosed):
        run_bot(Settings(db_path=str(tmp_path / "bot.db"), token=Secret(WELL_FORMED)))


def test_discord_answering_500_at_login_is_said_to_be_on_discords_side(tmp_path, monkeypatch):
    async def login(self, token):
        raise discord.DiscordServerError(SimpleNamespace(status=500, reason="Internal Server Error"), "")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", login)
    with pytest.raises(SetupProblem) as raised:
        run_bot(Settings(db_path=str(tmp_path / "bot.db"), token=Secret(WELL_FORMED)))
    assert "Discord answered 500 (Internal Server Error) when paperclub logged in" in str(raised.value)


def test_run_warns_once_when_env_is_readable_by_others(tmp_path, monkeypatch):
    async def refuse(self, token):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    monkeypatch.chdir(tmp_path)
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={WELL_FORMED}\nPAPERCLUB_DB={tmp_path / 'bot.db'}\n")
    env_file.chmod(0o644)
    result = CliRunner().invoke(cli, ["run"])
    assert result.output.count("readable by other users") == 1 and "chmod 600 .env" in result.output
    assert WELL_FORMED not in result.output
    env_file.chmod(0o600)
    assert env_file_warning(env_file) is None
    assert env_file_warning(tmp_path / "absent") is None


def test_backup_copies_the_database_while_another_process_writes(database, tmp_path):
    writer = sqlite3.connect(database, timeout=30)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta(key, value) VALUES ('uncommitted', 'x')")
    try:
        done = paperclub("--db", str(database), "backup", str(tmp_path / "copy.db"), cwd=tmp_path)
    finally:
        writer.rollback()
        writer.close()
    assert done.returncode == 0, done.stderr
    assert "Backed up" in done.stdout
    copy = sqlite3.connect(tmp_path / "copy.db")
    # (not PRAGMA integrity_check: SQLite 3.40 reports NULLs that are not there in WITHOUT ROWID tables)
    assert copy.execute("SELECT count(*) FROM papers").fetchone()[0] == 80
    assert copy.execute("SELECT count(*) FROM meta WHERE key = 'uncommitted'").fetchone()[0] == 0
    copy.close()
    with Library(tmp_path / "copy.db") as restored:
        assert len(restored.search("neural")) > 0
    again = paperclub("--db", str(database), "backup", str(tmp_path / "copy.db"), cwd=tmp_path)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_backup_without_a_file_goes_to_the_backup_folder(database, tmp_path):
    done = paperclub("--db", str(database), "backup", cwd=tmp_path, env={"PAPERCLUB_BACKUP_DIR": str(tmp_path / "b")})
    assert done.returncode == 0, done.stderr
    [made] = backups(tmp_path / "b", database)
    assert made.name.startswith("lib-") and made.stat().st_size > 0


def test_the_nightly_backups_rotate(database, tmp_path):
    folder = tmp_path / "backups"
    start = datetime(2026, 12, 1, 3, 4)
    with Library(database) as library:
        made = [library.rotating_backup(folder, 3, start + timedelta(days=day), 3) for day in range(5)]
        assert library.rotating_backup(folder, 3, start + timedelta(days=4, hours=20), 3) is None  # not due yet
    assert all(path is not None for path in made)
    assert [p.name for p in backups(folder, database)] == [
        "lib-20261203-030400.db", "lib-20261204-030400.db", "lib-20261205-030400.db"]


@pytest.mark.parametrize("newest, now, due", [
    (None, "2026-12-01 15:00", True),  # the first backup: at once
    ("2026-12-01 15:00", "2026-12-01 23:59", False),
    ("2026-12-01 15:00", "2026-12-02 02:59", False),
    ("2026-12-01 15:00", "2026-12-02 03:00", True),  # the hour struck
    ("2026-12-02 03:00", "2026-12-02 16:00", False),  # a restart in the day makes none
    ("2026-12-02 03:00", "2026-12-03 02:00", False),
    ("2026-12-01 03:00", "2026-12-02 16:00", True),  # the night was missed: made up at start
])
def test_the_nightly_backup_falls_due_when_the_clock_strikes_its_hour(newest, now, due):
    def local(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    assert backup_due(local(newest), local(now), 3) is due


async def test_the_bot_backs_up_in_the_night_hour_of_its_local_time(database, tmp_path):
    folder = tmp_path / "nightly"
    settings = Settings(db_path=str(database), backup_dir=str(folder), backup_keep=3, backup_hour=2)
    bot = bot_client.create_bot(settings, sync_commands=False, post_digests=False)
    now = datetime(2026, 12, 1, 14, 37)  # started in the afternoon
    bot.backups = NightlyBackup(bot, clock=lambda: now)
    await bot.threads.start()
    try:
        while now < datetime(2026, 12, 4, 6, 0):  # the loop's checks, every CHECK_MINUTES
            await bot.backups.once()
            now += timedelta(minutes=CHECK_MINUTES)
    finally:
        await bot.threads.stop()
    made = [path.name[len("lib-"):-len(".db")] for path in backups(folder, database)]
    # the first at start (there was none), then one a night, in the first check after 02:00
    assert made == ["20261202-020700", "20261203-020700", "20261204-020700"]


def test_a_half_written_backup_of_a_dead_process_is_removed(database, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    partial = folder / f"lib-20261201-030000.db.part-{child.pid}"
    partial.write_bytes(b"half")
    with Library(database) as library:
        library.rotating_backup(folder, 7, datetime(2026, 12, 2, 3, 0), 3)
    assert not partial.exists()


async def test_the_bot_makes_the_daily_backup(database, tmp_path, caplog):
    settings = Settings(db_path=str(database), backup_dir=str(tmp_path / "nightly"), backup_keep=2)
    bot = bot_client.create_bot(settings, sync_commands=False, post_digests=False)
    await bot.threads.start()
    try:
        with caplog.at_level(logging.INFO, logger="paperclub.backup"):
            await bot.backups.once()
            await bot.backups.once()  # not due again
        assert len(backups(tmp_path / "nightly", database)) == 1
        assert caplog.text.count("Backed up the database") == 1
    finally:
        await bot.threads.stop()
