"""When arXiv announces, and when a subscription's local posting time has come.

arXiv announces new submissions Sunday to Thursday at 20:00 US Eastern time; the RSS feed labels
each announcement with the following day, Monday to Friday, and carries nothing on Saturdays and
Sundays (nor on the holidays arXiv skips). paperclub expects the announcement labelled D from
midnight Eastern on D, when the feed for D is in place.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import process

ARXIV_TZ = ZoneInfo("America/New_York")
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)
_ALIASES = {"utc": "UTC", "gmt": "UTC", "z": "UTC", "et": "America/New_York", "pt": "America/Los_Angeles",
            "ct": "America/Chicago", "cet": "Europe/Paris", "uk": "Europe/London"}


def latest_announcement(now: datetime) -> date:
    """The day label of the newest arXiv announcement available at `now` (an aware datetime)."""
    day = now.astimezone(ARXIV_TZ).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def parse_time(text: str) -> time:
    """A time of day from `08:30`, `8:30`, `8`, `8am`, `8.30pm` or `20h30`; ValueError otherwise."""
    match = _TIME.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a time of day; write it like 08:30 or 8:30pm")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a time of day: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time of day: hours go to 23 and minutes to 59")
    return time(hour, minute)


def parse_timezone(text: str) -> str:
    """The IANA name of a time zone (`Europe/Berlin`, `utc`, `america/new_york`); ValueError
    naming the closest zones otherwise."""
    wanted = (text or "").strip().replace(" ", "_")
    if wanted.lower() in _ALIASES:
        return _ALIASES[wanted.lower()]
    names = zone_names()
    for name in names:
        if name.lower() == wanted.lower():
            return name
    close = [name for name, _, _ in process.extract(wanted, names, limit=3)] if wanted else []
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"{text!r} is not a time zone I know; use a name like Europe/Berlin or America/New_York.{hint}")


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for a stored (already validated) zone name, UTC if it vanished from tzdata."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    """Every IANA time zone name of the form Area/City (and UTC), sorted."""
    return sorted(n for n in available_timezones() if "/" in n or n == "UTC")
