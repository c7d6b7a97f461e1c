"""Settings from the environment and `.env`: the only place that reads `os.environ`.

The Discord token is kept in a `Secret` so it never shows up in a repr, a log line or an error.
"""

from __future__ import annotations

import logging
import math
import os
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Generic, TypeVar

GUILD_ID_DIGITS = 20
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}
_ON, _OFF = frozenset({"on", "true", "yes", "1"}), frozenset({"off", "false", "no", "0"})
T = TypeVar("T")
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


# -- how a setting's text is read ----------------------------------------------------------
# Each reader takes the variable's text (never empty: an empty or unset variable keeps the
# default) and returns the value, or raises _Refused with what the value must be.


class _Refused(ValueError):
    """What a value must be (`a number of seconds from 0 to 3600 (e.g. 3)`)."""


class Reader(Generic[T]):
    """How a setting's text is read (`read`) and its value written back (`shown`, as
    `.env.example` and the README give defaults)."""

    def read(self, raw: str) -> T:
        raise NotImplementedError

    def shown(self, value: T) -> str:
        return str(value)

    @property
    def range(self) -> str:
        """The values taken, in words (the README's settings table)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Token(Reader[Secret]):
    """The bot's token, kept in a `Secret`."""

    def read(self, raw: str) -> Secret:
        return Secret(raw.strip())

    def shown(self, value: Secret) -> str:
        return ""

    @property
    def range(self) -> str:
        return "a token from Discord's developer portal"


@dataclass(frozen=True)
class Url(Reader[str]):
    """An http or https address."""

    def read(self, raw: str) -> str:
        text = raw.strip()
        if not text.lower().startswith(("http://", "https://")):
            raise _Refused("an http or https address (like https://export.arxiv.org/api/query)")
        return text

    @property
    def range(self) -> str:
        return "an http or https address"


@dataclass(frozen=True)
class FilePath(Reader[str]):
    """A file or folder path, spaces around it dropped."""

    def read(self, raw: str) -> str:
        return raw.strip()

    @property
    def range(self) -> str:
        return "a path"


@dataclass(frozen=True)
class Prefix(Reader[str]):
    """A text command's prefix: 1 to 5 characters, taken as written."""

    def read(self, raw: str) -> str:
        if not raw.strip() or len(raw) > 5:
            raise _Refused("1 to 5 characters (like '!')")
        return raw

    @property
    def range(self) -> str:
        return "1 to 5 characters"


@dataclass(frozen=True)
class ServerId(Reader[int | None]):
    """A Discord server id: digits."""

    def read(self, raw: str) -> int | None:
        text = raw.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= GUILD_ID_DIGITS):
            raise _Refused("a server id (digits only, e.g. 123456789012345678)")
        return int(text)

    def shown(self, value: int | None) -> str:
        return "" if value is None else str(value)

    @property
    def range(self) -> str:
        return f"up to {GUILD_ID_DIGITS} digits"


@dataclass(frozen=True)
class Choice(Reader[str]):
    """One of a few words, in any case."""

    choices: tuple[str, ...] = ()

    def read(self, raw: str) -> str:
        word = raw.strip().upper()
        if word not in self.choices:
            raise _Refused(f"one of {', '.join(self.choices)}")
        return word

    @property
    def range(self) -> str:
        return ", ".join(self.choices)


@dataclass(frozen=True)
class Switch(Reader[bool]):
    """On or off: on/off, true/false, yes/no, 1/0, in any case."""

    def read(self, raw: str) -> bool:
        word = raw.strip().lower()
        if word not in _ON | _OFF:
            raise _Refused("on or off")
        return word in _ON

    def shown(self, value: bool) -> str:
        return "on" if value else "off"

    @property
    def range(self) -> str:
        return "on or off"


@dataclass(frozen=True)
class Seconds(Reader[float]):
    """A number of seconds within a range; `nan` and infinities refused."""

    low: float = 0.0
    high: float = 0.0

    def read(self, raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise _Refused(f"a number of seconds from {self.low:g} to {self.high:g}")
        return value

    def shown(self, value: float) -> str:
        return f"{value:g}"

    @property
    def range(self) -> str:
        return f"{self.low:g} to {self.high:g} s"


@dataclass(frozen=True)
class Count(Reader[int]):
    """A whole number within a range."""

    low: int = 0
    high: int = 0

    def read(self, raw: str) -> int:
        text = raw.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 18 and self.low <= int(text) <= self.high):
            raise _Refused(f"a whole number from {self.low} to {self.high}")
        return int(text)

    @property
    def range(self) -> str:
        return f"{self.low} to {self.high}"


@dataclass(frozen=True)
class Size(Reader[int]):
    """A size in bytes within a range: `20000000`, `20MB`, `500 kB` (units of 1000)."""

    low: int = 0
    high: int = 0

    def read(self, raw: str) -> int:
        text = raw.strip()
        number = text.rstrip("BbKkMmGg ").strip()
        unit = text[len(number):].strip().lower()
        try:
            value = float(number) * _SIZE_UNITS[unit] if number else math.nan
        except (ValueError, KeyError):
            value = math.nan
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise _Refused(f"a size in bytes from {_bytes(self.low)} to {_bytes(self.high)}, like 20000000 or 20MB")
        return int(value)

    def shown(self, value: int) -> str:
        return _bytes(value)

    @property
    def range(self) -> str:
        return f"{_bytes(self.low)} to {_bytes(self.high)}"


def _bytes(size: int) -> str:
    """1000 → `1kB`, 2000000000 → `2GB`."""
    for unit, factor in (("GB", 1_000_000_000), ("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def setting(env: str, default: T, reader: Reader[T], meaning: str) -> Any:
    """A field of `Settings`: the variable it is read from, its default, how its text is read
    and what it is for (the README's settings table and `.env.example` are checked against
    these by tests/test_settings_declared.py)."""
    return field(default=default, metadata={"env": env, "reader": reader, "meaning": meaning})


DEFAULT_DB = "paperclub.db"


@dataclass(frozen=True)
class Settings:
    """Every setting, declared once: its environment variable, default, reading and meaning."""

    token: Secret = setting("DISCORD_TOKEN", Secret(""), Token(),
                            "the bot's token; only `paperclub run` needs it")
    db_path: str = setting("PAPERCLUB_DB", DEFAULT_DB, FilePath(), "the SQLite file of the library")
    prefix: str = setting("PAPERCLUB_PREFIX", "!", Prefix(),
                          "the prefix of text commands (slash commands work regardless)")
    guild_id: int | None = setting("PAPERCLUB_GUILD_ID", None, ServerId(),
                                   "a server to sync slash commands to at once while testing")
    log_level: str = setting("PAPERCLUB_LOG_LEVEL", "INFO", Choice(LOG_LEVELS), "how much the log says")
    arxiv_rss_url: str = setting("PAPERCLUB_ARXIV_RSS_URL", "https://rss.arxiv.org/rss/", Url(),
                                 "where arXiv's daily announcements are read")
    arxiv_api_url: str = setting("PAPERCLUB_ARXIV_API_URL", "https://export.arxiv.org/api/query", Url(),
                                 "where papers are looked up on arXiv by id and title")
    arxiv_delay: float = setting("PAPERCLUB_ARXIV_DELAY", 3.0, Seconds(low=0.0, high=3600.0),
                                 "the pause between the starts of requests to arXiv (arXiv asks for 3 s)")
    arxiv_max_bytes: int = setting("PAPERCLUB_ARXIV_MAX_BYTES", 20_000_000, Size(low=1_000, high=2_000_000_000),
                                   "the most read of one answer from arXiv, as received")
    arxiv_max_decompressed_bytes: int = setting(
        "PAPERCLUB_ARXIV_MAX_DECOMPRESSED_BYTES", 100_000_000, Size(low=1_000, high=10_000_000_000),
        "the most one answer from arXiv may unpack to")
    arxiv_deadline: float = setting("PAPERCLUB_ARXIV_DEADLINE", 60.0, Seconds(low=0.1, high=3600.0),
                                    "one whole request to arXiv, redirects included")
    enrich: bool = setting("PAPERCLUB_ENRICH", True, Switch(),
                           "whether the bot matches papers to arXiv in the background")
    backup_dir: str = setting("PAPERCLUB_BACKUP_DIR", "", FilePath(),
                              "where nightly backups go (empty: `backups/` beside the database)")
    backup_keep: int = setting("PAPERCLUB_BACKUP_KEEP", 7, Count(low=1, high=365), "how many nightly backups are kept")
    backup_hour: int = setting("PAPERCLUB_BACKUP_HOUR", 3, Count(low=0, high=23),
                               "the hour of the night the backup is made, in the machine's local time (`TZ`)")

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


def declared() -> list[tuple[str, Any, Reader[Any], str]]:
    """Each setting's variable, default, reader and meaning, in declaration order."""
    return [(f.metadata["env"], f.default, f.metadata["reader"], f.metadata["meaning"])
            for f in fields(Settings)]


def _environment(env_file: str | Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values  # only where there is a .env to read

        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Settings from `.env` (if present) overridden by the process environment; an unset or
    empty variable keeps its default.

    Raises ConfigError naming the variable, what it must be and what it was for a malformed
    value. A missing token is not an error here: only `paperclub run` needs one.
    """
    env = _environment(env_file)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name, reader = f.metadata["env"], f.metadata["reader"]
        raw = env.get(name, "")
        if not raw.strip():
            continue
        try:
            values[f.name] = reader.read(raw)
        except _Refused as exc:
            example = reader.shown(f.default)
            hint = f" (e.g. {example})" if isinstance(reader, Seconds | Count) else ""
            raise ConfigError(f"{name} must be {exc}{hint}, got {raw!r}") from None
    return Settings(**values)


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
