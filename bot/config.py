"""Settings from the environment and `.env`: the only place that reads `os.environ`.

The Discord token is kept in a `Secret` so it never shows up in a repr, a log line or an error.
"""

from __future__ import annotations

import logging
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

DEFAULT_DB = "paperclub.db"
DEFAULT_PREFIX = "!"
DEFAULT_ARXIV_RSS_URL = "https://rss.arxiv.org/rss/"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_DELAY = 3.0  # seconds between arXiv requests: arXiv's own rule
DEFAULT_ARXIV_MAX_BYTES = 20_000_000  # the most read of one arXiv answer, as received
DEFAULT_ARXIV_MAX_DECOMPRESSED_BYTES = 100_000_000  # the most it may unpack to
DEFAULT_ARXIV_DEADLINE = 60.0  # seconds for one whole arXiv request
DEFAULT_BACKUP_KEEP = 7  # nightly backups kept
DEFAULT_BACKUP_HOUR = 3  # the nightly backup falls due at 03:00, local time
# The ranges numeric settings are taken in: past them a value is a typo (or an attack), and
# Python's timers and sleeps overflow.
DELAY_RANGE = (0.0, 3600.0)
DEADLINE_RANGE = (0.1, 3600.0)
MAX_BYTES_RANGE = (1_000, 2_000_000_000)
MAX_DECOMPRESSED_RANGE = (1_000, 10_000_000_000)
BACKUP_KEEP_RANGE = (1, 365)
BACKUP_HOUR_RANGE = (0, 23)
GUILD_ID_DIGITS = 20
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}
_ON, _OFF = frozenset({"on", "true", "yes", "1"}), frozenset({"off", "false", "no", "0"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting that is missing or malformed; the message says how to fix it."""


class Secret:
    """A string that refuses to print itself."""

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    db_path: str = DEFAULT_DB
    token: Secret = field(default_factory=lambda: Secret(""))
    prefix: str = DEFAULT_PREFIX
    guild_id: int | None = None
    log_level: str = "INFO"
    arxiv_rss_url: str = DEFAULT_ARXIV_RSS_URL
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    arxiv_delay: float = DEFAULT_ARXIV_DELAY
    arxiv_max_bytes: int = DEFAULT_ARXIV_MAX_BYTES
    arxiv_max_decompressed_bytes: int = DEFAULT_ARXIV_MAX_DECOMPRESSED_BYTES
    arxiv_deadline: float = DEFAULT_ARXIV_DEADLINE
    enrich: bool = True  # the bot matches papers without an arXiv id to arXiv in the background
    backup_dir: str = ""  # where nightly backups go; empty: `backups/` beside the database
    backup_keep: int = DEFAULT_BACKUP_KEEP
    backup_hour: int = DEFAULT_BACKUP_HOUR  # local time

    @property
    def backup_folder(self) -> Path:
        """The folder of the nightly backups: the setting, else `backups/` beside the database."""
        return Path(self.backup_dir) if self.backup_dir else Path(self.db_path).resolve().parent / "backups"

    def arxiv_options(self) -> dict[str, Any]:
        """The keyword arguments of `ArxivClient` that these settings decide, besides its URLs."""
        return {
            "delay": self.arxiv_delay,
            "max_bytes": self.arxiv_max_bytes,
            "max_decompressed": self.arxiv_max_decompressed_bytes,
            "deadline": self.arxiv_deadline,
        }


def _environment(env_file: str | Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Settings from `.env` (if present) overridden by the process environment.

    Raises ConfigError naming the variable for a malformed value. A missing token is not an
    error here: only `paperclub run` needs one (see `require_token`).
    """
    env = _environment(env_file)
    guild = env.get("PAPERCLUB_GUILD_ID", "").strip()
    if guild and not (guild.isascii() and guild.isdigit() and len(guild) <= GUILD_ID_DIGITS):
        raise ConfigError(
            f"PAPERCLUB_GUILD_ID must be a server id (digits only, e.g. 123456789012345678), got {guild!r}"
        )
    level = env.get("PAPERCLUB_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"PAPERCLUB_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    prefix = env.get("PAPERCLUB_PREFIX", DEFAULT_PREFIX)
    if not prefix.strip() or len(prefix) > 5:
        raise ConfigError(f"PAPERCLUB_PREFIX must be 1 to 5 characters (like '!'), got {prefix!r}")
    delay = _seconds(env, "PAPERCLUB_ARXIV_DELAY", DEFAULT_ARXIV_DELAY, DELAY_RANGE)
    deadline = _seconds(env, "PAPERCLUB_ARXIV_DEADLINE", DEFAULT_ARXIV_DEADLINE, DEADLINE_RANGE)
    return Settings(
        db_path=env.get("PAPERCLUB_DB", "").strip() or DEFAULT_DB,
        token=Secret(env.get("DISCORD_TOKEN", "").strip()),
        prefix=prefix,
        guild_id=int(guild) if guild else None,
        log_level=level,
        arxiv_rss_url=env.get("PAPERCLUB_ARXIV_RSS_URL", "").strip() or DEFAULT_ARXIV_RSS_URL,
        arxiv_api_url=env.get("PAPERCLUB_ARXIV_API_URL", "").strip() or DEFAULT_ARXIV_API_URL,
        arxiv_delay=delay,
        arxiv_max_bytes=_size(env, "PAPERCLUB_ARXIV_MAX_BYTES", DEFAULT_ARXIV_MAX_BYTES, MAX_BYTES_RANGE),
        arxiv_max_decompressed_bytes=_size(env, "PAPERCLUB_ARXIV_MAX_DECOMPRESSED_BYTES",
                                           DEFAULT_ARXIV_MAX_DECOMPRESSED_BYTES, MAX_DECOMPRESSED_RANGE),
        arxiv_deadline=deadline,
        enrich=_switch(env, "PAPERCLUB_ENRICH", True),
        backup_dir=env.get("PAPERCLUB_BACKUP_DIR", "").strip(),
        backup_keep=_count(env, "PAPERCLUB_BACKUP_KEEP", DEFAULT_BACKUP_KEEP, BACKUP_KEEP_RANGE),
        backup_hour=_count(env, "PAPERCLUB_BACKUP_HOUR", DEFAULT_BACKUP_HOUR, BACKUP_HOUR_RANGE),
    )


def _seconds(env: dict[str, str], name: str, default: float, bounds: tuple[float, float]) -> float:
    """A number of seconds within `bounds` from the variable `name`; `default` when it is unset
    or empty. `nan` and infinities are refused."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        raise ConfigError(f"{name} must be a number of seconds from {low:g} to {high:g} (e.g. {default:g}), got {raw!r}")
    return value


def _count(env: dict[str, str], name: str, default: int, bounds: tuple[int, int]) -> int:
    """A whole number within `bounds` from the variable `name`; `default` when unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    low, high = bounds
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18 and low <= int(raw) <= high):
        raise ConfigError(f"{name} must be a whole number from {low} to {high} (e.g. {default}), got {raw!r}")
    return int(raw)


def _switch(env: dict[str, str], name: str, default: bool) -> bool:
    """On or off from the variable `name` (on/off, true/false, yes/no, 1/0, any case);
    `default` when it is unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in _ON | _OFF:
        return raw.lower() in _ON
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def _size(env: dict[str, str], name: str, default: int, bounds: tuple[int, int]) -> int:
    """A size in bytes within `bounds` from the variable `name` (`20000000`, `20MB`, `500 kB`;
    units of 1000); `default` when it is unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    number = raw.rstrip("BbKkMmGg ").strip()
    unit = raw[len(number):].strip().lower()
    try:
        value = float(number) * _SIZE_UNITS[unit] if number else math.nan
    except (ValueError, KeyError):
        value = math.nan
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        raise ConfigError(f"{name} must be a size in bytes from {_bytes(low)} to {_bytes(high)}, like 20000000 "
                          f"or 20MB, got {raw!r}")
    return int(value)


def _bytes(size: int) -> str:
    """1000 → `1kB`, 2000000000 → `2GB`."""
    for unit, factor in (("GB", 1_000_000_000), ("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def env_file_warning(env_file: str | Path = ".env") -> str | None:
    """A sentence when `.env` can be read by users other than its owner (it holds the token);
    None when it is private or absent."""
    path = Path(env_file)
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    return (f"Warning: {path} holds the bot's token and is readable by other users of this machine "
            f"(mode {stat.S_IMODE(mode):o}): make it yours alone with `chmod 600 {path}`.")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
